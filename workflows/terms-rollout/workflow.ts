// The rollout of a terms version (Art. 5.2) to every contract that has not ended: in
// batches, each one activity that e-mails the users and tells their contract workflows
// (both idempotent, so a batch retried after a crash notifies nobody twice). The history
// grows with the batches of one run only: the workflow continues as new every few batches,
// carrying its position; progress is a query and a search attribute.
import { continueAsNew, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { activitiesWith, markState } from '../common';
import { GvsNotified, GvsProcess, GvsTermsVersion } from '../search-attributes';
import { rolloutProgressQuery, TERMS_ROLLOUT_PROCESS, type RolloutProgress, type TermsRolloutInput } from './definitions';

// A batch sends up to a few hundred e-mails: give it minutes, and retry an outage forever.
const acts = activitiesWith({ startToCloseTimeout: '5 minutes', initialInterval: '5 seconds', maximumInterval: '10 minutes' });

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_BATCHES_PER_RUN = 50;

export async function termsRollout(input: TermsRolloutInput): Promise<RolloutProgress> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const batchesPerRun = input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN;
  const p: RolloutProgress = input.progress
    ? { ...input.progress, runs: input.progress.runs + 1 }
    : { notified: 0, batches: 0, afterId: null, done: false, runs: 1 };
  setHandler(rolloutProgressQuery, () => ({ ...p }));

  if (!input.progress) {
    upsertSearchAttributes([
      { key: GvsProcess, value: TERMS_ROLLOUT_PROCESS },
      { key: GvsTermsVersion, value: input.version },
    ]);
    markState('notifying', 'system');
  }
  for (let inThisRun = 0; inThisRun < batchesPerRun; inThisRun++) {
    const batch = await acts.notifyTermsBatch({ version: input.version, afterId: p.afterId, limit: batchSize });
    p.notified += batch.notified;
    p.batches += 1;
    p.afterId = batch.lastId ?? p.afterId;
    upsertSearchAttributes([{ key: GvsNotified, value: p.notified }]);
    if (batch.lastId === null || batch.count < batchSize) {
      p.done = true;
      markState('done', 'none');
      await acts.recordRolloutDone({ version: input.version, notified: p.notified, batches: p.batches });
      return { ...p };
    }
  }
  return continueAsNew<typeof termsRollout>({ ...input, progress: p });
}
