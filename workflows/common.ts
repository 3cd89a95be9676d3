// What every process workflow shares: how it reaches its activities, and how it tells
// operators (through search attributes, never personal data) what it is and where it stands.
import type { Duration } from '@temporalio/common';
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { GvsState, GvsWaitingFor } from './search-attributes';

export type Activities = ReturnType<typeof createActivities>;

/** Activities retried with exponential backoff, forever: an outage delays, it loses nothing. */
export function activitiesWith(o: { startToCloseTimeout: Duration; initialInterval: Duration; maximumInterval: Duration }): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: o.startToCloseTimeout,
    retry: { initialInterval: o.initialInterval, backoffCoefficient: 2, maximumInterval: o.maximumInterval },
  });
}

/** The state and whom the process waits for, as operators filter them in the Web UI. */
export function markState(state: string, waitingFor: string): void {
  upsertSearchAttributes([
    { key: GvsState, value: state },
    { key: GvsWaitingFor, value: waitingFor },
  ]);
}
