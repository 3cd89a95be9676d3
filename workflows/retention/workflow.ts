// Retention and destruction (Art. 18-19): one process per record, started when the event
// its period counts from is known. A durable timer to the end of the record's last day
// (Europe/Zurich); then, unless a legal hold is active (Art. 18.1 b: litigation pending),
// the record is destroyed — its rows and documents deleted, its data key destroyed so that
// the workflow histories holding its personal data are unreadable — and a destruction
// record without personal data says what went, when and why.
import { condition, continueAsNew, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { endOfLocalDay, retentionEnd } from '../../domain/legal-calendar';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { rekeySignal } from '../rekey';
import { GvsCanton, GvsProcess } from '../search-attributes';
import { holdsChangedSignal, RETENTION_PROCESS, retentionStateQuery, type RetentionInput, type RetentionState } from './definitions';

const acts = activitiesWith({ startToCloseTimeout: '2 minutes', initialInterval: '10 seconds', maximumInterval: '1 hour' });

export async function retention(input: RetentionInput): Promise<RetentionState> {
  const profile = ruleSetOf(input);
  const s: RetentionState = { ...input, lastDay: retentionEnd(input.category, input.eventDay, profile), state: 'kept', holds: 0 };
  let holdsChanged = false;
  setHandler(retentionStateQuery, () => ({ ...s }));
  setHandler(holdsChangedSignal, () => {
    holdsChanged = true;
  });
  // The payload key rotates (../rekey.ts): the same input again, in a run encoded under the new key.
  let rekey = false;
  setHandler(rekeySignal, () => {
    rekey = true;
  });
  upsertSearchAttributes([
    { key: GvsProcess, value: RETENTION_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);
  markState('kept', 'time');

  // Kept through the last day: the timer fires when the next local day starts.
  const destroyAt = endOfLocalDay(s.lastDay, profile.timeZone).getTime();
  // A condition without a timeout adds no command: the histories of runs before `rekey` replay unchanged.
  while (Date.now() < destroyAt) {
    await Promise.race([sleep(destroyAt - Date.now()), condition(() => rekey)]);
    if (rekey) return continueAsNew<typeof retention>(input);
  }

  for (;;) {
    holdsChanged = false;
    // The activity checks the holds again, in the transaction that destroys: a hold placed
    // a moment before still stops it.
    const r = await acts.destroyRecord({ ...input, lastDay: s.lastDay });
    s.holds = r.holds;
    if (r.destroyed) {
      s.state = 'destroyed';
      s.destroyedAt = r.destroyedAt;
      markState('destroyed', 'none');
      return { ...s };
    }
    s.state = 'on-hold';
    markState('on-hold', 'court');
    await condition(() => holdsChanged || rekey);
    if (rekey && !holdsChanged) return continueAsNew<typeof retention>(input);
  }
}
