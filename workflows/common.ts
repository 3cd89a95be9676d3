// What every process workflow shares: how it reaches its activities, and how it tells
// operators (through search attributes, never personal data) what it is and where it stands.
import type { Duration } from '@temporalio/common';
import { ParentClosePolicy, patched, proxyActivities, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import { profiles, type CantonCode, type CantonProfile } from '../domain/profiles';
import { ruleSetById } from '../domain/rule-sets';
import { decisionServiceWorkflowId } from './decision-service/definitions';
import type { DecisionServiceInput } from './decision-service/types';
import type { createActivities } from '../activities';
import { GvsRuleSet, GvsState, GvsWaitingFor } from './search-attributes';

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

/** Serves a decision the process issued (a formal decision) in its own process, which outlives this one (postal delivery, remedy period). */
export async function serveDecision(input: DecisionServiceInput): Promise<void> {
  await startChild('decisionService', {
    workflowId: decisionServiceWorkflowId(input.decisionId),
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
}

/**
 * The rule set this process follows, read at its start: the one its input names (the
 * deployment's when it started), whatever the deployment runs later; `GvsRuleSet` shows it.
 * Processes started before rule sets were pinned keep reading the canton's newest, as they did.
 */
export function ruleSetOf(input: { canton: CantonCode; ruleSetId?: string }): CantonProfile {
  if (patched('rule-set-pinned') && input.ruleSetId) {
    upsertSearchAttributes([{ key: GvsRuleSet, value: input.ruleSetId }]);
    return ruleSetById(input.ruleSetId);
  }
  return profiles[input.canton];
}
