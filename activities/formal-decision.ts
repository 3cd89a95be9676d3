// Formal decisions on request (CPA; Art. 4.8, 5.3, 10.2, 14.4): the competent authority's
// decision as a PDF with its reasons and remedies, served like any decision (Art. 16-17) by
// the decisionService process; and what an approval changes (access granted, a contract
// restored, a block lifted).
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { profiles, type CantonCode, type CantonProfile } from '../domain/profiles';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import { lifecycleInput } from './contracts';
import type { FormalDecisionGround } from '../workflows/formal-decision/definitions';
import { formalDecisionTaskId } from '../workflows/formal-decision/definitions';
import { winAnsiText } from './letter-pdf';
import { formalDecisionRequested, formatSwissDate } from './mail-templates';
import type { ContractEngine, Mailer, RetentionEngine } from './ports';

export const CHANCELLERY_UNIT = {
  id: 'CHA',
  name: "Chancellerie d'Etat",
  address: ["Chancellerie d'Etat", 'Rue de l’Hôpital 2', '2800 Delémont'],
  domains: ['guichet'],
};

export interface Authority {
  name: string;
  /** Address lines, the first being the name */
  address: string[];
}

/** The remedy against the authority's formal decision: opposition goes to the authority that decided (CPA Art. 94 ss). */
export function formalDecisionRemedy(profile: CantonProfile, authority: Authority = CHANCELLERY_UNIT) {
  const kind = profile.remedies.defaultKind;
  const days = profile.remedies.defaultDays;
  const where = [authority.name, ...authority.address.slice(1)].join(', ');
  const text =
    kind === 'opposition'
      ? `Opposition dans les ${days} jours dès la notification, par écrit et motivée, auprès de ${where} (Code de procédure administrative, art. 94 ss). Elle ne peut pas être déposée par le guichet virtuel (art. 17).`
      : `Recours dans les ${days} jours dès la notification, par écrit et motivé, auprès de l'autorité de recours indiquée par la loi. Il ne peut pas être déposé par le guichet virtuel.`;
  return { kind, days, text };
}

/** Each ground's words: what is contested, what the authority considered, what it decides. */
const WORDING: Record<
  FormalDecisionGround,
  { title: string; reference: string; considering: string; refuse: string; approve: string; about: string; article: string }
> = {
  'onboarding-refused': {
    title: 'accès au guichet virtuel sécurisé',
    reference: 'ONB',
    considering:
      "Vu la demande de contrat d'utilisation du guichet virtuel sécurisé, le refus communiqué et la demande de décision formelle (art. 4 al. 8 de l'ordonnance concernant le guichet virtuel sécurisé),",
    refuse: "L'accès au guichet virtuel sécurisé est refusé.",
    approve: "L'accès au guichet virtuel sécurisé est accordé : le contrat d'utilisation prend effet ce jour.",
    about: 'le refus de votre accès au guichet virtuel sécurisé',
    article: 'art. 4 al. 8',
  },
  'terms-kept-blocked': {
    title: "blocage de l'accès après le refus des conditions générales",
    reference: 'CGU',
    considering:
      "Vu le refus des conditions générales d'utilisation, le maintien du blocage de l'accès et la demande de décision formelle (art. 5 al. 3 de l'ordonnance concernant le guichet virtuel sécurisé),",
    refuse: "Le blocage de l'accès au guichet virtuel sécurisé est maintenu jusqu'à l'acceptation des conditions générales en vigueur.",
    approve: 'Le blocage est levé : le contrat se poursuit, aux clauses particulières indiquées dans les motifs.',
    about: 'le maintien du blocage de votre accès après votre refus des conditions générales',
    article: 'art. 5 al. 3',
  },
  'terms-revoked': {
    title: "révocation du contrat d'utilisation",
    reference: 'REV',
    considering:
      "Vu le refus des conditions générales d'utilisation, la révocation du contrat et la demande de décision formelle (art. 5 al. 3 de l'ordonnance concernant le guichet virtuel sécurisé),",
    refuse: "La révocation du contrat d'utilisation du guichet virtuel sécurisé est confirmée.",
    approve: "La révocation du contrat d'utilisation est annulée : le contrat se poursuit dès ce jour, aux clauses particulières indiquées dans les motifs.",
    about: 'la révocation de votre contrat après votre refus des conditions générales',
    article: 'art. 5 al. 3',
  },
  'terminated-for-abuse': {
    title: "résiliation du contrat d'utilisation pour abus",
    reference: 'RES',
    considering:
      "Vu la résiliation du contrat d'utilisation pour abus et la demande de décision formelle (art. 10 al. 2 de l'ordonnance concernant le guichet virtuel sécurisé),",
    refuse: "La résiliation du contrat d'utilisation du guichet virtuel sécurisé pour abus est confirmée.",
    approve: "La résiliation du contrat d'utilisation est annulée : le contrat se poursuit dès ce jour.",
    about: 'la résiliation de votre contrat pour abus',
    article: 'art. 10 al. 2',
  },
  'access-refused': {
    title: 'accès à une prestation du guichet',
    reference: 'PRE',
    considering:
      "Vu la demande d'accès à la prestation « {service} », son refus et la demande de décision formelle (art. 14 al. 4 de l'ordonnance concernant le guichet virtuel sécurisé),",
    refuse: "L'accès à la prestation « {service} » est refusé.",
    approve: "L'accès à la prestation « {service} » est accordé.",
    about: 'le refus de votre accès à la prestation « {service} »',
    article: 'art. 14 al. 4',
  },
};

