// Formal decisions on request (CPA; Art. 4.8, 5.3, 10.2, 14.4): the competent authority's
// decision as a PDF with its reasons and remedies, served like any decision (Art. 16-17) by
// the decisionService process; and what an approval changes (access granted, a contract
// restored, a block lifted).
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { type CantonProfile, type CitationKey, type Lang } from '../domain/profiles';
import { ruleSetById } from '../domain/rule-sets';
import { citeShort, inParens, voiceFor, voiceOf, type Voice } from '../domain/words';
import type { Db } from '../infra/db';
import { SYSTEM_ACTOR, writeAudit } from '../records/audit';
import { sendOnce } from '../records/outbox';
import { lifecycleInput } from './contracts';
import type { FormalDecisionGround } from '../workflows/formal-decision/definitions';
import { formalDecisionTaskId } from '../workflows/formal-decision/definitions';
import { winAnsiText } from './letter-pdf';
import { formalDecisionRequested, formatSwissDate, LEGACY_VOICE } from './mail-templates';
import type { ContractEngine, Mailer, RetentionEngine } from './ports';

/** The Chancellery as the authority of its formal decisions, in the rule set's words. */
export function chancelleryUnit(voice: Voice = LEGACY_VOICE) {
  const { words: w, lang } = voiceOf(voice);
  return { id: 'CHA', name: w.chancellery[lang], address: [...w.chancelleryAddress[lang]], domains: ['guichet'] };
}
/** The Jura Chancellery: what processes started before rule sets were pinned name. */
export const CHANCELLERY_UNIT = chancelleryUnit(LEGACY_VOICE);

export { voiceFor } from '../domain/words';

export interface Authority {
  name: string;
  /** Address lines, the first being the name */
  address: string[];
}

/** The remedy against the authority's formal decision: opposition goes to the authority that decided (JU CPA Art. 94 ss). */
export function formalDecisionRemedy(profile: CantonProfile, authority: Authority = CHANCELLERY_UNIT, lang?: Lang) {
  const w = profile.words;
  const l = lang ?? w.defaultLanguage;
  const kind = profile.remedies.defaultKind;
  const days = profile.remedies.defaultDays;
  const where = [authority.name, ...authority.address.slice(1)].join(', ');
  const counter = w.counter[l];
  const law = inParens(citeShort(w, 'opposition', l)); // JU: CPA Art. 94 ss
  const noRemedy = inParens(citeShort(w, 'noRemedyThroughCounter', l));
  const text =
    l === 'fr'
      ? kind === 'opposition'
        ? `Opposition dans les ${days} jours dès la notification, par écrit et motivée, auprès de ${where}${law}. Elle ne peut pas être déposée par le ${counter}${noRemedy}.`
        : `Recours dans les ${days} jours dès la notification, par écrit et motivé, auprès de l'autorité de recours indiquée par la loi. Il ne peut pas être déposé par le ${counter}${noRemedy}.`
      : kind === 'opposition'
        ? `Einsprache innert ${days} Tagen ab Eröffnung, schriftlich und begründet, bei ${where}${law}. Sie kann nicht über den ${counter} erhoben werden${noRemedy}.`
        : `Beschwerde innert ${days} Tagen ab Eröffnung, schriftlich und begründet, bei der vom Gesetz bezeichneten Beschwerdeinstanz. Sie kann nicht über den ${counter} erhoben werden${noRemedy}.`;
  return { kind, days, text };
}

type Wording = { title: string; considering: string; refuse: string; approve: string; about: string };
const GROUND_CITATION: Record<FormalDecisionGround, CitationKey> = {
  'onboarding-refused': 'onboardingRefused',
  'terms-kept-blocked': 'termsRefusalExamined',
  'terms-revoked': 'termsRefusalExamined',
  'terminated-for-abuse': 'terminatedForAbuse',
  'access-refused': 'unitFormalDecision',
  'access-revoked': 'unitFormalDecision',
};
const REFERENCE: Record<FormalDecisionGround, string> = {
  'onboarding-refused': 'ONB',
  'terms-kept-blocked': 'CGU',
  'terms-revoked': 'REV',
  'terminated-for-abuse': 'RES',
  'access-refused': 'PRE',
  'access-revoked': 'PRR',
};

