# npm_ci_if_stale DIR: `npm ci` in DIR (exactly the versions in its package-lock.json) unless its
# node_modules was installed from this very lockfile already. Sourced by scripts/build-panel,
# scripts/test-browser and scripts/local. npm's install scripts stay off: esbuild's only checks its
# binary, which its platform package brings.
npm_ci_if_stale() {
  local dir="$1" stamp="$1/node_modules/.installed-from-lock"
  local want; want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
}