const fill = (text: string, service: string | undefined) => text.replaceAll('{service}', service ?? '');

interface Recipient {
  firstName: string;
  lastName: string;
  street: string;
  postCode: string;
  locality: string;
}

/** The formal decision's PDF: the authority, the person, what was considered, the operative part, the reasons, the remedies. */
export async function renderFormalDecision(input: {
  authority: Authority;
  recipient: Recipient;
  reference: string;
  ground: FormalDecisionGround;
  outcome: 'approve' | 'refuse';
  service?: string;
  grounds: string[];
  decidedOn: string;
  remedyText: string;
}): Promise<Buffer> {
  const t = winAnsiText;
  const w = WORDING[input.ground];
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 62, right: 56 },
    lang: 'fr-CH',
    info: { Title: t('Décision formelle'), Author: t(input.authority.name), CreationDate: new Date(`${input.decidedOn}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const place = (input.authority.address.at(-1) ?? '').replace(/^\d{4}\s+/, '');
  const r = input.recipient;

  doc.font('Helvetica-Bold').fontSize(11).text(t(input.authority.name));
  doc.font('Helvetica').text(input.authority.address.slice(1).map(t).join('\n'));
  doc.moveDown(2).text(t(`${r.firstName} ${r.lastName}\n${r.street}\n${r.postCode} ${r.locality}`), { align: 'right' });
  doc.moveDown(2).text(t(`${place ? `${place}, le` : 'Le'} ${formatSwissDate(input.decidedOn)}`));
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(13)
    .text(t(`Décision formelle — ${w.title} (réf. ${input.reference})`));
  doc.moveDown().font('Helvetica').fontSize(11);
  doc.text(t(fill(w.considering, input.service)));
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .text(t(`${input.authority.name} décide :`));
  doc.font('Helvetica').text(t(`1. ${fill(input.outcome === 'refuse' ? w.refuse : w.approve, input.service)}`));
  doc.moveDown().font('Helvetica-Bold').text(t('Motifs'));
  doc.font('Helvetica');
  for (const g of input.grounds) doc.text(t(`– ${g}`));
  doc.moveDown().font('Helvetica-Bold').text(t('Voies de droit'));
  doc.font('Helvetica').text(t(input.remedyText));
  doc.end();
  return done;
}

/** Stores a formal decision as a decision record with its PDF, ready to be served; once per reference. */
export async function storeFormalDecision(
  db: Db,
  d: {
    decisionId: string;
    reference: string;
    canton: string;
    unitId: string;
    domain: string;
    recipientSub: string;
    title: string;
    pdf: Buffer;
    remedy: { kind: string; days: number; text: string };
  },
): Promise<{ decisionId: string }> {
  const existing = await db.decision.findUnique({ where: { unitId_reference: { unitId: d.unitId, reference: d.reference } } });
  if (existing) return { decisionId: existing.id };
  await db.decision.create({
    data: {
      id: d.decisionId,
      canton: d.canton,
      unitId: d.unitId,
      domain: d.domain,
      reference: d.reference,
      recipientSub: d.recipientSub,
      title: d.title,
      document: new Uint8Array(d.pdf),
      documentSha256: createHash('sha256').update(d.pdf).digest('hex'),
      remedyKind: d.remedy.kind,
      remedyDays: d.remedy.days,
      provisionalMeasure: false,
      legalRemediesText: d.remedy.text,
      channel: 'pending',
      state: 'checking-consent',
    },
  });
  await writeAudit(db, { ...SYSTEM_ACTOR, action: 'formal-decision.issued', recordType: 'decision', recordId: d.decisionId });
  return { decisionId: d.decisionId };
}

export interface FormalDecisionDeps {
  db: Db;
  mailer: Mailer;
  contracts: ContractEngine;
  retention: RetentionEngine;
}

export function createFormalDecisionActivities({ db, mailer, contracts, retention }: FormalDecisionDeps) {
  const request = (id: string) => db.formalDecisionRequest.findUniqueOrThrow({ where: { id } });
  /** The person the decision goes to, with his current contact data (Art. 7.3). */
  async function person(r: { ground: string; recordId: string; personSub: string }): Promise<Recipient & { email: string }> {
    if (r.ground === 'onboarding-refused') return db.onboardingApplication.findUniqueOrThrow({ where: { id: r.recordId } });
    return db.registeredUser.findUniqueOrThrow({ where: { sub: r.personSub } });
  }
  async function authority(unitId: string): Promise<Authority & { domains: string[] }> {
    if (unitId === CHANCELLERY_UNIT.id) {
      await db.unit.upsert({ where: { id: CHANCELLERY_UNIT.id }, create: CHANCELLERY_UNIT, update: {} });
      return CHANCELLERY_UNIT;
    }
    return db.unit.findUniqueOrThrow({ where: { id: unitId } });
  }
  /** The newest version the user accepted or agreed with special clauses. */
  async function boundVersion(c: { id: string; termsVersion: string }): Promise<string> {
    const [accepted, amended] = await Promise.all([
      db.termsAcceptance.findFirst({ where: { contractId: c.id }, orderBy: { acceptedAt: 'desc' } }),
      db.contractAmendment.findFirst({ where: { contractId: c.id }, orderBy: { agreedAt: 'desc' } }),
    ]);
    const latest = [accepted && { v: accepted.version, at: accepted.acceptedAt }, amended && { v: amended.termsVersion, at: amended.agreedAt }]
      .filter((x) => !!x)
      .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return latest?.v ?? c.termsVersion;
  }
  const serviceOf = async (r: { ground: string; recordId: string }) =>
    r.ground === 'access-refused' ? (await db.accessRequest.findUniqueOrThrow({ where: { id: r.recordId } })).service : undefined;

  return {
    /** The person is told that the request was received and who decides. */
    async acknowledgeFormalDecisionRequest({ requestId }: { requestId: string }): Promise<void> {
      const r = await request(requestId);
      const sent = await sendOnce(db, mailer, {
        id: `${requestId}:received`,
        template: 'formal-decision-requested',
        recordType: 'formal-decision-request',
        recordId: requestId,
        compose: async () => {
          const p = await person(r);
          const a = await authority(r.unitId);
          const about = fill(WORDING[r.ground as FormalDecisionGround].about, await serviceOf(r));
          return { to: p.email, ...formalDecisionRequested({ firstName: p.firstName, lastName: p.lastName, reference: r.recordId, about, authority: a.name }) };
        },
      });
      if (sent === 'rejected')
        await writeAudit(db, {
          ...SYSTEM_ACTOR,
          action: 'mail.rejected.formal-decision-requested',
          recordType: 'formal-decision-request',
          recordId: requestId,
        });
    },

    /**
     * What an approval changes, before the decision states it: access to the service granted
     * (Art. 14), a block lifted with the authority's clauses (Art. 5.3), an ended contract
     * restored (Art. 5.3, 10.2). Onboarding's admission is the onboarding activities' own.
     */
    async applyFormalDecisionApproval({ requestId, by, justification }: { requestId: string; by: string; justification: string }): Promise<void> {
      const r = await request(requestId);
      switch (r.ground as FormalDecisionGround) {
        case 'access-refused':
          await db.accessRequest.update({ where: { id: r.recordId }, data: { status: 'granted', outcome: 'grant', decidedBySub: by, decidedAt: new Date() } });
          await writeAudit(db, {
            actorRole: 'unit',
            actorSub: by,
            action: 'access-request.granted-by-formal-decision',
            recordType: 'access-request',
            recordId: r.recordId,
          });
          return;
        case 'terms-kept-blocked':
          await contracts.liftBlockByDecision(r.recordId, { requestId, by, clauses: [justification], taskId: formalDecisionTaskId(requestId) });
          return;
        case 'terms-revoked':
        case 'terminated-for-abuse': {
          const c = await db.contract.findUniqueOrThrow({ where: { id: r.recordId } });
          if (c.endedOn) {
            await db.contract.update({
              where: { id: c.id },
              data: { endedOn: null, endGround: null, endReasons: [], status: 'active', statusReason: null, noticeEndsOn: null },
            });
            // Its evidence is a running contract's again: no destruction a year after an end that is annulled.
            await retention.cancel('contract', c.id);
          }
          const taskId = formalDecisionTaskId(requestId);
          if (r.ground === 'terms-revoked') {
            // The revocation annulled: the version refused binds the user with the authority's clauses (Art. 5.3, 6).
            const pending = (await lifecycleInput(db, c, await boundVersion(c))).pendingTerms;
            if (pending)
              await db.contractAmendment.upsert({
                where: { taskId },
                create: {
                  id: `amendment-${taskId}`,
                  contractId: c.id,
                  termsVersion: pending.version,
                  clauses: [justification],
                  taskId,
                  agreedBy: by,
                  agreedAt: new Date(),
                },
                update: {},
              });
          }
          await contracts.restore(await lifecycleInput(db, c, await boundVersion(c)));
          await writeAudit(db, {
            actorRole: 'chancellery',
            actorSub: by,
            action: 'contract.restored-by-formal-decision',
            recordType: 'contract',
            recordId: c.id,
          });
          return;
        }
        case 'onboarding-refused':
          return;
      }
    },

    /** The formal decision as a decision record with its PDF (once per request). */
    async issueFormalDecisionOnRequest({
      requestId,
      outcome,
      grounds,
      decidedOn,
    }: {
      requestId: string;
      outcome: 'approve' | 'refuse';
      grounds: string[];
      decidedOn: string;
    }): Promise<{ decisionId: string }> {
      const r = await request(requestId);
      const ground = r.ground as FormalDecisionGround;
      const a = await authority(r.unitId);
      const remedy = formalDecisionRemedy(profiles[r.canton as CantonCode], a);
      const reference = `GVS-${WORDING[ground].reference}-${r.recordId}`;
      const pdf = await renderFormalDecision({
        authority: a,
        recipient: await person(r),
        reference,
        ground,
        outcome,
        service: await serviceOf(r),
        grounds,
        decidedOn,
        remedyText: remedy.text,
      });
      return storeFormalDecision(db, {
        decisionId: `fd-${requestId}`,
        reference,
        canton: r.canton,
        unitId: r.unitId,
        domain: a.domains[0] ?? 'guichet',
        recipientSub: r.personSub,
        title: `Décision formelle : ${WORDING[ground].title}`,
        pdf,
        remedy,
      });
    },

    async recordFormalDecisionIssued({
      requestId,
      decisionId,
      outcome,
    }: {
      requestId: string;
      decisionId: string;
      outcome: 'approve' | 'refuse';
    }): Promise<void> {
      await db.formalDecisionRequest.update({ where: { id: requestId }, data: { status: 'decided', outcome, decisionId, decidedAt: new Date() } });
      await writeAudit(db, { ...SYSTEM_ACTOR, action: `formal-decision.decided.${outcome}`, recordType: 'formal-decision-request', recordId: requestId });
    },
  };
}
