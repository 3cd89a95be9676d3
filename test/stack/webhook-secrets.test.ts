// A unit's webhook secret is kept sealed (infra/secret-box.ts): whoever reads the `unit` table
// or a dump of it learns no secret, and the unit's system still verifies every event with it.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { deliverUnitEvent } from '../../activities/unit-events';
import { createDb, type Db } from '../../infra/db';
import { openAtRest, sealAtRest, SealedSecretError } from '../../infra/secret-box';
import { validSignature } from '../../fakes/unit-systems/server';
import { sealUnitSecrets, WEBHOOK_SECRET } from '../../records/units';
import { insertUnit } from '../support/decisions';
import { testKeyring } from '../support/stack';

const SECRET = `unit-secret-${randomUUID()}`;
let db: Db;
const received: { signature: string | undefined; body: string }[] = [];
const hook = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ signature: req.headers['guichet-signature'] as string | undefined, body });
    res.writeHead(204).end();
  });
});
beforeAll(async () => {
  db = createDb(process.env.TEST_DATABASE_URL!);
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  hook.close();
  await db?.$disconnect();
});

it('a secret stored in clear is sealed at the worker start; deliveries are still signed with the secret itself', async () => {
  const ring = testKeyring();
  const unitId = await insertUnit(db, { webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, webhookSecret: SECRET });
  expect(await sealUnitSecrets(db, ring, { unitIds: [unitId] })).toBe(1); // other suites' units, under their own keys, are not touched
  const stored = (await db.unit.findUniqueOrThrow({ where: { id: unitId } })).webhookSecret!;
  expect(stored).toMatch(new RegExp(`^sealed:v1:${ring.activeKeyId}:`));
  expect(stored).not.toContain(SECRET);
  expect(await sealUnitSecrets(db, ring, { unitIds: [unitId] })).toBe(0); // sealed once
  expect((await db.unit.findUniqueOrThrow({ where: { id: unitId } })).webhookSecret).toBe(stored);

  const eventId = `${randomUUID()}:test.sealed`;
  const outcome = await deliverUnitEvent(
    db,
    { eventId, unitId, type: 'test.sealed', about: { recordType: 'transaction', recordId: randomUUID() }, payload: {} },
    { atRest: ring },
  );
  expect(outcome).toBe('delivered');
  const got = received.find((r) => r.body.includes(eventId))!;
  expect(validSignature(SECRET, got.signature, got.body)).toBe(true); // the unit's system checks with its own secret

  // Without the key, nothing is sent: the activity fails (and Temporal retries it) naming the key.
  const again = `${randomUUID()}:test.sealed`;
  await expect(
    deliverUnitEvent(db, { eventId: again, unitId, type: 'test.sealed', about: { recordType: 'transaction', recordId: randomUUID() }, payload: {} }, {}),
  ).rejects.toThrow(new RegExp(`sealed under payload key "${ring.activeKeyId}"`));
  expect(received.some((r) => r.body.includes(again))).toBe(false);
});

it('a sealed secret opens only for its purpose, under its key, unaltered', () => {
  const ring = testKeyring();
  const sealed = sealAtRest(ring, WEBHOOK_SECRET, SECRET);
  expect(openAtRest(ring, WEBHOOK_SECRET, sealed)).toBe(SECRET);
  expect(sealAtRest(ring, WEBHOOK_SECRET, SECRET)).not.toBe(sealed); // a fresh iv each time
  expect(() => openAtRest(ring, 'another-purpose', sealed)).toThrow(SealedSecretError);
  // One bit of the ciphertext flipped (not the text's last characters: base64url's last one may carry padding bits only).
  const at = sealed.lastIndexOf(':') + 1;
  const raw = Buffer.from(sealed.slice(at), 'base64url');
  raw[raw.length - 1]! ^= 0x01;
  const altered = sealed.slice(0, at) + raw.toString('base64url');
  expect(altered).not.toBe(sealed);
  expect(() => openAtRest(ring, WEBHOOK_SECRET, altered)).toThrow(SealedSecretError);
  expect(() => openAtRest({ keys: new Map(), activeKeyId: 'x' }, WEBHOOK_SECRET, sealed)).toThrow(/does not have/);
});

it('after the payload key rotates, the worker seals the secret again under the new key, so the old one can be dropped', async () => {
  const old = testKeyring();
  const unitId = await insertUnit(db, { webhookSecret: SECRET });
  await sealUnitSecrets(db, old, { unitIds: [unitId] });
  const rotated = { keys: new Map([...old.keys, ['test-2', randomBytes(32)]]), activeKeyId: 'test-2' };
  expect(await sealUnitSecrets(db, rotated, { unitIds: [unitId] })).toBe(1);
  const stored = (await db.unit.findUniqueOrThrow({ where: { id: unitId } })).webhookSecret!;
  expect(stored).toMatch(/^sealed:v1:test-2:/);
  const withoutOld = { keys: new Map([['test-2', rotated.keys.get('test-2')!]]), activeKeyId: 'test-2' };
  expect(openAtRest(withoutOld, WEBHOOK_SECRET, stored)).toBe(SECRET);
  // A worker that lacks the key a secret is under leaves it as it is (and says so when it is used).
  expect(await sealUnitSecrets(db, testKeyring(), { unitIds: [unitId] })).toBe(0);
  expect((await db.unit.findUniqueOrThrow({ where: { id: unitId } })).webhookSecret).toBe(stored);
});
