// An account's access rights on Neuchâtel's counter (NE 7.1, 7.4, 7.6), one process per
// account, for as long as the account lives. The identity provider asks `status` before it
// checks anything and reports every outcome (domain/access-rights.ts); this process alone
// decides:
// - every 5th wrong entry of any element, no sign-in for 15 minutes (a durable timer); the
//   count of wrong entries in a row goes on across the lock;
// - the 8th wrong attempt in a row blocks the access rights; the Chancellery lifts the block on
//   the person's written request (a task; an emolument reserved), which resets the count;
// - 540 days without a sign-in deactivate the account (a durable timer reset by each sign-in),
//   with a warning e-mail 30 days before; the Chancellery reactivates it (a task).
// Each change is mirrored to the `access_rights` row the Chancellery lists. The numbers and
// words come from the process's rule set (`accessRights`). The history stays small: the run
// continues as new after `updatesPerRun` Updates, carrying the state.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccessRightsState, AccessRightsStatus } from '../../domain/access-rights';
import { localDay } from '../../domain/days';
import { activitiesWith, markState, ruleSetOf } from '../common';
import { rekeySignal } from '../rekey';
import { GvsCanton, GvsProcess } from '../search-attributes';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import type { TaskCompletion, TaskView } from '../task/definitions';
import {
  ACCESS_RIGHTS_PROCESS,
  accessRightsStatusQuery,
  accessRightsTaskId,
  accessRightsWorkflowId,
  replaceCredentialsUpdate,
  signInFailedUpdate,
  signInSucceededUpdate,
  type AccessRightsCarried,
  type AccessRightsInput,
} from './definitions';

const acts = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '1 second', maximumInterval: '5 minutes' });

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const UPDATES_PER_RUN = 200;
const HISTORY_EVENTS_PER_RUN = 10_000;

const iso = (ms: number) => new Date(ms).toISOString();

