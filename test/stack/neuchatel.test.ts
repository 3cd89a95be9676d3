// Neuchâtel's counter as an applicant meets it (NE 3.1, 4.1-4.3, 7.1): the State signs the
// contract, the access rights come by two letters at the postal gateway, the person signs in
// at the real identity provider (OpenID Connect, code + PKCE, over HTTP) with the user code,
// the letter's password and the code the fake SMS gateway received, changes the initial
// password, and uses the token at the API. Five wrong passwords lock the account: the sixth
// try, with the right password, is refused. A replacement voids the old code. (The 15 minutes
// and the block at the 8th wrong attempt run on the time-skipping server:
// access-rights.workflow.test.ts.)
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { freePort } from '../../scripts/lib/ports';
import { testPeople } from '../support/applications';
import { juraNamesIn } from '../support/canton-names';
import { signedApplication } from '../support/eid';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/identity';
import { pdfText } from '../support/pdf';
import { lastSmsCode, openPortalSignIn, secretsIn } from '../support/portal';
import { startStack, waitFor, type Stack } from '../support/stack';

const { people, fixturePath } = testPeople({ nora: { firstName: 'Nora', lastName: 'Perret', commune: 'Neuchâtel' } });
const MOBILE = '+41791234567';
let idp: TestIdentityProvider;
let stack: Stack;
let server: Server;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  idp = await startTestIdentityProvider({
    redirectOrigins: [origin],
    env: { CANTON: 'NE', API_URL: origin, PORTAL_REDIRECT_URIS: `${origin}/portal/callback` },
  });
  stack = await startStack({ identityProvider: idp, canton: 'NE', fixturePath });
  server = stack.app.listen(port, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
  await idp?.stop();
});

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const openSignIn = async () => {
  const signIn = await openPortalSignIn(idp.issuer, `${origin}/portal/callback`);
  expect(signIn.page).toContain('Code utilisateur');
  return signIn;
};
const lastCode = () => lastSmsCode(stack.sms.url, MOBILE);

let userId: string;
let sub: string;
let userCode: string;
let initialPassword: string;

async function lettersOf(generation: number) {
  const letters = await waitFor(
    async () => stack.post.letters().filter((l) => l.letterId.startsWith(`${userId}-access-rights-${generation}-`)),
    (l) => l.length === 2,
  );
  const texts = await Promise.all(letters.map(async (l) => (await pdfText(stack.post.pdfOf(l.letterId)!)).text));
  return {
    letters,
    ...secretsIn(texts),
    codeLetter: texts.find((t) => t.includes('code utilisateur :'))!,
    passwordLetter: texts.find((t) => t.includes('mot de passe initial :'))!,
  };
}

