// Every text that leaves the engine, rendered in each rule set and each language, names only
// its own canton: no Jura authority, law or place in a Neuchâtel text and the reverse; no
// Neuchâtel text promises a second registered letter; the German texts are German.
import { RULE_SETS } from '../../domain/profiles';
import { LANGS, type Voice } from '../../domain/words';
import * as mails from '../../activities/mail-templates';
import { createHash } from 'node:crypto';
import { letterTexts, renderRegisteredLetter, FIRST_SERVICE_REASONS } from '../../activities/letter-pdf';
import { pdfText } from '../support/pdf';
import { chancelleryUnit, formalDecisionHeadings, formalDecisionRemedy, renderFormalDecision, wording } from '../../activities/formal-decision';
import type { FormalDecisionGround } from '../../workflows/formal-decision/definitions';
import { qrBillTexts, receiptTexts, sealTexts } from '../../activities/transaction-documents';

const name = { firstName: 'Anne', lastName: 'Exemple' };
const SERVICE_NOTICES: mails.ServiceNoticeKind[] = [
  'access-granted',
  'access-refused',
  'access-revoked',
  'transaction-received',
  'payment-requested',
  'information-missing',
  'transaction-accepted',
  'transaction-refused',
  'lapsed-unpaid',
  'lapsed-incomplete',
];
const GROUNDS: FormalDecisionGround[] = [
  'onboarding-refused',
  'terms-kept-blocked',
  'terms-revoked',
  'terminated-for-abuse',
  'access-refused',
  'access-revoked',
];

