// Which contact the panel is for. In the Amazon Connect agent workspace: the contact of this app
// instance, from AWS's own app SDK (@amazon-connect/app, bundled): the workspace creates one instance
// per contact (the app is registered with the per-contact scope), hands the contact in `onCreate`, and
// destroys the instance when the agent is done with it. Anywhere else (a CRM tab, a plain tab):
// `?contactId=` in the page's address.
import { AmazonConnectApp } from "@amazon-connect/app";

/** How long a framed panel waits for a workspace before it says it is not in one. The SDK's own
 * connection timeout is the same (5 s by default); the panel bounds the whole wait, create included. */
export const WORKSPACE_WAIT_MS = 5000;

/** The contact: `{ contactId, from }`, `from` one of "address", "workspace", "no-workspace" (framed,
 * nothing answered within WORKSPACE_WAIT_MS: contactId null). `onDestroy()` runs when the workspace
 * destroys this app instance. */
export function currentContact({ params, onDestroy, waitMs = WORKSPACE_WAIT_MS }) {
  const fromAddress = params.get("contactId");
  const framed = globalThis.parent !== globalThis;
  // A top-level page has no workspace around it; a framed page with a contact in its address is a CRM's.
  if (fromAddress || !framed) return Promise.resolve({ contactId: fromAddress, from: "address" });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ contactId: null, from: "no-workspace" }), waitMs);
    AmazonConnectApp.init({
      workspace: { connectionTimeout: waitMs },
      onCreate: (event) => {
        clearTimeout(timer);
        const { scope, contactScope } = event.context;
        // `scope` ({type: "contact", contactId} or {type: "idle"}); older workspaces send `contactScope`.
        const contactId = scope ? (scope.type === "contact" ? scope.contactId : null) : contactScope?.contactId ?? null;
        resolve({ contactId, from: "workspace" });
      },
      onDestroy: () => onDestroy(),
    });
  });
}
