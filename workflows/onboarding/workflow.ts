// Contract onboarding (Art. 3-4, 8): the registers are checked; a clean case is admitted,
// a failed check goes to a Chancellery reviewer (Art. 4.7), a protection measure to the
// protection authority (Art. 4.5 c); a refusal can be followed by a formal decision (4.8).
import { condition, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { addDays, endOfLocalDay, localDay } from '../../domain/days';
import { assess, failedChecks, route, routeAfterCapacityConfirmed, type CheckOutcome } from '../../domain/onboarding';
import { GvsCanton, GvsCommune, GvsProcess } from '../search-attributes';
import { activitiesWith, markState, ruleSetOf, serveDecision } from '../common';
import { personalData } from '../personal-data';
import { handleTaskUpdates, reject, runHumanTask } from '../task/human-task';
import type { TaskCompletion, TaskKind, TaskView } from '../task/definitions';
import { authorityAnswerUpdate, formalDecisionRequestUpdate, ONBOARDING_PROCESS, onboardingWorkflowId, Rejections, stateQuery, taskIdFor } from './definitions';
import type { AuthorityAnswer, OnboardingInput, OnboardingState, OnboardingStatus } from './types';

// A register or the mail server down for hours: keep trying, slowly; nothing is lost.
const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

// The register lookups get a shorter limit: a worker that dies mid-lookup is noticed within
// it, and the lookup runs again elsewhere (each HTTP call has its own, shorter timeout).
const registerActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '2 seconds', maximumInterval: '10 minutes' });

