// A real OpenID Connect provider for the end-to-end sign-in tests (the npm `oidc-provider` package).
//
//   PORT=9000 CLIENT_REDIRECT=http://127.0.0.1:8000 ACCOUNTS=accounts.json node tests/sso/provider.js
//
// It serves discovery, the authorisation endpoint (code flow, PKCE required with S256), the token,
// userinfo, JWKS and end-session endpoints, and its own small sign-in page (the package's development
// pages load web fonts from the internet; these tests never leave this machine). Accounts come from the
// ACCOUNTS JSON file: [{"id", "password", "email", "email_verified", "name", "groups"}].
//
// The test steers it through /_test/ endpoints, to play an attacker or a broken provider:
//   POST /_test/mode?tamper=1      the next token responses carry an id token whose payload was altered
//   POST /_test/mode?nonce=1       the next authorisation requests have their nonce replaced
//   POST /_test/mode?state=1       the next authorisation requests have their state replaced
//   POST /_test/mode               back to honest
//   GET  /_test/log                the paths and authorisation parameters seen so far
// It prints "ready <issuer>" once it listens.
'use strict';

const fs = require('node:fs');
const crypto = require('node:crypto');

const PORT = Number(process.env.PORT || 9000);
const ISSUER = `http://127.0.0.1:${PORT}`;
const RP = process.env.CLIENT_REDIRECT || 'http://127.0.0.1:8000';
const accounts = JSON.parse(fs.readFileSync(process.env.ACCOUNTS || 'accounts.json', 'utf8'));
const byId = new Map(accounts.map((a) => [a.id, a]));

const mode = { tamper: false, nonce: false, state: false };
const log = [];

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function tamperIdToken(idToken) {
  // Keep the provider's signature, change what it signed: the relying party must refuse it.
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.email = 'intruder@trust.example';
  claims.sub = 'intruder';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

async function main() {
  const { default: Provider } = await import('oidc-provider');

  const provider = new Provider(ISSUER, {
    clients: [{
      client_id: 'qiportal',
      client_secret: 'qiportal-test-secret',
      redirect_uris: [`${RP}/sso/callback/`],
      post_logout_redirect_uris: [`${RP}/sso/signed-out/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    }],
    // Every client, confidential ones too, must use PKCE (the package's default asks only public clients).
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out of the test provider?', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out of the test provider', ''); },
      },
    },
    conformIdTokenClaims: false, // put the e-mail and groups in the id token as Entra ID does
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const account = byId.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          email_verified: account.email_verified !== false,
          name: account.name,
          given_name: account.name.split(' ')[0],
          family_name: account.name.split(' ').slice(1).join(' '),
          groups: account.groups || [],
        }),
      };
    },
    renderError: async (ctx, out) => { ctx.type = 'html'; ctx.body = page('Provider error', `<pre>${escape(JSON.stringify(out))}</pre>`); },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    if (ctx.path === '/_test/mode' && ctx.method === 'POST') {
      mode.tamper = ctx.query.tamper === '1';
      mode.nonce = ctx.query.nonce === '1';
      mode.state = ctx.query.state === '1';
      ctx.body = mode;
      return;
    }
    if (ctx.path === '/_test/log') {
      ctx.body = log;
      return;
    }
    const entry = { method: ctx.method, path: ctx.path };
    log.push(entry);
    if (ctx.path === '/auth') {
      entry.params = { ...ctx.query };
      const query = new URLSearchParams(ctx.querystring);
      if (mode.nonce) query.set('nonce', 'a-nonce-the-portal-never-made');
      if (mode.state) query.set('state', 'a-state-the-portal-never-made');
      ctx.querystring = query.toString();
    }
    if (ctx.path.startsWith('/interaction/')) {
      await interaction(ctx);
      return;
    }
    await next();
    if (ctx.path === '/token' && mode.tamper && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: tamperIdToken(ctx.body.id_token) };
    }
  });

  async function interaction(ctx) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { uid, prompt, params } = details;
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = page('Sign in to the test provider', `
<form method="post" action="/interaction/${uid}">
  <p><label for="login">User name</label> <input id="login" name="login" autofocus></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
  <p><button type="submit">Sign in</button></p>
</form>`);
      return;
    }
    if (prompt.name === 'login') {
      const form = await readForm(ctx);
      const account = byId.get(form.get('login'));
      if (!account || account.password !== form.get('password')) {
        ctx.type = 'html';
        ctx.body = page('Sign in to the test provider', '<p role="alert">Wrong user name or password.</p>');
        return;
      }
      // Sign in and grant what the portal asked for in one step: there is no consent screen to click.
      const grant = new provider.Grant({ accountId: account.id, clientId: params.client_id });
      grant.addOIDCScope(params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(ctx.req, ctx.res, {
        login: { accountId: account.id }, consent: { grantId },
      }, { mergeWithLastSubmission: false });
      ctx.respond = false;
      return;
    }
    ctx.status = 400;
    ctx.body = `unexpected prompt ${prompt.name}`;
  }

  provider.listen(PORT, '127.0.0.1', () => {
    process.stdout.write(`ready ${ISSUER}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
