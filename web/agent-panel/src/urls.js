// The two kinds of address the panel acts on, each checked before it is used: a request to the API
// (which carries the agent's token, so it must never leave the configured API), and a link the
// download route answered (which the panel opens in a new tab, so it must be a secure web address).
// No DOM here: tested on its own (test/urls.test.js).

export class RefusedUrl extends Error {}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** `path` (and `query`) under the configured API: `new URL` against `apiUrl`, refused unless the result
 * keeps the API's origin and stays under its path (a downloadPath of `https://elsewhere/…`,
 * `//elsewhere/…` or `../other-api/…` would carry the token away). */
export function apiRequestUrl(apiUrl, path, query = new URLSearchParams()) {
  const base = new URL(apiUrl);
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  base.search = "";
  base.hash = "";
  // Relative to the API's own path: "/contact/…" means the API's root, not the host's.
  const url = new URL(String(path).replace(/^\/+/, ""), base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new RefusedUrl(`refused a request outside the API (${base.origin}${base.pathname})`);
  }
  url.hash = "";
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url;
}

/** The link to open, or null. `https:` only; `http:` too only where the panel itself is plain http on
 * a loopback address (scripts/local and the browser tests, whose Connect stand-in links are http): a
 * deployed panel is https, so there the rule is https alone. `javascript:`, `data:`, `blob:` never. */
export function openableLink(value, page = globalThis.location) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === "https:") return url.href;
  const pageOnLoopback = page?.protocol === "http:" && LOOPBACK.has(page.hostname);
  return url.protocol === "http:" && pageOnLoopback ? url.href : null;
}
