// The panel's two address rules (src/urls.js), with Node's test runner: `node --test web/agent-panel/test/`
// (scripts/test-browser runs it). The browser suite checks the same rules in the page on loopback;
// here the rule of a deployed (https) panel, which no local run can serve.
import assert from "node:assert/strict";
import { test } from "node:test";

import { apiRequestUrl, openableLink, RefusedUrl } from "../src/urls.js";

const API = "https://abc123.execute-api.eu-west-2.amazonaws.com";
const DEPLOYED = new URL("https://d111111abcdef8.cloudfront.net/");
const LOCAL = new URL("http://127.0.0.1:5173/");

test("a route's path and query go under the configured API, ids encoded once", () => {
  const url = apiRequestUrl(API, "/contact/attachments/i/c/f", new URLSearchParams({ disposition: "inline" }));
  assert.equal(url.href, `${API}/contact/attachments/i/c/f?disposition=inline`);
  assert.equal(apiRequestUrl(`${API}/prod`, "contact/references/i/c").href, `${API}/prod/contact/references/i/c`);
  assert.equal(apiRequestUrl("http://127.0.0.1:9000/lambda-url/connect-references", "/contact/references/i/c").href,
    "http://127.0.0.1:9000/lambda-url/connect-references/contact/references/i/c");
});

test("a path that would leave the API's origin or path is refused", () => {
  for (const path of ["https://evil.example/contact/x", "\\\\evil.example/x", "http://abc123.execute-api.eu-west-2.amazonaws.com:444/x",
    "../other-api/x", "%2e%2e/other-api/x", "javascript:alert(1)"]) {
    assert.throws(() => apiRequestUrl(`${API}/prod/`, path), RefusedUrl, path);
  }
  // Another origin under the same path: only the origin check refuses these.
  for (const path of ["https://evil.example/prod/x", "http://abc123.execute-api.eu-west-2.amazonaws.com/prod/x"]) {
    assert.throws(() => apiRequestUrl(`${API}/prod/`, path), RefusedUrl, path);
  }
  // Leading slashes mean the API's root: a scheme-relative "//host/…" stays a path under the API.
  assert.equal(apiRequestUrl(`${API}/prod/`, "//evil.example/x").href, `${API}/prod/evil.example/x`);
});

test("a deployed panel opens https links only", () => {
  assert.equal(openableLink("https://bucket.s3.amazonaws.com/f?X-Amz-Signature=1", DEPLOYED), "https://bucket.s3.amazonaws.com/f?X-Amz-Signature=1");
  for (const link of ["http://bucket.s3.amazonaws.com/f", "javascript:alert(1)", "data:text/html,<b>x", "blob:https://x/1", "ftp://x/f", "not a url", ""]) {
    assert.equal(openableLink(link, DEPLOYED), null, link);
  }
});

test("plain http links open only from a panel served over plain http on loopback", () => {
  assert.equal(openableLink("http://connect-local:4566/_files/x", LOCAL), "http://connect-local:4566/_files/x");
  assert.equal(openableLink("http://connect-local:4566/_files/x", new URL("http://panel.example/")), null);
  assert.equal(openableLink("javascript:alert(1)", LOCAL), null);
});
