// The HTTP register adapters against the fake registers, over real HTTP: the answers the
// onboarding checks rely on, and how the adapters fail when a register is down, slow, or
// answers something we cannot read (retryable or not decides what Temporal does).
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidAvsNumber } from '../../domain/avs';
import { createHttpRegisters } from '../../activities/registers';
import { loadFixture, startFakeRegisters, type FakePerson, type FakeRegisters } from '../../fakes/registers/server';
import { freePort } from '../../scripts/lib/ports';

const ADULT = '756.1234.5678.04';
const MINOR = '756.2345.6789.15';
const NOT_DOMICILED = '756.3456.7890.26';
const PROTECTED = '756.4567.8901.37';
const BOUNDARY = '756.5678.9012.48';
const UNKNOWN = '756.9999.9999.91'; // valid, but in no register

const person = (avsNumber: string, birthDate: string, commune: string | null, protectionMeasure = false): FakePerson => ({
  avsNumber,
  lastName: 'Exemple',
  firstName: 'Test',
  birthDate,
  domiciledInCanton: commune !== null,
  commune,
  protectionMeasure,
});
const PEOPLE: FakePerson[] = [
  person(ADULT, '1985-03-21', 'Delémont'),
  person(MINOR, '2010-05-14', 'Porrentruy'),
  person(NOT_DOMICILED, '1972-11-02', null),
  person(PROTECTED, '1990-07-08', 'Saignelégier', true),
  person(BOUNDARY, '2008-12-01', 'Delémont'),
];

