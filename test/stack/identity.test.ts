// Sign-in through the embedded OpenID Connect provider, over plain HTTP as a browser would do
// it: authorization code + PKCE, the code exchanged through the API, the access token verified
// by the API against the provider's JWKS (found from the issuer URL).
import type { Server } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../infra/identity-provider/accounts';
import { LocalIssuer } from '../../infra/local-issuer';
import { freePort } from '../../scripts/lib/ports';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { startStack, type Stack } from '../support/stack';
import { Browser } from '../support/portal';

let idp: TestIdentityProvider;
let stack: Stack;
let server: Server;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  idp = await startTestIdentityProvider({ redirectOrigins: [origin] });
  stack = await startStack({ identityProvider: idp });
  server = stack.app.listen(port, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
  await idp?.stop();
});

const b64url = (b: Buffer) => b.toString('base64url');

async function authorize(login: string, password: string, verifier = b64url(randomBytes(32))) {
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
  const browser = new Browser();
  const state = b64url(randomBytes(16));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'guichet-staff',
    redirect_uri: `${origin}/staff/callback`,
    scope: 'openid',
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state,
  }).toString();
  let res = await browser.go(url.toString());
  const loginUrl = new URL(res.headers.get('location')!, idp.issuer);
  const form = await browser.go(loginUrl.toString());
  expect(await form.text()).toContain('name="password"');
  res = await browser.go(`${loginUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password }).toString(),
  });
  if (res.status !== 303 && res.status !== 302) return { res, code: null, state, verifier };
  // Follow the provider's redirects until it sends the browser back to the workspace.
  for (let i = 0; i < 5; i++) {
    const next = new URL(res.headers.get('location')!, idp.issuer);
    if (next.origin === origin) {
      expect(next.searchParams.get('state')).toBe(state);
      return { res, code: next.searchParams.get('code'), state, verifier };
    }
    res = await browser.go(next.toString());
  }
  throw new Error('no way back to the workspace');
}

async function exchange(code: string, verifier: string) {
  return request(stack.app)
    .post('/staff/auth/token')
    .send({ code, codeVerifier: verifier, redirectUri: `${origin}/staff/callback` });
}

it('signs staff in with code + PKCE; the API accepts the token for staff only', async () => {
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    code_challenge_methods_supported: string[];
    issuer: string;
  };
  expect(discovery).toMatchObject({ issuer: idp.issuer, code_challenge_methods_supported: ['S256'] });

  const { code, verifier } = await authorize('anne.chancellerie', DEMO_PASSWORD);
  expect(code).toBeTruthy();
  const tokens = await exchange(code!, verifier);
  expect(tokens.status).toBe(200);
  const claims = JSON.parse(Buffer.from(tokens.body.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
  // Staff sign in with a second factor; the token says how strongly (acr), and lives an hour at most.
  expect(claims).toMatchObject({ iss: idp.issuer, aud: 'guichet-api', sub: 'staff-anne', role: 'chancellery', acr: 'urn:guichet:acr:mfa' });
  expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(3600);
  expect(
    (
      await request(stack.app)
        .get('/v1/tasks')
        .set({ Authorization: `Bearer ${tokens.body.access_token}` })
    ).status,
  ).toBe(200);
  // A code is good once.
  expect((await exchange(code!, verifier)).status).toBe(400);

  // A citizen signs in too, and is no reviewer.
  const citizen = await authorize('adele.exemple', DEMO_PASSWORD);
  const citizenToken = (await exchange(citizen.code!, citizen.verifier)).body.access_token as string;
  expect(JSON.parse(Buffer.from(citizenToken.split('.')[1]!, 'base64url').toString())).toMatchObject({ sub: 'demo-adele', acr: 'urn:guichet:acr:eid' });
  expect(
    (
      await request(stack.app)
        .get('/v1/tasks')
        .set({ Authorization: `Bearer ${citizenToken}` })
    ).status,
  ).toBe(403);
});

it('refuses a wrong password on the form, a wrong code verifier, and a token from another key', async () => {
  const wrong = await authorize('anne.chancellerie', 'not-the-password');
  expect(wrong.code).toBeNull();
  expect(wrong.res.status).toBe(401);
  const page = await wrong.res.text();
  expect(page).toContain('Identifiant ou mot de passe incorrect.');
  expect(page).toContain('aria-invalid="true"');

  const { code } = await authorize('marc.chancellerie', DEMO_PASSWORD);
  const stolen = await exchange(code!, b64url(randomBytes(32)));
  expect(stolen.status).toBe(400);
  expect(stolen.body.error.code).toBe('sign_in_failed');
  const badVerifier = await request(stack.app)
    .post('/staff/auth/token')
    .send({ code: 'x', codeVerifier: 'short', redirectUri: `${origin}/staff/callback` });
  expect(badVerifier.body.error.details[0].path).toBe('codeVerifier');

  const forger = await LocalIssuer.create(idp.issuer, 'guichet-api');
  const forged = await forger.sign({ role: 'chancellery', sub: 'staff-anne' });
  expect(
    (
      await request(stack.app)
        .get('/v1/tasks')
        .set({ Authorization: `Bearer ${forged}` })
    ).status,
  ).toBe(401);
  // `npm run token`'s tokens, signed with the provider's own key, are accepted.
  expect(
    (
      await request(stack.app)
        .get('/v1/tasks')
        .set({ Authorization: `Bearer ${await stack.token({ role: 'chancellery' })}` })
    ).status,
  ).toBe(200);
});

it('tells the workspace where to sign in', async () => {
  const res = await request(stack.app).get('/staff/config.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    clientId: 'guichet-staff',
    authorizationEndpoint: `${idp.issuer}/auth`,
    endSessionEndpoint: `${idp.issuer}/session/end`,
    // Which counter and rule set the deployment runs: the workspace's header shows it.
    counter: { canton: 'JU', ruleSet: { id: 'JU-GVS-2013', effectiveFrom: '2013-01-01', effectiveTo: '2021-10-31' } },
  });
  const page = await request(stack.app).get('/staff/tasks/anything');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<div id="root">');
  expect(page.headers['content-security-policy']).toContain("script-src 'self'");
});