/** Every mail template with sample input; the letter's and the formal decision's texts. */
function allTexts(voice: Voice): string[] {
  const rs = RULE_SETS.find((r) => r.ruleSet.id === voice.ruleSetId)!;
  const m = [
    mails.onboardingApproved({ ...name, contractStart: '2026-12-01', termsVersion: 'V1' }, voice),
    mails.onboardingApproved({ ...name, contractStart: '2026-12-01', termsVersion: 'V1', entity: true }, voice),
    mails.onboardingRefused({ ...name, reasons: ['Motif'], formalDecisionDeadline: '2026-12-31', applicationId: 'app-1' }, voice),
    mails.formalDecisionRequested({ ...name, reference: 'r-1', about: wording('onboarding-refused', voice).about, authority: 'X' }, voice),
    mails.termsBlockKept({ ...name, contractId: 'c-1', justification: 'J' }, voice),
    mails.taskReminder({ taskKind: 'review', taskId: 't-1', waitingDays: 3, escalated: false }, voice),
    mails.taskReminder({ taskKind: 'review', taskId: 't-1', waitingDays: 8, escalated: true }, voice),
    mails.taskOpened({ taskKind: 'authority-inquiry', taskId: 't-2', dueAt: '2026-12-10T00:00:00Z' }, voice),
    mails.taskOpened({ taskKind: 'formal-decision', taskId: 't-3', dueAt: '2026-12-10T00:00:00Z' }, voice),
    mails.taskOpened({ taskKind: 'postal-tracking', taskId: 't-4', dueAt: '2026-12-10T00:00:00Z' }, voice),
    mails.decisionAvailable({ ...name, unitName: 'Service', title: 'Décision', windowLastDay: '2026-12-11' }, voice),
    mails.termsPublished(
      { ...name, version: 'V2', title: 'CG', effectiveOn: '2027-01-01', lastAcceptanceDay: '2027-01-31', restrictFrom: '2027-02-01', blockFrom: '2027-03-03' },
      voice,
    ),
    mails.termsCommunicated({ ...name, version: 'V2', title: 'CG', effectiveOn: '2027-01-01' }, voice),
    ...(['active', 'restricted', 'terminating'] as const).map((status) =>
      mails.contractStatusChanged({ ...name, from: 'active', status, reason: null, noticeEndsOn: '2027-01-31', endedOn: null }, voice),
    ),
    ...['Art. 5.2', 'Art. 7.2', 'Art. 10.3'].map((reason) =>
      mails.contractStatusChanged({ ...name, from: 'active', status: 'blocked', reason, noticeEndsOn: null, endedOn: null }, voice),
    ),
    ...['abuse', 'terms-revoked', 'notice'].map((endGround) =>
      mails.contractStatusChanged(
        {
          ...name,
          from: 'active',
          status: 'terminated',
          reason: null,
          noticeEndsOn: null,
          endedOn: '2027-01-31',
          endGround,
          endReasons: ['R'],
          contractId: 'c-1',
        },
        voice,
      ),
    ),
    mails.writtenProxyRefused({ ...name, proxyId: 'p-1', reasons: ['R'] }, voice),
    ...(['legal-representation', 'written-proxy-contract'] as const).flatMap((kind) => {
      const base = { ...name, requestId: 'rq-1', kind, person: { firstName: 'Paul', lastName: 'Exemple' } };
      return [
        mails.representationApproved({ ...base, representedSub: 'sub-1', lastDay: '2030-01-01' }, voice),
        mails.representationRefused({ ...base, reasons: ['R'] }, voice),
      ];
    }),
    // Art. 14-15: access to services and transactions.
    ...SERVICE_NOTICES.map((kind) =>
      mails.serviceNotice(
        {
          kind,
          serviceTitle: 'Permis',
          unitName: 'Service',
          reference: 'X-2026-000001',
          reasons: ['Motif'],
          dueDay: '2027-01-04',
          amount: 'CHF 20.00',
          document: true,
        },
        voice,
      ),
    ),
    mails.taskOpened({ taskKind: 'access-request', taskId: 't-5', dueAt: '2026-12-10T00:00:00Z' }, voice),
    mails.taskOpened({ taskKind: 'transaction', taskId: 't-6', dueAt: '2026-12-10T00:00:00Z' }, voice),
  ].flatMap((x) => [x.subject, x.text, x.html]);
  const receipt = receiptTexts(
    {
      receiptNumber: 'X-2026-000001',
      serviceTitle: 'Permis',
      unitName: 'Service',
      submittedOn: '2026-12-02',
      submittedAt: '10:00',
      attachments: [{ name: 'a.pdf', sha256: 'ab'.repeat(32) }],
      fee: 'CHF 20.00',
    },
    voice,
  );
  const bill = qrBillTexts({ receiptNumber: 'X-2026-000001', serviceTitle: 'Permis', unitName: 'Service', dueDay: '2027-01-01' }, voice);
  const seal = sealTexts({ unitName: 'Service', receiptNumber: 'X-2026-000001' }, voice);
  const documents = [
    receipt.title,
    receipt.subtitle,
    ...receipt.sections.flatMap((x) => [x.heading, ...x.lines]),
    bill.heading.title,
    ...bill.heading.lines,
    bill.message,
    seal.name,
    seal.reason,
    seal.location,
  ];

  const unit = { name: 'Service', address: ['Rue 1', '1000 Ville'] };
  const remedy = formalDecisionRemedy(rs, chancelleryUnit(voice), voice.lang);
  const services = [
    ...FIRST_SERVICE_REASONS.map((reason) => ({ kind: 'first' as const, reason })),
    ...(rs.electronicService.windowExpiry === 'postal-service' ? [{ kind: 'second' as const, communicatedOn: '2026-12-01', windowLastDay: '2026-12-11' }] : []),
  ];
  const letters = services.flatMap((service) => {
    const l = letterTexts(
      { unit, reference: 'R-1', title: 'T', service, remedy: { kind: remedy.kind, days: remedy.days, text: remedy.text }, sentOn: '2026-12-20', voice },
      2,
    );
    return Object.values(l).flatMap((v) => (typeof v === 'function' ? [v(1, 2)] : Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : [v]));
  });
  const h = formalDecisionHeadings(voice);
  const decisions = GROUNDS.flatMap((g) => Object.values(wording(g, voice, 'Permis'))).concat([
    remedy.text,
    h.doc,
    h.decides(chancelleryUnit(voice).name),
    h.reasons,
    h.remedies,
    ...chancelleryUnit(voice).address,
  ]);
  return [...m, ...letters, ...decisions, ...documents].map(String);
}

const JURA = /Jura|Delémont|RSJU|Porrentruy|\b2800\b|guichet virtuel sécurisé|sicheren virtuellen Schalter|CPA/;
const NEUCHATEL = /Neuchâtel|Neuenburg|RSN|Guichet unique|LGSU|LPA/i;