/** Each ground's words: what is contested, what the authority considered, what it decides; in the rule set's words. */
export function wording(ground: FormalDecisionGround, voice: Voice = LEGACY_VOICE, service?: string): Wording {
  const { words: w, lang } = voiceOf(voice);
  const gc = w.counter[lang];
  const cite = inParens(citeShort(w, GROUND_CITATION[ground], lang));
  const sv = service ?? '';
  const fr: Record<FormalDecisionGround, Wording> = {
    'onboarding-refused': {
      title: `accès au ${gc}`,
      considering: `Vu la demande de contrat d'utilisation du ${gc}, le refus communiqué et la demande de décision formelle${cite},`,
      refuse: `L'accès au ${gc} est refusé.`,
      approve: `L'accès au ${gc} est accordé : le contrat d'utilisation prend effet ce jour.`,
      about: `le refus de votre accès au ${gc}`,
    },
    'terms-kept-blocked': {
      title: "blocage de l'accès après le refus des conditions générales",
      considering: `Vu le refus des conditions générales d'utilisation, le maintien du blocage de l'accès et la demande de décision formelle${cite},`,
      refuse: `Le blocage de l'accès au ${gc} est maintenu jusqu'à l'acceptation des conditions générales en vigueur.`,
      approve: 'Le blocage est levé : le contrat se poursuit, aux clauses particulières indiquées dans les motifs.',
      about: 'le maintien du blocage de votre accès après votre refus des conditions générales',
    },
    'terms-revoked': {
      title: "révocation du contrat d'utilisation",
      considering: `Vu le refus des conditions générales d'utilisation, la révocation du contrat et la demande de décision formelle${cite},`,
      refuse: `La révocation du contrat d'utilisation du ${gc} est confirmée.`,
      approve: "La révocation du contrat d'utilisation est annulée : le contrat se poursuit dès ce jour, aux clauses particulières indiquées dans les motifs.",
      about: 'la révocation de votre contrat après votre refus des conditions générales',
    },
    'terminated-for-abuse': {
      title: "résiliation du contrat d'utilisation pour abus",
      considering: `Vu la résiliation du contrat d'utilisation pour abus et la demande de décision formelle${cite},`,
      refuse: `La résiliation du contrat d'utilisation du ${gc} pour abus est confirmée.`,
      approve: "La résiliation du contrat d'utilisation est annulée : le contrat se poursuit dès ce jour.",
      about: 'la résiliation de votre contrat pour abus',
    },
    'access-refused': {
      title: 'accès à une prestation du guichet',
      considering: `Vu la demande d'accès à la prestation « ${sv} », son refus et la demande de décision formelle${cite},`,
      refuse: `L'accès à la prestation « ${sv} » est refusé.`,
      approve: `L'accès à la prestation « ${sv} » est accordé.`,
      about: `le refus de votre accès à la prestation « ${sv} »`,
    },
    'access-revoked': {
      title: "révocation de l'accès à une prestation du guichet",
      considering: `Vu la révocation de l'accès à la prestation « ${sv} » pour abus ou violation des règles d'utilisation et la demande de décision formelle${cite},`,
      refuse: `La révocation de l'accès à la prestation « ${sv} » est confirmée.`,
      approve: `La révocation est annulée : l'accès à la prestation « ${sv} » est rétabli dès ce jour.`,
      about: `la révocation de votre accès à la prestation « ${sv} »`,
    },
  };
  const de: Record<FormalDecisionGround, Wording> = {
    'onboarding-refused': {
      title: `Zugang zum ${gc}`,
      considering: `Gestützt auf den Antrag auf einen Nutzungsvertrag für den ${gc}, die mitgeteilte Ablehnung und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Der Zugang zum ${gc} wird verweigert.`,
      approve: `Der Zugang zum ${gc} wird gewährt: Der Nutzungsvertrag tritt heute in Kraft.`,
      about: `die Ablehnung Ihres Zugangs zum ${gc}`,
    },
    'terms-kept-blocked': {
      title: 'Sperre des Zugangs nach Ablehnung der Nutzungsbedingungen',
      considering: `Gestützt auf die Ablehnung der Allgemeinen Nutzungsbedingungen, die Aufrechterhaltung der Sperre und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Die Sperre des Zugangs zum ${gc} bleibt bis zur Annahme der geltenden Nutzungsbedingungen bestehen.`,
      approve: 'Die Sperre wird aufgehoben: Der Vertrag läuft weiter, mit den in der Begründung genannten besonderen Klauseln.',
      about: 'die Aufrechterhaltung der Sperre Ihres Zugangs nach Ihrer Ablehnung der Nutzungsbedingungen',
    },
    'terms-revoked': {
      title: 'Widerruf des Nutzungsvertrags',
      considering: `Gestützt auf die Ablehnung der Allgemeinen Nutzungsbedingungen, den Widerruf des Vertrags und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Der Widerruf des Nutzungsvertrags für den ${gc} wird bestätigt.`,
      approve: 'Der Widerruf des Nutzungsvertrags wird aufgehoben: Der Vertrag läuft ab heute weiter, mit den in der Begründung genannten besonderen Klauseln.',
      about: 'den Widerruf Ihres Vertrags nach Ihrer Ablehnung der Nutzungsbedingungen',
    },
    'terminated-for-abuse': {
      title: 'Kündigung des Nutzungsvertrags wegen Missbrauchs',
      considering: `Gestützt auf die Kündigung des Nutzungsvertrags wegen Missbrauchs und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Die Kündigung des Nutzungsvertrags für den ${gc} wegen Missbrauchs wird bestätigt.`,
      approve: 'Die Kündigung des Nutzungsvertrags wird aufgehoben: Der Vertrag läuft ab heute weiter.',
      about: 'die Kündigung Ihres Vertrags wegen Missbrauchs',
    },
    'access-refused': {
      title: 'Zugang zu einer Leistung des Schalters',
      considering: `Gestützt auf das Gesuch um Zugang zur Leistung «${sv}», dessen Ablehnung und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Der Zugang zur Leistung «${sv}» wird verweigert.`,
      approve: `Der Zugang zur Leistung «${sv}» wird gewährt.`,
      about: `die Ablehnung Ihres Zugangs zur Leistung «${sv}»`,
    },
    'access-revoked': {
      title: 'Widerruf des Zugangs zu einer Leistung des Schalters',
      considering: `Gestützt auf den Widerruf des Zugangs zur Leistung «${sv}» wegen Missbrauchs oder Verletzung der Nutzungsregeln und das Gesuch um eine förmliche Verfügung${cite},`,
      refuse: `Der Widerruf des Zugangs zur Leistung «${sv}» wird bestätigt.`,
      approve: `Der Widerruf wird aufgehoben: Der Zugang zur Leistung «${sv}» ist ab heute wiederhergestellt.`,
      about: `den Widerruf Ihres Zugangs zur Leistung «${sv}»`,
    },
  };
  return (lang === 'fr' ? fr : de)[ground];
}

