// The commercial register adapter against the fake commercial register, over real HTTP on
// loopback, with the demo entities: the entity and its signatories the representation checks
// (Art. 11-13) rely on, and how the adapter fails when the register refuses the request, is
// down or slow (retryable or not decides what Temporal does). No database or Temporal.
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMERCIAL_REGISTER_PROTOCOL_ERROR, createHttpCommercialRegister, type CommercialRegister } from '../../activities/commercial-register';
import {
  DEMO_CREDENTIALS,
  loadCommercialRegisterFixture,
  startFakeCommercialRegister,
  type FakeCommercialRegister,
  type FakeEntity,
} from '../../fakes/commercial-register/server';
import { freePort } from '../../scripts/lib/ports';

const DEMO_FIXTURE = join(__dirname, '..', '..', 'fakes', 'commercial-register', 'demo-entities.json');
const SA_INDIVIDUAL = 'CHE-111.111.118';
const SARL_COLLECTIVE = 'CHE-222.222.225';
const CANCELLED = 'CHE-333.333.332';
const NO_POWER = 'CHE-555.555.557';
const UNKNOWN = 'CHE-999.999.996'; // valid, in no register

let fake: FakeCommercialRegister;
let register: CommercialRegister;

beforeAll(async () => {
  fake = await startFakeCommercialRegister({ port: await freePort(), fixturePath: DEMO_FIXTURE });
  register = createHttpCommercialRegister({ url: fake.url, ...DEMO_CREDENTIALS, timeoutMs: 2000 });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setOutage(false);
  fake.setLatency(0);
});

/** The error a promise rejects with. */
async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Temporal retries it: a plain Error, not a (non-retryable) ApplicationFailure. */
function expectRetryable(err: Error, reason: RegExp): void {
  expect(err).not.toBeInstanceOf(ApplicationFailure);
  expect(err.message).toContain('commercial register');
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(/CHE|Exemple/); // no UID or name in messages
}

function expectProtocolError(err: Error, reason: RegExp): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ nonRetryable: true, type: COMMERCIAL_REGISTER_PROTOCOL_ERROR });
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(/CHE|Exemple/);
}

describe('lookups by UID', () => {
  it('an active SA: its data and its one signatory with individual signature', async () => {
    await expect(register.byUid(SA_INDIVIDUAL)).resolves.toEqual({
      uid: SA_INDIVIDUAL,
      name: 'Horlogerie Exemple SA',
      legalForm: 'SA',
      legalSeat: 'Delémont',
      canton: 'JU',
      status: 'active',
      address: { street: "Rue de l'Exemple 12", postCode: '2800', locality: 'Delémont' },
      signatories: [{ lastName: 'Exemple', firstName: 'Adèle', birthDate: '1985-03-21', function: 'administratrice unique', signingPower: 'individual' }],
    });
  });

  it('accepts the UID without separators and answers in the dotted form', async () => {
    await expect(register.byUid('CHE111111118')).resolves.toMatchObject({ uid: SA_INDIVIDUAL });
  });

  it('a Sàrl represented collectively by two; a person without signing power; a birth date the register lacks', async () => {
    const sarl = await register.byUid(SARL_COLLECTIVE);
    expect(sarl).toMatchObject({ legalForm: 'Sàrl', status: 'active' });
    expect(sarl?.signatories).toEqual([
      { lastName: 'Exemple', firstName: 'Bernard', birthDate: '1972-11-02', function: 'associé gérant', signingPower: 'collective' },
      { lastName: 'Exemple', firstName: 'Adèle', birthDate: '1985-03-21', function: 'associée gérante', signingPower: 'collective' },
      { lastName: 'Modèle', firstName: 'Paul', function: 'associé', signingPower: 'none' },
    ]);
  });

  it('an entity where the demo person sits on the board without signing power', async () => {
    const coop = await register.byUid(NO_POWER);
    expect(coop?.signatories.find((s) => s.firstName === 'Adèle')).toMatchObject({ signingPower: 'none' });
  });

  it('a deleted entity is still in the register, cancelled, without an address', async () => {
    const gone = await register.byUid(CANCELLED);
    expect(gone).toMatchObject({ status: 'cancelled', legalForm: 'SA' });
    expect(gone).not.toHaveProperty('address');
  });

  it('an entity in liquidation is being cancelled', async () => {
    await expect(register.byUid('CHE-666.666.664')).resolves.toMatchObject({ status: 'being-cancelled' });
  });

  it('a valid UID the register does not know: null', async () => {
    await expect(register.byUid(UNKNOWN)).resolves.toBeNull();
  });
});