it('concludes the contract and posts the access rights in two separate letters that name no Jura authority (NE 3.1)', async () => {
  sub = `nora-${randomBytes(4).toString('hex')}`;
  const token = await stack.token({ role: 'citizen', sub });
  const body = {
    ...(await signedApplication(stack, token, people.nora!, 'nora@example.ch', { canton: 'NE' })),
    address: { street: 'Rue du Château 12', postCode: '2000', locality: 'Neuchâtel' },
  };
  // The counter signs in with a code by SMS: no application without a mobile phone.
  const without = await request(stack.app).post('/v1/onboarding/applications').set(bearer(token)).send(body);
  expect(without.status).toBe(400);
  expect(without.body.error.details).toEqual([{ path: 'mobilePhone', issue: 'required on this counter' }]);

  const res = await request(stack.app)
    .post('/v1/onboarding/applications')
    .set(bearer(token))
    .send({ ...body, mobilePhone: '079 123 45 67' });
  expect(res.status).toBe(202);
  const applicationId = res.body.applicationId as string;
  userId = `user-${applicationId}`;
  await waitFor(
    async () => (await request(stack.app).get(`/v1/onboarding/applications/${applicationId}`).set(bearer(token))).body as { status: string },
    (s) => s.status === 'approved',
  );

  const letter = await lettersOf(1);
  const { letters, codeLetter, passwordLetter } = letter;
  // Two letters, each to the person's address, each with one element only.
  for (const l of letters) expect(l.recipient).toMatchObject({ name: 'Nora Perret', street: 'Rue du Château 12', postCode: '2000', locality: 'Neuchâtel' });
  userCode = letter.userCode;
  initialPassword = letter.password;
  expect(userCode).toMatch(/^GU-\d{5}-\d{5}$/);
  expect(codeLetter).not.toContain(initialPassword);
  expect(passwordLetter).not.toContain(userCode);
  expect(codeLetter).toContain("Chancellerie d'État");
  expect(codeLetter).toContain('2000 Neuchâtel');
  expect(codeLetter).toContain('ch. 3.1');
  expect(passwordLetter).toContain('au minimum 10 caractères');
  expect(juraNamesIn(codeLetter)).toEqual([]);
  expect(juraNamesIn(passwordLetter)).toEqual([]);
  // Nothing of them in clear in the database: the code is an identifier, the password a scrypt hash.
  const credential = await stack.db.credential.findUniqueOrThrow({ where: { userId } });
  expect(credential).toMatchObject({ userCode, mustChange: true, generation: 1 });
  expect(credential.passwordHash).toMatch(/^scrypt\$/);
  expect(credential.passwordHash).not.toContain(initialPassword);
});

it('signs in with user code, password and SMS code, and has the initial password changed first (NE 4.1, 4.2)', async () => {
  const { browser, interaction, token: tokenAfter } = await openSignIn();
  let res = await browser.post(`${interaction}/login`, { login: userCode.replace(/-/g, ' ').toLowerCase(), password: initialPassword });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('Code reçu par SMS');
  const sms = await lastCode();

  res = await browser.post(`${interaction}/code`, { code: sms });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('Remplacez le mot de passe initial');
  // NE 4.2: at least 10 characters with digits, lower and upper case.
  res = await browser.post(`${interaction}/password`, { newPassword: 'courtmotdepasse', confirm: 'courtmotdepasse' });
  expect(res.status).toBe(400);
  const refused = await res.text();
  expect(refused).toContain('un chiffre');
  expect(refused).toContain('une lettre majuscule');

  res = await browser.post(`${interaction}/password`, { newPassword: 'Neuchatel2026', confirm: 'Neuchatel2026' });
  const token = await tokenAfter(res);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  expect(claims).toMatchObject({ sub, role: 'citizen', acr: 'urn:guichet:acr:mfa' });
  // The API knows her by that token: her own contract.
  const contract = await request(stack.app).get('/v1/me/contract').set(bearer(token));
  expect(contract.status).toBe(200);
  expect(await stack.db.credential.findUniqueOrThrow({ where: { userId } })).toMatchObject({ mustChange: false });

  // The next sign-in: the personal password, the SMS code, and straight back to the portal.
  const again = await openSignIn();
  await again.browser.post(`${again.interaction}/login`, { login: userCode, password: 'Neuchatel2026' });
  const next = await again.browser.post(`${again.interaction}/code`, { code: await lastCode() });
  expect(await again.token(next)).toBeTruthy();
});

