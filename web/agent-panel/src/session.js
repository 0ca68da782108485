// The agent's token. Two sources, and no other (the old `#access_token=` fragment is gone: anyone who
// links to or frames the page controls a fragment):
// - OIDC Authorization Code with PKCE against the configured issuer (oidc-client-ts), in a popup: the
//   panel lives in an iframe of the agent workspace, and identity providers refuse to be framed
//   (Cognito's hosted UI sends X-Frame-Options: DENY), so a redirect inside the frame cannot show the
//   login page; a popup is the issuer's own top-level page, and its answer comes back to the panel by
//   postMessage to the panel's own origin (oidc-client-ts checks both ends);
// - a CRM host that frames the panel and hands it a token by postMessage: only from config.hostOrigin,
//   and the panel asks that origin only.
//
// The signed-in user (access and refresh token) is kept in session storage, not memory: the workspace
// creates a new app instance (a new page) for every contact, so memory would ask the agent to sign in
// for each contact. Session storage lives as long as the agent's browser tab, is never sent to a server,
// and is not shared with other tabs; a script injected into the panel could read it, but such a script
// could use an in-memory token just as well, which is why the page's CSP runs only the panel's own file.
// Where the browser denies the frame its storage (third-party storage blocked: reading sessionStorage
// throws), the user is kept in memory instead, and the agent signs in again for each contact.
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from "oidc-client-ts";

const TOKEN_MESSAGE = "connect-references:token";
const TOKEN_REQUEST = "connect-references:token-request";
// Renew a token this close to its expiry rather than send it (a 401 is handled anyway: clock skew).
const RENEW_BEFORE_SECONDS = 5;

/** Where the issuer sends the agent back: the panel's own address, without query or fragment. Register
 * exactly this URL as the client's callback. */
export function redirectUri(where = globalThis.location) {
  return where.origin + where.pathname;
}

/** Whether this page is the sign-in popup coming back from the issuer (`?code=…&state=…`). */
export function isSignInCallback(where = globalThis.location, opener = globalThis.opener) {
  const params = new URLSearchParams(where.search);
  return Boolean(opener) && params.has("state") && (params.has("code") || params.has("error"));
}

/** Session storage where the browser allows this page to use it, else memory. */
function tabStorage() {
  try {
    const storage = globalThis.sessionStorage;
    storage.getItem("connect-references");
    return storage;
  } catch {
    return new InMemoryWebStorage();
  }
}

function userManager(oidc) {
  const store = new WebStorageStateStore({ store: tabStorage() });
  return new UserManager({
    authority: oidc.authority,
    client_id: oidc.clientId,
    scope: oidc.scope,
    redirect_uri: redirectUri(),
    popup_redirect_uri: redirectUri(),
    response_type: "code",
    userStore: store,
    stateStore: store,
    automaticSilentRenew: false, // renewed when a call needs it (Session.token)
    loadUserInfo: false,
    monitorSession: false,
  });
}

/** In the popup: hands the issuer's answer to the panel that opened it (same origin only) and closes. */
export function finishSignIn(config) {
  return userManager(config.oidc).signinPopupCallback();
}

export class Session {
  /** `onHostToken()` runs whenever the configured host hands over a token. */
  constructor(config, { onHostToken = () => {} } = {}) {
    this.manager = config.oidc ? userManager(config.oidc) : null;
    this.hostOrigin = config.hostOrigin || null;
    this.hostToken = null;
    if (this.hostOrigin && globalThis.parent !== globalThis) {
      addEventListener("message", (event) => {
        if (event.origin !== this.hostOrigin || event.source !== globalThis.parent) return;
        if (event.data?.type !== TOKEN_MESSAGE || typeof event.data.token !== "string") return;
        this.hostToken = event.data.token;
        onHostToken();
      });
      this.askHost();
    }
  }

  askHost() {
    if (this.hostOrigin && globalThis.parent !== globalThis) {
      globalThis.parent.postMessage({ type: TOKEN_REQUEST }, this.hostOrigin);
    }
  }

  get canSignIn() {
    return this.manager !== null;
  }

  /** A token to send now, or null when the agent must sign in: the host's, else the signed-in user's,
   * renewed with its refresh token first when it is about to expire. */
  async token() {
    if (this.hostToken) return this.hostToken;
    if (!this.manager) return null;
    const user = await this.manager.getUser();
    if (!user) return null;
    if (user.expires_in > RENEW_BEFORE_SECONDS) return user.access_token;
    return this.renew(user);
  }

  async renew(user) {
    if (user.refresh_token) {
      try {
        return (await this.manager.signinSilent()).access_token;
      } catch {
        // The refresh token expired or was revoked: the agent signs in again.
      }
    }
    await this.manager.removeUser();
    return null;
  }

  /** The API answered 401 to `token`: forget it; a fresh one if one can be had without the agent. */
  async rejected(token) {
    if (token && token === this.hostToken) {
      this.hostToken = null;
      this.askHost();
      return null;
    }
    const user = await this.manager?.getUser();
    return user && user.access_token === token ? this.renew(user) : this.token();
  }

  /** The issuer's login page in a popup (call from a click: browsers block other popups). */
  async signIn() {
    const user = await this.manager.signinPopup();
    return user.access_token;
  }
}
