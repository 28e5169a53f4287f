// A calling bot written as production Node.js code is: its Graph token comes from Entra ID
// through MSAL Node's ConfidentialClientApplication, it calls Graph with the Graph JavaScript
// client, it listens for notifications over HTTPS, and it validates every notification's bearer
// token against the calling service's OpenID document with jose. Nothing in it knows about
// callsim: its configuration is the environment a deployed bot has. sdktest's TestNodeBot
// (run by .ci/run) points the URLs at `callsim serve --tls --auth jwt` and makes Node trust
// callsim's CA with NODE_EXTRA_CA_CERTS.
//
// It places a group call, invites a second person, waits for the invite to complete, hangs up
// and waits for the call's end, printing one line per step; it exits 1 on the first failure.
import { readFileSync } from "node:fs";
import https from "node:https";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import { createRemoteJWKSet, jwtVerify } from "jose";

const env = (k, def) => process.env[k] || def;
const cfg = {
  tenant: env("AZURE_TENANT_ID"),
  clientId: env("AZURE_CLIENT_ID"),
  secret: env("AZURE_CLIENT_SECRET"),
  authorityHost: env("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"),
  graphBase: env("GRAPH_BASE_URL", "https://graph.microsoft.com/v1.0"),
  openId: env("CALLS_OPENID_CONFIGURATION", "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration"),
  certFile: env("BOT_TLS_CERT"),
  keyFile: env("BOT_TLS_KEY"),
};

// outbound: the app's own credential, from the configured authority
const authority = new URL(cfg.tenant, cfg.authorityHost);
const msal = new ConfidentialClientApplication({
  auth: { clientId: cfg.clientId, clientSecret: cfg.secret, authority: authority.href, knownAuthorities: [authority.host] },
});
const graphURL = new URL(cfg.graphBase);
const graph = Client.initWithMiddleware({
  authProvider: {
    getAccessToken: async () => {
      const r = await msal.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
      return r.accessToken;
    },
  },
  baseUrl: graphURL.origin + "/",
  defaultVersion: graphURL.pathname.replace(/^\/|\/$/g, ""),
  customHosts: new Set([graphURL.hostname]), // the client attaches tokens to Graph's hosts and these only
});

// inbound: the calling service's metadata, then every token checked against it
async function verifierFor(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`OpenID configuration: ${res.status}`);
  const doc = await res.json();
  const keys = createRemoteJWKSet(new URL(doc.jwks_uri));
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, { issuer: doc.issuer, audience: cfg.clientId, algorithms: ["RS256"] });
    if (payload.tid !== cfg.tenant) throw new Error(`tenant ${payload.tid}, want ${cfg.tenant}`);
    return payload;
  };
}

const items = [];
const bad = [];
let wake = () => {};

function listen(verify) {
  const srv = https.createServer({ cert: readFileSync(cfg.certFile), key: readFileSync(cfg.keyFile) }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const token = (req.headers.authorization || "").replace(/^Bearer /, "");
      try {
        await verify(token);
      } catch (e) {
        bad.push(String(e));
        res.writeHead(401).end();
        wake();
        return;
      }
      try {
        items.push(...JSON.parse(Buffer.concat(chunks).toString("utf8")).value);
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(202).end();
      wake();
    });
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve(srv)));
}

async function awaitNote(what, pred, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (bad.length) throw new Error(`a notification's token did not validate: ${bad[0]}`);
    if (items.some(pred)) {
      console.log("notified:", what);
      return;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => {
      wake = r;
      setTimeout(r, 100);
    });
  }
}

const person = (id, displayName) => ({ "@odata.type": "#microsoft.graph.invitationParticipantInfo", identity: { user: { id, displayName } } });

async function main() {
  const verify = await verifierFor(cfg.openId);
  console.log("OpenID configuration read:", cfg.openId);
  const srv = await listen(verify);
  const callback = `https://127.0.0.1:${srv.address().port}/api/calls`;
  try {
    const call = await graph.api("/communications/calls").post({
      "@odata.type": "#microsoft.graph.call",
      callbackUri: callback,
      requestedModalities: ["audio"],
      mediaConfig: { "@odata.type": "#microsoft.graph.serviceHostedMediaConfig" },
      targets: [person("11111111-1111-4111-8111-111111111111", "Adele Vance")],
      tenantId: cfg.tenant,
    });
    console.log("call placed:", call.id);
    const onCall = (n) => n.resource.endsWith(`/calls/${call.id}`);
    await awaitNote("call established", (n) => onCall(n) && n.resourceData?.state === "established");

    const op = await graph.api(`/communications/calls/${call.id}/participants/invite`).post({
      participants: [person("22222222-2222-4222-8222-222222222222", "Lee Gu")],
    });
    console.log("invite sent: operation", op.id);
    await awaitNote("invite completed", (n) => n.resource.includes(`/operations/${op.id}`) && n.resourceData?.status === "completed");

    await graph.api(`/communications/calls/${call.id}`).delete();
    console.log("hung up");
    await awaitNote("call deleted", (n) => onCall(n) && n.changeType === "deleted");
    console.log(`${items.length} notifications, each with a valid token`);
    console.log("OK: call placed, invite completed, hung up; every notification's token validated");
  } finally {
    srv.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.log("FAIL:", e?.stack || e, e?.cause ? `\ncause: ${e.cause}` : "");
    process.exit(1);
  },
);
