// A terms rollout on the time-skipping server, with a database of its own: batches, runs
// that continue as new, contracts whose workflow never started (admitted before the
// lifecycle existed) or has closed (ended), each user e-mailed once.
import { termsRolloutWorkflowId } from '../../workflows/terms-rollout/definitions';
import type { termsRollout } from '../../workflows/terms-rollout/workflow';
import { contractStateQuery, contractWorkflowId, terminateUpdate } from '../../workflows/contract/definitions';
import type { contract } from '../../workflows/contract/workflow';
import { localDay } from '../../domain/days';
import { insertContract, insertTermsVersion } from '../support/contracts';
import { recordHistory } from '../support/histories';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite({ ownDatabase: true });
});
afterAll(async () => {
  await suite?.stop();
});

it('notifies every contract that has not ended, in batches over several runs, each user once', async () => {
  const { env, db, adapters, taskQueue } = suite;
  const contracts: Awaited<ReturnType<typeof insertContract>>[] = [];
  for (let i = 0; i < 5; i++) contracts.push(await insertContract(db, { canton: 'JU' }));
  const today = localDay(new Date(await env.currentTimeMs()), 'Europe/Zurich');
  // One contract ended before the rollout: its workflow has closed.
  const ended = contracts[0]!;
  const start = (c: (typeof contracts)[number]) =>
    env.client.workflow.start<typeof contract>('contract', {
      taskQueue,
      workflowId: contractWorkflowId(c.contractId),
      args: [{ contractId: c.contractId, canton: 'JU', startedOn: today, termsVersion: 'CG-2013-1' }],
    });
  const endedHandle = await start(ended);
  await endedHandle.executeUpdate(terminateUpdate, { args: [{ by: 'staff', reasons: ['test'] }] });
  await endedHandle.result();
  // The others: two with a running workflow, two admitted before the lifecycle existed (none).
  for (const c of contracts.slice(1, 3)) await start(c);

  const terms = await insertTermsVersion(db, { canton: 'JU', effectiveOn: today, acceptanceDays: 30 });
  const handle = await env.client.workflow.start<typeof termsRollout>('termsRollout', {
    taskQueue,
    workflowId: termsRolloutWorkflowId(terms.version),
    args: [{ version: terms.version, batchSize: 2, batchesPerRun: 1 }],
  });
  const progress = await handle.result();
  // 4 contracts in batches of 2, one batch per run; the third batch finds none left.
  expect(progress).toMatchObject({ notified: 4, batches: 3, runs: 3, done: true });
  await recordHistory('terms-rollout-last-run', handle);

  for (const c of contracts.slice(1)) {
    const s = await env.client.workflow.getHandle(contractWorkflowId(c.contractId)).query(contractStateQuery);
    expect(s.pendingTerms).toMatchObject({ version: terms.version, restrictFrom: terms.notice.restrictFrom });
    expect(adapters.mail.messages.filter((m) => m.to.includes(c.email) && m.subject.includes(terms.version))).toHaveLength(1);
  }
  expect(adapters.mail.messages.filter((m) => m.to.includes(ended.email) && m.subject.includes(terms.version))).toHaveLength(0);
  expect(await db.auditLog.findFirst({ where: { recordType: 'terms-version', recordId: terms.version } })).toMatchObject({
    action: 'terms.rollout-done.4-contracts.3-batches',
  });
});
