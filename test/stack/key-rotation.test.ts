// Rotating the payload key until the old one can be dropped (README "Rotating the payload
// key"). Three generations of the same deployment on one task queue: the first runs under the
// old key only; the second has the new key active and the old one still in the ring, and runs
// `rotatePayloadKeys` (what `npm run rekey` runs); the third has the new key only. Long-lived
// processes (a contract, a record's retention, an account's access rights) go on in the third
// as if nothing happened, their personal data readable; a process that was not rekeyed, or a
// run closed before the rotation, is what the report said still needed the old key.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PayloadKeyGateway, payloadKeyIdsIn } from '../../app/gateways/payload-keys';
import { createTemporalAccessRights, createTemporalContractEngine, createTemporalRetentionEngine } from '../../app/gateways';
import { rotatePayloadKeys, type KeyRotationReport } from '../../app/key-rotation';
import { localDay } from '../../domain/days';
import { profiles } from '../../domain/profiles';
import { newestRuleSet } from '../../domain/rule-sets';
import { AesGcmCodec, KeyUnavailableError } from '../../infra/codec';
import { describeReport } from '../../scripts/rekey';
import { contractStateQuery, contractWorkflowId } from '../../workflows/contract/definitions';
import { retentionStateQuery, retentionWorkflowId } from '../../workflows/retention/definitions';
import { accessRightsWorkflowId } from '../../workflows/access-rights/definitions';
import { insertContract } from '../support/contracts';
import { startStack, waitFor, type Stack } from '../support/stack';

const run = promisify(execFile);
const tag = randomUUID().slice(0, 8);
const OLD = `old-${tag}`;
const NEW = `new-${tag}`;
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const taskQueue = `test-rotation-${tag}`;
const idleQueue = `${taskQueue}-idle`; // nobody polls it: a process that stays open
const query = `TaskQueue = "${taskQueue}" OR TaskQueue = "${idleQueue}"`;
const NE = newestRuleSet('NE');

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const rotation = (s: Stack) =>
  rotatePayloadKeys(
    { db: s.db, histories: new PayloadKeyGateway({ client: s.client, taskQueue }, 'default'), keys: s.keys, activeKeyId: s.activeKeyId },
    { query, unitIds: [] }, // other suites' units stay as they are
  );
const keysOfCurrentRun = async (s: Stack, workflowId: string) => payloadKeyIdsIn((await s.client.workflow.getHandle(workflowId).fetchHistory()).events);