export async function onboarding(input: OnboardingInput): Promise<OnboardingState> {
  const profile = ruleSetOf(input);
  const { applicationId } = input;
  const workflowId = onboardingWorkflowId(applicationId);
  const today = () => localDay(new Date(Date.now()), profile.timeZone);

  let status: OnboardingStatus = 'checking';
  // eslint-disable-next-line prefer-const -- the state query reads it before the checks have run
  let checks: CheckOutcome | undefined;
  let pending: TaskView | null = null;
  // The validator lets only these two complete an onboarding task (OUTCOMES_BY_KIND).
  let completion: Extract<TaskCompletion, { outcome: 'approve' | 'refuse' }> | undefined;
  let answer: AuthorityAnswer | undefined;
  let formalDecisionAsked = false;
  let refusalReasons: string[] | undefined;
  let formalDecisionDeadline: string | undefined;
  let formalDecisionId: string | undefined;

  // The checks and reasons are the applicant's personal data: under the application's data key.
  const state = (): OnboardingState =>
    personalData('onboarding-application', applicationId, {
      applicationId,
      status,
      checks,
      pending: pending && { ...pending },
      refusalReasons,
      formalDecisionDeadline,
      formalDecisionId,
    });
  const enter = (next: OnboardingStatus, waitingFor: 'system' | 'chancellery' | 'authority' | 'applicant' | 'none') => {
    status = next;
    markState(next, waitingFor);
  };
  /** An update's handler answers once the workflow has moved on from the state it changed. */
  const settledFrom = async (from: OnboardingStatus) => {
    await condition(() => status !== from);
    return state();
  };
  setHandler(stateQuery, state);
  handleTaskUpdates(acts, () => pending, {
    state,
    complete: async (c) => {
      const from = status;
      completion = c as typeof completion;
      return settledFrom(from);
    },
  });
  setHandler(
    authorityAnswerUpdate,
    async (a) => {
      answer = a;
      return settledFrom('awaiting-authority');
    },
    {
      validator: (_a: AuthorityAnswer) => {
        if (status !== 'awaiting-authority' || answer) throw reject(Rejections.notWaiting, 'no question to the authority is pending for this application');
      },
    },
  );
  setHandler(
    formalDecisionRequestUpdate,
    async () => {
      formalDecisionAsked = true;
      return settledFrom('refused');
    },
    {
      validator: (_r: { by: string }) => {
        if (status !== 'refused' || formalDecisionAsked || !formalDecisionDeadline)
          throw reject(Rejections.notWaiting, 'a formal decision can be asked only after a refusal, once');
        if (today() > formalDecisionDeadline) throw reject(Rejections.periodOver, `the period to ask for a formal decision ended on ${formalDecisionDeadline}`);
      },
    },
  );

  type Waiting = [OnboardingStatus, 'chancellery' | 'authority'];
  /** Opens a task (entering `waiting`) and waits until `done`, reminding every period and escalating once. */
  async function task(kind: TaskKind, subject: string, waiting: Waiting, done: () => boolean): Promise<void> {
    const spec = { taskId: taskIdFor(applicationId, kind), kind, subject, workflowId, canton: input.canton, commune: input.commune, applicationId };
    await runHumanTask(
      acts,
      profile,
      spec,
      (view) => {
        pending = view;
        enter(...waiting);
      },
      done,
    );
  }

  async function admit(specialReason?: string): Promise<OnboardingState> {
    const { userId, contractId } = await acts.admitApplicant({ applicationId, specialReason, startedOn: today() });
    await acts.handOverToContractLifecycle({ contractId, applicationId, ruleSetId: input.ruleSetId });
    // NE 3.1: the State signed the contract; the account's process issues its access rights by letters.
    if (profile.accessRights && patched('access-rights-opened')) await acts.openAccessRights({ userId, ruleSetId: profile.ruleSet.id });
    await acts.sendApplicationMail({ applicationId, template: 'onboarding-approved', ruleSetId: profile.ruleSet.id });
    pending = null;
    enter('approved', 'none');
    return state();
  }

  async function refuse(reasons: string[]): Promise<OnboardingState> {
    refusalReasons = reasons;
    if (patched('formal-decision-own-process')) {
      // Art. 4.8: the applicant may ask for a formal decision, at any time (the ordinance sets
      // no period): the request starts its own formalDecision process; this one is done.
      await acts.refuseApplication({ applicationId, reasons });
      await acts.sendApplicationMail({ applicationId, template: 'onboarding-refused', ruleSetId: profile.ruleSet.id });
      pending = null;
      enter('refused', 'none');
      return state();
    }
    // Before that process existed: a period to ask, then a task in this workflow.
    formalDecisionDeadline = addDays(today(), profile.reminders.formalDecisionRequestDays);
    await acts.refuseApplication({ applicationId, reasons, formalDecisionDeadline });
    await acts.sendApplicationMail({ applicationId, template: 'onboarding-refused', ruleSetId: profile.ruleSet.id });
    pending = null;
    enter('refused', 'applicant');
    const deadlineMs = endOfLocalDay(formalDecisionDeadline, profile.timeZone).getTime();
    if (!(await condition(() => formalDecisionAsked, Math.max(1, deadlineMs - Date.now())))) {
      // Not asked in time: the refusal stands.
      enter('refused', 'none');
      return state();
    }
    await acts.recordFormalDecisionRequest({ applicationId });
    await acts.sendApplicationMail({ applicationId, template: 'formal-decision-requested', ruleSetId: profile.ruleSet.id });
    completion = undefined;
    await task('formal-decision', 'décision formelle demandée (art. 4 al. 8)', ['formal-decision-requested', 'chancellery'], () => completion !== undefined);
    const decided = completion!;
    await acts.completeTaskRecord({ ...decided, at: new Date(Date.now()).toISOString() });
    if (decided.outcome === 'approve') return admit(decided.justification);
    // The formal decision confirms the refusal; it is served as a decision (Art. 16-17).
    await acts.recordFormalDecision({ applicationId, reasons: decided.reasons });
    refusalReasons = decided.reasons;
    if (patched('serve-formal-decision')) {
      const { decisionId } = await acts.issueFormalDecision({ applicationId, reasons: decided.reasons, decidedOn: today(), ruleSetId: profile.ruleSet.id });
      formalDecisionId = decisionId;
      await serveDecision({
        decisionId,
        canton: input.canton,
        ruleSetId: input.ruleSetId,
        unitId: 'CHA',
        remedyDays: profile.remedies.defaultDays,
        provisionalMeasure: false,
      });
    }
    pending = null;
    enter('refused', 'none');
    return state();
  }

  upsertSearchAttributes([
    { key: GvsProcess, value: ONBOARDING_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsCommune, value: input.commune },
  ]);
  enter('checking', 'system');
  const facts = await registerActs.checkRegisters({ applicationId });
  checks = assess(facts, today(), profile);
  await acts.recordChecks(personalData('onboarding-application', applicationId, { applicationId, checks }));

  let next = route(checks);
  if (next === 'ask-authority') {
    await task(
      'authority-inquiry',
      'capacité civile pour les prestations du guichet (art. 4 al. 5 let. c)',
      ['awaiting-authority', 'authority'],
      () => answer !== undefined,
    );
    const a = answer!;
    await acts.completeTaskRecord({
      taskId: taskIdFor(applicationId, 'authority-inquiry'),
      by: a.by,
      outcome: a.hasCivilCapacity ? 'capacity-confirmed' : 'capacity-denied',
      note: a.note,
      at: new Date(Date.now()).toISOString(),
    });
    if (!a.hasCivilCapacity) return refuse(["l'autorité de protection n'a pas confirmé la capacité civile requise (art. 4 al. 5 let. c)"]);
    next = routeAfterCapacityConfirmed(checks);
  }
  if (next === 'review') {
    await task('review', failedChecks(checks).join('; '), ['awaiting-review', 'chancellery'], () => completion !== undefined);
    const decided = completion!;
    await acts.completeTaskRecord({ ...decided, at: new Date(Date.now()).toISOString() });
    if (decided.outcome === 'refuse') return refuse(decided.reasons);
    return admit(decided.justification);
  }
  return admit();
}
