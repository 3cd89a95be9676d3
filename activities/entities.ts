// Legal entities (Art. 11-13): the commercial register's answer for the Chancellery's
// review, the entity's admission (its register entry, its first signatory, its contract) and
// its refusal. Each is idempotent: a retry after a crash writes once.
import { voiceFor } from './formal-decision';
import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../generated/prisma/client';
import { sameName } from '../domain/names';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR as SYSTEM, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import type { CommercialRegister, CommercialRegisterEntry } from './commercial-register';
import { onboardingApproved, onboardingRefused } from './mail-templates';
import type { Mailer } from './ports';
import type { RegisterFinding } from '../workflows/entity-onboarding/types';

export interface EntityActivityDeps {
  db: Db;
  mailer: Mailer;
  commercialRegister?: CommercialRegister;
}

/** `entity:` and the UID's nine digits: the subject the entity's people name in `onBehalfOf`. */
export const entitySubFor = (uid: string) => `entity:${uid.replace(/\D/g, '')}`;

/** How the register's answer routes the application (Art. 11.1, 13.1). */
export function findingOf(entry: CommercialRegisterEntry | null, filer: { firstName: string; lastName: string; birthDate: string }): RegisterFinding {
  if (!entry) return 'not-found';
  if (entry.status !== 'active') return 'cancelled';
  const signatory = entry.signatories.find(
    (s) => sameName(s.lastName, filer.lastName) && sameName(s.firstName, filer.firstName) && (!s.birthDate || s.birthDate === filer.birthDate),
  );
  if (!signatory || signatory.signingPower === 'none') return 'no-power';
  return signatory.signingPower;
}

