// The references panel: which contact (workspace.js), which token (session.js), then the list, and
// Open at the agent's click; the contact's recordings at the agent's click, and a player for one at
// another. See docs/browser.md and docs/agent-app.md.
import { ApiError, ReferencesApi } from "./api.js";
import { element, formatBytes, opensInline, referenceItem, setNote } from "./render.js";
import { player, recordingItem } from "./recordings.js";
import { finishSignIn, isSignInCallback, Session } from "./session.js";
import { openableLink } from "./urls.js";
import { currentContact } from "./workspace.js";

const MAX_WAIT_SECONDS = 10; // the longest the panel waits, whatever Retry-After says

const $ = (id) => document.getElementById(id);
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** Aborted when the workspace destroys this app instance: every call stops, nothing more is shown. */
const lifetime = new AbortController();
let session = null;
let api = null; // the API client, once the configuration and the contact are known
let ids = null; // { instanceId, contactId }
let sentToken = null; // the token the last request carried (a 401 names it to the session)
let waitingForSignIn = false; // the list is cleared until a token comes (a sign-in, or the CRM host's)

class SignInNeeded extends Error {}

function showStatus(message, { error = false, requestId = null } = {}) {
  const status = $("status");
  status.className = error ? "error" : "";
  status.replaceChildren(message);
  if (requestId) status.append(" Request id: ", element("span", { className: "request-id", text: requestId }));
}

/** The workspace destroyed this instance: stop every call and clear the contact's references and recordings. */
function stop() {
  lifetime.abort();
  $("references").replaceChildren();
  clearRecordings();
  $("sign-in").hidden = true;
  for (const control of document.querySelectorAll("button, input")) control.disabled = true;
  showStatus("This contact's panel has closed.");
}

/** The list cleared and the Sign in button shown: never a list the agent can no longer act on. */
function askToSignIn(message) {
  waitingForSignIn = true;
  $("references").replaceChildren();
  clearRecordings();
  showStatus(session.canSignIn ? message : "Waiting for a sign-in from the page around this panel.");
  $("sign-in").hidden = !session.canSignIn;
}

async function signIn() {
  $("sign-in").disabled = true;
  try {
    await session.signIn();
    $("sign-in").hidden = true;
    await load();
  } catch (error) {
    showStatus(`Sign-in did not finish (${error.message}). Try again.`, { error: true });
  } finally {
    $("sign-in").disabled = false;
  }
}