describe.each(RULE_SETS.flatMap((rs) => LANGS.map((lang) => [rs.ruleSet.id, lang] as const)))('%s in %s', (ruleSetId, lang) => {
  const rs = RULE_SETS.find((r) => r.ruleSet.id === ruleSetId)!;
  const texts = allTexts({ ruleSetId, lang });
  const other = rs.canton === 'NE' ? JURA : NEUCHATEL;

  test("names none of the other canton's authorities, laws or places", () => {
    const leaks = texts.filter((t) => other.test(t));
    expect(leaks).toEqual([]);
  });

  test('names its own Chancellery and counter', () => {
    const all = texts.join('\n');
    expect(all).toContain(rs.words.sender[lang][1]!);
    expect(all).toContain(rs.words.counter[lang]);
  });

  if (rs.electronicService.windowExpiry === 'deemed-notified')
    test('never promises a second registered letter', () => {
      expect(texts.filter((t) => /seconde fois|second envoi|zweites Mal|zweite Eröffnung|seconde notification/i.test(t))).toEqual([]);
      const alert = mails.decisionAvailable({ ...name, unitName: 'Service', title: 'T', windowLastDay: '2026-12-11' }, { ruleSetId, lang });
      expect(alert.text).toMatch(lang === 'fr' ? /réputée vous avoir été notifiée à la fin du 11 décembre 2026/ : /am Ende des 11. Dezember 2026 als eröffnet/);
    });
  else
    test('promises the second service by registered post its rule set has', () => {
      const alert = mails.decisionAvailable({ ...name, unitName: 'Service', title: 'T', windowLastDay: '2026-12-11' }, { ruleSetId, lang });
      expect(alert.text).toMatch(lang === 'fr' ? /seconde fois par courrier recommandé/ : /zweites Mal mit eingeschriebenem Brief/);
    });

  if (lang === 'de')
    test('the German texts carry no French sentence', () => {
      const french = /Bonjour|Madame|Chancellerie|Nous vous|Votre |vous |décision|l'accès/;
      expect(texts.filter((t) => french.test(t))).toEqual([]);
    });
});

test('a Neuchâtel letter of second service cannot be rendered: the rule set sends none', () => {
  expect(() =>
    letterTexts(
      {
        unit: { name: 'S', address: [] },
        reference: 'R',
        title: 'T',
        service: { kind: 'second', communicatedOn: '2026-12-01', windowLastDay: '2026-12-08' },
        remedy: { kind: 'appeal', days: 30, text: 'Recours' },
        sentOn: '2026-12-20',
        voice: { ruleSetId: 'NE-GU-2025' },
      },
      1,
    ),
  ).toThrow(/serves no second letter/);
});

// What the person reads: the text out of the PDFs themselves (the cover letter and the formal decision).
describe.each(RULE_SETS.flatMap((rs) => LANGS.map((lang) => [rs.ruleSet.id, lang] as const)))('the PDFs of %s in %s', (ruleSetId, lang) => {
  const rs = RULE_SETS.find((r) => r.ruleSet.id === ruleSetId)!;
  const other = rs.canton === 'NE' ? JURA : NEUCHATEL;
  const voice = { ruleSetId, lang };
  const recipient = { firstName: 'Anne', lastName: 'Exemple', street: 'Rue 1', postCode: '1000', locality: 'Ville' };

  test('the registered letter and the formal decision name only their canton', async () => {
    const remedy = formalDecisionRemedy(rs, chancelleryUnit(voice), lang);
    const decision = await renderFormalDecision({
      authority: chancelleryUnit(voice),
      recipient,
      reference: 'R-1',
      ground: 'onboarding-refused',
      outcome: 'refuse',
      grounds: ['Motif'],
      decidedOn: '2026-12-20',
      remedyText: remedy.text,
      voice,
    });
    const letter = await renderRegisteredLetter({
      unit: { name: 'Service', address: ['Rue 1', '1000 Ville'] },
      recipient: { name: 'Anne Exemple', street: 'Rue 1', postCode: '1000', locality: 'Ville' },
      reference: 'R-1',
      title: 'T',
      decisionSha256: createHash('sha256').update(decision).digest('hex'),
      decisionPdf: decision,
      service: { kind: 'first', reason: 'no-consent' },
      remedy,
      sentOn: '2026-12-20',
      voice,
    });
    const [d, l] = await Promise.all([pdfText(decision), pdfText(letter)]);
    for (const text of [d.text, l.text]) {
      expect(text).not.toMatch(other);
      expect(text).toContain(rs.words.counter[lang]);
    }
    expect(d.text).toContain(rs.words.chancelleryAddress[lang].at(-1)!);
    expect(l.text).toContain(lang === 'fr' ? 'RECOMMANDÉ' : 'EINSCHREIBEN');
  });
});
