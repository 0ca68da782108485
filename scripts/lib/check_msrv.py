"""Checks that Cargo.toml's rust-version is honest: at least the newest rust-version that any package
in the lockfile's dependency graph declares (aws-sdk-connect and aws-config set it), and no newer than
the toolchain that runs the tests. cargo itself refuses a toolchain older than rust-version; this catches
a dependency update that silently raised the real minimum. Exits non-zero with the culprits."""

import json
import subprocess
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))


def main():
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"], check=True, capture_output=True, text=True,
    ).stdout)
    ours = next(p for p in metadata["packages"] if p["name"] == "connect-references")
    declared = ours["rust_version"]
    in_graph = {node["id"] for node in metadata["resolve"]["nodes"]}
    needs = sorted(
        ((version(p["rust_version"]), p["name"], p["version"]) for p in metadata["packages"]
         if p["id"] in in_graph and p.get("rust_version") and p.get("source")),  # registry packages only
        reverse=True,
    )
    newest, name, at = needs[0]
    rustc = subprocess.run(["rustc", "--version"], check=True, capture_output=True, text=True).stdout.split()[1]
    problems = []
    if version(declared) < newest:
        culprits = [f"{n} {v} needs {'.'.join(map(str, need))}" for need, n, v in needs if need > version(declared)]
        shown = "; ".join(culprits[:5]) + (f"; and {len(culprits) - 5} more" if len(culprits) > 5 else "")
        problems.append(f"rust-version {declared} is older than what dependencies need: {shown}")
    if version(rustc) < version(declared):
        problems.append(f"rustc {rustc} is older than rust-version {declared}")
    if problems:
        sys.exit("msrv: " + " | ".join(problems))
    print(f"msrv: rust-version {declared} covers every dependency (newest need: {name} {at}, "
          f"{'.'.join(map(str, newest))}); rustc {rustc}")


if __name__ == "__main__":
    main()
