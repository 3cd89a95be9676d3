// Transparency towards the person (seed 002; the right of access of the intercantonal
// data-protection convention CPDT-JUNE): who read his data and when, and everything the
// counter holds about him in one export. Each request is itself written to the access log.
import { citeShort, inParens, voiceFor, voiceOf } from '../domain/words';
import type { Db } from '../infra/db';
import { renderTextPdf } from '../infra/pdf';
import { writeAccessLog } from '../records/access-log';
import { readerOf, type Caller } from './caller';

const day = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function transparencyUseCases({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
  /** The records the counter keeps about this person, by kind. */
  async function recordsOf(sub: string) {
    const [user, applications, decisions, accessRequests, consents] = await Promise.all([
      db.registeredUser.findUnique({
        where: { sub },
        include: { contracts: { include: { acceptances: true, amendments: true } }, contactChanges: { orderBy: { changedAt: 'asc' } } },
      }),
      db.onboardingApplication.findMany({ where: { applicantSub: sub }, orderBy: { submittedAt: 'asc' } }),
      db.decision.findMany({ where: { recipientSub: sub }, omit: { document: true }, include: { postalEvents: true }, orderBy: { createdAt: 'asc' } }),
      db.accessRequest.findMany({ where: { citizenSub: sub }, orderBy: { requestedAt: 'asc' } }),
      db.serviceConsent.findMany({ where: { userSub: sub }, orderBy: { grantedAt: 'asc' } }),
    ]);
    return { user, applications, decisions, accessRequests, consents };
  }

  /** Staff and operators' reads of these records: role and unit, what, when, why (never the staff member's own id). */
  async function readsOf(sub: string, r: Awaited<ReturnType<typeof recordsOf>>) {
    const refs = [
      { recordType: 'onboarding-application', recordId: { in: r.applications.map((a) => a.id) } },
      { recordType: 'decision', recordId: { in: r.decisions.map((d) => d.id) } },
      { recordType: 'access-request', recordId: { in: r.accessRequests.map((a) => a.id) } },
      { recordType: 'contract', recordId: { in: r.user?.contracts.map((c) => c.id) ?? [] } },
    ];
    const rows = await db.accessLog.findMany({ where: { OR: refs, NOT: { actorSub: sub } }, orderBy: { at: 'desc' }, take: 1000 });
    return rows.map((a) => ({
      at: a.at.toISOString(),
      role: a.actorRole,
      unit: a.actorUnit,
      action: a.action,
      record: { type: a.recordType, id: a.recordId },
      purpose: a.purpose,
    }));
  }

  async function logged(caller: Caller, action: string, purpose: string) {
    await writeAccessLog(db, { ...readerOf(caller), action, recordType: 'person', recordId: caller.principal.sub, purpose });
  }

  async function exportOf(caller: Caller) {
    const sub = caller.principal.sub;
    const r = await recordsOf(sub);
    const u = r.user;
    return {
      generatedAt: now().toISOString(),
      subject: sub,
      userRegister: u && {
        registeredAt: u.registeredAt.toISOString(),
        lastName: u.lastName,
        firstName: u.firstName,
        avsNumber: u.avsNumber,
        birthDate: u.birthDate,
        email: u.email,
        address: { street: u.street, postCode: u.postCode, locality: u.locality },
        commune: u.commune,
        canton: u.canton,
      },
      contracts: (u?.contracts ?? []).map((c) => ({
        contractId: c.id,
        status: c.status,
        startedOn: c.startedOn,
        endedOn: c.endedOn,
        termsVersion: c.termsVersion,
        signature: { documentSha256: c.documentSha256, signedAt: c.signedAt.toISOString() },
        termsAcceptances: c.acceptances.map((a) => ({ version: a.version, signedAt: a.signedAt.toISOString(), documentSha256: a.documentSha256 })),
        specialClauses: c.amendments.flatMap((a) => a.clauses),
      })),
      contactChanges: (u?.contactChanges ?? []).map((c) => ({ at: c.changedAt.toISOString(), previous: c.previous, current: c.current })),
      applications: r.applications.map((a) => ({
        applicationId: a.id,
        submittedAt: a.submittedAt.toISOString(),
        status: a.status,
        decidedAt: day(a.decidedAt),
        refusalReasons: a.refusalReasons,
      })),
      decisions: r.decisions.map((d) => ({
        decisionId: d.id,
        unitId: d.unitId,
        reference: d.reference,
        title: d.title,
        documentSha256: d.documentSha256,
        channel: d.channel,
        state: d.state,
        openedAt: day(d.openedAt),
        serviceRule: d.serviceRule,
        remedyPeriod: d.remedyStart ? { start: d.remedyStart, lastDay: d.remedyLastDay } : null,
        postalEvents: d.postalEvents.map((e) => ({ type: e.type, occurredOn: e.occurredOn })),
      })),
      consents: r.consents.map((c) => ({ unitId: c.unitId, domain: c.domain, grantedAt: c.grantedAt.toISOString(), revokedAt: day(c.revokedAt) })),
      accessRequests: r.accessRequests.map((a) => ({
        requestId: a.id,
        unitId: a.unitId,
        service: a.service,
        requestedAt: a.requestedAt.toISOString(),
        status: a.status,
        reason: a.reason,
      })),
      readsByStaff: await readsOf(sub, r),
    };
  }

  return {
    async accessLog(caller: Caller) {
      const items = await readsOf(caller.principal.sub, await recordsOf(caller.principal.sub));
      await logged(caller, 'read.own-access-log', 'the person reads who read his data');
      return items;
    },

    async exportJson(caller: Caller) {
      const out = await exportOf(caller);
      await logged(caller, 'export.json', 'the person exports what the counter holds about him (right of access)');
      return out;
    },

    async exportPdf(caller: Caller): Promise<Buffer> {
      const e = await exportOf(caller);
      await logged(caller, 'export.pdf', 'the person exports what the counter holds about him (right of access)');
      const u = e.userRegister;
      // In the words of the person's canton: its counter's name, its article if it has one.
      const { words: w } = voiceOf(voiceFor(u?.canton));
      const kv = (o: object) => Object.entries(o).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
      return renderTextPdf({
        title: `Vos données au ${w.counter.fr}`,
        subtitle: `Extrait établi le ${e.generatedAt.slice(0, 10)} (droit d'accès). Tout ce que le guichet conserve à votre sujet.`,
        at: now(),
        sections: [
          {
            heading: 'Registre des utilisateurs',
            lines: u
              ? kv({
                  nom: `${u.firstName} ${u.lastName}`,
                  'numéro AVS': u.avsNumber,
                  'date de naissance': u.birthDate,
                  'e-mail': u.email,
                  adresse: `${u.address.street}, ${u.address.postCode} ${u.address.locality}`,
                  commune: u.commune,
                })
              : [],
          },
          {
            heading: "Contrats d'utilisation",
            lines: e.contracts.flatMap((c) =>
              kv({ contrat: c.contractId, statut: c.status, début: c.startedOn, fin: c.endedOn ?? '—', 'conditions générales': c.termsVersion }),
            ),
          },
          { heading: 'Demandes de contrat', lines: e.applications.flatMap((a) => kv({ demande: a.applicationId, déposée: a.submittedAt, statut: a.status })) },
          {
            heading: 'Décisions notifiées',
            lines: e.decisions.flatMap((d) =>
              kv({ décision: d.title, référence: d.reference, unité: d.unitId, notification: d.serviceRule ?? d.state, 'empreinte SHA-256': d.documentSha256 }),
            ),
          },
          {
            heading: `Autorisations de notification${inParens(citeShort(w, 'consentToService', 'fr'))}`,
            lines: e.consents.map(
              (c) => `${c.unitId} / ${c.domain}: depuis ${c.grantedAt.slice(0, 10)}${c.revokedAt ? `, révoquée le ${c.revokedAt.slice(0, 10)}` : ''}`,
            ),
          },
          {
            heading: "Demandes d'accès à des prestations",
            lines: e.accessRequests.map((a) => `${a.unitId} / ${a.service}: ${a.status} (${a.requestedAt.slice(0, 10)})`),
          },
          {
            heading: 'Consultations de vos données par le personnel',
            lines: e.readsByStaff.map((r) => `${r.at.slice(0, 16).replace('T', ' ')} — ${r.role}${r.unit ? ` (${r.unit})` : ''}: ${r.action} — ${r.purpose}`),
          },
        ],
      });
    },
  };
}
