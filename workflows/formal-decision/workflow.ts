// A formal decision on request (CPA; Art. 4.8, 5.3, 10.2, 14.4): wherever the counter refused,
// ended or restricted something, the person asks; the competent authority (the Chancellery,
// or the unit for access to its service) decides in a task, with reasons; what it grants takes
// effect; the decision — a PDF with its reasons and remedies — is served like any decision.
// The ordinance sets no period for asking: nor does this process.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { localDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf, serveDecision } from '../common';
import { personalData, type DataKeyKind } from '../personal-data';
import { GvsCanton, GvsProcess, GvsUnit } from '../search-attributes';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import {
  FORMAL_DECISION_PROCESS,
  formalDecisionStateQuery,
  formalDecisionTaskId,
  formalDecisionWorkflowId,
  type FormalDecisionInput,
  type FormalDecisionState,
  type FormalDecisionStatus,
} from './definitions';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

/** What the task asks, without personal data. */
const SUBJECTS: Record<FormalDecisionInput['ground'], string> = {
  'onboarding-refused': "décision formelle demandée : refus de l'accès au guichet (art. 4 al. 8)",
  'terms-kept-blocked': 'décision formelle demandée : blocage maintenu après un refus des conditions (art. 5 al. 3)',
  'terms-revoked': 'décision formelle demandée : révocation du contrat après un refus des conditions (art. 5 al. 3)',
  'terminated-for-abuse': 'décision formelle demandée : résiliation pour abus (art. 10 al. 2)',
  'access-refused': "décision formelle demandée : refus de l'accès à une prestation (art. 14 al. 4)",
  'access-revoked': "décision formelle demandée : révocation de l'accès à une prestation (art. 14 al. 3 et 4)",
};

export async function formalDecision(input: FormalDecisionInput): Promise<FormalDecisionState> {
  const profile = ruleSetOf(input);
  const { requestId } = input;
  const taskId = formalDecisionTaskId(requestId);
  const recordKind: DataKeyKind =
    input.ground === 'onboarding-refused'
      ? 'onboarding-application'
      : input.ground === 'access-refused' || input.ground === 'access-revoked'
        ? 'access-request'
        : 'contract';
  const s: FormalDecisionState = { requestId, ground: input.ground, status: 'requested', taskId };
  let pending: TaskView | null = null;
  /** The task from the moment its row is being written: a claim from the inbox is taken at once. */
  let claimable: TaskView | null = null;
  let completion: Extract<TaskCompletion, { outcome: 'approve' | 'refuse' }> | undefined;
  const state = () => ({ ...s });
  const enter = (status: FormalDecisionStatus, waitingFor: 'system' | 'authority' | 'none') => {
    s.status = status;
    markState(status, waitingFor);
  };

  setHandler(formalDecisionStateQuery, state);
  handleTaskUpdates(acts, () => pending ?? claimable, {
    state,
    complete: async (c) => {
      completion = c as typeof completion;
      await condition(() => s.status !== 'awaiting-authority');
      return state();
    },
  });

  upsertSearchAttributes([
    { key: GvsProcess, value: FORMAL_DECISION_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  enter('requested', 'system');
  await acts.acknowledgeFormalDecisionRequest({ requestId, ruleSetId: profile.ruleSet.id });

  const spec = {
    taskId,
    kind: 'formal-decision' as const,
    subject: SUBJECTS[input.ground],
    workflowId: formalDecisionWorkflowId(requestId),
    canton: input.canton,
    commune: null,
    formalRequestId: requestId,
    // What it is about, for the inbox: the application or the contract (an access request is the unit's own).
    ...(input.ground === 'onboarding-refused'
      ? { applicationId: input.recordId }
      : input.ground === 'access-refused' || input.ground === 'access-revoked'
        ? {}
        : { contractId: input.recordId }),
    ...(input.unitId === 'CHA' ? {} : { unitId: input.unitId }),
  };
  await runHumanTask(
    acts,
    profile,
    spec,
    (view) => {
      pending = view;
      enter('awaiting-authority', 'authority');
    },
    () => completion !== undefined,
    (view) => (claimable = view),
  );
  claimable = null;
  const decided = completion!;
  await acts.completeTaskRecord({ ...decided, at: new Date(Date.now()).toISOString() });
  s.outcome = decided.outcome;
  pending = null;
  enter('issuing', 'system');

  // What the authority grants takes effect first; the decision then states it.
  const today = localDay(new Date(Date.now()), profile.timeZone);
  if (decided.outcome === 'approve' && input.ground === 'onboarding-refused') {
    // Art. 4.7-4.8: admitted after all, with the authority's justification as the special reason.
    const { contractId } = await acts.admitApplicant({ applicationId: input.recordId, specialReason: decided.justification, startedOn: today });
    await acts.handOverToContractLifecycle({ contractId, applicationId: input.recordId, ruleSetId: input.ruleSetId });
    await acts.sendApplicationMail({ applicationId: input.recordId, template: 'onboarding-approved', ruleSetId: profile.ruleSet.id });
  } else if (decided.outcome === 'approve') {
    await acts.applyFormalDecisionApproval(personalData(recordKind, input.recordId, { requestId, by: decided.by, justification: decided.justification }));
  }
  // The reasons are about the person: under the contested record's data key, like the completion.
  const { decisionId } = await acts.issueFormalDecisionOnRequest(
    personalData(recordKind, input.recordId, {
      requestId,
      outcome: decided.outcome,
      grounds: decided.outcome === 'refuse' ? decided.reasons : [decided.justification],
      decidedOn: today,
      ruleSetId: profile.ruleSet.id,
    }),
  );
  s.decisionId = decisionId;
  await serveDecision({
    decisionId,
    canton: input.canton,
    ruleSetId: input.ruleSetId,
    unitId: input.unitId,
    remedyDays: profile.remedies.defaultDays,
    provisionalMeasure: false,
  });
  await acts.recordFormalDecisionIssued({ requestId, decisionId, outcome: decided.outcome });
  enter('decided', 'none');
  return state();
}
