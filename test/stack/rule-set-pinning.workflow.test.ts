// Rule sets pinned per process (DOMAIN.md §6), on the time-skipping server: a proxy offered
// under JU-GVS-2013 (30 days to accept) keeps its 30 days after the engine is redeployed with
// a new Jura rule set that gives 10; a proxy offered under the new one lapses after 10. The
// second worker runs a bundle whose rule sets include the new one (test/support/rule-sets-next.ts
// in place of domain/rule-sets.ts), as a later release would.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createTemporalContractEngine } from '../../app/gateways';
import { workerDataConverter } from '../../infra/codec';
import { proxyStateQuery, proxyWorkflowId } from '../../workflows/proxy/definitions';
import type { proxy } from '../../workflows/proxy/workflow';
import { BUNDLE_OPTIONS } from '../../worker/worker';
import { fixtureKeyring, recordHistory } from '../support/histories';
import { bundle, waitFor } from '../support/stack';
import { startTimeSkippingSuite, type TimeSkippingSuite } from '../support/time-skipping';

let suite: TimeSkippingSuite;
beforeAll(async () => {
  suite = await startTimeSkippingSuite();
});
afterAll(async () => {
  await suite?.stop();
});

// The workflows import the rule sets once, in workflows/common.ts, by this request.
const RULE_SETS_IMPORT = '../domain/rule-sets';
const NEXT_MODULE = join(__dirname, '..', 'support', 'rule-sets-next.ts');

/** A release's worker on `taskQueue`: today's bundle, or the next one with its new rule set. */
async function releaseWorker(taskQueue: string, release: 'today' | 'next') {
  const code =
    release === 'today'
      ? await bundle()
      : await bundleWorkflowCode({
          ...BUNDLE_OPTIONS,
          logger: new DefaultLogger('WARN'),
          webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, alias: { ...config.resolve?.alias, [RULE_SETS_IMPORT]: NEXT_MODULE } } }),
        });
  const { keys, activeKeyId } = fixtureKeyring();
  const worker = await Worker.create({
    connection: suite.env.nativeConnection,
    taskQueue,
    workflowBundle: code,
    // Nothing cached, so no sticky queue: the test server would hold a query for a worker that is gone.
    maxCachedWorkflows: 0,
    activities: createActivities({
      db: suite.db,
      dataKeys: suite.dataKeys,
      ...suite.adapters.adapters,
      contracts: createTemporalContractEngine(suite.env.client, taskQueue),
      retention: suite.retention,
    }),
    dataConverter: workerDataConverter(keys, activeKeyId, suite.dataKeys),
  });
  return { worker, running: worker.run() };
}

async function offer(taskQueue: string, ruleSetId: string) {
  const proxyId = randomUUID();
  const offeredAt = new Date(await suite.env.currentTimeMs());
  await suite.db.proxy.create({
    data: { id: proxyId, canton: 'JU', grantorSub: `g-${proxyId}`, representativeSub: `r-${proxyId}`, services: ['library'], status: 'offered', offeredAt },
  });
  return suite.env.client.workflow.start<typeof proxy>('proxy', {
    taskQueue,
    workflowId: proxyWorkflowId(proxyId),
    args: [{ proxyId, canton: 'JU', ruleSetId, offeredAt: offeredAt.toISOString() }],
  });
}

it('keeps the number of the rule set a process started under when a new rule set changes it', async () => {
  // Today's release: a proxy offered under JU-GVS-2013.
  const taskQueue = `release-${randomUUID()}`;
  const today = await releaseWorker(taskQueue, 'today');
  const before = await offer(taskQueue, 'JU-GVS-2013');
  const lapsesAt = (await before.query(proxyStateQuery)).lapsesAt!;
  expect(new Date(lapsesAt).getTime() - (await suite.env.currentTimeMs())).toBeGreaterThan(29 * 86_400_000);
  const described = await before.describe();
  expect(described.searchAttributes).toMatchObject({ GvsRuleSet: ['JU-GVS-2013'] });

  // The next release replaces today's workers: its bundle has the new rule set, and the old
  // process, replayed from its history on the new worker, goes on there.
  today.worker.shutdown();
  await today.running;
  const next = await releaseWorker(taskQueue, 'next');
  try {
    const after = await offer(taskQueue, 'JU-TEST-NEXT');
    expect((await after.query(proxyStateQuery)).status).toBe('offered'); // its first task has run
    expect((await after.describe()).searchAttributes).toMatchObject({ GvsRuleSet: ['JU-TEST-NEXT'] });
    await suite.env.sleep('11 days');
    await waitFor(
      () => after.query(proxyStateQuery),
      (st) => st.status === 'lapsed', // the new rule set's 10 days
    );
    expect((await before.query(proxyStateQuery)).status).toBe('offered'); // still its own 30
    expect((await before.query(proxyStateQuery)).lapsesAt).toBe(lapsesAt);
    await suite.env.sleep('20 days');
    await waitFor(
      () => before.query(proxyStateQuery),
      (st) => st.status === 'lapsed',
    );
    // Kept as a replay fixture: a process pinned to its rule set, replayed on the next release.
    await waitFor(
      () => before.describe(),
      (d) => d.status.name === 'COMPLETED',
    );
    await recordHistory('proxy-pinned-rule-set-lapsed', before);
  } finally {
    next.worker.shutdown();
    await next.running;
  }
});
