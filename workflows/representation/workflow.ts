// A representation through the Chancellery (Art. 9.4, 9.5): a legal representative contracts
// for the person he represents (a parent for a minor, a curator for a person under a
// protection measure), or files the written proxy of a person without access to the counter.
// The registers are asked what they know (a minor? a measure?), a Chancellery task decides;
// approved, the person enters the user register with a subject of her own (no sign-in), her
// contract starts, and the representative gets a standing proxy (its own `proxy` process:
// for a minor it ends the day before her majority, by its timer). Refused: the reasons are
// mailed to the representative.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { localDay } from '../../domain/days';
import { assessRepresented, representationSubject, type RepresentedChecks } from '../../domain/representation';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { personalData } from '../personal-data';
import { GvsCanton, GvsCommune, GvsProcess } from '../search-attributes';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import { representationStateQuery, representationTaskId, representationWorkflowId } from './definitions';
import type { RepresentationInput, RepresentationState, RepresentationStatus } from './types';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });
const registerActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

export async function representationContract(input: RepresentationInput): Promise<RepresentationState> {
  const profile = ruleSetOf(input);
  const { requestId, kind } = input;
  const today = () => localDay(new Date(Date.now()), profile.timeZone);
  const taskId = representationTaskId(requestId, kind);

  let status: RepresentationStatus = 'checking';
  // eslint-disable-next-line prefer-const -- the state query reads it before it is set
  let checks: RepresentedChecks | undefined;
  let pending: TaskView | null = null;
  // OUTCOMES_BY_KIND: approve | refuse (legal representation), record | refuse (written contract).
  let completion: Extract<TaskCompletion, { outcome: 'approve' | 'record' | 'refuse' }> | undefined;
  let refusalReasons: string[] | undefined;
  // eslint-disable-next-line prefer-const -- the state query reads it before it is set
  let representedSub: string | undefined;
  // eslint-disable-next-line prefer-const -- the state query reads it before it is set
  let proxyId: string | undefined;

  // What the registers said and the reasons are the person's data: under the request's data key.
  const state = (): RepresentationState =>
    personalData('representation-request', requestId, {
      requestId,
      kind,
      status,
      checks,
      pending: pending && { ...pending },
      refusalReasons,
      representedSub,
      proxyId,
    });
  const enter = (next: RepresentationStatus, waitingFor: 'system' | 'chancellery' | 'none') => {
    status = next;
    markState(next, waitingFor);
  };
  setHandler(representationStateQuery, state);
  handleTaskUpdates(acts, () => pending, {
    state,
    complete: async (c) => {
      completion = c as typeof completion;
      await condition(() => status !== 'awaiting-review');
      return state();
    },
  });

  async function refuse(reasons: string[]): Promise<RepresentationState> {
    refusalReasons = reasons;
    await acts.refuseRepresentation(personalData('representation-request', requestId, { requestId, reasons }));
    await acts.sendRepresentationMail({ requestId, template: 'representation-refused' });
    pending = null;
    enter('refused', 'none');
    return state();
  }

  // Operators filter by the kind (GvsProcess); the workflow type is representationContract.
  upsertSearchAttributes([
    { key: GvsProcess, value: kind },
    { key: GvsCanton, value: input.canton },
    { key: GvsCommune, value: input.commune },
  ]);
  enter('checking', 'system');
  const facts = await registerActs.checkRepresentedPerson({ requestId });
  checks = assessRepresented(facts, kind, input.basis, today(), profile);
  await acts.recordRepresentationChecks(personalData('representation-request', requestId, { requestId, checks }));

  await runHumanTask(
    acts,
    profile,
    {
      taskId,
      kind,
      subject: representationSubject(kind, input.basis),
      workflowId: representationWorkflowId(requestId),
      canton: input.canton,
      commune: input.commune,
      representationId: requestId,
    },
    (view) => {
      pending = view;
      enter('awaiting-review', 'chancellery');
    },
    () => completion !== undefined,
  );
  const decided = completion!;
  await acts.completeTaskRecord({ ...decided, at: new Date(Date.now()).toISOString() });
  if (decided.outcome === 'refuse') return refuse(decided.reasons);

  const admission = await acts.admitRepresentedPerson({ requestId, taskId, startedOn: today(), by: decided.by });
  if (admission.outcome === 'already-registered')
    return refuse(['cette personne est déjà inscrite au registre des utilisateurs : une personne, un compte (art. 8)']);
  if (admission.outcome === 'of-age')
    return refuse(["la personne est majeure : l'autorité parentale a pris fin (CC art. 14, 296), elle peut conclure son propre contrat"]);
  representedSub = admission.representedSub;
  proxyId = admission.proxyId;
  await acts.handOverToContractLifecycle({ contractId: admission.contractId, applicationId: requestId, ruleSetId: input.ruleSetId });
  // The standing proxy: its own process (an expiry at majority is its timer), which outlives this one.
  await acts.startStandingProxy({ proxyId: admission.proxyId, by: decided.by });
  await acts.sendRepresentationMail({ requestId, template: 'representation-approved' });
  pending = null;
  enter('approved', 'none');
  return state();
}