const dir = mkdtempSync(join(tmpdir(), 'guichet-registers-'));
function writeFixture(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

let fake: FakeRegisters;
let registers: ReturnType<typeof createHttpRegisters>;

beforeAll(async () => {
  fake = await startFakeRegisters({ port: await freePort(), fixturePath: writeFixture('people.json', { people: PEOPLE }) });
  registers = createHttpRegisters({ residentUrl: fake.residentUrl, protectionUrl: fake.protectionUrl, timeoutMs: 2000 });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  fake.setOutage(false);
  fake.setLatency(0);
});

async function control(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${fake.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

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
function expectRetryable(err: Error, register: RegisterLabel, reason: RegExp): void {
  expect(err).not.toBeInstanceOf(ApplicationFailure);
  expect(err.message).toContain(register);
  expect(err.message).toMatch(reason);
  expect(err.message).not.toMatch(/756/); // no AVS number in messages
}
type RegisterLabel = 'resident register' | 'protection register';

function expectProtocolError(err: Error, register: RegisterLabel): void {
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ nonRetryable: true, type: 'RegisterProtocolError' });
  expect(err.message).toContain(register);
  expect(err.message).not.toMatch(/756/);
}

describe('resident register lookups', () => {
  it('an adult domiciled in Delémont, no measure', async () => {
    await expect(registers.resident.lookup(ADULT)).resolves.toEqual({
      avsNumber: ADULT,
      birthDate: '1985-03-21',
      domiciledInCanton: true,
      commune: 'Delémont',
      protectionMeasure: false,
    });
  });

  it('a minor domiciled in Porrentruy', async () => {
    await expect(registers.resident.lookup(MINOR)).resolves.toMatchObject({ birthDate: '2010-05-14', domiciledInCanton: true, commune: 'Porrentruy' });
  });

  it('a person not domiciled in the canton: commune null', async () => {
    await expect(registers.resident.lookup(NOT_DOMICILED)).resolves.toMatchObject({ domiciledInCanton: false, commune: null });
  });

  it('a person with a protection measure in the resident register', async () => {
    await expect(registers.resident.lookup(PROTECTED)).resolves.toMatchObject({ commune: 'Saignelégier', protectionMeasure: true });
  });

  it('the person who turns 18 on 2026-12-01', async () => {
    await expect(registers.resident.lookup(BOUNDARY)).resolves.toMatchObject({ birthDate: '2008-12-01', domiciledInCanton: true });
  });

  it('an AVS number the register does not know: null', async () => {
    await expect(registers.resident.lookup(UNKNOWN)).resolves.toBeNull();
  });

  it('accepts the AVS number dotted or as 13 digits, and answers it dotted', async () => {
    const dotted = await registers.resident.lookup(ADULT);
    const bare = await registers.resident.lookup('7561234567804');
    expect(bare).toEqual(dotted);
    expect(bare?.avsNumber).toBe(ADULT);
  });

  it('never returns names', async () => {
    const res = await fetch(`${fake.residentUrl}/v1/persons/${encodeURIComponent(ADULT)}`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['avsNumber', 'birthDate', 'commune', 'domiciledInCanton', 'protectionMeasure']);
  });

  it('a malformed AVS number is a protocol error: retrying cannot help', async () => {
    expectProtocolError(await failureOf(registers.resident.lookup('756.1234.5678.05')), 'resident register');
    const res = await fetch(`${fake.residentUrl}/v1/persons/not-an-avs`);
    expect(res.status).toBe(400);
  });
});

describe('protection register lookups', () => {
  it('knows the measure of the protected person, and none for the others', async () => {
    await expect(registers.protection.hasMeasure(PROTECTED)).resolves.toBe(true);
    await expect(registers.protection.hasMeasure('7564567890137')).resolves.toBe(true);
    await expect(registers.protection.hasMeasure(ADULT)).resolves.toBe(false);
  });

  it('an unknown person has no measure', async () => {
    await expect(registers.protection.hasMeasure(UNKNOWN)).resolves.toBe(false);
  });

  it('a malformed AVS number is a protocol error', async () => {
    expectProtocolError(await failureOf(registers.protection.hasMeasure('7561234567805')), 'protection register');
  });
});

describe('outages and slowness', () => {
  it('an outage makes the adapter throw a retryable error naming the register, until it ends', async () => {
    fake.setOutage(true);
    expectRetryable(await failureOf(registers.resident.lookup(ADULT)), 'resident register', /503/);
    expectRetryable(await failureOf(registers.protection.hasMeasure(ADULT)), 'protection register', /503/);

    fake.setOutage(false);
    await expect(registers.resident.lookup(ADULT)).resolves.toMatchObject({ commune: 'Delémont' });
    await expect(registers.protection.hasMeasure(ADULT)).resolves.toBe(false);
  });

  it('the control endpoint can take down one register only', async () => {
    await control('outage', { down: true, register: 'protection' });
    await expect(registers.resident.lookup(ADULT)).resolves.not.toBeNull();
    expectRetryable(await failureOf(registers.protection.hasMeasure(ADULT)), 'protection register', /503/);
    await control('outage', { down: false });
    await expect(registers.protection.hasMeasure(ADULT)).resolves.toBe(false);
  });

  it('a register slower than the timeout: retryable error', async () => {
    const impatient = createHttpRegisters({ residentUrl: fake.residentUrl, protectionUrl: fake.protectionUrl, timeoutMs: 100 });
    await control('latency', { ms: 1000 });
    const started = Date.now();
    expectRetryable(await failureOf(impatient.resident.lookup(ADULT)), 'resident register', /no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(900);
    expectRetryable(await failureOf(impatient.protection.hasMeasure(ADULT)), 'protection register', /no answer within 100 ms/);

    await control('latency', { ms: 0 });
    await expect(impatient.resident.lookup(ADULT)).resolves.not.toBeNull();
  });

  it('an unreachable register: retryable error', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const gone = createHttpRegisters({ residentUrl: nowhere, protectionUrl: nowhere, timeoutMs: 1000 });
    expectRetryable(await failureOf(gone.resident.lookup(ADULT)), 'resident register', /unreachable/);
  });

  it('counts the lookups each register received', async () => {
    const before = (await (await fetch(`${fake.url}/_control/requests`)).json()) as { resident: number; protection: number };
    await registers.resident.lookup(ADULT);
    await registers.resident.lookup(UNKNOWN);
    await registers.protection.hasMeasure(ADULT);
    const after = (await (await fetch(`${fake.url}/_control/requests`)).json()) as { resident: number; protection: number };
    expect(after).toEqual({ resident: before.resident + 2, protection: before.protection + 1 });
    expect(fake.requests()).toEqual(after);
  });

  it('rejects a malformed control request', async () => {
    const res = await fetch(`${fake.url}/_control/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"down":"yes"}' });
    expect(res.status).toBe(400);
  });
});

describe('an answer the adapter cannot read', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; body: string };
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['not JSON', '<html>oops</html>'],
    ['a field missing', JSON.stringify({ avsNumber: ADULT, domiciledInCanton: true, commune: 'Delémont', protectionMeasure: false })],
    ['another person', JSON.stringify({ avsNumber: MINOR, birthDate: '2010-05-14', domiciledInCanton: true, commune: 'Porrentruy', protectionMeasure: false })],
  ])('%s: a non-retryable protocol error', async (_what, body) => {
    answer = { status: 200, body };
    const odd = createHttpRegisters({ residentUrl: base, protectionUrl: base, timeoutMs: 1000 });
    expectProtocolError(await failureOf(odd.resident.lookup(ADULT)), 'resident register');
  });
});

describe('the fixture file', () => {
  it('a malformed entry stops the start with a message naming the entry and field', async () => {
    const bad = writeFixture('bad.json', { people: [PEOPLE[0], { ...PEOPLE[1], birthDate: '14.05.2010' }] });
    const err = await failureOf(startFakeRegisters({ port: await freePort(), fixturePath: bad }));
    expect(err.message).toMatch(/people\[1\]\.birthDate/);
    expect(err.message).toContain(bad);
  });

  it('an invalid AVS number, a missing field, a duplicate: each named', () => {
    expect(() => loadFixture(writeFixture('avs.json', { people: [{ ...PEOPLE[0], avsNumber: '756.1234.5678.05' }] }))).toThrow(/people\[0\]\.avsNumber/);
    const { protectionMeasure: _dropped, ...noMeasure } = PEOPLE[2] as FakePerson;
    expect(() => loadFixture(writeFixture('missing.json', { people: [noMeasure] }))).toThrow(/people\[0\]\.protectionMeasure/);
    expect(() => loadFixture(writeFixture('dup.json', { people: [PEOPLE[0], { ...PEOPLE[0], avsNumber: '7561234567804' }] }))).toThrow(
      /people\[1\]\.avsNumber: same AVS number as people\[0\]/,
    );
    expect(() => loadFixture(writeFixture('notjson.json', '{ people: '))).toThrow(/cannot read it as JSON/);
  });

  it('the demo people are valid, with valid AVS numbers', () => {
    const demo = loadFixture(join(__dirname, '..', '..', 'fakes', 'registers', 'demo-people.json'));
    expect(demo.every((p) => isValidAvsNumber(p.avsNumber))).toBe(true);
    expect(demo.map((p) => [p.avsNumber, p.birthDate, p.commune, p.protectionMeasure])).toEqual(
      PEOPLE.map((p) => [p.avsNumber, p.birthDate, p.commune, p.protectionMeasure]),
    );
  });
});
