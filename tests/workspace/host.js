// The host side of AWS's app SDK protocol (@amazon-connect/app 1.0.11 and @amazon-connect/core 1.0.11,
// read from their source: app/lib-esm/proxy/app-proxy.js, core/lib-esm/proxy/proxy.js,
// app/lib-esm/lifecycle/*.js, workspace-types' app-message.d.ts), as the agent workspace speaks it to
// an app registered with the per-contact scope:
//
//   app  -> window.parent: postMessage({type: "connect-app-host-init", sdkVersion, providerId}, "*", [port])
//   host -> port: {type: "acknowledge", connectionId, status: {initialized: true, startTime}, healthCheckInterval: 0}
//   host -> port: {type: "appLifecycle", stage: "create", instanceId, scope: {type: "contact", contactId}, ...}
//   app  -> port: {type: "appLifecycleHandlerCompleted", stage: "create", appInstanceId}
//   host -> port: {type: "appLifecycle", stage: "start", ...}
//   ... the agent moves on ...
//   host -> port: {type: "appLifecycle", stage: "destroy", ...}
//   app  -> port: {type: "appLifecycleHandlerCompleted", stage: "destroy", appInstanceId}
//   host removes the frame
//
// One frame (one app instance) per contact, as the workspace does: the SDK refuses a second create in
// the same page. The page is driven by the test through window.workspace, or by its contact list.
// Query: ?panel=<the panel's URL>&instance=<Connect instance id>&contacts=<id,id,…>&silent=1 (never answer).

const params = new URLSearchParams(location.search);
const panelUrl = new URL(params.get("panel"));
const connectInstanceId = params.get("instance") ?? "";
const silent = params.has("silent");
const $ = (id) => document.getElementById(id);
const now = () => performance.timeOrigin + performance.now();

/** What the host saw, for the test to read: every message from each app instance, and the times. */
const record = { instances: [], initsFromElsewhere: 0 };

class AppInstance {
  constructor(contactId) {
    this.contactId = contactId;
    this.instanceId = crypto.randomUUID();
    this.messages = [];
    this.completed = new Set();
    this.frame = document.createElement("iframe");
    this.frame.title = "Contact references";
    this.frame.src = panelUrl.href;
    this.createdAt = now();
    this.lifecycle = { instanceId: this.instanceId, contactId, createdAt: this.createdAt, messages: this.messages };
    record.instances.push(this.lifecycle);
  }

  lifecycleMessage(stage) {
    const scope = { type: "contact", contactId: this.contactId };
    const config = { name: "connect-references", permissions: ["Contact.Details.View"], contactHandling: { scope: "PER_CONTACT" } };
    return {
      type: "appLifecycle", stage, instanceId: this.instanceId, appInstanceId: this.instanceId,
      config, appConfig: config, scope, contactScope: scope, parameters: {},
      launchedBy: { type: "internal", name: undefined }, region: "us-east-1", connectInstanceId,
    };
  }

  /** The app's init message arrived with its port: acknowledge, then create and start it. */
  connect(port) {
    this.port = port;
    port.onmessage = (event) => this.fromApp(event.data);
    port.postMessage({ type: "acknowledge", connectionId: crypto.randomUUID(), status: { initialized: true, startTime: new Date() }, healthCheckInterval: 0 });
    port.postMessage(this.lifecycleMessage("create"));
  }

  fromApp(message) {
    this.messages.push(message.type === "appLifecycleHandlerCompleted" ? message : { type: message.type });
    if (message.type !== "appLifecycleHandlerCompleted" || message.appInstanceId !== this.instanceId) return;
    this.completed.add(message.stage);
    if (message.stage === "create") this.port.postMessage(this.lifecycleMessage("start"));
  }

  /** Destroys the instance: the lifecycle message, up to 2 s for the app's answer, then the frame goes
   * (`keepFrame`: it stays, for a test to look at what the destroyed app shows). */
  async destroy({ keepFrame = false } = {}) {
    if (this.port) {
      this.port.postMessage(this.lifecycleMessage("destroy"));
      const deadline = now() + 2000;
      while (!this.completed.has("destroy") && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    this.lifecycle.destroyAnswered = this.completed.has("destroy");
    if (!keepFrame) this.frame.remove();
  }
}

let current = null;
addEventListener("message", (event) => {
  if (event.data?.type !== "connect-app-host-init") return;
  // Only the frame this host made, from the panel's origin (the workspace checks the app's approved origins).
  if (!current || event.source !== current.frame.contentWindow || event.origin !== panelUrl.origin) {
    record.initsFromElsewhere += 1;
    return;
  }
  current.lifecycle.initAt = now();
  current.lifecycle.sdkVersion = event.data.sdkVersion;
  if (!silent) current.connect(event.ports[0]);
});

/** The agent opens `contactId`: the previous contact's instance is destroyed first. */
async function openContact(contactId) {
  if (current) await current.destroy();
  current = new AppInstance(contactId);
  for (const item of $("contacts").children) item.classList.toggle("active", item.dataset.contactId === contactId);
  $("apps").append(current.frame);
  return current.instanceId;
}

async function closeContact(options) {
  if (current) await current.destroy(options);
  current = null;
}

window.workspace = { openContact, closeContact, record };
for (const contactId of (params.get("contacts") ?? "").split(",").filter(Boolean)) {
  const item = document.createElement("li");
  item.dataset.contactId = contactId;
  item.textContent = `Contact ${contactId.slice(-4)}`;
  item.addEventListener("click", () => openContact(contactId));
  $("contacts").append(item);
}