/** The formal decision's headings, in its language. */
export function formalDecisionHeadings(voice: Voice = LEGACY_VOICE) {
  const { lang } = voiceOf(voice);
  return lang === 'fr'
    ? {
        doc: 'Décision formelle',
        decides: (a: string) => `${a} décide :`,
        reasons: 'Motifs',
        remedies: 'Voies de droit',
        dated: (place: string, d: string) => `${place ? `${place}, le` : 'Le'} ${d}`,
      }
    : {
        doc: 'Förmliche Verfügung',
        decides: (a: string) => `${a} verfügt:`,
        reasons: 'Begründung',
        remedies: 'Rechtsmittelbelehrung',
        dated: (place: string, d: string) => `${place ? `${place}, ` : ''}${d}`,
      };
}

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
  /** The process's rule set and the recipient's language; default the Jura rule set. */
  voice?: Voice;
}): Promise<Buffer> {
  const t = winAnsiText;
  const voice = input.voice ?? LEGACY_VOICE;
  const w = wording(input.ground, voice, input.service);
  const h = formalDecisionHeadings(voice);
  const { lang } = voiceOf(voice);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 62, right: 56 },
    lang: `${lang}-CH`,
    info: { Title: t(h.doc), Author: t(input.authority.name), CreationDate: new Date(`${input.decidedOn}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const place = (input.authority.address.at(-1) ?? '').replace(/^\d{4}\s+/, '');
  const r = input.recipient;

  doc.font('Helvetica-Bold').fontSize(11).text(t(input.authority.name));
  doc.font('Helvetica').text(input.authority.address.slice(1).map(t).join('\n'));
  doc.moveDown(2).text(t(`${r.firstName} ${r.lastName}\n${r.street}\n${r.postCode} ${r.locality}`), { align: 'right' });
  doc.moveDown(2).text(t(h.dated(place, formatSwissDate(input.decidedOn, lang))));
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(13)
    .text(t(`${h.doc} — ${w.title} (${lang === 'fr' ? 'réf.' : 'Ref.'} ${input.reference})`));
  doc.moveDown().font('Helvetica').fontSize(11);
  doc.text(t(w.considering));
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .text(t(h.decides(input.authority.name)));
  doc.font('Helvetica').text(t(`1. ${input.outcome === 'refuse' ? w.refuse : w.approve}`));
  doc.moveDown().font('Helvetica-Bold').text(t(h.reasons));
  doc.font('Helvetica');
  for (const g of input.grounds) doc.text(t(`– ${g}`));
  doc.moveDown().font('Helvetica-Bold').text(t(h.remedies));
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
  async function authority(unitId: string, voice: Voice): Promise<Authority & { domains: string[] }> {
    if (unitId === CHANCELLERY_UNIT.id) {
      const cha = chancelleryUnit(voice);
      await db.unit.upsert({ where: { id: cha.id }, create: cha, update: {} });
      return cha;
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
    r.ground === 'access-refused' || r.ground === 'access-revoked'
      ? (await db.accessRequest.findUniqueOrThrow({ where: { id: r.recordId } })).service
      : undefined;

  return {
    /** The person is told that the request was received and who decides. */
    async acknowledgeFormalDecisionRequest({ requestId, ruleSetId }: { requestId: string; ruleSetId?: string }): Promise<void> {
      const r = await request(requestId);
      const voice = voiceFor(r.canton, ruleSetId);
      const sent = await sendOnce(db, mailer, {
        id: `${requestId}:received`,
        template: 'formal-decision-requested',
        recordType: 'formal-decision-request',
        recordId: requestId,
        compose: async () => {
          const p = await person(r);
          const a = await authority(r.unitId, voice);
          const about = wording(r.ground as FormalDecisionGround, voice, await serviceOf(r)).about;
          return {
            to: p.email,
            ...formalDecisionRequested({ firstName: p.firstName, lastName: p.lastName, reference: r.recordId, about, authority: a.name }, voice),
          };
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
        case 'access-revoked':
          // The revocation set aside: the access is back, its reasons kept as the record of what was contested.
          await db.accessRequest.update({ where: { id: r.recordId }, data: { status: 'granted', revokedAt: null } });
          await writeAudit(db, {
            actorRole: 'unit',
            actorSub: by,
            action: 'access-request.revocation-set-aside',
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
      ruleSetId,
    }: {
      requestId: string;
      outcome: 'approve' | 'refuse';
      grounds: string[];
      decidedOn: string;
      ruleSetId?: string;
    }): Promise<{ decisionId: string }> {
      const r = await request(requestId);
      const ground = r.ground as FormalDecisionGround;
      const voice = voiceFor(r.canton, ruleSetId);
      const a = await authority(r.unitId, voice);
      const remedy = formalDecisionRemedy(ruleSetById(voice.ruleSetId), a, voice.lang);
      const reference = `GVS-${REFERENCE[ground]}-${r.recordId}`;
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
        voice,
      });
      return storeFormalDecision(db, {
        decisionId: `fd-${requestId}`,
        reference,
        canton: r.canton,
        unitId: r.unitId,
        domain: a.domains[0] ?? 'guichet',
        recipientSub: r.personSub,
        title: `${formalDecisionHeadings(voice).doc}${voiceOf(voice).lang === 'fr' ? ' :' : ':'} ${wording(ground, voice).title}`,
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
