// A case's timeline for staff: what happened, which periods run, what is due, and the days the
// law treats apart (court holidays, public holidays) over the span the picture covers. Pure:
// the API reads the rows, these rules lay them out.
import { addDays, endOfLocalDay, localDay } from './days';
import { deemedDeliveryDate, isInFeries, isPublicHoliday } from './legal-calendar';
import type { CantonProfile, IsoDay } from './profiles';

export interface TimelineEvent {
  at: string;
  day: IsoDay;
  kind: string;
  /** A code (a failed check, an outcome): never personal data. */
  detail?: string;
}
export interface TimelinePeriod {
  kind: string;
  start: IsoDay;
  end: IsoDay;
  rule?: string;
}
export interface TimelineDeadline {
  kind: string;
  due: string;
  day: IsoDay;
  pending: boolean;
}
export interface CaseTimeline {
  caseType: 'onboarding-application' | 'decision' | 'transaction';
  caseId: string;
  canton: string;
  range: { start: IsoDay; end: IsoDay };
  events: TimelineEvent[];
  periods: TimelinePeriod[];
  deadlines: TimelineDeadline[];
  feries: Array<{ start: IsoDay; end: IsoDay }>;
  holidays: IsoDay[];
  history: Array<{ at: string; action: string; actorRole: string; actorSub: string | null }>;
}

/** Contiguous runs of féries days between two days (inclusive). */
export function feriesRanges(start: IsoDay, end: IsoDay, profile: CantonProfile): Array<{ start: IsoDay; end: IsoDay }> {
  const runs: Array<{ start: IsoDay; end: IsoDay }> = [];
  for (let day = start; day <= end; day = addDays(day, 1)) {
    if (!isInFeries(day, profile)) continue;
    const last = runs[runs.length - 1];
    if (last && addDays(last.end, 1) === day) last.end = day;
    else runs.push({ start: day, end: day });
  }
  return runs;
}

export function publicHolidaysBetween(start: IsoDay, end: IsoDay, profile: CantonProfile): IsoDay[] {
  const out: IsoDay[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) if (isPublicHoliday(day, profile)) out.push(day);
  return out;
}

const MARGIN_DAYS = 3;

/** Sorts, frames the span (every event, period and deadline, and today) and shades it. */
function frame(base: Omit<CaseTimeline, 'range' | 'feries' | 'holidays'>, today: IsoDay, profile: CantonProfile): CaseTimeline {
  const days = [today, ...base.events.map((e) => e.day), ...base.periods.flatMap((p) => [p.start, p.end]), ...base.deadlines.map((d) => d.day)].sort();
  const start = addDays(days[0]!, -MARGIN_DAYS);
  const end = addDays(days[days.length - 1]!, MARGIN_DAYS);
  return {
    ...base,
    events: [...base.events].sort((a, b) => a.at.localeCompare(b.at)),
    deadlines: [...base.deadlines].sort((a, b) => a.due.localeCompare(b.due)),
    range: { start, end },
    feries: feriesRanges(start, end, profile),
    holidays: publicHolidaysBetween(start, end, profile),
  };
}

export interface ApplicationFacts {
  id: string;
  canton: string;
  status: string;
  submittedAt: Date;
  decidedAt: Date | null;
  failedChecks: string[];
  checked: boolean;
  formalDecisionDeadline: IsoDay | null;
  tasks: Array<{
    id: string;
    kind: string;
    status: string;
    createdAt: Date;
    dueAt: Date;
    claimedAt: Date | null;
    completedAt: Date | null;
    outcome: string | null;
    escalatedAt: Date | null;
    /** When each reminder went out (the e-mails' outbox rows). */
    reminders: Date[];
  }>;
  history: CaseTimeline['history'];
}

const at = (d: Date, profile: CantonProfile) => ({ at: d.toISOString(), day: localDay(d, profile.timeZone) });

