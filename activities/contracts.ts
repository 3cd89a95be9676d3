// Side effects of the contract lifecycle and of terms rollouts. Each is idempotent: a retry
// after a crash writes each row and sends each e-mail once.
import { voiceFor } from './formal-decision';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ContractStatus, PendingTerms } from '../domain/contract';
import { termsSchedule } from '../domain/contract';
import { profiles, type CantonCode } from '../domain/profiles';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import type { ContractInput } from '../workflows/contract/types';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import { HOLDER, holderOf } from '../records/holders';
import { contractStatusChanged, termsCommunicated, termsPublished } from './mail-templates';
import type { ContractEngine, Mailer, RetentionEngine } from './ports';

export interface ContractDeps {
  db: Db;
  mailer: Mailer;
  contracts: ContractEngine;
  retention: RetentionEngine;
}

const SYSTEM = SYSTEM_ACTOR;
/** E-mails of one rollout sent at once (the SMTP pool has 5 connections). */
const MAIL_CONCURRENCY = 10;

/** A published version as the contracts' workflows receive it. */
export function noticeOf(v: { version: string; sequence: number; effectiveOn: string; restrictFrom: string; blockFrom: string }): PendingTerms {
  return { version: v.version, sequence: v.sequence, effectiveOn: v.effectiveOn, restrictFrom: v.restrictFrom, blockFrom: v.blockFrom };
}

const inputOf = (c: { id: string; canton: string; startedOn: string; termsVersion: string }): ContractInput => ({
  contractId: c.id,
  canton: c.canton as CantonCode,
  startedOn: c.startedOn,
  termsVersion: c.termsVersion,
});

/**
 * A contract's workflow input for the version the user is bound by, told of a terms version
 * published since, if any.
 */
export async function lifecycleInput(
  db: Db,
  c: { id: string; canton: string; startedOn: string; termsVersion: string },
  boundBy: string,
): Promise<ContractInput> {
  const latest = await db.termsVersion.findFirst({ where: { canton: c.canton }, orderBy: { sequence: 'desc' } });
  const signed = await db.termsVersion.findUnique({ where: { version: boundBy } });
  const newer = latest && latest.version !== boundBy && (!signed || latest.sequence > signed.sequence) ? noticeOf(latest) : null;
  return { ...inputOf({ ...c, termsVersion: boundBy }), pendingTerms: newer };
}

