// Side effects of the onboarding process. Each is idempotent: Temporal retries an activity
// after a crash, and a retry must not write a second user, contract or e-mail.
import { ApplicationFailure } from '@temporalio/common';
import type { CheckOutcome, RegisterFacts } from '../domain/onboarding';
import { type CantonCode } from '../domain/profiles';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { personalData } from '../workflows/personal-data';
import { sendOnce } from '../records/outbox';
import { chancelleryUnit, formalDecisionHeadings, formalDecisionRemedy, renderFormalDecision, storeFormalDecision, voiceFor, wording } from './formal-decision';
import { ruleSetById } from '../domain/rule-sets';
import { voiceOf } from '../domain/words';
import { formalDecisionRequested, taskOpened, termsBlockKept, onboardingApproved, onboardingRefused, taskReminder, type RenderedMail } from './mail-templates';
import type { Mailer, ProtectionRegister, ResidentRegister, RetentionEngine } from './ports';
import { HOLDER, holderOf } from '../records/holders';

export interface OnboardingDeps {
  db: Db;
  registers: { resident: ResidentRegister; protection: ProtectionRegister };
  mailer: Mailer;
  /** Who hears about waiting tasks: the Chancellery's inbox, the protection authority's. */
  notify: { chancellery: string; authority: string };
  retention: RetentionEngine;
}

const SYSTEM = SYSTEM_ACTOR;
const audit = (
  db: Parameters<typeof writeAudit>[0],
  action: string,
  recordType: string,
  recordId: string,
  extra: { actorRole?: string; actorSub?: string } = {},
) => writeAudit(db, { ...SYSTEM, ...extra, action, recordType, recordId });

export type MailTemplate = 'onboarding-approved' | 'onboarding-refused' | 'formal-decision-requested';

