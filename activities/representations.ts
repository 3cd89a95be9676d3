// Side effects of a representation through the Chancellery (Art. 9.4, 9.5). Each is
// idempotent: a retry after a crash writes one user, one contract, one proxy, one e-mail.
import { voiceFor } from './formal-decision';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { profiles, type CantonCode } from '../domain/profiles';
import { lastDayOfParentalAuthority, type RepresentedChecks, type RepresentedFacts } from '../domain/representation';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import { personalData } from '../workflows/personal-data';
import { representedSubOf } from '../workflows/representation/definitions';
import type { Admission } from '../workflows/representation/types';
import { representationApproved, representationRefused } from './mail-templates';
import type { Mailer, ProtectionRegister, ProxyEngine, ResidentRegister } from './ports';

export interface RepresentationDeps {
  db: Db;
  registers: { resident: ResidentRegister; protection: ProtectionRegister };
  mailer: Mailer;
  proxies?: ProxyEngine;
}

const audit = (db: Parameters<typeof writeAudit>[0], action: string, recordType: string, recordId: string) =>
  writeAudit(db, { ...SYSTEM_ACTOR, action, recordType, recordId });

export function createRepresentationActivities({ db, registers, mailer, proxies }: RepresentationDeps) {
  const request = (id: string) => db.representationRequest.findUniqueOrThrow({ where: { id } });

  return {
    /** Art. 9.5: what the resident register (birth date: a minor?) and the protection register (a measure?) say. */
    async checkRepresentedPerson({ requestId }: { requestId: string }): Promise<RepresentedFacts> {
      const { avsNumber } = await request(requestId);
      const [resident, measure] = await Promise.all([registers.resident.lookup(avsNumber), registers.protection.hasMeasure(avsNumber)]);
      return personalData('representation-request', requestId, {
        found: resident !== null,
        domiciledInCanton: resident?.domiciledInCanton ?? false,
        birthDate: resident?.birthDate ?? null,
        protectionMeasure: (resident?.protectionMeasure ?? false) || measure,
      });
    },

    /** The register's answer, on the request the reviewer reads. */
    async recordRepresentationChecks({ requestId, checks }: { requestId: string; checks: RepresentedChecks }): Promise<void> {
      await db.representationRequest.update({ where: { id: requestId }, data: { checks: { ...checks }, status: 'awaiting-review' } });
      await audit(db, 'representation.checked', 'representation-request', requestId);
    },

    /**
     * Approved: the person enters the user register with a subject of her own, her contract
     * starts and the representative's standing proxy is written active — in one transaction.
     */
    async admitRepresentedPerson({
      requestId,
      taskId,
      startedOn,
      by,
    }: {
      requestId: string;
      taskId: string;
      startedOn: string;
      by: string;
    }): Promise<Admission> {
      const result = await db.$transaction(async (tx): Promise<Admission> => {
        const r = await tx.representationRequest.findUniqueOrThrow({ where: { id: requestId } });
        const contractId = `contract-${requestId}`;
        if (r.status === 'approved' && r.representedSub && r.proxyId) {
          const p = await tx.proxy.findUniqueOrThrow({ where: { id: r.proxyId } });
          return { outcome: 'admitted', representedSub: r.representedSub, contractId, proxyId: r.proxyId, until: p.until, services: p.services };
        }
        // One person, one subject (Art. 8): she may have entered the register since the request.
        if (await tx.registeredUser.findUnique({ where: { avsNumber: r.avsNumber } })) return { outcome: 'already-registered' };
        const canton = r.canton as CantonCode;
        const checks = (r.checks ?? {}) as Partial<RepresentedChecks>;
        const legal = r.kind === 'legal-representation';
        // A minor: until the day before her majority, from the register's birth date (else the stated one).
        const until =
          legal && r.basis === 'parental-authority'
            ? (checks.lastDay ?? lastDayOfParentalAuthority(r.birthDate, profiles[canton]))
            : legal
              ? null // a protection measure: until the Chancellery records its end in writing
              : r.until;
        if (until && until < startedOn) return { outcome: 'of-age' };
        const representative = await tx.registeredUser.findUniqueOrThrow({ where: { sub: r.representativeSub } });
        const sub = representedSubOf(requestId);
        const terms = await tx.termsVersion.findFirst({ where: { canton }, orderBy: { sequence: 'desc' } });
        const user = await tx.registeredUser.create({
          data: {
            id: `user-${requestId}`,
            sub,
            avsNumber: r.avsNumber,
            lastName: r.lastName,
            firstName: r.firstName,
            // Her own address if she has one; else the counter writes to her representative (README: representation).
            email: r.email ?? representative.email,
            street: r.street,
            postCode: r.postCode,
            locality: r.locality,
            commune: r.commune,
            birthDate: r.birthDate,
            canton,
            applicationId: requestId,
          },
        });
        await tx.contract.create({
          data: {
            id: contractId,
            userId: user.id,
            applicationId: requestId,
            status: 'active',
            canton,
            startedOn,
            termsVersion: terms?.version ?? 'none',
            documentSha256: terms?.documentSha256 ?? '',
            // The evidence is the Chancellery's decision on the request (and, Art. 9.4, the paper contract it recorded).
            signatureValue: `${r.kind}:${taskId}`,
            signedAt: new Date(),
            identityProofRef: legal ? `legal-representation:${taskId}` : `written:${taskId}`,
            identityEvidence: { requestId, kind: r.kind, basis: r.basis, representativeSub: r.representativeSub, decidedBy: by, taskId },
            signatureEvidence: Prisma.DbNull,
          },
        });
        const services = legal ? [] : r.services;
        await tx.proxy.create({
          data: {
            id: requestId,
            canton,
            grantorSub: sub,
            representativeSub: r.representativeSub,
            services,
            // Art. 9.5: he acts for her in everything, her decisions included.
            decisions: legal ? true : r.decisions,
            until,
            status: 'active',
            offeredAt: new Date(),
            acceptedAt: new Date(),
            form: legal ? 'legal-representation' : 'written-contract',
          },
        });
        await tx.representationRequest.update({
          where: { id: requestId },
          data: { status: 'approved', representedSub: sub, proxyId: requestId, decidedAt: new Date() },
        });
        await audit(tx, 'user.registered.represented', 'registered-user', user.id);
        await audit(tx, 'contract.started', 'contract', contractId);
        await audit(tx, `proxy.active.${legal ? 'legal-representation' : 'written-contract'}`, 'proxy', requestId);
        return { outcome: 'admitted', representedSub: sub, contractId, proxyId: requestId, until, services };
      });
      return personalData('representation-request', requestId, result);
    },

    /**
     * The standing proxy's own process (its timer ends a minor's at majority), which outlives the
     * request's. Its input holds the last day, which can tell a birth date: under the proxy's key.
     */
    async startStandingProxy({ proxyId, by }: { proxyId: string; by: string }): Promise<void> {
      if (!proxies) throw new Error('no proxy engine configured for the worker: the standing proxy cannot start');
      const p = await db.proxy.findUniqueOrThrow({ where: { id: proxyId } });
      await proxies.start(
        personalData('proxy', proxyId, {
          proxyId,
          canton: p.canton as CantonCode,
          offeredAt: p.offeredAt.toISOString(),
          until: p.until ?? undefined,
          unrestricted: p.services.length === 0,
          standing: { form: p.form as 'legal-representation' | 'written-contract', by },
        }),
      );
      await audit(db, 'proxy.process-started', 'proxy', proxyId);
    },

    async refuseRepresentation({ requestId, reasons }: { requestId: string; reasons: string[] }): Promise<void> {
      await db.representationRequest.update({ where: { id: requestId }, data: { status: 'refused', refusalReasons: reasons, decidedAt: new Date() } });
      await audit(db, 'representation.refused', 'representation-request', requestId);
    },

    /** To the representative, once each. */
    async sendRepresentationMail({
      requestId,
      template,
    }: {
      requestId: string;
      template: 'representation-approved' | 'representation-refused';
    }): Promise<void> {
      const sent = await sendOnce(db, mailer, {
        id: `${requestId}:${template}`,
        template,
        recordType: 'representation-request',
        recordId: requestId,
        compose: async () => {
          const r = await request(requestId);
          const rep = await db.registeredUser.findUniqueOrThrow({ where: { sub: r.representativeSub } });
          const base = {
            firstName: rep.firstName,
            lastName: rep.lastName,
            requestId,
            kind: r.kind as 'legal-representation' | 'written-proxy-contract',
            person: { firstName: r.firstName, lastName: r.lastName },
          };
          if (template === 'representation-refused')
            return { to: rep.email, ...representationRefused({ ...base, reasons: r.refusalReasons }, voiceFor(r.canton)) };
          const p = r.proxyId ? await db.proxy.findUnique({ where: { id: r.proxyId } }) : null;
          return {
            to: rep.email,
            ...representationApproved(
              { ...base, representedSub: r.representedSub ?? '', lastDay: r.basis === 'parental-authority' ? p?.until : null },
              voiceFor(r.canton),
            ),
          };
        },
      });
      if (sent === 'sent') await audit(db, `mail.sent.${template}`, 'representation-request', requestId);
      if (sent === 'rejected') await audit(db, `mail.rejected.${template}`, 'representation-request', requestId);
    },
  };
}