describe('requests the register refuses', () => {
  it('a malformed UID or a wrong check digit: the register answers 400, the adapter a non-retryable protocol error', async () => {
    const res = await fetch(`${fake.url}/api/v1/company/uid/CHE111111119`, {
      headers: { authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.user}:${DEMO_CREDENTIALS.password}`).toString('base64')}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { type: 'INVALID_REQUEST_DATA', message: 'malformed UID' } });

    expectProtocolError(await failureOf(register.byUid('CHE-111.111.119')), /request rejected \(HTTP 400\)/);
    expectProtocolError(await failureOf(register.byUid('not a uid')), /HTTP 400/);
  });

  it('wrong or missing credentials: 401, a non-retryable protocol error', async () => {
    const res = await fetch(`${fake.url}/api/v1/company/uid/CHE111111118`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);

    const wrong = createHttpCommercialRegister({ url: fake.url, user: DEMO_CREDENTIALS.user, password: 'not-the-password', timeoutMs: 2000 });
    expectProtocolError(await failureOf(wrong.byUid(SA_INDIVIDUAL)), /credentials refused \(HTTP 401\)/);
    const anonymous = createHttpCommercialRegister({ url: fake.url, timeoutMs: 2000 });
    expectProtocolError(await failureOf(anonymous.byUid(SA_INDIVIDUAL)), /HTTP 401/);
  });
});

describe('outages', () => {
  it('a register down (503): a retryable error, and the lookup works again once it is back', async () => {
    fake.setOutage(true);
    expectRetryable(await failureOf(register.byUid(SA_INDIVIDUAL)), /HTTP 503 \(register unavailable\)/);
    fake.setOutage(false);
    await expect(register.byUid(SA_INDIVIDUAL)).resolves.toMatchObject({ status: 'active' });
  });

  it('a register slower than the timeout: a retryable error, without waiting for the answer', async () => {
    const impatient = createHttpCommercialRegister({ url: fake.url, ...DEMO_CREDENTIALS, timeoutMs: 100 });
    fake.setLatency(1000);
    const started = Date.now();
    expectRetryable(await failureOf(impatient.byUid(SA_INDIVIDUAL)), /no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('an unreachable register: a retryable error', async () => {
    const gone = createHttpCommercialRegister({ url: `http://127.0.0.1:${await freePort()}`, ...DEMO_CREDENTIALS, timeoutMs: 1000 });
    expectRetryable(await failureOf(gone.byUid(SA_INDIVIDUAL)), /unreachable/);
  });

  it('the control endpoints switch the outage and count the lookups', async () => {
    const before = fake.requests();
    const res = await fetch(`${fake.url}/_control/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"down":true}' });
    expect(res.status).toBe(200);
    expectRetryable(await failureOf(register.byUid(SA_INDIVIDUAL)), /503/);
    expect(fake.requests()).toBe(before + 1);
  });
});

describe('an answer the adapter cannot read', () => {
  let server: Server;
  let base: string;
  const company = { name: 'Horlogerie Exemple SA', uid: 'CHE111111118', legalSeat: 'Delémont', legalForm: { uid: '0106' }, status: 'ACTIVE', canton: 'JU' };
  let answers: Record<string, string>;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answers[req.url?.endsWith('/persons') ? 'persons' : 'company']);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['not JSON', { company: '<html>oops</html>' }, /not JSON/],
    ['a field missing', { company: JSON.stringify([{ ...company, status: undefined }]) }, /invalid company answer \(status\)/],
    ['another entity', { company: JSON.stringify([{ ...company, uid: 'CHE222222225' }]) }, /another UID/],
    [
      'persons of another entity',
      { company: JSON.stringify([company]), persons: JSON.stringify({ uid: 'CHE222222225', persons: [] }) },
      /persons answer is about another UID/,
    ],
    [
      'an unknown signing authority',
      {
        company: JSON.stringify([company]),
        persons: JSON.stringify({ uid: 'CHE111111118', persons: [{ lastName: 'Exemple', firstName: 'Adèle', signingAuthority: 'SOMETIMES' }] }),
      },
      /signingAuthority/,
    ],
  ])('%s: a non-retryable protocol error', async (_what, body, reason) => {
    answers = { persons: JSON.stringify({ uid: 'CHE111111118', persons: [] }), ...body };
    const odd = createHttpCommercialRegister({ url: base, timeoutMs: 1000 });
    expectProtocolError(await failureOf(odd.byUid(SA_INDIVIDUAL)), reason);
  });
});

describe('the fixture file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-commercial-register-'));
  // The five demo entities, in their order in the file.
  const demo = loadCommercialRegisterFixture(DEMO_FIXTURE) as [FakeEntity, FakeEntity, FakeEntity, ...FakeEntity[]];
  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('the demo entities load', () => {
    expect(demo.map((e) => e.uid)).toEqual([SA_INDIVIDUAL, SARL_COLLECTIVE, CANCELLED, NO_POWER, 'CHE-666.666.664']);
  });

  it('a UID with a wrong check digit stops the start with a message naming the entry and field', async () => {
    const bad = write('bad-check-digit.json', { entities: [demo[0], { ...demo[1], uid: 'CHE-222.222.226' }] });
    const err = await failureOf(startFakeCommercialRegister({ port: await freePort(), fixturePath: bad }));
    expect(err.name).toBe('FixtureError');
    expect(err.message).toMatch(/entities\[1\]\.uid: not a valid UID/);
    expect(err.message).toContain(bad);
  });

  it('refuses the same UID twice, a cancelled entity without deletion date, an unknown signing authority', () => {
    expect(() => loadCommercialRegisterFixture(write('twice.json', { entities: [demo[0], { ...demo[1], uid: 'CHE111111118' }] }))).toThrow(
      /entities\[1\]\.uid: same UID as entities\[0\]/,
    );
    expect(() => loadCommercialRegisterFixture(write('no-deletion.json', { entities: [{ ...demo[2], deletionDate: undefined }] }))).toThrow(
      /entities\[0\]\.deletionDate: required when status is CANCELLED/,
    );
    const odd = { ...demo[0], persons: [{ ...demo[0].persons[0], signingAuthority: 'SOMETIMES' }] };
    expect(() => loadCommercialRegisterFixture(write('odd.json', { entities: [odd] }))).toThrow(/entities\[0\]\.persons\[0\]\.signingAuthority/);
  });
});