export function createContractActivities({ db, mailer, contracts, retention }: ContractDeps) {
  /** Sends one e-mail once: the outbox row is the proof it went out. */
  const sendMail = (id: string, template: string, recordType: string, recordId: string, to: string, mail: { subject: string; text: string; html: string }) =>
    sendOnce(db, mailer, { id, template, recordType, recordId, compose: async () => ({ to, ...mail }) });

  return {
    /**
     * The hand-off from onboarding: the contract's workflow starts, told of a terms version
     * published since the one the user signed, if any.
     */
    async handOverToContractLifecycle({ contractId, ruleSetId }: { contractId: string; applicationId: string; ruleSetId?: string }): Promise<void> {
      const c = await db.contract.findUniqueOrThrow({ where: { id: contractId } });
      // The contract follows the rule set its onboarding followed (DOMAIN.md §6).
      const input = await lifecycleInput(db, c, c.termsVersion);
      await contracts.start(ruleSetId ? { ...input, ruleSetId } : input);
      await writeAudit(db, { ...SYSTEM, action: 'contract.lifecycle-started', recordType: 'contract', recordId: contractId });
    },

    /** The contract's state as the API enforces it, the audit trail, and the user's e-mail on a change. */
    async recordContractState(s: {
      /** The contract process's rule set: the words of its mails (absent: the canton's newest). */
      ruleSetId?: string;
      contractId: string;
      step: number;
      from: ContractStatus;
      status: ContractStatus;
      reason: string | null;
      noticeEndsOn: string | null;
      endedOn: string | null;
      cause: string;
      by: string;
      /** How it ended and why, when it ended for abuse or by revocation (Art. 5.3, 10.2) */
      endGround?: 'abuse' | 'terms-revoked';
      endReasons?: string[];
    }): Promise<void> {
      const end = s.endedOn ? { endGround: s.endGround ?? (s.cause === 'clock' ? 'notice' : null), endReasons: s.endReasons ?? [] } : {};
      const c = await db.contract.update({
        where: { id: s.contractId },
        data: { status: s.status, statusReason: s.reason, noticeEndsOn: s.noticeEndsOn, endedOn: s.endedOn, ...end },
        include: HOLDER,
      });
      const auditId = `${s.contractId}:step-${s.step}`;
      if (!(await db.auditLog.findFirst({ where: { recordType: 'contract', recordId: s.contractId, requestId: auditId }, select: { id: true } }))) {
        await writeAudit(db, {
          actorRole: s.by === 'system' ? 'system' : 'user',
          actorSub: s.by,
          action: `contract.${s.cause}${s.status !== s.from ? `.${s.status}` : ''}`,
          recordType: 'contract',
          recordId: s.contractId,
          requestId: auditId,
        });
      }
      // Art. 18.1 a: the evidence is kept one year from the contract's end.
      if (s.endedOn)
        await retention.schedule({
          recordKind: 'contract',
          recordId: s.contractId,
          category: 'contract-evidence',
          eventDay: s.endedOn,
          canton: c.canton as CantonCode,
        });
      if (s.status === s.from) return;
      const holder = holderOf(c);
      const mail = contractStatusChanged(
        {
          firstName: holder.firstName,
          lastName: holder.lastName,
          from: s.from,
          status: s.status,
          reason: s.reason,
          noticeEndsOn: s.noticeEndsOn,
          endedOn: s.endedOn,
          endGround: c.endGround,
          endReasons: c.endReasons,
          contractId: s.contractId,
        },
        voiceFor(c.canton, s.ruleSetId),
      );
      // A refused address stops nothing: the state is in force and the user sees it in his space.
      if ((await sendMail(`${s.contractId}:step-${s.step}`, `contract-${s.status}`, 'contract', s.contractId, holder.email, mail)) === 'rejected') {
        await writeAudit(db, {
          ...SYSTEM,
          action: `mail.rejected.contract-${s.status}`,
          recordType: 'contract',
          recordId: s.contractId,
          requestId: `${s.contractId}:step-${s.step}:mail`,
        });
      }
    },

    /** Art. 5.2: the QES evidence of an acceptance, kept as contract evidence (Art. 18.1 a). */
    async recordTermsAcceptance(a: {
      contractId: string;
      version: string;
      documentSha256: string;
      signatureValue: string;
      signedAt: string;
      by: string;
      signatureEvidence?: Record<string, unknown>;
    }): Promise<void> {
      const id = `${a.contractId}:${a.version}`;
      await db.$transaction(async (tx) => {
        if (await tx.termsAcceptance.findUnique({ where: { id } })) return;
        await tx.termsAcceptance.create({
          data: {
            id,
            contractId: a.contractId,
            version: a.version,
            documentSha256: a.documentSha256,
            signatureValue: a.signatureValue,
            signedAt: new Date(a.signedAt),
            signatureEvidence: (a.signatureEvidence as Prisma.InputJsonObject | undefined) ?? Prisma.DbNull,
            acceptedBy: a.by,
          },
        });
        await tx.contract.update({ where: { id: a.contractId }, data: { termsVersion: a.version } });
        await writeAudit(tx, { actorRole: 'citizen', actorSub: a.by, action: 'terms.accepted', recordType: 'terms-acceptance', recordId: id });
      });
    },

    /**
     * NE 9: a terms version communicated to the contract (the rollout sends the e-mail); it
     * applies from its effective day. Audited once per contract and version.
     */
    async recordTermsCommunicated(t: { contractId: string; version: string; effectiveOn: string }): Promise<void> {
      const requestId = `${t.contractId}:terms-communicated:${t.version}`;
      if (await db.auditLog.findFirst({ where: { recordType: 'contract', recordId: t.contractId, requestId }, select: { id: true } })) return;
      await writeAudit(db, {
        ...SYSTEM,
        action: `terms.communicated.${t.version}.from-${t.effectiveOn}`,
        recordType: 'contract',
        recordId: t.contractId,
        requestId,
      });
    },

    /** Art. 5.3, 6.2: special clauses agreed with a user who refused the terms. */
    async recordContractAmendment(a: { contractId: string; taskId: string; termsVersion: string; clauses: string[]; by: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        if (await tx.contractAmendment.findUnique({ where: { taskId: a.taskId } })) return;
        await tx.contractAmendment.create({
          data: {
            id: `${a.taskId}:amendment`,
            contractId: a.contractId,
            termsVersion: a.termsVersion,
            clauses: a.clauses,
            taskId: a.taskId,
            agreedBy: a.by,
            agreedAt: new Date(),
          },
        });
        await tx.contract.update({ where: { id: a.contractId }, data: { termsVersion: a.termsVersion } });
        await writeAudit(tx, {
          actorRole: 'chancellery',
          actorSub: a.by,
          action: 'contract.special-clauses-agreed',
          recordType: 'contract',
          recordId: a.contractId,
        });
      });
    },

    /**
     * One batch of a rollout: the next `limit` contracts of the version's canton that have not ended, by id after
     * `afterId`. Each user gets the e-mail once and each contract's workflow the notice
     * (idempotent there), so a batch retried after a crash notifies nobody twice.
     */
    async notifyTermsBatch({
      version,
      afterId,
      limit,
    }: {
      version: string;
      afterId: string | null;
      limit: number;
    }): Promise<{ count: number; notified: number; lastId: string | null }> {
      const v = await db.termsVersion.findUnique({ where: { version } });
      if (!v) throw ApplicationFailure.nonRetryable(`terms version ${version} is not published`, 'UnknownTermsVersion');
      const page = await db.contract.findMany({
        where: { canton: v.canton, endedOn: null, ...(afterId ? { id: { gt: afterId } } : {}) },
        orderBy: { id: 'asc' },
        take: limit,
        include: HOLDER,
      });
      const notice = noticeOf(v);
      // The page holds the version's canton's contracts only: the e-mail follows that canton's
      // rule set (the one its contracts' workflows read), a request to sign the version
      // (Art. 5.2) or its communication (NE 9).
      const rules = profiles[v.canton as CantonCode];
      const communicated = rules.contract.termsChanges === 'communicated';
      const { lastAcceptanceDay } = termsSchedule(v.effectiveOn, v.acceptanceDays, rules);
      let notified = 0;
      for (let i = 0; i < page.length; i += MAIL_CONCURRENCY) {
        const slice = page.slice(i, i + MAIL_CONCURRENCY);
        const results = await Promise.all(
          slice.map(async (c) => {
            if (c.termsVersion === version) return false; // signed this very version
            if (!(await contracts.notifyTerms(inputOf(c), notice))) return false; // its workflow has closed
            const holder = holderOf(c);
            const about = { firstName: holder.firstName, lastName: holder.lastName, version, title: v.title, effectiveOn: v.effectiveOn };
            const mail = communicated
              ? termsCommunicated(about, voiceFor(v.canton))
              : termsPublished({ ...about, lastAcceptanceDay, restrictFrom: v.restrictFrom, blockFrom: v.blockFrom }, voiceFor(v.canton));
            const template = communicated ? 'terms-communicated' : 'terms-published';
            // One address refused for good must not stop the rollout: recorded, and the
            // contract's workflow knows (the user sees it in their space).
            if ((await sendMail(`terms:${version}:${c.id}`, template, 'contract', c.id, holder.email, mail)) === 'rejected') {
              await writeAudit(db, { ...SYSTEM, action: `mail.rejected.${template}`, recordType: 'contract', recordId: c.id });
            }
            return true;
          }),
        );
        notified += results.filter(Boolean).length;
        Context.current().heartbeat({ done: i + slice.length });
      }
      return { count: page.length, notified, lastId: page.length ? page[page.length - 1]!.id : null };
    },

    async recordRolloutDone({ version, notified, batches }: { version: string; notified: number; batches: number }): Promise<void> {
      await writeAudit(db, {
        ...SYSTEM,
        action: `terms.rollout-done.${notified}-contracts.${batches}-batches`,
        recordType: 'terms-version',
        recordId: version,
      });
    },
  };
}