export function applicationTimeline(f: ApplicationFacts, now: Date, profile: CantonProfile): CaseTimeline {
  const events: TimelineEvent[] = [{ ...at(f.submittedAt, profile), kind: 'submitted' }];
  const periods: TimelinePeriod[] = [];
  const deadlines: TimelineDeadline[] = [];
  const firstTask = [...f.tasks].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
  // The checks end where the first task opens, or with the automatic decision.
  const checkedAt = firstTask?.createdAt ?? f.decidedAt;
  if (f.checked && checkedAt) events.push({ ...at(checkedAt, profile), kind: 'checks-done', detail: f.failedChecks.join(',') || undefined });
  for (const t of f.tasks) {
    events.push({ ...at(t.createdAt, profile), kind: t.kind === 'authority-inquiry' ? 'authority-asked' : 'task-opened', detail: t.kind });
    for (const r of t.reminders) events.push({ ...at(r, profile), kind: 'reminder', detail: t.kind });
    if (t.escalatedAt) events.push({ ...at(t.escalatedAt, profile), kind: 'escalated', detail: t.kind });
    if (t.claimedAt) events.push({ ...at(t.claimedAt, profile), kind: 'claimed', detail: t.kind });
    if (t.completedAt)
      events.push({
        ...at(t.completedAt, profile),
        kind: t.kind === 'authority-inquiry' ? 'authority-answered' : 'task-completed',
        detail: t.outcome ?? undefined,
      });
    const end = t.completedAt ?? t.dueAt;
    periods.push({ kind: 'task-due', start: at(t.createdAt, profile).day, end: at(end, profile).day });
    if (t.status === 'open') {
      deadlines.push({ ...dueAt(t.dueAt, profile), kind: t.reminders.length || t.escalatedAt ? 'next-reminder' : 'task-due', pending: t.dueAt > now });
      if (!t.escalatedAt) {
        const escalation = new Date(t.createdAt.getTime() + profile.reminders.taskEscalationDays * 86_400_000);
        deadlines.push({ ...dueAt(escalation, profile), kind: 'escalation', pending: escalation > now });
      }
    }
  }
  if (f.decidedAt && (f.status === 'approved' || f.status === 'refused')) events.push({ ...at(f.decidedAt, profile), kind: f.status });
  if (f.status === 'refused' && f.decidedAt && f.formalDecisionDeadline) {
    periods.push({ kind: 'formal-decision-period', start: at(f.decidedAt, profile).day, end: f.formalDecisionDeadline, rule: 'Art. 4.8' });
    deadlines.push({
      kind: 'formal-decision-deadline',
      day: f.formalDecisionDeadline,
      due: lastInstant(f.formalDecisionDeadline, profile),
      pending: f.formalDecisionDeadline >= localDay(now, profile.timeZone),
    });
  }
  return frame(
    { caseType: 'onboarding-application', caseId: f.id, canton: f.canton, events, periods, deadlines, history: f.history },
    localDay(now, profile.timeZone),
    profile,
  );
}

export interface DecisionFacts {
  id: string;
  canton: string;
  state: string;
  createdAt: Date;
  communicatedAt: Date | null;
  windowLastDay: IsoDay | null;
  openedAt: Date | null;
  lateOpenedAt: Date | null;
  sentByPostAt: Date | null;
  postalEvents: Array<{ type: string; occurredOn: IsoDay }>;
  serviceRule: string | null;
  triggerDay: IsoDay | null;
  remedyStart: IsoDay | null;
  remedyLastDay: IsoDay | null;
  remedyKind: string;
  history: CaseTimeline['history'];
}

export function decisionTimeline(f: DecisionFacts, now: Date, profile: CantonProfile): CaseTimeline {
  const today = localDay(now, profile.timeZone);
  const events: TimelineEvent[] = [{ ...at(f.createdAt, profile), kind: 'decision-registered' }];
  const periods: TimelinePeriod[] = [];
  const deadlines: TimelineDeadline[] = [];
  if (f.communicatedAt) {
    events.push({ ...at(f.communicatedAt, profile), kind: 'communicated' });
    if (f.windowLastDay) {
      periods.push({ kind: 'electronic-window', start: at(f.communicatedAt, profile).day, end: f.windowLastDay, rule: 'Art. 16.4' });
      deadlines.push({
        kind: 'window-end',
        day: f.windowLastDay,
        due: lastInstant(f.windowLastDay, profile),
        pending: f.state === 'awaiting-opening' && f.windowLastDay >= today,
      });
    }
  }
  if (f.openedAt) events.push({ ...at(f.openedAt, profile), kind: 'opened' });
  if (f.lateOpenedAt) events.push({ ...at(f.lateOpenedAt, profile), kind: 'opened-late' });
  if (f.sentByPostAt) events.push({ ...at(f.sentByPostAt, profile), kind: 'postal-dispatched' });
  for (const e of f.postalEvents) events.push({ at: noon(e.occurredOn), day: e.occurredOn, kind: `postal-${e.type}` });
  // Art. 16.5: a letter not collected is deemed delivered on the last day of the collection period.
  const notice = f.postalEvents.find((e) => e.type === 'notice-left');
  if (notice) {
    const deemed = deemedDeliveryDate(notice.occurredOn, profile);
    if (f.serviceRule === 'deemed delivery') events.push({ at: noon(f.triggerDay ?? deemed), day: f.triggerDay ?? deemed, kind: 'deemed-delivery' });
    else if (!f.serviceRule) deadlines.push({ kind: 'deemed-delivery', day: deemed, due: lastInstant(deemed, profile), pending: deemed >= today });
  }
  if (f.remedyStart && f.remedyLastDay) {
    periods.push({ kind: 'remedy-period', start: f.remedyStart, end: f.remedyLastDay, rule: `${f.remedyKind}; ${f.serviceRule ?? ''}`.replace(/; $/, '') });
    deadlines.push({ kind: 'remedy-last-day', day: f.remedyLastDay, due: lastInstant(f.remedyLastDay, profile), pending: f.remedyLastDay >= today });
  }
  return frame({ caseType: 'decision', caseId: f.id, canton: f.canton, events, periods, deadlines, history: f.history }, today, profile);
}