/** `call()` with a valid token: on a 401 the session renews once if it can; else SignInNeeded. */
async function authorised(call) {
  if (!(await session.token())) throw new SignInNeeded();
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "UNAUTHORIZED") throw error;
    if (!(await session.rejected(sentToken))) throw new SignInNeeded();
    return call();
  }
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
    lifetime.signal.throwIfAborted();
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
    const file = await authorised(() => withOneRetry(
      () => api.open(reference.downloadPath, { inline: opensInline(reference) }),
      (seconds) => setNote(item, { message: busy(seconds) }),
    ));
    item.querySelector(".size").textContent = formatBytes(file.fileSizeInBytes);
    const link = openableLink(file.url);
    if (!link) {
      setNote(item, { message: "The panel refused to open this file's link: it is not a secure (https) address.", error: true });
      button.disabled = false;
      return;
    }
    setNote(item, { message: `Opened ${file.fileName ?? reference.name}.` });
    window.open(link, "_blank", "noopener,noreferrer");
    button.disabled = false;
  } catch (error) {
    if (lifetime.signal.aborted) return;
    if (error instanceof SignInNeeded) return askToSignIn("Your sign-in has expired. Sign in again to open files.");
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

// --- recordings -------------------------------------------------------------------------------------

function showRecordingsStatus(message, { error = false, requestId = null } = {}) {
  const status = $("recordings-status");
  status.className = error ? "error" : "";
  status.replaceChildren(message);
  if (requestId) status.append(" Request id: ", element("span", { className: "request-id", text: requestId }));
}

/** The list and every player gone (a player's element removed stops its download). */
function clearRecordings() {
  $("recordings").replaceChildren();
  showRecordingsStatus("");
}

/** The deployment has no recordings routes: EnableRecordings=false leaves them out of the API (API
 * Gateway's own 404, no envelope), or the function has no bucket (501 RECORDINGS_NOT_CONFIGURED). */
function recordingsOff(error) {
  return error instanceof ApiError
    && (error.code === "RECORDINGS_NOT_CONFIGURED" || (error.status === 404 && error.code === "UNEXPECTED"));
}

function hideRecordings() {
  $("show-recordings").hidden = true;
  $("recordings").replaceChildren();
  showRecordingsStatus("Recordings are not turned on for this deployment.");
}

/** The contact's recordings, at the agent's click only: the recordings routes share one small API
 * throttle (RecordingsRate) and DescribeContact's quota, so a panel never spends them unasked. */
async function showRecordings() {
  const button = $("show-recordings");
  button.disabled = true;
  clearRecordings();
  showRecordingsStatus("Loading recordings…");
  try {
    const recordings = await authorised(() => withOneRetry(
      () => api.recordings(ids.instanceId, ids.contactId),
      (seconds) => showRecordingsStatus(busy(seconds)),
    ));
    lifetime.signal.throwIfAborted();
    const count = recordings.length;
    showRecordingsStatus(count === 0 ? "This contact has no recordings." : `${count} recording${count === 1 ? "" : "s"}.`);
    $("recordings").replaceChildren(...recordings.map((recording) => recordingItem(recording, play)));
    button.textContent = "Refresh recordings";
  } catch (error) {
    if (lifetime.signal.aborted) return;
    if (error instanceof SignInNeeded) return askToSignIn("Your sign-in has expired. Sign in again.");
    if (recordingsOff(error)) return hideRecordings();
    showRecordingsStatus(describe(error).message, { error: true, requestId: describe(error).requestId });
  } finally {
    button.disabled = lifetime.signal.aborted;
  }
}

/** Play: a fresh link from the recordings route (as JSON, disposition=inline), checked, then a player
 * made for it. Before this click no player exists and the browser has asked S3 for nothing. */
async function play(recording, item, button) {
  button.disabled = true;
  setNote(item, { message: "Loading…" });
  try {
    const answer = await authorised(() => withOneRetry(
      () => api.play(recording.downloadPath),
      (seconds) => setNote(item, { message: busy(seconds) }),
    ));
    lifetime.signal.throwIfAborted();
    const link = openableLink(answer.url);
    if (!link) {
      setNote(item, { message: "The panel refused to play this recording's link: it is not a secure (https) address.", error: true });
      button.disabled = false;
      return;
    }
    item.querySelector(".player")?.remove();
    const media = player(answer.mediaStreamType ?? recording.mediaStreamType, link);
    // A link lives at most 300 s: past that (or on any media error) the agent asks for a fresh one.
    media.addEventListener("error", () => setNote(item, {
      message: "The recording could not be played (its link may have expired). Press Play again.", error: true,
    }));
    item.querySelector(".note")?.remove();
    item.append(media);
    media.play().catch(() => {}); // the agent's click allows it; if the browser refuses, the controls remain
    button.textContent = "Play again";
    button.disabled = false;
  } catch (error) {
    if (lifetime.signal.aborted) return;
    if (error instanceof SignInNeeded) return askToSignIn("Your sign-in has expired. Sign in again.");
    if (recordingsOff(error)) return hideRecordings();
    setNote(item, { ...describe(error), error: true });
    // Deleted or outside the deployment's bucket: asking again cannot help.
    button.disabled = error instanceof ApiError && ["RECORDING_DELETED", "RECORDING_OUT_OF_SCOPE"].includes(error.code);
  }
}

async function load() {
  if (lifetime.signal.aborted || !ids) return;
  waitingForSignIn = false;
  showStatus("Loading…");
  $("references").replaceChildren();
  try {
    const data = await authorised(() => withOneRetry(
      () => api.list(ids.instanceId, ids.contactId, { initial: $("initial").checked }),
      (seconds) => showStatus(busy(seconds)),
    ));
    lifetime.signal.throwIfAborted();
    const count = data.references.length;
    showStatus(count === 0 ? "This contact has no references." : `${count} reference${count === 1 ? "" : "s"}.`);
    $("references").replaceChildren(...data.references.map((reference) => referenceItem(reference, open)));
  } catch (error) {
    if (lifetime.signal.aborted) return;
    if (error instanceof SignInNeeded) {
      return askToSignIn(sentToken ? "Your sign-in has expired. Sign in again." : "Sign in to see this contact's references.");
    }
    const { message, requestId } = describe(error);
    showStatus(message, { error: true, requestId });
  }
}

async function start() {
  // The API's address is the deployment's configuration, never the page's address: a crafted link
  // must not be able to send the agent's token somewhere else.
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  if (isSignInCallback()) {
    showStatus("Signing in…");
    return finishSignIn(config);
  }
  const params = new URLSearchParams(location.search);
  // A CRM host's token: the list loads if it was waiting for one (a host may send fresh ones unasked).
  session = new Session(config, { onHostToken: () => waitingForSignIn && load() });
  $("sign-in").addEventListener("click", signIn);
  const contact = await currentContact({ params, onDestroy: stop });
  if (lifetime.signal.aborted) return;
  const instanceId = params.get("instanceId") ?? config.instanceId;
  $("initial").checked = params.has("initial") ? params.get("initial") !== "false" : Boolean(config.contactInitial);
  if (contact.from === "no-workspace") {
    showStatus("The agent workspace did not answer. Open this panel from a contact in the agent workspace, "
      + "or with ?contactId=… in its address.", { error: true });
    return;
  }
  if (!instanceId || !contact.contactId) {
    showStatus("No contact: open this panel from a contact, or with ?instanceId=…&contactId=… in its address.", { error: true });
    return;
  }
  api = new ReferencesApi({
    apiUrl: config.apiUrl,
    token: async () => (sentToken = await session.token()),
    signal: lifetime.signal,
  });
  ids = { instanceId, contactId: contact.contactId };
  $("refresh").addEventListener("click", () => load());
  $("show-recordings").addEventListener("click", () => showRecordings());
  $("recordings-section").hidden = false;
  $("initial").addEventListener("change", () => load());
  await load();
}

start().catch((error) => showStatus(`The panel could not start: ${error.message}`, { error: true }));
