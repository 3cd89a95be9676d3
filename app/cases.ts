// Case timelines for staff: an application's or a decision's events, periods, pending
// deadlines and audit trail, with the féries and public holidays of the span — read from the
// records, laid out by domain/timeline.ts. No personal data: ids, codes and dates.
import { failedChecks, type CheckOutcome } from '../domain/onboarding';
import { getProfile, type CantonCode } from '../domain/profiles';
import { applicationTimeline, decisionTimeline, type CaseTimeline } from '../domain/timeline';
import type { Db } from '../infra/db';
import type { Caller } from './caller';
import { notFound } from './errors';
import { requireAccess } from './policy';

export function caseUseCases({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
  const history = async (ids: string[]): Promise<CaseTimeline['history']> =>
    (await db.auditLog.findMany({ where: { recordId: { in: ids } }, orderBy: { at: 'asc' }, take: 500 })).map((a) => ({
      at: a.at.toISOString(),
      action: a.action,
      actorRole: a.actorRole,
      actorSub: a.actorSub,
    }));

  return {
    async applicationTimeline(caller: Caller, applicationId: string): Promise<CaseTimeline> {
      const a = await db.onboardingApplication.findUnique({
        where: { id: applicationId },
        select: {
          id: true,
          canton: true,
          status: true,
          submittedAt: true,
          decidedAt: true,
          checks: true,
          formalDecisionDeadline: true,
          tasks: true,
          applicantSub: true,
          filedBySub: true,
          filedByRole: true,
        },
      });
      if (!a) throw notFound('application');
      requireAccess(caller.principal, 'administer', { type: 'onboarding-application', ...a }, 'application');
      const taskIds = a.tasks.map((t) => t.id);
      // Each reminder is an e-mail with an outbox row `<taskId>:reminder-<n>`: its time is the reminder's.
      const reminders = await db.mailOutbox.findMany({
        where: { OR: taskIds.map((id) => ({ id: { startsWith: `${id}:reminder-` } })) },
        select: { id: true, createdAt: true },
      });
      return applicationTimeline(
        {
          id: a.id,
          canton: a.canton,
          status: a.status,
          submittedAt: a.submittedAt,
          decidedAt: a.decidedAt,
          checked: a.checks !== null,
          failedChecks: a.checks ? failedChecks(a.checks as unknown as CheckOutcome) : [],
          formalDecisionDeadline: a.formalDecisionDeadline,
          tasks: a.tasks.map((t) => ({ ...t, reminders: reminders.filter((r) => r.id.startsWith(`${t.id}:`)).map((r) => r.createdAt) })),
          history: await history([a.id, ...taskIds]),
        },
        now(),
        getProfile(a.canton as CantonCode),
      );
    },

    /** A unit sees the decisions it serves; another unit's are not there for it. */
    async decisionTimeline(caller: Caller, decisionId: string): Promise<CaseTimeline> {
      const d = await db.decision.findUnique({ where: { id: decisionId }, include: { postalEvents: { orderBy: { occurredOn: 'asc' } } } });
      requireAccess(caller.principal, 'act-as-authority', d && { type: 'decision', unitId: d.unitId, recipientSub: d.recipientSub }, 'decision');
      const trail = await history([d!.id]);
      const sentByPost = trail.find((h) => h.action === 'decision.sent-by-registered-post');
      return decisionTimeline(
        {
          id: d!.id,
          canton: d!.canton,
          state: d!.state,
          createdAt: d!.createdAt,
          communicatedAt: d!.communicatedAt,
          windowLastDay: d!.windowLastDay,
          openedAt: d!.openedAt,
          lateOpenedAt: d!.lateOpenedAt,
          sentByPostAt: sentByPost ? new Date(sentByPost.at) : null,
          postalEvents: d!.postalEvents.map((e) => ({ type: e.type, occurredOn: e.occurredOn })),
          serviceRule: d!.serviceRule,
          triggerDay: d!.triggerDay,
          remedyStart: d!.remedyStart,
          remedyLastDay: d!.remedyLastDay,
          remedyKind: d!.remedyKind,
          history: trail,
        },
        now(),
        getProfile(d!.canton as CantonCode),
      );
    },
  };
}
