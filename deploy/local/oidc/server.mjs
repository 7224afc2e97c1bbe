// A real OpenID Connect provider (npm oidc-provider, a certified implementation) for development and tests.
// It plays two issuers, each on a port of its own:
//   staff    the county's identity provider: sub = staff id, claim avain_role (worker, manager, auditor, provider)
//   citizen  the strong e-identification broker (Suomi.fi e-Identification behind an OIDC broker): claim hetu
// Both know one confidential client, the console, which signs in with the authorization code flow and PKCE.
// The access tokens are JWTs for a resource (RFC 8707): the staff token's audience is the services, the citizen
// token's audience is Avain's token exchange, where it becomes a short-lived token naming the client id.
//
//   node server.mjs --staff-port 8010 --citizen-port 8011 --console http://127.0.0.1:8000 [--secret S]
//
// Development only: the accounts are the demo people of people.json, the login page lists them, and an
// authorization request with login_hint=<person> signs that person in without a page (what the console's
// development sign-in page and the browser tests use). Keys are generated at start; the JWKS publishes them.

import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Provider, { errors } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'staff-port': { type: 'string', default: '8010' },
    'citizen-port': { type: 'string', default: '8011' },
    host: { type: 'string', default: '127.0.0.1' },
    console: { type: 'string', multiple: true, default: ['http://127.0.0.1:8000'] },
    'client-id': { type: 'string', default: 'avain-console' },
    secret: { type: 'string', default: process.env.AVAIN_CONSOLE_CLIENT_SECRET || 'avain-console-development-secret' },
    people: { type: 'string', default: new URL('./people.json', import.meta.url).pathname },
  },
});

const people = JSON.parse(readFileSync(args.people, 'utf8'));
const SERVICES_AUDIENCE = process.env.AVAIN_SERVICES_AUDIENCE || 'urn:avain:services';
const EXCHANGE_AUDIENCE = process.env.AVAIN_EXCHANGE_AUDIENCE || 'urn:avain:token-exchange';

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [{ ...rsa, alg: 'RS256', use: 'sig', kid: `rs-${randomUUID()}` },
          { ...ec, alg: 'ES256', use: 'sig', kid: `es-${randomUUID()}` }];
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function issuerOf(kind, port) {
  const accounts = new Map(people[kind].map((p) => [p.id, p]));
  const audience = kind === 'staff' ? SERVICES_AUDIENCE : EXCHANGE_AUDIENCE;
  const issuer = `http://${args.host}:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args.secret,
      redirect_uris: args.console.map((c) => `${c}/auth/callback`),
      post_logout_redirect_uris: args.console.map((c) => `${c}/signed-out`),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: signingKeys() },
    pkce: { required: () => true },
    // The console renews a person's token within its idle timeout; a refresh token lasts the provider's session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    conformIdTokenClaims: false,
    claims: kind === 'staff'
      ? { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'avain_role'] }
      : { openid: ['sub'], profile: ['name', 'given_name', 'family_name'] },
    scopes: ['openid', 'profile', 'avain'],
    features: {
      devInteractions: { enabled: false },
      // logout=yes ends the provider's whole session (without it only the console's grant goes, and the next
      // sign-in on this browser would not ask who it is); the button is for a browser without JavaScript.
      rpInitiatedLogout: { enabled: true, logoutSource: async (ctx, form) => {
        const confirm = '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>';
        ctx.body = `<!doctype html><html lang="en"><head><title>Signing out</title></head><body><main><h1>Signing out</h1>${form.replace('</form>', confirm)}</main><script>document.forms[0].submit()</script></body></html>`;
      } },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return { scope: 'avain', audience, accessTokenTTL: 15 * 60, accessTokenFormat: 'jwt',
                   jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      const person = accounts.get(token.accountId);
      if (!person) return undefined;
      // The staff directory (intake) records a person's entry from their token when they sign in: name, title,
      // unit, work contact and languages, as a county's identity provider would map them into its access token.
      if (kind === 'staff') {
        const directory = Object.fromEntries(['name', 'given_name', 'family_name', 'title', 'unit', 'email', 'phone_number',
          'languages'].filter((k) => person[k] !== undefined).map((k) => [k, person[k]]));
        return { avain_role: person.role, ...directory, ...(person.provider_id ? { provider_id: person.provider_id } : {}) };
      }
      return { hetu: person.hetu };
    },
    findAccount: async (_ctx, sub) => {
      const person = accounts.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: person.name, given_name: person.given_name, family_name: person.family_name,
                               ...(kind === 'staff' ? { avain_role: person.role } : {}) }),
      };
    },
    // A first-party client: what it asks for is granted without a consent page.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile avain');
      grant.addResourceScope(audience, 'avain');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomUUID()] },
    ttl: { Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, AccessToken: 900, IdToken: 900, AuthorizationCode: 60,
           RefreshToken: 8 * 3600 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><title>Sign-in error</title></head><body><main><h1>Sign-in error</h1><p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description || '')}</p></main></body></html>`;
    },
  });
  provider.proxy = false;
  provider.on('server_error', (_ctx, err) => console.error(JSON.stringify({ event: 'oidc_server_error', kind, error: String(err), stack: err.stack })));

  function loginPage(uid, title) {
    const buttons = people[kind].map((p) => `<li><button name="account" value="${escapeHtml(p.id)}">${escapeHtml(p.name)}` +
      ` <span>(${escapeHtml(p.label || p.role || 'client')})</span></button></li>`).join('');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
li{list-style:none;margin:.5rem 0}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>Development identity provider: choose a demo person.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login"><ul>${buttons}</ul></form></main></body></html>`;
  }

  async function interaction(req, res) {
    const url = new URL(req.url, issuer);
    const [, , uid, action] = url.pathname.split('/');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (process.env.AVAIN_OIDC_DEBUG) console.error(JSON.stringify({ prompt: details.prompt, session: details.session }));
    if (details.prompt.name === 'login') {
      let account = details.params.login_hint;
      if (req.method === 'POST' && action === 'login') {
        const body = await new Promise((resolve) => { let b = ''; req.on('data', (c) => { b += c; }); req.on('end', () => resolve(b)); });
        account = new URLSearchParams(body).get('account');
      }
      if (account && accounts.has(account)) {
        await provider.interactionFinished(req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, kind === 'staff' ? 'County identity provider (development)' : 'Strong e-identification (development)'));
      return;
    }
    // consent: granted by loadExistingGrant; finish with the grant it made
    const grant = await provider.Grant.find(details.grantId);
    await provider.interactionFinished(req, res, { consent: { grantId: grant?.jti } }, { mergeWithLastSubmission: true });
  }

  const callback = provider.callback();
  createServer((req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${err.message}`);
      });
      return;
    }
    callback(req, res);
  }).listen(Number(port), args.host, () => console.log(JSON.stringify({ event: 'oidc_issuer_ready', kind, issuer })));
}

issuerOf('staff', args['staff-port']);
issuerOf('citizen', args['citizen-port']);