export function createOnboardingActivities({ db, registers, mailer, notify, retention }: OnboardingDeps) {
  const application = (id: string) => db.onboardingApplication.findUniqueOrThrow({ where: { id } });
  /** A unit's inbox notices: its address, or the Chancellery's while it has none. */
  const unitInbox = async (unitId: string) => (await db.unit.findUnique({ where: { id: unitId } }))?.email ?? notify.chancellery;

  return {
    /** Art. 4.5: what the resident register and the protection authority's register say. */
    async checkRegisters({ applicationId }: { applicationId: string }): Promise<RegisterFacts> {
      const { avsNumber } = await application(applicationId);
      const [resident, measure] = await Promise.all([registers.resident.lookup(avsNumber), registers.protection.hasMeasure(avsNumber)]);
      return personalData('onboarding-application', applicationId, {
        found: resident !== null,
        domiciledInCanton: resident?.domiciledInCanton ?? false,
        birthDate: resident?.birthDate ?? null,
        protectionMeasure: (resident?.protectionMeasure ?? false) || measure,
      });
    },

    async recordChecks({ applicationId, checks }: { applicationId: string; checks: CheckOutcome }): Promise<void> {
      const a = await db.onboardingApplication.update({ where: { id: applicationId }, data: { checks: { ...checks } } });
      await audit(db, 'onboarding.checked', 'onboarding-application', applicationId);
      // Art. 18.1 c: an "other transaction", kept 18 months from its day.
      await retention.schedule({
        recordKind: 'onboarding-application',
        recordId: applicationId,
        category: 'other-transaction',
        eventDay: a.retentionEventDay,
        canton: a.canton as CantonCode,
      });
    },

    async openTask(t: {
      /** The process's rule set: the words of the notice (absent: the canton's newest). */
      ruleSetId?: string;
      taskId: string;
      kind: string;
      workflowId: string;
      canton: string;
      commune: string | null;
      subject: string;
      createdAt: string;
      dueAt: string;
      applicationId?: string;
      contractId?: string;
      unitId?: string;
      decisionId?: string;
      formalRequestId?: string;
      entityApplicationId?: string;
      proxyId?: string;
      representationId?: string;
      accessRequestId?: string;
      transactionId?: string;
    }): Promise<void> {
      await db.$transaction(async (tx) => {
        if (await tx.task.findUnique({ where: { id: t.taskId } })) return;
        await tx.task.create({
          data: {
            id: t.taskId,
            kind: t.kind,
            status: 'open',
            applicationId: t.applicationId ?? null,
            contractId: t.contractId ?? null,
            unitId: t.unitId ?? null,
            decisionId: t.decisionId ?? null,
            formalRequestId: t.formalRequestId ?? null,
            entityApplicationId: t.entityApplicationId ?? null,
            proxyId: t.proxyId ?? null,
            representationId: t.representationId ?? null,
            accessRequestId: t.accessRequestId ?? null,
            transactionId: t.transactionId ?? null,
            workflowId: t.workflowId,
            canton: t.canton,
            commune: t.commune,
            subject: t.subject,
            createdAt: new Date(t.createdAt),
            dueAt: new Date(t.dueAt),
            reasons: [],
          },
        });
        if (t.applicationId && !t.formalRequestId) {
          await tx.onboardingApplication.update({
            where: { id: t.applicationId },
            data: { status: t.kind === 'authority-inquiry' ? 'awaiting-authority' : t.kind === 'review' ? 'awaiting-review' : 'formal-decision-requested' },
          });
        }
        await audit(tx, `task.opened.${t.kind}`, 'task', t.taskId);
      });
      // Whoever owes the answer hears of it when it is asked, not only at a reminder: the
      // authority (Art. 4.5 c), a unit in its own inbox.
      const to = t.kind === 'authority-inquiry' ? notify.authority : t.unitId ? await unitInbox(t.unitId) : null;
      if (to) {
        const sent = await sendOnce(db, mailer, {
          id: `${t.taskId}:opened`,
          template: `${t.kind}-opened`,
          recordType: 'task',
          recordId: t.taskId,
          compose: async () => ({ to, ...taskOpened({ taskKind: t.kind, taskId: t.taskId, dueAt: t.dueAt }, voiceFor(t.canton, t.ruleSetId)) }),
        });
        if (sent === 'rejected') await audit(db, `mail.rejected.${t.kind}-opened`, 'task', t.taskId);
      }
    },

    async recordTaskClaim({ taskId, claimedBy }: { taskId: string; claimedBy: string | null }): Promise<void> {
      await db.$transaction([
        db.task.update({ where: { id: taskId }, data: { claimedBy, claimedAt: claimedBy ? new Date() : null } }),
        db.auditLog.create({
          data: {
            actorRole: 'chancellery',
            actorSub: claimedBy ?? 'released',
            action: claimedBy ? 'task.claimed' : 'task.released',
            recordType: 'task',
            recordId: taskId,
          },
        }),
      ]);
    },

    /**
     * Nobody acted within the period: the reminder (and, once, the escalation) is recorded
     * and mailed to whoever owes the answer — once each, whatever the retries.
     */
    async remindTask({
      taskId,
      remindersSent,
      escalate,
      nextDueAt,
      ruleSetId,
    }: {
      taskId: string;
      remindersSent: number;
      escalate: boolean;
      nextDueAt: string;
      ruleSetId?: string;
    }): Promise<void> {
      const task = await db.task.update({
        where: { id: taskId },
        data: { remindersSent, dueAt: new Date(nextDueAt), ...(escalate ? { escalatedAt: new Date() } : {}) },
      });
      const sent = await sendOnce(db, mailer, {
        id: `${taskId}:${escalate ? 'escalation' : `reminder-${remindersSent}`}`,
        template: 'task-reminder',
        recordType: 'task',
        recordId: taskId,
        async compose() {
          const waitingDays = Math.floor((Date.now() - task.createdAt.getTime()) / 86_400_000);
          const mail = taskReminder(
            { taskKind: task.kind, taskId, waitingDays, escalated: escalate || task.escalatedAt !== null },
            voiceFor(task.canton, ruleSetId),
          );
          // The authority or the unit is reminded; an escalation goes to the Chancellery, which answers for the counter.
          const owner = task.kind === 'authority-inquiry' ? notify.authority : task.unitId ? await unitInbox(task.unitId) : notify.chancellery;
          return { to: escalate ? notify.chancellery : owner, ...mail };
        },
      });
      if (sent === 'sent') await audit(db, escalate ? 'task.escalated' : `task.reminded.${remindersSent}`, 'task', taskId);
      if (sent === 'rejected') await audit(db, `mail.rejected.${escalate ? 'task-escalation' : 'task-reminder'}`, 'task', taskId);
    },

    async completeTaskRecord(c: {
      taskId: string;
      by: string;
      outcome: string;
      justification?: string;
      reasons?: string[];
      clauses?: string[];
      note?: string;
      at: string;
      ruleSetId?: string;
    }): Promise<void> {
      const before = await db.task.findUniqueOrThrow({ where: { id: c.taskId } });
      const role = c.outcome.startsWith('capacity') ? 'authority' : c.by === 'system' ? 'system' : before.unitId ? 'unit' : 'chancellery';
      await db.$transaction([
        db.task.update({
          where: { id: c.taskId },
          data: {
            status: 'completed',
            outcome: c.outcome,
            justification: c.justification ?? c.note ?? null,
            reasons: c.reasons ?? c.clauses ?? [],
            completedBy: c.by,
            completedAt: new Date(c.at),
          },
        }),
        db.auditLog.create({ data: { actorRole: role, actorSub: c.by, action: `task.completed.${c.outcome}`, recordType: 'task', recordId: c.taskId } }),
      ]);
      // Art. 5.3: a block kept after a terms refusal is told to the user with its reason and the way to a formal decision.
      if (c.outcome === 'keep-blocked' && before.contractId && c.justification) {
        const contractId = before.contractId;
        const justification = c.justification;
        const sent = await sendOnce(db, mailer, {
          id: `${c.taskId}:block-kept`,
          template: 'terms-block-kept',
          recordType: 'contract',
          recordId: contractId,
          compose: async () => {
            const row = await db.contract.findUniqueOrThrow({ where: { id: contractId }, include: HOLDER });
            const holder = holderOf(row);
            return {
              to: holder.email,
              ...termsBlockKept({ firstName: holder.firstName, lastName: holder.lastName, contractId, justification }, voiceFor(row.canton, c.ruleSetId)),
            };
          },
        });
        if (sent === 'rejected') await audit(db, 'mail.rejected.terms-block-kept', 'contract', contractId);
      }
    },

    /** Art. 8: the user enters the user register and the contract starts, in one transaction. */
    async admitApplicant({
      applicationId,
      specialReason,
      startedOn,
    }: {
      applicationId: string;
      specialReason?: string;
      startedOn: string;
    }): Promise<{ userId: string; contractId: string }> {
      return db.$transaction(async (tx) => {
        const existing = await tx.contract.findUnique({ where: { applicationId } });
        if (existing) return { userId: existing.userId!, contractId: existing.id }; // an application's contract is a person's
        const a = await tx.onboardingApplication.findUniqueOrThrow({ where: { id: applicationId } });
        const former = await tx.registeredUser.findFirst({
          where: { OR: [{ avsNumber: a.avsNumber }, { sub: a.applicantSub }] },
          include: { contracts: { where: { endedOn: null }, select: { id: true } } },
        });
        if (former && (former.contracts.length > 0 || former.sub !== a.applicantSub || former.avsNumber !== a.avsNumber)) {
          throw ApplicationFailure.nonRetryable('this person is already in the user register', 'AlreadyRegistered');
        }
        // A former user (every contract ended) contracts again: his register entry, with the new data.
        const entry = {
          lastName: a.lastName,
          firstName: a.firstName,
          email: a.email,
          mobilePhone: a.mobilePhone,
          street: a.street,
          postCode: a.postCode,
          locality: a.locality,
          commune: a.commune,
          birthDate: a.birthDate,
          canton: a.canton,
          applicationId,
        };
        const user = former
          ? await tx.registeredUser.update({ where: { id: former.id }, data: entry })
          : await tx.registeredUser.create({ data: { id: `user-${applicationId}`, sub: a.applicantSub, avsNumber: a.avsNumber, ...entry } });
        const contract = await tx.contract.create({
          data: {
            id: `contract-${applicationId}`,
            userId: user.id,
            applicationId,
            status: 'active',
            canton: a.canton,
            startedOn,
            termsVersion: a.termsVersion,
            documentSha256: a.documentSha256,
            signatureValue: a.signatureValue,
            signedAt: a.signedAt,
            identityProofRef: a.identityProofRef,
            identityEvidence: a.identityEvidence ?? Prisma.DbNull,
            signatureEvidence: a.signatureEvidence ?? Prisma.DbNull,
            specialReason: specialReason ?? null,
          },
        });
        await tx.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'approved', decidedAt: new Date() } });
        await tx.openApplication.deleteMany({ where: { applicationId } });
        await audit(tx, former ? 'user.registered-again' : 'user.registered', 'registered-user', user.id);
        await audit(tx, 'contract.started', 'contract', contract.id);
        return { userId: user.id, contractId: contract.id };
      });
    },

    async refuseApplication({
      applicationId,
      reasons,
      formalDecisionDeadline,
    }: {
      applicationId: string;
      reasons: string[];
      /** Only refusals before the formal-decision process had one (the ordinance sets no period) */
      formalDecisionDeadline?: string;
    }): Promise<void> {
      await db.$transaction([
        db.onboardingApplication.update({
          where: { id: applicationId },
          data: { status: 'refused', refusalReasons: reasons, formalDecisionDeadline: formalDecisionDeadline ?? null, decidedAt: new Date() },
        }),
        db.openApplication.deleteMany({ where: { applicationId } }),
        db.auditLog.create({ data: { ...SYSTEM, action: 'onboarding.refused', recordType: 'onboarding-application', recordId: applicationId } }),
      ]);
    },

    async recordFormalDecisionRequest({ applicationId }: { applicationId: string }): Promise<void> {
      await db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'formal-decision-requested' } });
    },

    async recordFormalDecision({ applicationId, reasons }: { applicationId: string; reasons: string[] }): Promise<void> {
      await db.$transaction([
        db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'refused', refusalReasons: reasons } }),
        db.auditLog.create({
          data: { ...SYSTEM, action: 'onboarding.formal-decision.refusal-confirmed', recordType: 'onboarding-application', recordId: applicationId },
        }),
      ]);
    },

    /**
     * Art. 4.8: the Chancellery's formal decision confirming a refusal, as a decision record
     * with its PDF, to be served like any decision (Art. 16-17). Idempotent on its reference.
     */
    async issueFormalDecision({
      applicationId,
      reasons,
      decidedOn,
      ruleSetId,
    }: {
      applicationId: string;
      reasons: string[];
      decidedOn: string;
      ruleSetId?: string;
    }): Promise<{ decisionId: string }> {
      const reference = `GVS-ONB-${applicationId}`;
      const a = await application(applicationId);
      const voice = voiceFor(a.canton, ruleSetId);
      const cha = chancelleryUnit(voice);
      const remedy = formalDecisionRemedy(ruleSetById(voice.ruleSetId), cha, voice.lang);
      await db.unit.upsert({ where: { id: cha.id }, create: cha, update: {} });
      const pdf = await renderFormalDecision({
        voice,
        authority: cha,
        recipient: a,
        reference: applicationId,
        ground: 'onboarding-refused',
        outcome: 'refuse',
        grounds: reasons,
        decidedOn,
        remedyText: remedy.text,
      });
      return storeFormalDecision(db, {
        decisionId: `fd-${applicationId}`,
        reference,
        canton: a.canton,
        unitId: cha.id,
        domain: 'guichet',
        recipientSub: a.applicantSub,
        title: `${formalDecisionHeadings(voice).doc}${voiceOf(voice).lang === 'fr' ? " : refus de l'accès" : ': Verweigerung des Zugangs'} ${voiceOf(voice).lang === 'fr' ? 'au' : 'zum'} ${voiceOf(voice).words.counter[voiceOf(voice).lang]}`,
        pdf,
        remedy,
      });
    },

    /** Sends each e-mail of an application once: the outbox row is the proof it went out. */
    async sendApplicationMail({ applicationId, template, ruleSetId }: { applicationId: string; template: MailTemplate; ruleSetId?: string }): Promise<void> {
      const compose = async () => {
        const a = await application(applicationId);
        const voice = voiceFor(a.canton, ruleSetId);
        const name = { firstName: a.firstName, lastName: a.lastName };
        let mail: RenderedMail;
        switch (template) {
          case 'onboarding-approved': {
            const contract = await db.contract.findUniqueOrThrow({ where: { applicationId } });
            mail = onboardingApproved({ ...name, contractStart: contract.startedOn, termsVersion: contract.termsVersion }, voice);
            break;
          }
          case 'onboarding-refused':
            mail = onboardingRefused({ ...name, reasons: a.refusalReasons, formalDecisionDeadline: a.formalDecisionDeadline, applicationId }, voice);
            break;
          case 'formal-decision-requested':
            mail = formalDecisionRequested(
              {
                ...name,
                reference: applicationId,
                about: wording('onboarding-refused', voice).about,
                authority: voiceOf(voice).lang === 'fr' ? `La ${chancelleryUnit(voice).name}` : `Die ${chancelleryUnit(voice).name}`,
              },
              voice,
            );
            break;
        }
        return { to: a.email, ...mail };
      };
      const sent = await sendOnce(db, mailer, {
        id: `${applicationId}:${template}`,
        template,
        recordType: 'onboarding-application',
        recordId: applicationId,
        compose,
      });
      // Refused for good: recorded, and the process goes on (the outcome stands; the applicant sees it in the portal).
      if (sent === 'sent') await audit(db, `mail.sent.${template}`, 'onboarding-application', applicationId);
      if (sent === 'rejected') await audit(db, `mail.rejected.${template}`, 'onboarding-application', applicationId);
    },
  };
}
