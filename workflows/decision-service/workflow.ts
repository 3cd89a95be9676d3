// Serving a formal decision (Art. 16-17): through the counter where the user authorised the
// unit for that domain, else by post; the window, the second service by registered post,
// delivery or deemed delivery, and the remedy period — all from the canton profile.
import { ApplicationFailure, condition, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { isRealDay } from '../../domain/days';
import { appealPeriod, deemedDeliveryDate, electronicServiceWindow, endOfLocalDay, localDay } from '../../domain/legal-calendar';
import { GvsCanton, GvsProcess, GvsUnit } from '../search-attributes';
import { activitiesWith, markState, ruleSetOf } from '../common';
import type { TaskView } from '../task/definitions';
import { handleTaskUpdates, runHumanTask } from '../task/human-task';
import {
  DECISION_SERVICE_PROCESS,
  decisionServiceWorkflowId,
  NOT_IN_INBOX,
  openUpdate,
  postalEventSignal,
  postalTrackingTaskId,
  serviceStateQuery,
} from './definitions';
import type { DecisionServiceInput, DecisionServiceState, PostalEventIn, ServiceRule, ServiceState } from './types';

const acts = activitiesWith({ startToCloseTimeout: '1 minute', initialInterval: '2 seconds', maximumInterval: '10 minutes' });
// A unit's webhook receiver may be down for a while: keep trying, up to hourly.
const webhookActs = activitiesWith({ startToCloseTimeout: '30 seconds', initialInterval: '5 seconds', maximumInterval: '1 hour' });

const DAY_MS = 24 * 60 * 60 * 1000;
const POSTAL_EVENT_TYPES: readonly string[] = ['delivered', 'notice-left', 'returned-uncollected'];

/** Why a tracking event cannot be of this letter, or null when it can. */
function postalEventProblem(e: PostalEventIn, sentOn: string | undefined): string | null {
  if (typeof e !== 'object' || e === null || !POSTAL_EVENT_TYPES.includes(e.type)) return 'unknown event type';
  if (typeof e.occurredOn !== 'string' || !isRealDay(e.occurredOn)) return 'not a calendar day';
  if (sentOn === undefined) return 'no letter posted yet';
  if (e.occurredOn < sentOn) return 'before the letter was posted';
  return null;
}

export async function decisionService(input: DecisionServiceInput): Promise<DecisionServiceState> {
  const profile = ruleSetOf(input);
  const tz = profile.timeZone;
  const { decisionId } = input;
  const s: DecisionServiceState = { decisionId, state: 'checking-consent', channel: null, postalEvents: [] };
  let openedMs: number | undefined;
  /** From the communication until the window closes (or the opening): an opening counts. */
  let windowOpen = false;

  const enter = (state: ServiceState, waitingFor: 'system' | 'recipient' | 'postal' | 'none') => {
    s.state = state;
    markState(state, waitingFor);
  };

  setHandler(serviceStateQuery, () => ({ ...s, postalEvents: [...s.postalEvents] }));
  let sentOn: string | undefined;
  setHandler(postalEventSignal, (e: PostalEventIn) => {
    // The API signals before it records the event, so a retry may signal it again. Histories
    // from before event ids carry none and are taken as they came (replay unchanged).
    if (e?.eventId !== undefined && s.postalEvents.some((p) => p.eventId === e.eventId)) return;
    // Never throw on what came in: an event that cannot be true of this letter (no such day,
    // before it was posted, an unknown type) is recorded as rejected and changes nothing.
    if (patched('postal-event-checks')) {
      const problem = postalEventProblem(e, sentOn);
      if (problem) {
        s.rejectedPostalEvents = [...(s.rejectedPostalEvents ?? []), { ...e, problem }];
        return;
      }
    }
    s.postalEvents.push(e);
  });
  setHandler(
    openUpdate,
    async () => {
      if (windowOpen && openedMs === undefined) {
        openedMs = Date.now();
        await condition(() => s.state === 'served');
      } else if (openedMs === undefined && !s.lateOpenedAt) {
        // Art. 16.5: an opening after the window is recorded and changes nothing.
        s.lateOpenedAt = new Date(Date.now()).toISOString();
        await acts.recordLateOpening({ decisionId, at: s.lateOpenedAt });
      }
      return { ...s, postalEvents: [...s.postalEvents] };
    },
    {
      validator: () => {
        if (s.channel === null || s.communicatedAt === undefined) {
          throw ApplicationFailure.create({ type: NOT_IN_INBOX, message: 'this decision was not put in the counter inbox', nonRetryable: true });
        }
      },
    },
  );

  // The unit's task when a registered letter has no tracking event in time.
  let trackingTask: TaskView | null = null;
  let acknowledged = false;
  handleTaskUpdates(acts, () => trackingTask, {
    state: () => ({ ...s, postalEvents: [...s.postalEvents] }),
    complete: async (c) => {
      acknowledged = true;
      await acts.completeTaskRecord({ ...c, at: new Date(Date.now()).toISOString() });
      trackingTask = null;
      return { ...s, postalEvents: [...s.postalEvents] };
    },
  });
  async function watchTracking(): Promise<void> {
    const tracked = () => s.postalEvents.length > 0;
    if (await condition(tracked, profile.postal.trackingTaskDays * DAY_MS)) return;
    const taskId = postalTrackingTaskId(decisionId);
    const spec = {
      taskId,
      kind: 'postal-tracking' as const,
      subject: `lettre recommandée sans suivi depuis ${profile.postal.trackingTaskDays} jours`,
      workflowId: decisionServiceWorkflowId(decisionId),
      canton: input.canton,
      commune: null,
      unitId: input.unitId,
      decisionId,
    };
    await runHumanTask(
      acts,
      profile,
      spec,
      (view) => (trackingTask = view),
      () => tracked() || acknowledged,
    );
    if (!acknowledged) {
      // The letter's tracking arrived: the task has nothing left to ask.
      trackingTask = null;
      await acts.completeTaskRecord({ taskId, by: 'system', outcome: 'withdrawn', note: 'a tracking event arrived', at: new Date(Date.now()).toISOString() });
    }
  }

  upsertSearchAttributes([
    { key: GvsProcess, value: DECISION_SERVICE_PROCESS },
    { key: GvsCanton, value: input.canton },
    { key: GvsUnit, value: input.unitId },
  ]);
  enter('checking-consent', 'system');

  let rule: ServiceRule | undefined;
  let watching: Promise<void> = Promise.resolve();
  let triggerDay: string | undefined;

  // Art. 16.1: through the counter only where the user authorised this unit for this domain.
  const { consent } = await acts.checkServiceConsent({ decisionId });
  if (consent) {
    const communicatedMs = Date.now();
    s.channel = 'electronic';
    s.communicatedAt = new Date(communicatedMs).toISOString();
    s.windowLastDay = electronicServiceWindow(new Date(communicatedMs), profile).lastDay;
    windowOpen = true;
    // Art. 16.3: in the inbox, and an e-mail alert.
    const deposit = await acts.depositInInbox({ decisionId, communicatedAt: s.communicatedAt, windowLastDay: s.windowLastDay, ruleSetId: profile.ruleSet.id });
    // An alert the relay refused for good: out of the inbox again, by post as a first service.
    if (patched('alert-refused-post') && deposit?.alerted === false) {
      windowOpen = false;
      s.channel = null;
      s.communicatedAt = undefined;
      s.windowLastDay = undefined;
    } else {
      enter('awaiting-opening', 'recipient');
      // The window closes when its last local day is over (no extension for weekends or holidays).
      const closesAt = endOfLocalDay(s.windowLastDay, tz).getTime();
      const openedInTime = await condition(() => openedMs !== undefined, Math.max(1, closesAt - Date.now()));
      windowOpen = false;
      if (openedInTime) {
        s.openedAt = new Date(openedMs!).toISOString();
        await acts.recordOpening({ decisionId, openedAt: s.openedAt });
        rule = 'opened in time';
        triggerDay = localDay(new Date(openedMs!), tz); // Art. 16.4: the period starts the next day
      } else if (profile.electronicService.windowExpiry === 'deemed-notified') {
        // NE LPA Art. 30: notified at the latest at the end of the window's last day.
        rule = 'deemed notified at the end of the electronic window';
        triggerDay = s.windowLastDay;
      }
    }
  }

  if (!rule) {
    // No consent, or the window passed unopened (Art. 16.5): a registered letter.
    s.channel = s.channel ?? 'postal';
    sentOn = localDay(new Date(Date.now()), tz);
    await acts.sendRegisteredLetter({ decisionId, sentOn, windowLastDay: s.windowLastDay, ruleSetId: profile.ruleSet.id });
    enter('awaiting-postal-delivery', 'postal');
    // No tracking event after the profile's days: a task for the unit, so no letter waits unseen.
    if (patched('postal-tracking-task')) watching = watchTracking();
    let seen = 0;
    while (!rule) {
      const next = () => s.postalEvents.length > seen;
      if (s.deemedDeliveryDate) {
        // Waiting for a collection until the collection period's last day is over.
        await condition(next, Math.max(1, endOfLocalDay(s.deemedDeliveryDate, tz).getTime() - Date.now()));
      } else {
        await condition(next);
      }
      const event = s.postalEvents[seen];
      if (!event) {
        // The collection period is over, the letter not collected: deemed delivered on its last day.
        rule = 'deemed delivery';
        triggerDay = s.deemedDeliveryDate;
        break;
      }
      seen += 1;
      if (event.type === 'delivered' && (!s.deemedDeliveryDate || event.occurredOn <= s.deemedDeliveryDate)) {
        rule = 'delivered by post';
        triggerDay = event.occurredOn;
      } else if (event.type === 'notice-left' && !s.deemedDeliveryDate) {
        // Not collected within the collection period: deemed delivered on its last day.
        s.deemedDeliveryDate = deemedDeliveryDate(event.occurredOn, profile);
      } else if (event.type === 'returned-uncollected') {
        rule = 'deemed delivery';
        triggerDay = s.deemedDeliveryDate ?? event.occurredOn;
      }
    }
  }

  await watching; // its task closed before the process ends
  s.rule = rule;
  s.triggerDay = triggerDay!;
  s.remedy = appealPeriod(triggerDay!, input.remedyDays, profile, { provisionalMeasure: input.provisionalMeasure });
  await acts.recordService({ decisionId, rule: rule!, triggerDay: triggerDay!, remedyStart: s.remedy.start, remedyLastDay: s.remedy.lastDay });
  enter('served', 'none');
  await webhookActs.notifyUnit({ decisionId, type: 'decision.served' });
  return { ...s, postalEvents: [...s.postalEvents] };
}
