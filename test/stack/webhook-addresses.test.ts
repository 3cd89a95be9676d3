// Outside development a unit's webhook never reaches a loopback, private or internal address
// (infra/outbound.ts), unless the deployment names the network (WEBHOOK_ALLOWED_NETWORKS), and
// follows no redirect. Tried as an attacker configuring a unit would: the metadata address, the
// engine's own loopback by IP and by name, an IPv4-mapped IPv6 loopback, a redirect.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { deliverUnitEvent } from '../../activities/unit-events';
import { createDb, type Db } from '../../infra/db';
import { BlockedAddressError, checkAddress } from '../../infra/outbound';
import { insertUnit } from '../support/decisions';

let db: Db;
const hits: string[] = [];
const receiver = createServer((req: IncomingMessage, res) => {
  hits.push(req.url ?? '');
  req.resume();
  if (req.url === '/redirect') res.writeHead(307, { location: '/hook' }).end();
  else res.writeHead(204).end();
});
let port: number;
beforeAll(async () => {
  db = createDb(process.env.TEST_DATABASE_URL!);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  receiver.close();
  await db?.$disconnect();
});

const production = { allowedNetworks: [] as string[] };
const event = (unitId: string) => ({
  eventId: `${randomUUID()}:test.address`,
  unitId,
  type: 'test.address',
  about: { recordType: 'transaction' as const, recordId: randomUUID() },
  payload: {},
});

it('refuses loopback, private, link-local and mapped addresses; lets public ones and the allowed networks through', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])
    expect(() => checkAddress(a, production)).toThrow(BlockedAddressError);
  for (const a of ['193.246.64.1', '2001:620::1']) expect(() => checkAddress(a, production)).not.toThrow();
  expect(() => checkAddress('10.20.1.7', { allowedNetworks: ['10.20.0.0/16'] })).not.toThrow();
  expect(() => checkAddress('10.21.1.7', { allowedNetworks: ['10.20.0.0/16'] })).toThrow(/WEBHOOK_ALLOWED_NETWORKS/);
});

it('sends nothing to the engine’s own loopback, by address or by name, outside development; follows no redirect', async () => {
  for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
    const unitId = await insertUnit(db, { webhookUrl: url, webhookSecret: 'unit-secret' });
    const before = hits.length;
    await expect(deliverUnitEvent(db, event(unitId), { webhookAddresses: production })).rejects.toThrow(/loopback, private or internal/);
    expect(hits.length).toBe(before); // the receiver heard nothing
  }
  // The canton's own network, named: delivered.
  const allowed = await insertUnit(db, { webhookUrl: `http://localhost:${port}/hook`, webhookSecret: 'unit-secret' });
  expect(await deliverUnitEvent(db, event(allowed), { webhookAddresses: { allowedNetworks: ['127.0.0.0/8', '::1/128'] } })).toBe('delivered');
  // A redirect is not followed (the 307 is a failure, retried by the activity; /hook is not asked).
  const redirecting = await insertUnit(db, { webhookUrl: `http://127.0.0.1:${port}/redirect`, webhookSecret: 'unit-secret' });
  const before = hits.length;
  await expect(deliverUnitEvent(db, event(redirecting))).rejects.toThrow(/answered 307/);
  expect(hits.slice(before)).toEqual(['/redirect']);
});