export async function accessRights(input: AccessRightsInput): Promise<AccessRightsStatus> {
  const profile = ruleSetOf(input);
  const rules = profile.accessRights;
  const { userId } = input;
  const workflowId = accessRightsWorkflowId(userId);
  const carried: Partial<AccessRightsCarried> = input.carried ?? {};

  let state = (carried.state ?? 'active') as AccessRightsState;
  let failuresInARow = carried.failuresInARow ?? 0;
  let lockedUntil: number | undefined = carried.lockedUntil ? Date.parse(carried.lockedUntil) : undefined;
  let lastSignInAt: string | undefined = carried.lastSignInAt;
  let deactivatesAt = carried.deactivatesAt ? Date.parse(carried.deactivatesAt) : Date.now() + (rules?.deactivateAfterDays ?? 0) * DAY_MS;
  let warnedFor: string | undefined = carried.warnedFor;
  let tasksOpened = carried.tasksOpened ?? 0;
  // Every change counts one: the main loop mirrors each version once, in order.
  let version = carried.version ?? 0;
  let mirrored = -1;
  let updatesThisRun = 0;
  let pending: TaskView | null = null;
  let completion: TaskCompletion | undefined;
  // NE 3.1, 4.3: the generation of access rights issued, and the one asked for (1 at the start).
  let credentialsIssued = carried.credentialsIssued ?? 0;
  let credentialsAsked = carried.credentialsAsked ?? (input.carried ? 0 : 1);
  // The last requests taken, carried across runs: a retry of one replaces nothing more.
  let issueFailedFor: number | undefined;
  const replacementRequests: { requestId: string; generation: number }[] = [...(carried.replacementRequests ?? [])];

  const status = (): AccessRightsStatus => ({
    state,
    failuresInARow,
    ...(state === 'locked' && lockedUntil !== undefined ? { lockedUntil: iso(lockedUntil) } : {}),
    ...(lastSignInAt ? { lastSignInAt } : {}),
    ...(state === 'deactivated' ? {} : { deactivatesAt: iso(deactivatesAt) }),
  });
  setHandler(accessRightsStatusQuery, status);

  // The Jura counter (and any rule set without access rights) signs in elsewhere: nothing to count.
  if (!rules) return status();

  const changed = () => {
    version += 1;
  };
  /** A lock whose time is up ends now, even before its timer has woken the main loop. */
  const settle = () => {
    if (state === 'locked' && (lockedUntil === undefined || Date.now() >= lockedUntil)) {
      state = 'active';
      lockedUntil = undefined;
      changed();
    }
  };

  setHandler(signInFailedUpdate, () => {
    updatesThisRun += 1;
    settle();
    // Blocked or deactivated: the provider refused the attempt already; nothing more to count.
    if (state !== 'active' && state !== 'locked') return status();
    failuresInARow += 1;
    if (failuresInARow >= rules.blockAtFailuresInARow) {
      // NE 7.1: the 8th wrong attempt in a row: blocked until the Chancellery lifts it (NE 7.6).
      state = 'blocked';
      lockedUntil = undefined;
    } else if (failuresInARow % rules.lockAfterFailures === 0) {
      // NE 7.1: 5 wrong entries of any element: no sign-in for 15 minutes.
      state = 'locked';
      lockedUntil = Date.now() + rules.lockMinutes * MINUTE_MS;
    }
    changed();
    return status();
  });

  setHandler(signInSucceededUpdate, () => {
    updatesThisRun += 1;
    settle();
    // Only an active account signs in: the provider asked first; the state it gets back says no.
    if (state !== 'active') return status();
    failuresInARow = 0;
    lastSignInAt = iso(Date.now());
    // NE 7.4: 540 days without a sign-in, counted from this one.
    deactivatesAt = Date.now() + rules.deactivateAfterDays * DAY_MS;
    changed();
    return status();
  });

  // NE 4.3: each request replaces the access rights once (its requestId), whatever the account's
  // state (a locked or blocked account too): the letters go out from here; the generation it got.
  setHandler(replaceCredentialsUpdate, async ({ requestId, by }) => {
    updatesThisRun += 1;
    const known = replacementRequests.find((r) => r.requestId === requestId);
    if (known) {
      await condition(() => credentialsIssued >= known.generation || issueFailedFor === known.generation);
      return { generation: known.generation };
    }
    const generation = Math.max(credentialsAsked, credentialsIssued) + 1;
    credentialsAsked = generation;
    replacementRequests.push({ requestId, generation });
    if (replacementRequests.length > 20) replacementRequests.shift();
    await acts.recordCredentialReplacementAsked({ userId, by, requestId, generation, ruleSetId: profile.ruleSet.id });
    try {
      await acts.issueCredentials({ userId, ruleSetId: profile.ruleSet.id, generation, sentOn: localDay(new Date(Date.now()), profile.timeZone) });
    } catch (err) {
      issueFailedFor = generation;
      log.warn('access rights not replaced', { generation, error: err instanceof Error ? err.message : String(err) });
      throw ApplicationFailure.nonRetryable('the access rights could not be replaced: see the worker log', 'NotIssued');
    }
    credentialsIssued = Math.max(credentialsIssued, generation);
    return { generation };
  });

  handleTaskUpdates(acts, () => pending, {
    state: status,
    complete: async (c) => {
      completion = c;
      await condition(() => pending === null);
      return status();
    },
  });

  /** Opens the Chancellery's task and waits for its completion, reminding and escalating. */
  async function chancelleryTask(kind: 'access-rights-block' | 'account-deactivated', subject: string): Promise<TaskCompletion> {
    tasksOpened += 1;
    completion = undefined;
    // The task names the account's contract (its reasons go under the contract's data key), else its application.
    const account = await acts.accessRightsAccount({ userId });
    await runHumanTask(
      acts,
      profile,
      {
        taskId: accessRightsTaskId(userId, kind, tasksOpened),
        kind,
        subject,
        workflowId,
        canton: input.canton,
        commune: null,
        ...(account.contractId ? { contractId: account.contractId } : account.applicationId ? { applicationId: account.applicationId } : {}),
      },
      (view) => {
        pending = view;
        markState(state, 'chancellery');
      },
      () => completion !== undefined,
    );
    const done = completion!;
    await acts.completeTaskRecord({ ...done, at: iso(Date.now()) });
    return done;
  }

  /** The Chancellery lifted the block or reactivated the account: active, no wrong entries, a full period again. */
  const reopen = () => {
    state = 'active';
    failuresInARow = 0;
    deactivatesAt = Date.now() + rules.deactivateAfterDays * DAY_MS;
    warnedFor = undefined;
    pending = null;
    changed();
  };

  const carry = (): AccessRightsCarried => ({
    state: state === 'locked' ? 'locked' : 'active',
    failuresInARow,
    ...(lockedUntil !== undefined ? { lockedUntil: iso(lockedUntil) } : {}),
    ...(lastSignInAt ? { lastSignInAt } : {}),
    deactivatesAt: iso(deactivatesAt),
    ...(warnedFor ? { warnedFor } : {}),
    tasksOpened,
    version,
    credentialsIssued,
    credentialsAsked,
    replacementRequests,
  });

  upsertSearchAttributes([
    { key: GvsProcess, value: ACCESS_RIGHTS_PROCESS },
    { key: GvsCanton, value: input.canton },
  ]);
  let marked: AccessRightsState | undefined;
  const unchanged = (v: number) => () => version !== v;
  // The payload key rotates (../rekey.ts): the next run, carrying the state, once the account is active and mirrored.
  let rekey = false;
  setHandler(rekeySignal, () => {
    rekey = true;
  });

  // Processes started before the access rights were issued by letter: only a replacement issues them.
  if (input.carried === undefined && !patched('access-rights-credentials')) credentialsAsked = 0;

  for (;;) {
    if (credentialsIssued === 0 && credentialsAsked >= 1 && issueFailedFor !== 1) {
      // NE 3.1: the first access rights, two letters: the user code and the initial password.
      const generation = 1;
      try {
        await acts.issueCredentials({ userId, ruleSetId: profile.ruleSet.id, generation, sentOn: localDay(new Date(Date.now()), profile.timeZone) });
        credentialsIssued = Math.max(credentialsIssued, generation);
      } catch (err) {
        // Refused for good (no such account, a gateway that rejects the letter): the account's
        // process goes on; the Chancellery replaces the access rights once the cause is fixed.
        issueFailedFor = generation;
        log.warn('access rights not issued', { generation, error: err instanceof Error ? err.message : String(err) });
      }
      continue;
    }
    if (marked !== state) {
      marked = state;
      markState(state, state === 'blocked' || state === 'deactivated' ? 'chancellery' : 'none');
    }
    if (mirrored !== version) {
      const v = version;
      await acts.mirrorAccessRights({
        userId,
        canton: input.canton,
        ...status(),
        version: v,
        at: iso(Date.now()),
      });
      mirrored = v;
      continue;
    }
    const now = Date.now();
    if (state === 'locked') {
      if (lockedUntil === undefined || now >= lockedUntil) settle();
      else await condition(unchanged(version), lockedUntil - now);
      continue;
    }
    if (state === 'blocked') {
      await chancelleryTask('access-rights-block', `${rules.texts.blockTaskSubject}. ${rules.liftFee.notice}`);
      // NE 7.6: lifted; the count starts again, and so does the period without a sign-in.
      reopen();
      continue;
    }
    if (state === 'deactivated') {
      await chancelleryTask('account-deactivated', rules.texts.deactivatedTaskSubject);
      // NE 7.4: reactivated; 540 days again from now.
      reopen();
      continue;
    }
    // Active.
    if (now >= deactivatesAt) {
      // NE 7.4: "désactivés automatiquement dès 540 jours sans connexion".
      state = 'deactivated';
      failuresInARow = 0;
      changed();
      continue;
    }
    const warnAt = deactivatesAt - rules.warnDaysBefore * DAY_MS;
    const deactivatesOn = iso(deactivatesAt);
    if (warnedFor !== deactivatesOn && now >= warnAt) {
      // Product decision (DOMAIN §7): a warning 30 days before, once per deactivation day.
      await acts.sendAccessRightsWarning({ userId, ruleSetId: profile.ruleSet.id, deactivatesAt: deactivatesOn });
      warnedFor = deactivatesOn;
      continue;
    }
    const info = workflowInfo();
    if (rekey || updatesThisRun >= (input.updatesPerRun ?? UPDATES_PER_RUN) || info.historyLength >= HISTORY_EVENTS_PER_RUN || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (mirrored === version && state === 'active')
        return continueAsNew<typeof accessRights>({
          userId,
          canton: input.canton,
          ruleSetId: input.ruleSetId,
          carried: carry(),
          updatesPerRun: input.updatesPerRun,
        });
      continue;
    }
    const changedSince = unchanged(version);
    await condition(() => changedSince() || rekey, Math.max(1, (warnedFor === deactivatesOn ? deactivatesAt : warnAt) - now));
  }
}
