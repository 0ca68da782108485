// The references panel: which contact (the agent workspace's, else the page's address), which token
// (the host's), then the list, and Open at the agent's click. See docs/browser.md.
import { ApiError, ReferencesApi } from "./api.js";
import { element, formatBytes, opensInline, referenceItem, setNote } from "./render.js";

const TOKEN_MESSAGE = "connect-references:token";
const TOKEN_REQUEST = "connect-references:token-request";
const MAX_WAIT_SECONDS = 10; // the longest the panel waits, whatever Retry-After says

const $ = (id) => document.getElementById(id);
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

let token = null;
let api = null; // the API client, once the configuration and the token are known

/** The token a host hands over: the URL fragment (`#access_token=…`, as Cognito's hosted UI redirects
 * with it), wiped from the address bar at once; or, framed by the configured host origin, the answer
 * to a request posted to that origin only (and again whenever the host posts a fresh one). */
function listenForTokens(config) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has("access_token")) {
    token = fragment.get("access_token");
    history.replaceState(null, "", location.pathname + location.search);
  }
  const tokenArrived = new Promise((resolve) => {
    if (!config.hostOrigin) return resolve();
    addEventListener("message", (event) => {
      if (event.origin !== config.hostOrigin || event.data?.type !== TOKEN_MESSAGE) return;
      if (typeof event.data.token !== "string") return;
      token = event.data.token;
      resolve();
    });
    if (parent !== window) parent.postMessage({ type: TOKEN_REQUEST }, config.hostOrigin);
  });
  return token ? Promise.resolve() : tokenArrived;
}

/** The contact: the agent workspace's current contact when the page runs there (AmazonConnectApp,
 * from @amazon-connect/app, bundled by the host), else `contactId` in the page's address. */
function currentContact(params) {
  const workspace = globalThis.AmazonConnectApp;
  if (!workspace) return Promise.resolve(params.get("contactId"));
  return new Promise((resolve) => {
    workspace.init({
      onCreate: (event) => resolve(event?.context?.scope?.contactId ?? params.get("contactId")),
      onDestroy: () => {},
    });
  });
}

function showStatus(message, { error = false, requestId = null } = {}) {
  const status = $("status");
  status.className = error ? "error" : "";
  status.replaceChildren(message);
  if (requestId) status.append(" Request id: ", element("span", { className: "request-id", text: requestId }));
}

/** `call()`, and once more after Retry-After when the answer is THROTTLED. */
async function withOneRetry(call, onWait) {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "THROTTLED") throw error;
    // Retry-After, when the page may read it (the API's CORS exposes it); else the function's 1 s.
    onWait(error.retryAfter);
    await sleep(Math.min(error.retryAfter ?? 1, MAX_WAIT_SECONDS));
    return call();
  }
}

const busy = (seconds) => `Amazon Connect is busy, trying again${seconds === null ? "" : ` in ${seconds} s`}…`;

function describe(error) {
  if (!(error instanceof ApiError)) return { message: `Something went wrong: ${error.message}` };
  if (error.code === "THROTTLED") {
    return { message: "Amazon Connect is busy. Try again in a moment.", requestId: error.requestId };
  }
  return { message: error.message, requestId: error.requestId };
}

async function open(reference, item, button) {
  button.disabled = true;
  setNote(item, { message: "Opening…" });
  try {
    const file = await withOneRetry(
      () => api.open(reference.downloadPath, { inline: opensInline(reference.name) }),
      (seconds) => setNote(item, { message: busy(seconds) }),
    );
    item.querySelector(".size").textContent = formatBytes(file.fileSizeInBytes);
    setNote(item, { message: `Opened ${file.fileName ?? reference.name}.` });
    window.open(file.url, "_blank", "noopener,noreferrer");
    button.disabled = false;
  } catch (error) {
    if (error instanceof ApiError && error.code === "FILE_NOT_READY") {
      // Retry-After when readable; else the function's 5 s, without claiming a number it did not read.
      const when = error.retryAfter === null ? "in a moment" : `in ${error.retryAfter} s`;
      setNote(item, { message: `Still scanning, try again ${when}.` });
      setTimeout(() => { button.disabled = false; }, Math.min(error.retryAfter ?? 5, MAX_WAIT_SECONDS) * 1000);
      return;
    }
    setNote(item, { ...describe(error), error: true });
    button.disabled = error instanceof ApiError && error.code === "FILE_UNAVAILABLE";
  }
}

async function load(ids) {
  showStatus("Loading…");
  $("references").replaceChildren();
  try {
    const data = await withOneRetry(
      () => api.list(ids.instanceId, ids.contactId, { initial: $("initial").checked }),
      (seconds) => showStatus(busy(seconds)),
    );
    const count = data.references.length;
    showStatus(count === 0 ? "This contact has no references." : `${count} reference${count === 1 ? "" : "s"}.`);
    $("references").replaceChildren(...data.references.map((reference) => referenceItem(reference, open)));
  } catch (error) {
    const { message, requestId } = describe(error);
    showStatus(message, { error: true, requestId });
  }
}

async function start() {
  const params = new URLSearchParams(location.search);
  // The API's address is the deployment's configuration, never the page's address: a crafted link
  // must not be able to send the agent's token somewhere else.
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  const tokenReady = listenForTokens(config);
  const contactId = await currentContact(params);
  const instanceId = params.get("instanceId") ?? config.instanceId;
  $("initial").checked = params.has("initial") ? params.get("initial") !== "false" : Boolean(config.contactInitial);
  if (!instanceId || !contactId) {
    showStatus("No contact: open this page from a contact, or with ?instanceId=…&contactId=… in its address.", { error: true });
    return;
  }
  await tokenReady;
  api = new ReferencesApi({ apiUrl: config.apiUrl, token: () => token });
  const ids = { instanceId, contactId };
  $("refresh").addEventListener("click", () => load(ids));
  $("initial").addEventListener("change", () => load(ids));
  await load(ids);
}

start().catch((error) => showStatus(`The panel could not start: ${error.message}`, { error: true }));
