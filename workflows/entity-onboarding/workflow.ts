// A contract in a legal entity's name (Art. 11-13): the commercial register is asked who may
// sign for it; the Chancellery verifies the filer's powers with the register's answer
// (Art. 11.2); an entity represented collectively contracts in the ordinary written form, so
// the Chancellery records the signed paper contract's receipt (Art. 13.1); then the entity's
// contract lives like a person's (terms, blocks, termination: the contract workflow).
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { localDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { personalData } from '../personal-data';
import { GvsCanton, GvsProcess } from '../search-attributes';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import type { TaskCompletion, TaskView } from '../task/definitions';
import { ENTITY_ONBOARDING_PROCESS, entityOnboardingWorkflowId, entityStateQuery, entityTaskIdFor } from './definitions';
import type { EntityOnboardingInput, EntityOnboardingState, EntityOnboardingStatus, RegisterFinding } from './types';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });
const registerActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

/** The task's subject for the reviewer: what the register says, without a name. */
const FINDING_SUBJECT: Record<RegisterFinding, string> = {
  'not-found': "pouvoirs de représentation (art. 11 al. 2) : l'entité n'est pas inscrite au registre du commerce",
  cancelled: "pouvoirs de représentation (art. 11 al. 2) : l'entité est radiée ou en voie de radiation",
  'no-power': "pouvoirs de représentation (art. 11 al. 2) : le requérant n'a pas de pouvoir de signature inscrit",
  individual: 'pouvoirs de représentation (art. 11 al. 2) : signature individuelle inscrite',
  collective: 'pouvoirs de représentation (art. 11 al. 2) : signature collective inscrite (forme écrite, art. 13 al. 1)',
};

export async function entityOnboarding(input: EntityOnboardingInput): Promise<EntityOnboardingState> {
  const profile = ruleSetOf(input);
  const { applicationId } = input;
  const workflowId = entityOnboardingWorkflowId(applicationId);
  const today = () => localDay(new Date(Date.now()), profile.timeZone);

  let status: EntityOnboardingStatus = 'checking';
  // eslint-disable-next-line prefer-const -- the state query reads it before the register has answered
  let finding: RegisterFinding | undefined;
  let pending: TaskView | null = null;
  let completion: TaskCompletion | undefined;
  let refusalReasons: string[] | undefined;
  // eslint-disable-next-line prefer-const -- read by the state query before admission
  let entitySub: string | undefined;

  // The reasons may name people: under the application's data key.
  const state = (): EntityOnboardingState =>
    personalData('entity-application', applicationId, { applicationId, status, finding, pending: pending && { ...pending }, refusalReasons, entitySub });
  const enter = (next: EntityOnboardingStatus, waitingFor: 'system' | 'chancellery' | 'none') => {
    status = next;
    markState(next, waitingFor);
  };
  setHandler(entityStateQuery, state);
  handleTaskUpdates(acts, () => pending, {
    state,
    complete: async (c) => {
      const from = status;
      completion = c;
      await condition(() => status !== from);
      return state();
    },
  });

  /** Opens the Chancellery's task and waits for its completion, reminding and escalating. */
  async function task(kind: 'entity-powers' | 'written-contract', subject: string, waiting: EntityOnboardingStatus): Promise<TaskCompletion> {
    completion = undefined;
    const spec = {
      taskId: entityTaskIdFor(applicationId, kind),
      kind,
      subject,
      workflowId,
      canton: input.canton,
      commune: null,
      entityApplicationId: applicationId,
    };
    await runHumanTask(
      acts,
      profile,
      spec,
      (view) => {
        pending = view;
        enter(waiting, 'chancellery');
      },
      () => completion !== undefined,
    );
    const done = completion!;
    await acts.completeTaskRecord({ ...done, at: new Date(Date.now()).toISOString() });
    return done;
  }

  async function refuse(reasons: string[]): Promise<EntityOnboardingState> {
    refusalReasons = reasons;
    await acts.refuseEntityApplication({ applicationId, reasons });
    pending = null;
    enter('refused', 'none');
    return state();
  }

  upsertSearchAttributes([
    { key: GvsProcess, value: ENTITY_ONBOARDING_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);
  enter('checking', 'system');
  finding = (await registerActs.checkCommercialRegister({ applicationId })).finding;

  // Art. 11.2: the Chancellery verifies the powers, whatever the register says.
  const powers = await task('entity-powers', FINDING_SUBJECT[finding], 'awaiting-powers');
  if (powers.outcome !== 'approve') return refuse(powers.outcome === 'refuse' ? powers.reasons : ['pouvoirs de représentation non établis (art. 11 al. 2)']);
  if (finding === 'collective') {
    // Art. 13.1: the contract in the ordinary written form, signed by the entity's signatories.
    const written = await task(
      'written-contract',
      'contrat écrit signé par les personnes autorisées à signer collectivement (art. 13 al. 1)',
      'awaiting-written-contract',
    );
    if (written.outcome !== 'record') return refuse(written.outcome === 'refuse' ? written.reasons : ['contrat écrit non reçu (art. 13 al. 1)']);
  }
  const admitted = await acts.admitEntity({ applicationId, startedOn: today() });
  entitySub = admitted.entitySub;
  await acts.handOverToContractLifecycle({ contractId: admitted.contractId, applicationId, ruleSetId: input.ruleSetId });
  pending = null;
  enter('approved', 'none');
  return state();
}
