// The routes of the connect-references HTTP API, as a page calls them: with the agent's bearer
// token, JSON answers, and every failure turned into one shape the panel shows ({ status, code,
// message, requestId, retryAfter }). Every request's address is built by apiRequestUrl (urls.js), so
// the token goes to the configured API only. No DOM here.
import { apiRequestUrl, RefusedUrl } from "./urls.js";

const MAX_PAGES = 10; // the function's own paging bound per answer; a panel never needs more

export class ApiError extends Error {
  constructor({ status, code, message, requestId = null, retryAfter = null }) {
    super(message);
    Object.assign(this, { status, code, requestId, retryAfter });
  }
}

export class ReferencesApi {
  /** `token()` answers the bearer token to send (it may renew it first); `signal` aborts every call. */
  constructor({ apiUrl, token, signal, fetchImpl = globalThis.fetch.bind(globalThis) }) {
    this.apiUrl = apiUrl;
    this.token = token;
    this.signal = signal;
    this.fetch = fetchImpl;
  }

  /** Every reference of the contact (following nextToken), and the ids the API answered for. */
  async list(instanceId, contactId, { initial = false } = {}) {
    const path = `contact/references/${encodeURIComponent(instanceId)}/${encodeURIComponent(contactId)}`;
    const references = [];
    let nextToken = null;
    let data;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const query = new URLSearchParams();
      if (initial) query.set("contact", "initial");
      if (nextToken) query.set("nextToken", nextToken);
      data = await this.get(path, query);
      references.push(...data.references);
      nextToken = data.nextToken;
      if (!nextToken) break;
    }
    return { ...data, references, nextToken };
  }

  /** A fresh link to one attachment: { url, expiresAt, fileName, fileSizeInBytes }. */
  open(downloadPath, { inline = false } = {}) {
    const disposition = inline ? "inline" : "attachment";
    return this.get(downloadPath, new URLSearchParams({ disposition }));
  }

  /** The contact's recordings (the recordings route): [{ recordingId, mediaStreamType, participantType,
   * startTimestamp, stopTimestamp, status, deletionReason?, downloadPath? }]. */
  async recordings(instanceId, contactId) {
    const path = `contact/recordings/${encodeURIComponent(instanceId)}/${encodeURIComponent(contactId)}`;
    return (await this.get(path, new URLSearchParams())).recordings;
  }

  /** A fresh link to play one recording in the page: { url, expiresAt, recordingId, mediaStreamType,
   * contentType } (`disposition=inline`: S3 answers it as media, not as a download). */
  play(downloadPath) {
    return this.get(downloadPath, new URLSearchParams({ disposition: "inline" }));
  }

  async get(path, query) {
    let url;
    try {
      url = apiRequestUrl(this.apiUrl, path, query);
    } catch (error) {
      if (!(error instanceof RefusedUrl)) throw error;
      throw new ApiError({ status: 0, code: "REFUSED_URL", message: "The panel refused an address outside the references service." });
    }
    const headers = { accept: "application/json" };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await this.fetch(url, {
        headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer", signal: this.signal,
      });
    } catch (error) {
      if (this.signal?.aborted) throw error; // stopped on purpose (the workspace destroyed the panel)
      // A network failure and an origin the API's CORS does not list look the same to a page.
      throw new ApiError({
        status: 0, code: "UNREACHABLE",
        message: "The references service could not be reached, or it does not accept calls from this page.",
      });
    }
    const body = await response.json().catch(() => null);
    this.signal?.throwIfAborted();
    if (response.ok && body && body.success === true) return body.data;
    throw failure(response, body);
  }
}

function failure(response, body) {
  const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
  const common = { status: response.status, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null };
  if (body && body.success === false && body.error) {
    const { code, message, requestId } = body.error;
    return new ApiError({ ...common, code, message, requestId });
  }
  // API Gateway's own answers (no envelope): the authorizer, its throttle, a missing route.
  const byStatus = {
    401: ["UNAUTHORIZED", "Your sign-in has expired or is missing. Sign in again."],
    403: ["FORBIDDEN", "You are not allowed to do this. Ask your administrator for access."],
    429: ["THROTTLED", "Too many requests."],
  };
  const [code, message] = byStatus[response.status] ?? ["UNEXPECTED", `The references service answered ${response.status}.`];
  return new ApiError({ ...common, code, message });
}