export function createEntityActivities({ db, mailer, commercialRegister }: EntityActivityDeps) {
  const application = (id: string) => db.entityApplication.findUniqueOrThrow({ where: { id } });
  const filerOf = (sub: string) =>
    db.registeredUser.findUniqueOrThrow({ where: { sub }, select: { firstName: true, lastName: true, birthDate: true, email: true } });

  async function mail(
    applicationId: string,
    template: 'entity-approved' | 'entity-refused',
    compose: () => Promise<{ to: string; subject: string; text: string; html: string }>,
  ) {
    const sent = await sendOnce(db, mailer, {
      id: `${applicationId}:${template}`,
      template,
      recordType: 'entity-application',
      recordId: applicationId,
      compose,
    });
    if (sent === 'rejected')
      await writeAudit(db, { ...SYSTEM, action: `mail.rejected.${template}`, recordType: 'entity-application', recordId: applicationId });
  }

  return {
    /** Asks the commercial register; its answer is kept for the reviewer, the finding routes the process. */
    async checkCommercialRegister({ applicationId }: { applicationId: string }): Promise<{ finding: RegisterFinding }> {
      if (!commercialRegister) throw ApplicationFailure.nonRetryable('no commercial register is configured (COMMERCIAL_REGISTER_URL)', 'NotConfigured');
      const a = await application(applicationId);
      if (a.signingPower) return { finding: a.signingPower as RegisterFinding }; // asked already
      const entry = await commercialRegister.byUid(a.uid);
      const finding = findingOf(entry, await filerOf(a.filedBySub));
      await db.entityApplication.update({
        where: { id: applicationId },
        data: { registerAnswer: entry ? (entry as unknown as Prisma.InputJsonValue) : Prisma.DbNull, signingPower: finding },
      });
      await writeAudit(db, { ...SYSTEM, action: `entity-application.register-checked.${finding}`, recordType: 'entity-application', recordId: applicationId });
      return { finding };
    },

    /** Art. 11: the entity enters the register of users, its filer as its signatory, and its contract starts. */
    async admitEntity({ applicationId, startedOn }: { applicationId: string; startedOn: string }): Promise<{ entitySub: string; contractId: string }> {
      const admitted = await db.$transaction(async (tx) => {
        const a = await tx.entityApplication.findUniqueOrThrow({ where: { id: applicationId } });
        const existing = await tx.legalEntity.findUnique({ where: { applicationId } });
        if (existing)
          return { entitySub: existing.sub, contractId: `contract-${applicationId}`, name: existing.name, termsVersion: a.termsVersion, email: existing.email };
        const entry = a.registerAnswer as unknown as CommercialRegisterEntry | null;
        if (!entry) throw ApplicationFailure.nonRetryable('the entity is not in the commercial register', 'NotInRegister');
        const other = await tx.legalEntity.findUnique({ where: { uid: a.uid }, include: { contracts: { where: { endedOn: null }, select: { id: true } } } });
        if (other?.contracts.length) throw ApplicationFailure.nonRetryable('this entity already has a user contract', 'AlreadyRegistered');
        const data = {
          name: entry.name,
          legalForm: entry.legalForm,
          legalSeat: entry.legalSeat,
          email: a.email,
          street: a.street,
          postCode: a.postCode,
          locality: a.locality,
          canton: a.canton,
          signingPower: a.signingPower === 'collective' ? 'collective' : 'individual',
          applicationId,
        };
        // A former user (its contract ended) contracts again under its register entry.
        const entity = other
          ? await tx.legalEntity.update({ where: { id: other.id }, data })
          : await tx.legalEntity.create({ data: { id: `entity-${applicationId}`, sub: entitySubFor(a.uid), uid: a.uid, ...data } });
        const at = new Date();
        const members = [
          { sub: a.filedBySub, role: 'signatory' },
          ...(a.administratorSub && a.administratorSub !== a.filedBySub ? [{ sub: a.administratorSub, role: 'administrator' }] : []),
        ];
        for (const m of members) {
          await tx.entityMember.upsert({
            where: { entityId_sub: { entityId: entity.id, sub: m.sub } },
            create: {
              id: `${entity.id}:${m.sub}`.slice(0, 200),
              entityId: entity.id,
              sub: m.sub,
              role: m.role,
              services: [],
              status: 'active',
              addedBySub: a.filedBySub,
              addedAt: at,
            },
            update: { role: m.role, services: [], status: 'active', blockedAt: null, blockedBySub: null, blockReason: null },
          });
        }
        const contract = await tx.contract.create({
          data: {
            id: `contract-${applicationId}`,
            entityId: entity.id,
            applicationId,
            status: 'active',
            canton: a.canton,
            startedOn,
            termsVersion: a.termsVersion,
            documentSha256: a.documentSha256,
            signatureValue: a.signatureValue,
            signedAt: a.signedAt,
            identityProofRef: `commercial-register:${a.uid}`,
            signatureEvidence: a.signatureEvidence ?? Prisma.DbNull,
          },
        });
        await tx.entityApplication.update({ where: { id: applicationId }, data: { status: 'approved', decidedAt: at, entityId: entity.id } });
        await writeAudit(tx, { ...SYSTEM, action: other ? 'entity.registered-again' : 'entity.registered', recordType: 'legal-entity', recordId: entity.id });
        await writeAudit(tx, { ...SYSTEM, action: 'contract.started', recordType: 'contract', recordId: contract.id });
        return { entitySub: entity.sub, contractId: contract.id, name: entity.name, termsVersion: a.termsVersion, email: entity.email, canton: a.canton };
      });
      await mail(applicationId, 'entity-approved', async () => ({
        to: admitted.email,
        ...onboardingApproved(
          { firstName: '', lastName: admitted.name, contractStart: startedOn, termsVersion: admitted.termsVersion, entity: true },
          voiceFor(admitted.canton),
        ),
      }));
      return { entitySub: admitted.entitySub, contractId: admitted.contractId };
    },

    async refuseEntityApplication({ applicationId, reasons }: { applicationId: string; reasons: string[] }): Promise<void> {
      await db.$transaction([
        db.entityApplication.update({ where: { id: applicationId }, data: { status: 'refused', refusalReasons: reasons, decidedAt: new Date() } }),
        db.auditLog.create({ data: { ...SYSTEM, action: 'entity-application.refused', recordType: 'entity-application', recordId: applicationId } }),
      ]);
      await mail(applicationId, 'entity-refused', async () => {
        const a = await application(applicationId);
        const filer = await filerOf(a.filedBySub);
        return {
          to: a.email,
          ...onboardingRefused({ firstName: filer.firstName, lastName: filer.lastName, reasons: a.refusalReasons, applicationId }, voiceFor(a.canton)),
        };
      });
    },
  };
}
