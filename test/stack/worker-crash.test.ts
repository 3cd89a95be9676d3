// kill -9 of the worker while an application is in an activity: another worker picks the
// work up, and the application completes once — one user row, one e-mail.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { dataConverter } from '../../infra/codec';
import { createDb, type Db } from '../../infra/db';
import { createDbDataKeyStore } from '../../infra/data-keys';
import { onboardingWorkflowId } from '../../workflows/onboarding/definitions';
import type { onboarding } from '../../workflows/onboarding/workflow';
import { insertApplication, testPeople } from '../support/applications';
import { logFile } from '../support/pii-scan';
import { startAdapters, testKeyring, waitFor } from '../support/stack';

const root = join(__dirname, '..', '..');
const { people, fixturePath } = testPeople();
const { keys, activeKeyId } = testKeyring();
const taskQueue = `crash-${randomUUID()}`;

let db: Db;
let adapters: Awaited<ReturnType<typeof startAdapters>>;
let connection: Connection;
let client: Client;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    PAYLOAD_KEYS: [...keys].map(([id, k]) => `${id}:${k.toString('base64')}`).join(','),
    PAYLOAD_ACTIVE_KEY_ID: activeKeyId,
    // The worker verifies no tokens; the API's settings are required all the same.
    AUTH_ISSUER: 'http://127.0.0.1:9',
    AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    RESIDENT_REGISTER_URL: adapters.registers.residentUrl,
    PROTECTION_REGISTER_URL: adapters.registers.protectionUrl,
    SMTP_URL: adapters.mail.url,
    POSTAL_GATEWAY_URL: adapters.post.url,
  };
  // Its output into the run's log directory, which global-teardown searches for personal data.
  const logTo = logFile('worker-main');
  const out = logTo ? openSync(logTo, 'a') : 'ignore';
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'worker/main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', out, out === 'ignore' ? 'pipe' : out],
  });
  if (typeof out === 'number') closeSync(out);
  workers.push(proc);
  return proc;
}

beforeAll(async () => {
  db = createDb(process.env.TEST_DATABASE_URL!);
  adapters = await startAdapters(fixturePath);
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  client = new Client({ connection, dataConverter: dataConverter(keys, activeKeyId, createDbDataKeyStore(db, keys, activeKeyId)) });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await connection?.close();
  await adapters?.close();
  await db?.$disconnect();
});

it('completes once after the worker is killed in the middle of a register lookup', async () => {
  const email = `crash-${randomUUID().slice(0, 8)}@example.ch`;
  const applicationId = await insertApplication(db, people.adult!, { email });
  adapters.registers.setLatency(4000); // the lookup is in flight when the worker dies
  const first = startWorker();
  const handle = await client.workflow.start<typeof onboarding>('onboarding', {
    taskQueue,
    workflowId: onboardingWorkflowId(applicationId),
    args: [{ applicationId, canton: 'JU', commune: 'Delémont' }],
  });

  await waitFor(
    async () => adapters.registers.requests().resident,
    (n) => n >= 1,
    60_000,
  );
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  adapters.registers.setLatency(0);
  startWorker();

  expect(await handle.result()).toMatchObject({ status: 'approved' });
  expect(await db.registeredUser.count({ where: { applicationId } })).toBe(1);
  expect(await db.contract.count({ where: { applicationId } })).toBe(1);
  await adapters.mail.waitFor((m) => m.to.includes(email));
  expect(adapters.mail.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
}, 120_000);