it('re-encrypts what it can, says what still needs the old key and until when, and the old key is then dropped', async () => {
  // 1. The old key only.
  stack = await startStack({ keyring: { keys: new Map([[OLD, oldKey]]), activeKeyId: OLD }, taskQueue });
  const c = await insertContract(stack.db, { canton: 'JU' });
  await createTemporalContractEngine(stack.client, taskQueue).start({
    contractId: c.contractId,
    canton: 'JU',
    startedOn: localDay(new Date(), profiles.JU.timeZone),
    termsVersion: 'CG-2013-1',
    pendingTerms: null,
  });
  const contractId = contractWorkflowId(c.contractId);
  const before = await waitFor(
    () => stack!.client.workflow.getHandle(contractId).query(contractStateQuery),
    (s) => s.status === 'active',
  );
  const recordId = randomUUID();
  await createTemporalRetentionEngine(stack.client, taskQueue).schedule({
    recordKind: 'decision',
    recordId,
    category: 'decision-service',
    eventDay: localDay(new Date(), profiles.JU.timeZone),
    canton: 'JU',
  });
  const retentionId = retentionWorkflowId('decision', recordId);
  const kept = await waitFor(
    () => stack!.client.workflow.getHandle(retentionId).query(retentionStateQuery),
    (s) => s.state === 'kept',
  );
  const account = await insertContract(stack.db, { canton: 'NE' });
  const userId = `user-${account.applicationId}`;
  const rights = (s: Stack) => createTemporalAccessRights(s.client, taskQueue, NE.ruleSet.id);
  expect(await rights(stack).start(userId)).toBe(true);
  await rights(stack).failed(userId, 'password');
  const rightsBefore = await rights(stack).status(userId);
  expect(rightsBefore).toMatchObject({ state: 'active', failuresInARow: 1 });
  const idle = await stack.client.workflow.start('onboarding', { taskQueue: idleQueue, workflowId: `rotation-idle-${tag}`, args: [{ note: 'never run' }] });
  // What the old key wraps: the contract's data key.
  expect(await stack.db.dataKey.findUniqueOrThrow({ where: { id: `contract:${c.contractId}` } })).toMatchObject({ wrapKeyId: OLD });
  expect(await keysOfCurrentRun(stack, contractId)).toEqual(new Set([OLD]));
  await stack.stop();

  // 2. The new key active, the old one still in the ring: the rotation.
  stack = await startStack({
    keyring: {
      keys: new Map([
        [OLD, oldKey],
        [NEW, newKey],
      ]),
      activeKeyId: NEW,
    },
    taskQueue,
  });
  const first = await rotation(stack);
  expect(first.dataKeysRewrapped).toBeGreaterThanOrEqual(1);
  expect(await stack.db.dataKey.findUniqueOrThrow({ where: { id: `contract:${c.contractId}` } })).toMatchObject({ wrapKeyId: NEW });
  const old1 = first.retired.find((k) => k.keyId === OLD)!;
  expect(old1.dataKeys).toBe(0);
  expect(
    old1.openRuns
      .filter((o) => o.toldToContinue)
      .map((o) => o.type)
      .sort(),
  ).toEqual(['accessRights', 'contract', 'retention']);
  expect(old1.openRuns.filter((o) => !o.toldToContinue)).toEqual([expect.objectContaining({ workflowId: idle.workflowId, type: 'onboarding' })]);
  expect(old1.droppableFrom).toBeNull(); // open runs still hold it

  // Each long-lived process continued as new, its new run under the new key only, its state unchanged.
  for (const id of [contractId, retentionId, accessRightsWorkflowId(userId)]) {
    await waitFor(
      () => keysOfCurrentRun(stack!, id),
      (k) => !k.has(OLD),
      60_000, // the first stack's worker held them in its cache: the server hands them on
    );
    expect(await keysOfCurrentRun(stack, id)).toEqual(new Set([NEW]));
  }
  const nextRun = { ...before, runs: before.runs + 1 }; // the contract counts its runs
  expect(await stack.client.workflow.getHandle(contractId).query(contractStateQuery)).toEqual(nextRun);
  expect(await stack.client.workflow.getHandle(retentionId).query(retentionStateQuery)).toEqual(kept);
  expect(await rights(stack).status(userId)).toEqual(rightsBefore);

  // Run again: only the process that ends by itself still holds the old key open; the closed runs until the retention deletes them.
  await stack.client.workflow.getHandle(idle.workflowId).terminate('the test is over with it');
  const second = await rotation(stack);
  const old2 = second.retired.find((k) => k.keyId === OLD)!;
  expect(old2.openRuns).toEqual([]);
  expect(old2.closedRuns).toBe(4); // the three first runs and the terminated one
  const retentionMs = await new PayloadKeyGateway({ client: stack.client, taskQueue }, 'default').retentionMs();
  expect(retentionMs).toBeGreaterThan(0);
  expect(old2.lastClosedRunDeletedOn).not.toBeNull();
  expect(Date.parse(old2.droppableFrom!)).toBe(Date.parse(old2.lastClosedRunDeletedOn!));
  expect(Date.parse(old2.droppableFrom!) - Date.now()).toBeGreaterThan(retentionMs - 120_000);
  expect(second.dataKeysRewrapped).toBe(0); // idempotent
  expect(describeReport(second)).toContain(`key ${OLD}:`);
  expect(describeReport(second)).toContain(`may be dropped from PAYLOAD_KEYS from ${old2.droppableFrom}`);
  expect(JSON.stringify(second)).not.toContain(c.email);
  await stack.stop();

  // 3. The old key dropped: the processes go on, their personal data readable.
  stack = await startStack({ keyring: { keys: new Map([[NEW, newKey]]), activeKeyId: NEW }, taskQueue });
  expect(await stack.client.workflow.getHandle(contractId).query(contractStateQuery)).toEqual(nextRun);
  expect(await stack.client.workflow.getHandle(retentionId).query(retentionStateQuery)).toEqual(kept);
  expect(await rights(stack).failed(userId, 'password')).toMatchObject({ state: 'active', failuresInARow: 2 });
  // What the report said still needed it: the run that was not rekeyed, unreadable now.
  const started = (await stack.client.workflow.getHandle(idle.workflowId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  const idleResult = await new AesGcmCodec(stack.keys, NEW).decode(started).catch((err: unknown) => err);
  expect(idleResult).toBeInstanceOf(KeyUnavailableError);

  // The operator's command, with the worker's environment: the same report.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/rekey.ts', '--report-only', '--json', '--query', query], {
    cwd: join(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PAYLOAD_KEYS: `${NEW}:${newKey.toString('base64')}`,
      PAYLOAD_ACTIVE_KEY_ID: NEW,
      // The rest of the worker's environment, which the command reads but does not reach.
      AUTH_ISSUER: 'http://127.0.0.1:9/issuer',
      RESIDENT_REGISTER_URL: 'http://127.0.0.1:9/resident',
      PROTECTION_REGISTER_URL: 'http://127.0.0.1:9/protection',
      POSTAL_GATEWAY_URL: 'http://127.0.0.1:9/post',
      SMTP_URL: 'smtp://127.0.0.1:9',
    },
  });
  const fromCli = JSON.parse(stdout) as KeyRotationReport;
  expect(fromCli).toMatchObject({ activeKeyId: NEW, dataKeysRewrapped: 0 });
  expect(fromCli.retired.find((k) => k.keyId === OLD)).toMatchObject({ openRuns: [], closedRuns: 4, droppableFrom: old2.droppableFrom });
});