function dueAt(d: Date, profile: CantonProfile) {
  return { due: d.toISOString(), day: localDay(d, profile.timeZone) };
}
/** The last millisecond of a local day (a period's last day runs until 23:59:59.999). */
const lastInstant = (day: IsoDay, profile: CantonProfile) => new Date(endOfLocalDay(day, profile.timeZone).getTime() - 1).toISOString();
/** A postal event has a day, not a time: noon UTC stays that day in Switzerland. */
const noon = (day: IsoDay) => `${day}T11:00:00.000Z`;

export interface TransactionFacts {
  id: string;
  canton: string;
  status: string;
  submittedAt: Date;
  closedAt: Date | null;
  /** While a fee waits: the end of its last day to be paid */
  paymentDueAt: Date | null;
  completionDueAt: Date | null;
  tasks: Array<{
    id: string;
    status: string;
    createdAt: Date;
    dueAt: Date;
    claimedAt: Date | null;
    completedAt: Date | null;
    escalatedAt: Date | null;
    outcome: string | null;
  }>;
  history: CaseTimeline['history'];
}

/** What the audit says happened to a transaction, as the timeline's events. */
const TRANSACTION_EVENTS: Record<string, string> = {
  'transaction.paid': 'paid',
  'transaction.information-asked': 'information-asked',
  'transaction.completed': 'completed',
  'transaction.accepted': 'accepted',
  'transaction.refused': 'refused',
  'transaction.refunded': 'refunded',
  'transaction.lapsed-unpaid': 'lapsed-unpaid',
  'transaction.lapsed-incomplete': 'lapsed-incomplete',
};

/** Art. 15: a submission's receipt, fee, the unit's rounds, what the user owes and by when. */
export function transactionTimeline(f: TransactionFacts, now: Date, profile: CantonProfile): CaseTimeline {
  const events: TimelineEvent[] = [{ ...at(f.submittedAt, profile), kind: 'submitted' }];
  const periods: TimelinePeriod[] = [];
  const deadlines: TimelineDeadline[] = [];
  for (const h of f.history) {
    const kind = TRANSACTION_EVENTS[h.action];
    if (kind) events.push({ ...at(new Date(h.at), profile), kind });
  }
  for (const t of f.tasks) {
    events.push({ ...at(t.createdAt, profile), kind: 'task-opened', detail: 'transaction' });
    if (t.escalatedAt) events.push({ ...at(t.escalatedAt, profile), kind: 'escalated', detail: 'transaction' });
    if (t.claimedAt) events.push({ ...at(t.claimedAt, profile), kind: 'claimed', detail: 'transaction' });
    if (t.completedAt) events.push({ ...at(t.completedAt, profile), kind: 'task-completed', detail: t.outcome ?? undefined });
    periods.push({ kind: 'task-due', start: at(t.createdAt, profile).day, end: at(t.completedAt ?? t.dueAt, profile).day });
    if (t.status === 'open') deadlines.push({ ...dueAt(t.dueAt, profile), kind: 'task-due', pending: t.dueAt > now });
  }
  if (f.paymentDueAt && !f.closedAt && f.status === 'awaiting-payment') {
    periods.push({ kind: 'payment-period', start: at(f.submittedAt, profile).day, end: at(f.paymentDueAt, profile).day, rule: 'services.paymentDays' });
    deadlines.push({ ...dueAt(f.paymentDueAt, profile), kind: 'payment-due', pending: f.paymentDueAt > now });
  }
  if (f.completionDueAt && f.status === 'awaiting-information') {
    const asked = [...events].reverse().find((e) => e.kind === 'information-asked');
    periods.push({
      kind: 'completion-period',
      start: asked?.day ?? at(f.submittedAt, profile).day,
      end: at(f.completionDueAt, profile).day,
      rule: 'Art. 15.2',
    });
    deadlines.push({ ...dueAt(f.completionDueAt, profile), kind: 'completion-due', pending: f.completionDueAt > now });
  }
  return frame(
    { caseType: 'transaction', caseId: f.id, canton: f.canton, events, periods, deadlines, history: f.history },
    localDay(now, profile.timeZone),
    profile,
  );
}
