// A real OpenID Provider on loopback for the browser tests and scripts/local: `oidc-provider` (a certified
// implementation, pinned in package.json) issuing RS256-signed JWT access tokens for the API, as Cognito's
// user pool does for a resource server. What is ours here is only its configuration and a login page:
//
// - the API is one resource server (`--resource`, which is also the tokens' `aud`), with the scopes
//   connect-references/read, /download and /recordings;
// - the panel is a public client (no secret): Authorization Code with PKCE only (oidc-provider requires
//   PKCE of every public client), its redirect URIs the panel's URLs (`--redirect-uri`, repeatable), with
//   refresh tokens so that the panel can renew without a prompt;
// - `connect-references-panel-short-lived` is the same client with tokens that live `--short-ttl`
//   seconds, and `connect-references-panel-no-refresh` a short-lived one that never gets a refresh token:
//   the tests' expiry cases;
// - one user (`--user`, `--password`) signs in on the login form below; consent is implied for these
//   first-party clients (a real deployment's Cognito asks nothing either);
// - with `--local-client-secret`, a confidential client `connect-references-local` may use the client
//   credentials grant: scripts/local gets a token with it for its curl lines. The tests never turn it on.
//
// Prints one JSON line, {"issuer": …}, once it listens. Run with the machine's Node.js:
//   node tests/oidc/provider.js --port 4444 --redirect-uri http://127.0.0.1:5173/ --resource urn:connect-references:api
import { generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";

import Provider from "oidc-provider";

const SCOPES = ["connect-references/read", "connect-references/download", "connect-references/recordings"];
const PANEL_CLIENT = "connect-references-panel";
const SHORT_LIVED_CLIENT = "connect-references-panel-short-lived";
const NO_REFRESH_CLIENT = "connect-references-panel-no-refresh";
const LOCAL_CLIENT = "connect-references-local";
const ACCESS_TOKEN_TTL = 3600; // Cognito's default for access tokens

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "4444" },
    "redirect-uri": { type: "string", multiple: true, default: [] },
    resource: { type: "string", default: "urn:connect-references:api" },
    user: { type: "string", default: "agent@example.com" },
    password: { type: "string", default: "correct horse battery staple" },
    "short-ttl": { type: "string", default: "5" },
    "local-client-secret": { type: "string" },
  },
});

const issuer = `http://${args.host}:${args.port}`;
const shortTtl = Number(args["short-ttl"]);
const publicClient = (clientId, grants) => ({
  client_id: clientId,
  token_endpoint_auth_method: "none",
  application_type: "web",
  grant_types: grants,
  response_types: ["code"],
  redirect_uris: args["redirect-uri"],
  post_logout_redirect_uris: args["redirect-uri"],
});
const clients = [
  publicClient(PANEL_CLIENT, ["authorization_code", "refresh_token"]),
  publicClient(SHORT_LIVED_CLIENT, ["authorization_code", "refresh_token"]),
  publicClient(NO_REFRESH_CLIENT, ["authorization_code"]),
];
if (args["local-client-secret"]) {
  clients.push({
    client_id: LOCAL_CLIENT, client_secret: args["local-client-secret"],
    grant_types: ["client_credentials"], response_types: [], redirect_uris: [],
  });
}

// A fresh signing key for every run: nothing verifies a token from a previous run.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  pkce: { required: () => true },
  clientBasedCORS: (ctx, origin, client) =>
    client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
  findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: id }) }),
  claims: { openid: ["sub"], email: ["email"] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: Boolean(args["local-client-secret"]) },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => args.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => {
        if (resource !== args.resource) throw new Provider.errors.InvalidTarget();
        return {
          scope: SCOPES.join(" "),
          audience: args.resource,
          accessTokenFormat: "jwt",
          accessTokenTTL: [SHORT_LIVED_CLIENT, NO_REFRESH_CLIENT].includes(client.clientId) ? shortTtl : ACCESS_TOKEN_TTL,
          jwt: { sign: { alg: "RS256" } },
        };
      },
    },
  },
  // Without offline_access, oidc-provider issues no refresh token; Cognito issues one to any client
  // allowed the grant, and the panel renews with it.
  issueRefreshToken: (ctx, client) => client.grantTypeAllowed("refresh_token"),
  // First-party clients: the grant covers every scope they may ask for, so no consent page.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email");
    grant.addResourceScope(args.resource, SCOPES.join(" "));
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: (ctx, out) => {
    ctx.type = "html";
    ctx.body = page("Sign-in error", `<p id="error">${escape(out.error)}: ${escape(out.error_description ?? "")}</p>`);
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui;margin:2rem;max-width:22rem}label,input,button{display:block;margin:.4rem 0}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

function loginForm(uid, error = "") {
  return page("Sign in to Contact references", `
${error ? `<p id="error" role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label>Email <input name="username" type="email" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>`);
}

const sameText = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

async function readForm(req) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error("form too large");
  }
  return new URLSearchParams(body);
}

/** The login page (GET /interaction/:uid) and its form's answer (POST /interaction/:uid/login). */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const send = (status, html) => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-frame-options": "DENY" });
    res.end(html);
  };
  if (req.method === "GET") return send(200, loginForm(details.uid));
  if (req.method !== "POST" || !req.url.endsWith("/login")) return send(405, page("Not allowed", ""));
  const form = await readForm(req);
  const username = form.get("username") ?? "";
  if (!(sameText(username, args.user) && sameText(form.get("password") ?? "", args.password))) {
    return send(200, loginForm(details.uid, "That email and password do not match."));
  }
  return provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`sign-in failed: ${error.message}`);
    });
    return;
  }
  callback(req, res);
});
server.listen(Number(args.port), args.host, () => {
  console.log(JSON.stringify({ issuer, clients: clients.map((c) => c.client_id), resource: args.resource }));
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