it('locks the account for 15 minutes after 5 wrong entries: the 6th try, with the right password, is refused (NE 7.1)', async () => {
  const chancellery = await stack.token({ role: 'chancellery', sub: 'ne-staff' });
  const { browser, interaction } = await openSignIn();
  // A wrong SMS code counts like a wrong password ("de n'importe quel élément").
  await browser.post(`${interaction}/login`, { login: userCode, password: 'Neuchatel2026' });
  let res = await browser.post(`${interaction}/code`, { code: '000000' === (await lastCode()) ? '111111' : '000000' });
  expect(res.status).toBe(401);
  expect(await res.text()).toContain('Code SMS incorrect.');
  for (let i = 2; i <= 5; i++) {
    res = await browser.post(`${interaction}/login`, { login: userCode, password: `Faux-mot-${i}` });
    expect(res.status).toBe(401);
  }
  expect(await res.text()).toContain('aucune connexion n&#39;est possible pendant 15 minutes');
  res = await browser.post(`${interaction}/login`, { login: userCode, password: 'Neuchatel2026' });
  expect(res.status).toBe(401);
  expect(await res.text()).toContain('pendant 15 minutes');

  const state = await request(stack.app).get(`/v1/accounts/${userId}/access-rights`).set(bearer(chancellery));
  expect(state.body).toMatchObject({ state: 'locked', failuresInARow: 5 });
  const lockedUntil = Date.parse(state.body.lockedUntil as string);
  expect(lockedUntil - Date.now()).toBeGreaterThan(14 * 60_000);
  expect(lockedUntil - Date.now()).toBeLessThanOrEqual(15 * 60_000);
});

it('replaces lost access rights on request: new letters, the old user code void, the fee noted (NE 4.3)', async () => {
  const chancellery = await stack.token({ role: 'chancellery', sub: 'ne-staff' });
  const key = `replace-${randomBytes(6).toString('hex')}`;
  const res = await request(stack.app).post(`/v1/accounts/${userId}/access-rights/replacements`).set(bearer(chancellery)).set('Idempotency-Key', key);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ userId, generation: 2, fee: { amountChf: null } });
  expect(res.body.fee.notice).toContain('ch. 4.3');
  // The same request again replaces nothing more.
  const again = await request(stack.app).post(`/v1/accounts/${userId}/access-rights/replacements`).set(bearer(chancellery)).set('Idempotency-Key', key);
  expect(again.body.generation).toBe(2);

  const { userCode: newCode, codeLetter: replacedLetter } = await lettersOf(2);
  expect(replacedLetter).toContain('ch. 4.3');
  expect(replacedLetter).not.toContain('a signé');
  expect(newCode).not.toBe(userCode);
  expect(await stack.db.credential.findUniqueOrThrow({ where: { userId } })).toMatchObject({ userCode: newCode, generation: 2, mustChange: true });
  // The old user code is void: the same answer as any unknown code, nothing counted against anyone.
  const { browser, interaction } = await openSignIn();
  const old = await browser.post(`${interaction}/login`, { login: userCode, password: 'Neuchatel2026' });
  expect(old.status).toBe(401);
  expect(await old.text()).toContain('Code utilisateur ou mot de passe incorrect.');
  // A citizen cannot ask for it in the Chancellery's place.
  const citizen = await stack.token({ role: 'citizen', sub });
  expect(
    (await request(stack.app).post(`/v1/accounts/${userId}/access-rights/replacements`).set(bearer(citizen)).set('Idempotency-Key', `${key}-2`)).status,
  ).toBe(403);
  // NE 5.3: a new mobile number goes through the Chancellery, kept with what it replaced.
  const phone = (body: object, token = chancellery) => request(stack.app).put(`/v1/accounts/${userId}/mobile-phone`).set(bearer(token)).send(body);
  expect((await phone({ mobilePhone: '+41 32 889 40 00' })).body.error.details[0]).toMatchObject({ path: 'mobilePhone' });
  expect((await phone({ mobilePhone: '078 765 43 21' }, citizen)).status).toBe(403);
  expect((await phone({ mobilePhone: '078 765 43 21' })).status).toBe(200);
  expect(await stack.db.registeredUser.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ mobilePhone: '+41787654321' });
  const change = await stack.db.contactChange.findFirstOrThrow({ where: { userId }, orderBy: { changedAt: 'desc' } });
  expect(change).toMatchObject({ previous: { mobilePhone: MOBILE }, current: { mobilePhone: '+41787654321' }, changedBy: 'ne-staff' });
  // Nobody but the identity provider calls the sign-in routes.
  expect((await request(stack.app).post('/v1/sign-in/password').set(bearer(citizen)).send({ userCode: newCode, password: 'x' })).status).toBe(403);
});
