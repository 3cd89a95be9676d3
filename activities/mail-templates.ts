/**
 * The counter's e-mails, in French and German, in the words of the process's rule set
 * (domain/profiles.ts `words`): its sender, counter, Chancellery, addresses and citations.
 * Each template is written once as blocks (paragraphs and lists) and rendered twice, as
 * plain text and as simple HTML, so both parts always say the same thing. Pure functions: no
 * clock, no I/O; dates come in as `YYYY-MM-DD`. Each takes a `Voice` (the rule set's id, the
 * recipient's language); without one, the Jura rule set every process had before rule sets
 * were pinned.
 */
import type { Lang } from '../domain/profiles';
import { ruleSetById } from '../domain/rule-sets';
import { afterA, afterDe, citeFull, citeShort, inParens, LEGACY_VOICE, textName, voiceOf, type Voice } from '../domain/words';

export type { Voice } from '../domain/words';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A paragraph, or a bulleted list. */
type Block = string | { list: readonly string[] };

export { LEGACY_VOICE } from '../domain/words';

const longDates: Record<Lang, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-CH', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  de: new Intl.DateTimeFormat('de-CH', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
};

/**
 * A calendar day in the Swiss long form: "1er décembre 2026", "15 mars 2027"; in German
 * "1. Dezember 2026". The day is a civil date, not an instant, so it is formatted in UTC to never shift.
 */
export function formatSwissDate(isoDay: string, lang: Lang = 'fr'): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== isoDay) {
    throw new RangeError(`not a calendar day (YYYY-MM-DD): ${JSON.stringify(isoDay)}`);
  }
  if (lang === 'de') return longDates.de.format(date);
  // French writes the first of the month as an ordinal ("1er"); Intl does not.
  return longDates.fr
    .formatToParts(date)
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(subject: string, blocks: readonly Block[], sender: readonly string[], lang: Lang): RenderedMail {
  const all: Block[] = [...blocks, sender.join('\n')];
  const text = all.map((b) => (typeof b === 'string' ? b : b.list.map((item) => `- ${item}`).join('\n'))).join('\n\n') + '\n';
  const body = all
    .map((b) =>
      typeof b === 'string'
        ? `<p>${b.split('\n').map(escapeHtml).join('<br>')}</p>`
        : `<ul>${b.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`,
    )
    .join('\n');
  const html =
    `<!DOCTYPE html>\n<html lang="${lang}">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body>\n${body}\n</body>\n</html>\n`;
  return { subject, text, html };
}

/** What every template reads: the words, the language, and helpers bound to them. */
function ctx(voice: Voice) {
  const { words: w, lang, ruleSetId } = voiceOf(voice);
  const rs = ruleSetById(ruleSetId);
  return {
    w,
    rs,
    lang,
    fr: lang === 'fr',
    counter: w.counter[lang],
    chancellery: w.chancellery[lang],
    date: (d: string) => formatSwissDate(d, lang),
    full: (key: Parameters<typeof citeFull>[1], o?: { determiner?: boolean }) => citeFull(w, key, lang, o),
    short: (key: Parameters<typeof citeShort>[1]) => citeShort(w, key, lang),
    mail: (subject: string, blocks: readonly Block[]) => render(subject, blocks, w.sender[lang], lang),
  };
}
type Ctx = ReturnType<typeof ctx>;

/** A name goes into a greeting only: trimmed, on one line (it is user input). */
function greeting(c: Ctx, firstName: string, lastName: string): string {
  const name = `${firstName} ${lastName}`.replace(/\s+/g, ' ').trim();
  return c.fr ? `Bonjour ${name},` : `Guten Tag ${name}`;
}

const hello = (c: Ctx) => (c.fr ? 'Bonjour,' : 'Guten Tag');
const noReply = (c: Ctx) => (c.fr ? 'Message automatique ; merci de ne pas y répondre.' : 'Automatische Nachricht; bitte nicht darauf antworten.');
const followingReasons = (c: Ctx, n: number) =>
  c.fr ? (n > 1 ? 'les motifs suivants' : 'le motif suivant') : n > 1 ? 'aus folgenden Gründen' : 'aus folgendem Grund';
/** "Ce message vous est adressé conformément à ..." or nothing, when the rule set's texts have no such article. */
const basis = (c: Ctx, citation: string | null): Block[] =>
  citation ? [c.fr ? `Ce message vous est adressé conformément ${afterA(citation)}.` : `Diese Nachricht ergeht gemäss ${citation}.`] : [];
/** The procedure law under which a formal decision is made, named in full. */
const procedureLaw = (c: Ctx) => textName(c.w, c.w.procedureLaw, c.lang);
const formalDecisionUnder = (c: Ctx) =>
  c.fr ? `une décision formelle au sens ${afterDe(procedureLaw(c))}` : `eine förmliche Verfügung im Sinne ${procedureLaw(c)}`;

export interface OnboardingApprovedInput {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  contractStart: string;
  termsVersion: string;
  /** A legal entity's contract (JU Art. 11), not a person's (Art. 4 al. 6). */
  entity?: boolean;
}

/** Art. 4 al. 6 (an entity: Art. 11; NE 3.1): the contract is concluded and the counter open to the person. */
export function onboardingApproved(input: OnboardingApprovedInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const cite = c.full(input.entity ? 'entityApproval' : 'onboardingApproved', { determiner: true });
  if (!c.fr)
    return c.mail(`Ihr Zugang zum ${c.counter} ist offen`, [
      greeting(c, input.firstName, input.lastName),
      `Wir bestätigen den Abschluss Ihres Nutzungsvertrags für den ${c.counter} mit der ${c.chancellery}. ` +
        `Der Vertrag gilt ab dem ${c.date(input.contractStart)} und Ihr Konto ist aktiv: Sie können ab sofort auf den ${c.counter} zugreifen.`,
      c.rs.contract.termsChanges === 'qes-acceptance'
        ? `Für den Vertrag gelten die Allgemeinen Nutzungsbedingungen, Version ${input.termsVersion}, die Sie mit Ihrer qualifizierten elektronischen Signatur angenommen haben.`
        : `Für den Vertrag gelten die Allgemeinen Nutzungsbedingungen, Version ${input.termsVersion}.`,
      ...basis(c, cite),
    ]);
  return c.mail(`Votre accès au ${c.counter} est ouvert`, [
    greeting(c, input.firstName, input.lastName),
    `Nous vous confirmons la conclusion de votre contrat d'utilisation du ${c.counter} avec la ${c.chancellery}. ` +
      `Le contrat prend effet le ${c.date(input.contractStart)} et votre compte est actif : ` +
      `vous pouvez dès à présent accéder au ${c.counter}.`,
    c.rs.contract.termsChanges === 'qes-acceptance'
      ? `Le contrat est régi par les conditions générales, version ${input.termsVersion}, que vous avez acceptées par votre signature électronique qualifiée.`
      : `Le contrat est régi par les conditions générales, version ${input.termsVersion}.`,
    ...basis(c, cite),
  ]);
}

export interface OnboardingRefusedInput {
  firstName: string;
  lastName: string;
  /** Brief reasons (Art. 4 al. 8), one sentence each. */
  reasons: readonly string[];
  /** YYYY-MM-DD, last day to ask for a formal decision (profile `reminders.formalDecisionRequestDays`). */
  formalDecisionDeadline?: string | null;
  applicationId: string;
}

/** Art. 4 al. 8: the refusal, its brief reasons, and the right to a formal decision (procedure law). */
export function onboardingRefused(input: OnboardingRefusedInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  // The law requires reasons; a refusal without any must not go out.
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('onboardingRefused: Art. 4 al. 8 requires at least one reason');
  const cite = c.full('onboardingRefused', { determiner: true });
  const ref = input.applicationId;
  if (!c.fr) {
    const deadline = input.formalDecisionDeadline ? `, spätestens am ${c.date(input.formalDecisionDeadline)}` : '';
    return c.mail(`Ihr Antrag auf Zugang zum ${c.counter} wird abgelehnt`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat Ihren Antrag auf Zugang zum ${c.counter} (Referenz ${ref}) geprüft und kann ihm ${followingReasons(c, reasons.length)} nicht entsprechen:`,
      { list: reasons },
      `Wenn Sie diese Ablehnung anfechten, können Sie ${formalDecisionUnder(c)} verlangen${deadline}:`,
      {
        list: [
          `im ${c.counter}, unter Ihrem Antrag (Referenz ${ref});`,
          `oder schriftlich bei der ${c.w.chancelleryPostal.de}, unter Angabe der Referenz ${ref}.`,
        ],
      },
      `Die förmliche Verfügung kann danach angefochten werden: Sie nennt das Rechtsmittel und die Frist dafür.`,
      ...basis(c, cite),
    ]);
  }
  // The ordinance sets no period for asking; refusals sent before this rule carried one.
  const deadline = input.formalDecisionDeadline ? `, au plus tard le ${c.date(input.formalDecisionDeadline)}` : '';
  return c.mail(`Votre demande d'accès au ${c.counter} est refusée`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a examiné votre demande d'accès au ${c.counter} (référence ${ref}) ` +
      `et ne peut pas y donner suite, pour ${followingReasons(c, reasons.length)} :`,
    { list: reasons },
    `Si vous contestez ce refus, vous pouvez demander ${formalDecisionUnder(c)}${deadline} :`,
    {
      list: [
        `dans le ${c.counter}, sous votre demande (référence ${ref}) ;`,
        `ou par écrit à la ${c.w.chancelleryPostal.fr}, en indiquant la référence ${ref}.`,
      ],
    },
    `La décision formelle pourra ensuite être contestée : elle indiquera la voie de droit (opposition ou recours) et le délai pour le faire.`,
    ...basis(c, cite),
  ]);
}

export interface FormalDecisionRequestedInput {
  firstName: string;
  lastName: string;
  /** The record the request is about */
  reference: string;
  /** What is contested, e.g. "le refus de votre accès au guichet virtuel sécurisé" (in the mail's language) */
  about: string;
  /** Who decides: the Chancellery, or the unit (Art. 14) */
  authority: string;
}

/** Acknowledges a request for a formal decision (Art. 4.8, 5.3, 10.2, 14.4). */
export function formalDecisionRequested(input: FormalDecisionRequestedInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  if (!c.fr)
    return c.mail('Ihr Gesuch um eine förmliche Verfügung ist eingegangen', [
      greeting(c, input.firstName, input.lastName),
      `Wir haben Ihr Gesuch um eine förmliche Verfügung betreffend ${input.about} (Referenz ${input.reference}) erhalten.`,
      `${input.authority} wird ${formalDecisionUnder(c)} erlassen. Sie wird Ihnen eröffnet und nennt das Rechtsmittel und die Frist, sie anzufechten.`,
    ]);
  return c.mail('Votre demande de décision formelle a été reçue', [
    greeting(c, input.firstName, input.lastName),
    `Nous avons bien reçu votre demande de décision formelle concernant ${input.about} (référence ${input.reference}).`,
    `${input.authority} rendra ${formalDecisionUnder(c)}. ` +
      `Elle vous sera notifiée et indiquera la voie de droit (opposition ou recours) et le délai pour la contester.`,
  ]);
}

/** Where and how a person asks for a formal decision: no period (the ordinance sets none). */
const askFormalDecision = (c: Ctx, reference: string): Block[] =>
  c.fr
    ? [
        `Si vous contestez cette mesure, vous pouvez demander ${formalDecisionUnder(c)} :`,
        {
          list: [
            `dans le ${c.counter}, sous votre contrat (référence ${reference}) ;`,
            `ou par écrit à la ${c.w.chancelleryPostal.fr}, en indiquant la référence ${reference}.`,
          ],
        },
      ]
    : [
        `Wenn Sie diese Massnahme anfechten, können Sie ${formalDecisionUnder(c)} verlangen:`,
        {
          list: [
            `im ${c.counter}, unter Ihrem Vertrag (Referenz ${reference});`,
            `oder schriftlich bei der ${c.w.chancelleryPostal.de}, unter Angabe der Referenz ${reference}.`,
          ],
        },
      ];

export interface TermsBlockKeptInput {
  firstName: string;
  lastName: string;
  contractId: string;
  justification: string;
}

/** Art. 5.3: after a refusal of the terms, the Chancellery keeps the block; why, and the way to a formal decision. */
export function termsBlockKept(input: TermsBlockKeptInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const cite = inParens(c.short('termsRefusalExamined'));
  if (!c.fr)
    return c.mail(`Ihr Zugang zum ${c.counter} bleibt gesperrt`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat Ihre Ablehnung der Allgemeinen Nutzungsbedingungen geprüft und hält die Sperre Ihres Zugangs bis zu deren Annahme aufrecht${cite}, aus folgendem Grund:`,
      { list: [input.justification.trim()] },
      ...askFormalDecision(c, input.contractId),
    ]);
  return c.mail(`Votre accès au ${c.counter} reste bloqué`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a examiné votre refus des conditions générales et maintient le blocage de votre accès jusqu'à leur acceptation${cite}, pour le motif suivant :`,
    { list: [input.justification.trim()] },
    ...askFormalDecision(c, input.contractId),
  ]);
}

export interface TaskReminderInput {
  taskKind: string;
  taskId: string;
  waitingDays: number;
  /** Past the profile's escalation delay: the mail goes to the supervisors too. */
  escalated: boolean;
}

/**
 * To Chancellery staff: a task is waiting. Ids and kinds only — never the applicant's
 * personal data, which staff read in the counter after signing in.
 */
export function taskReminder(input: TaskReminderInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  if (!c.fr) {
    const days = `${input.waitingDays} Tag${input.waitingDays > 1 ? 'en' : ''}`;
    return c.mail(`${input.escalated ? 'Eskalation' : 'Erinnerung'}: Aufgabe ${input.taskKind} wartet seit ${days}`, [
      hello(c),
      `Die folgende Aufgabe wartet im ${c.counter} seit ${days} auf Bearbeitung:`,
      { list: [`Art: ${input.taskKind}`, `Referenz: ${input.taskId}`] },
      input.escalated
        ? `Die Bearbeitungsfrist ist überschritten: Diese Aufgabe wird Ihnen zur Eskalation gemeldet. Bitte lassen Sie sie unverzüglich bearbeiten.`
        : `Bitte bearbeiten Sie sie im ${c.counter}.`,
      noReply(c),
    ]);
  }
  const days = `${input.waitingDays} jour${input.waitingDays > 1 ? 's' : ''}`;
  const subject = input.escalated
    ? `Escalade : tâche ${input.taskKind} en attente depuis ${days}`
    : `Rappel : tâche ${input.taskKind} en attente depuis ${days}`;
  return c.mail(subject, [
    hello(c),
    `La tâche suivante attend un traitement dans le ${c.counter} depuis ${days} :`,
    { list: [`type : ${input.taskKind}`, `référence : ${input.taskId}`] },
    input.escalated
      ? `Le délai de traitement est dépassé : cette tâche vous est signalée pour escalade. Merci de la faire traiter sans délai.`
      : `Merci de la traiter dans le ${c.counter}.`,
    noReply(c),
  ]);
}

/** Art. 4.5 c: a question of the Chancellery awaits the protection authority (no personal data in the mail). */
export function authorityInquiryOpened(input: { taskId: string; dueAt: string }, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const cite = inParens(c.short('civilCapacityInquiry'));
  const due = c.date(input.dueAt.slice(0, 10));
  if (!c.fr)
    return c.mail(`Anfrage der ${c.chancellery}: Handlungsfähigkeit (Aufgabe ${input.taskId})`, [
      hello(c),
      `Die ${c.chancellery} fragt Sie, ob eine Person, die Zugang zum ${c.counter} beantragt, für dessen Leistungen handlungsfähig ist${cite}.`,
      { list: [`Referenz: ${input.taskId}`, `Antwort erwartet bis: ${due}`] },
      `Sie finden die betroffene Person im Aufgabenkorb Ihrer Behörde im ${c.counter}, wo Sie antworten; jede Einsicht wird dort protokolliert.`,
      noReply(c),
    ]);
  return c.mail(`Demande de la Chancellerie : capacité civile (tâche ${input.taskId})`, [
    hello(c),
    `La ${c.chancellery} vous demande si une personne qui sollicite l'accès au ${c.counter} a l'exercice des droits civils pour ses prestations${cite}.`,
    { list: [`référence : ${input.taskId}`, `réponse attendue d'ici au : ${due}`] },
    `Vous trouvez la personne concernée dans la boîte des tâches de votre autorité au ${c.counter}, où vous répondez ; chaque consultation y est journalisée.`,
    noReply(c),
  ]);
}

function unitTaskWhat(c: Ctx, kind: string): string {
  const cite = inParens(c.short('unitFormalDecision'));
  const what: Record<string, Record<Lang, string>> = {
    'formal-decision': {
      fr: `une demande de décision formelle après le refus de l'accès à une de vos prestations${cite}`,
      de: `ein Gesuch um eine förmliche Verfügung nach der Ablehnung des Zugangs zu einer Ihrer Leistungen${cite}`,
    },
    'access-request': {
      fr: "une demande d'accès à une de vos prestations : accordez-la ou refusez-la avec vos motifs",
      de: 'ein Gesuch um Zugang zu einer Ihrer Leistungen: Gewähren Sie ihn, oder lehnen Sie ihn mit Ihren Gründen ab',
    },
    transaction: {
      fr: 'une démarche déposée pour une de vos prestations : acceptez-la, demandez les informations manquantes ou refusez-la avec vos motifs',
      de: 'ein Geschäft zu einer Ihrer Leistungen: Nehmen Sie es an, verlangen Sie fehlende Angaben, oder lehnen Sie es mit Ihren Gründen ab',
    },
    'postal-tracking': {
      fr: "une lettre recommandée de votre unité sans aucun suivi postal depuis son envoi : vérifiez auprès de la poste ce qu'il en est",
      de: 'ein eingeschriebener Brief Ihrer Einheit ohne jede Sendungsverfolgung seit dem Versand: Klären Sie bei der Post ab, was damit ist',
    },
  };
  return what[kind]?.[c.lang] ?? kind;
}

/** A task opened in a unit's own inbox (no personal data in the mail). */
export function unitTaskOpened(input: { taskKind: string; taskId: string; dueAt: string }, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const due = c.date(input.dueAt.slice(0, 10));
  if (!c.fr)
    return c.mail(`Aufgabe für Ihre Einheit im ${c.counter} (${input.taskId})`, [
      hello(c),
      `Eine Aufgabe wartet im ${c.counter} auf Ihre Einheit: ${unitTaskWhat(c, input.taskKind)}.`,
      { list: [`Referenz: ${input.taskId}`, `Bearbeitung erwartet bis: ${due}`] },
      `Sie finden sie im Aufgabenkorb Ihrer Einheit, wo Sie sie bearbeiten.`,
      noReply(c),
    ]);
  return c.mail(`Tâche pour votre unité au ${c.counter} (${input.taskId})`, [
    hello(c),
    `Une tâche attend votre unité dans le ${c.counter} : ${unitTaskWhat(c, input.taskKind)}.`,
    { list: [`référence : ${input.taskId}`, `traitement attendu d'ici au : ${due}`] },
    `Vous la trouvez dans la boîte des tâches de votre unité, où vous la traitez.`,
    noReply(c),
  ]);
}

/** The notice that a task was opened, for whoever owes the answer. */
export const taskOpened = (input: { taskKind: string; taskId: string; dueAt: string }, voice: Voice = LEGACY_VOICE): RenderedMail =>
  input.taskKind === 'authority-inquiry' ? authorityInquiryOpened(input, voice) : unitTaskOpened(input, voice);

export interface DecisionAvailableInput {
  firstName: string;
  lastName: string;
  unitName: string;
  title: string;
  /** Last day on which opening it in the counter counts as its notification */
  windowLastDay: string;
}

/**
 * Art. 16 al. 3: the alert that a decision waits in the inbox, and what the window means. What
 * follows an unopened window is the rule set's (`electronicService.windowExpiry`): a second
 * service by registered post (JU Art. 16 al. 5), or the decision deemed notified (NE LPA Art. 30),
 * in which case no letter is promised.
 */
export function decisionAvailable(input: DecisionAvailableInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const last = c.date(input.windowLastDay);
  const opened = inParens(c.short('windowOpened'));
  const expiry = inParens(c.short('windowExpiry'));
  const noRemedy = inParens(c.short('noRemedyThroughCounter'));
  const byPost = c.rs.electronicService.windowExpiry === 'postal-service';
  if (!c.fr)
    return c.mail(`Eine Verfügung wartet auf Sie im ${c.counter}`, [
      greeting(c, input.firstName, input.lastName),
      `${input.unitName} hat Ihnen eine Verfügung in Ihren Posteingang im ${c.counter} eröffnet: «${input.title}».`,
      `Öffnen Sie sie spätestens am ${last}, so gilt sie am Tag des Öffnens als eröffnet, und die Frist, sie anzufechten, beginnt am Tag danach${opened}. ` +
        (byPost
          ? `Andernfalls wird sie Ihnen ein zweites Mal mit eingeschriebenem Brief eröffnet${expiry}.`
          : `Andernfalls gilt sie am Ende des ${last} als eröffnet${expiry}; die Frist beginnt am Tag danach.`),
      `Über den ${c.counter} kann weder Einsprache noch Beschwerde erhoben werden${noRemedy}: Die Verfügung nennt, wo und wie dies geschieht.`,
    ]);
  return c.mail(`Une décision vous attend dans le ${c.counter}`, [
    greeting(c, input.firstName, input.lastName),
    `${input.unitName} vous a notifié une décision dans votre boîte de réception du ${c.counter} : « ${input.title} ».`,
    `Si vous l'ouvrez au plus tard le ${last}, elle vous est notifiée le jour de son ouverture ` +
      `et le délai pour la contester court dès le lendemain${opened}. ` +
      (byPost
        ? `Sinon, elle vous sera notifiée une seconde fois par courrier recommandé${expiry}.`
        : `Sinon, elle est réputée vous avoir été notifiée à la fin du ${last}${expiry} ; le délai court dès le lendemain.`),
    `Aucune opposition ni aucun recours ne peut être déposé par le ${c.counter}${noRemedy} : la décision indique où et comment le faire.`,
  ]);
}

export interface TermsPublishedInput {
  firstName: string;
  lastName: string;
  version: string;
  title: string;
  effectiveOn: string;
  /** Null: no acceptance period, the restriction applies from the effective day. */
  lastAcceptanceDay: string | null;
  restrictFrom: string;
  blockFrom: string;
}

/** Art. 5.2: a new terms version, and what happens if it is not accepted. */
export function termsPublished(input: TermsPublishedInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const refusal = inParens(c.short('termsRefusalExamined'));
  if (!c.fr)
    return c.mail(`Neue Allgemeine Nutzungsbedingungen ${c.w.counterGenitive} (Version ${input.version})`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat die Allgemeinen Nutzungsbedingungen ${c.w.counterGenitive} geändert: «${input.title}», Version ${input.version}, in Kraft ab dem ${c.date(input.effectiveOn)}.`,
      input.lastAcceptanceDay
        ? `Bitte nehmen Sie sie mit Ihrer qualifizierten elektronischen Signatur spätestens am ${c.date(input.lastAcceptanceDay)} in Ihrem Bereich des Schalters an.`
        : `Bitte nehmen Sie sie mit Ihrer qualifizierten elektronischen Signatur in Ihrem Bereich des Schalters an.`,
      {
        list: [
          `Ohne Annahme wird die Nutzung des Schalters ab dem ${c.date(input.restrictFrom)} eingeschränkt (keine neuen Geschäfte).`,
          `Ab dem ${c.date(input.blockFrom)} wird sie gesperrt; Ihre Verfügungen werden Ihnen dann per Post eröffnet.`,
        ],
      },
      `Lehnen Sie diese Bedingungen ab, möchten den Schalter aber weiter nutzen, so können Sie dies in Ihrem Bereich angeben; die ${c.chancellery} prüft Ihre Lage${refusal}.`,
    ]);
  return c.mail(`Nouvelles conditions générales du ${c.counter} (version ${input.version})`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a modifié les conditions générales du ${c.counter} : « ${input.title} », version ${input.version}, en vigueur dès le ${c.date(input.effectiveOn)}.`,
    input.lastAcceptanceDay
      ? `Nous vous invitons à les accepter au moyen de votre signature électronique qualifiée, au plus tard le ${c.date(input.lastAcceptanceDay)}, dans votre espace du guichet.`
      : `Nous vous invitons à les accepter au moyen de votre signature électronique qualifiée dans votre espace du guichet.`,
    {
      list: [
        `Sans acceptation, l'utilisation du guichet est restreinte dès le ${c.date(input.restrictFrom)} (nouvelles démarches impossibles).`,
        `Elle est bloquée dès le ${c.date(input.blockFrom)} ; vos décisions vous sont alors notifiées par la poste.`,
      ],
    },
    `Si vous refusez ces conditions mais souhaitez continuer à utiliser le guichet, vous pouvez l'indiquer dans votre espace ; la ${c.chancellery} examinera votre situation${refusal}.`,
  ]);
}

export type TermsCommunicatedInput = Pick<TermsPublishedInput, 'firstName' | 'lastName' | 'version' | 'title' | 'effectiveOn'>;

/** NE 9: a change of the terms, communicated; it applies from its effective day, nothing to sign. */
export function termsCommunicated(input: TermsCommunicatedInput, voice: Voice = { ruleSetId: 'NE-GU-2025' }): RenderedMail {
  const c = ctx(voice);
  const cite = inParens(c.short('termsChanges'));
  if (!c.fr)
    return c.mail(`Änderung der Allgemeinen Nutzungsbedingungen ${c.w.counterGenitive} (Version ${input.version})`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat die Allgemeinen Nutzungsbedingungen ${c.w.counterGenitive} geändert: «${input.title}», Version ${input.version}.`,
      `Sie gelten ab dem ${c.date(input.effectiveOn)}. Sie müssen nichts unterzeichnen oder annehmen; Sie können sie in Ihrem Bereich ${c.w.counterGenitive} einsehen.`,
      `Jede Änderung der Leistungen und der Allgemeinen Nutzungsbedingungen wird Ihnen so mitgeteilt${cite}.`,
    ]);
  return c.mail(`Modification des conditions générales du ${c.counter} (version ${input.version})`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a modifié les conditions générales d'utilisation du ${c.counter} : « ${input.title} », version ${input.version}.`,
    `Elles s'appliquent dès le ${c.date(input.effectiveOn)}. Vous n'avez rien à signer ni à accepter ; vous pouvez les consulter dans votre espace du ${c.counter}.`,
    `Toute modification des prestations et des conditions générales vous est communiquée ainsi${cite}.`,
  ]);
}

export interface ContractStatusInput {
  firstName: string;
  lastName: string;
  from: string;
  status: 'active' | 'restricted' | 'blocked' | 'terminating' | 'terminated';
  /** Why, in the engine's words (English), quoted for the record */
  reason: string | null;
  noticeEndsOn: string | null;
  endedOn: string | null;
  /** How it ended ('abuse', 'terms-revoked', 'notice') and the reasons given */
  endGround?: string | null;
  endReasons?: readonly string[];
  contractId?: string;
}

/** "une année" / "18 mois"; "ein Jahr" / "18 Monate" */
function months(c: Ctx, n: number): string {
  if (n % 12 === 0) {
    const y = n / 12;
    return c.fr ? (y === 1 ? 'une année' : `${y} ans`) : y === 1 ? 'ein Jahr' : `${y} Jahre`;
  }
  return c.fr ? (n === 1 ? 'un mois' : `${n} mois`) : n === 1 ? 'einen Monat' : `${n} Monate`;
}

/** Every change of the contract's state (Art. 5.2, 7.2, 10), told to the user. */
export function contractStatusChanged(input: ContractStatusInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const fr = c.fr;
  const hi = greeting(c, input.firstName, input.lastName);
  const counter = c.counter;
  const chancellery = c.chancellery;
  switch (input.status) {
    case 'restricted': {
      const cite = inParens(c.short('termsNotAccepted'));
      return fr
        ? c.mail(`Votre accès au ${counter} est restreint`, [
            hi,
            `Vous n'avez pas accepté la nouvelle version des conditions générales dans le délai : l'utilisation du ${counter} est restreinte${cite}. Vous ne pouvez plus engager de nouvelles démarches ; vos décisions restent consultables.`,
            `Acceptez les conditions générales dans votre espace pour retrouver un accès complet.`,
          ])
        : c.mail(`Ihr Zugang zum ${counter} ist eingeschränkt`, [
            hi,
            `Sie haben die neue Version der Allgemeinen Nutzungsbedingungen nicht fristgerecht angenommen: Die Nutzung ${c.w.counterGenitive} ist eingeschränkt${cite}. Sie können keine neuen Geschäfte mehr einleiten; Ihre Verfügungen bleiben einsehbar.`,
            `Nehmen Sie die Allgemeinen Nutzungsbedingungen in Ihrem Bereich an, um wieder vollen Zugang zu erhalten.`,
          ]);
    }
    case 'blocked': {
      const [why, cite] = input.reason?.includes('Art. 5.2')
        ? (['terms', inParens(c.short('termsNotAccepted'))] as const)
        : input.reason?.includes('Art. 7.2')
          ? (['abuse', inParens(c.short('abuseReported'))] as const)
          : (['measure', inParens(c.short('provisionalMeasure'))] as const);
      const motive: Record<typeof why, Record<Lang, string>> = {
        terms: {
          fr: `Motif : les conditions générales n'ont pas été acceptées${cite}. Acceptez-les dans votre espace pour lever le blocage.`,
          de: `Grund: Die Allgemeinen Nutzungsbedingungen wurden nicht angenommen${cite}. Nehmen Sie sie in Ihrem Bereich an, um die Sperre aufzuheben.`,
        },
        abuse: {
          fr: `Motif : vous nous avez signalé un possible usage abusif de vos moyens d'identification${cite}. Contactez la ${chancellery} pour lever le blocage.`,
          de: `Grund: Sie haben uns einen möglichen Missbrauch Ihrer Identifikationsmittel gemeldet${cite}. Wenden Sie sich an die ${chancellery}, um die Sperre aufzuheben.`,
        },
        measure: {
          fr: `Motif : mesure provisionnelle de la ${chancellery}${cite}. Contactez-la pour en savoir plus.`,
          de: `Grund: vorsorgliche Massnahme der ${chancellery}${cite}. Wenden Sie sich für mehr Auskunft an sie.`,
        },
      };
      return fr
        ? c.mail(`Votre accès au ${counter} est bloqué`, [
            hi,
            `Votre accès au ${counter} est bloqué. Les décisions qui vous sont adressées vous seront notifiées par la poste.`,
            motive[why].fr,
          ])
        : c.mail(`Ihr Zugang zum ${counter} ist gesperrt`, [
            hi,
            `Ihr Zugang zum ${counter} ist gesperrt. Verfügungen an Sie werden Ihnen per Post eröffnet.`,
            motive[why].de,
          ]);
    }
    case 'terminating': {
      const notice = [
        fr
          ? `préavis ${afterDe(months(c, c.rs.contract.userNoticeMonths)).replace(/^de un/, "d'un")}`
          : `Kündigungsfrist von ${c.rs.contract.userNoticeMonths === 1 ? 'einem Monat' : `${c.rs.contract.userNoticeMonths} Monaten`}`,
        c.short('userNotice'),
      ]
        .filter(Boolean)
        .join(', ');
      return fr
        ? c.mail(`Résiliation de votre contrat d'utilisation du ${counter}`, [
            hi,
            `Nous avons bien reçu votre résiliation. Votre contrat prend fin le ${c.date(input.noticeEndsOn!)} au soir (${notice}). Vous pouvez l'annuler jusque-là dans votre espace.`,
          ])
        : c.mail(`Kündigung Ihres Nutzungsvertrags für den ${counter}`, [
            hi,
            `Wir haben Ihre Kündigung erhalten. Ihr Vertrag endet am ${c.date(input.noticeEndsOn!)} am Abend (${notice}). Sie können sie bis dahin in Ihrem Bereich widerrufen.`,
          ]);
    }
    case 'terminated': {
      const ended = c.date(input.endedOn!);
      const reasons = (input.endReasons ?? []).map((r) => r.trim()).filter((r) => r.length > 0);
      const byAuthority = input.endGround === 'abuse' || input.endGround === 'terms-revoked';
      const abuse = input.endGround === 'abuse';
      const cite = inParens(c.short(abuse ? 'terminatedForAbuse' : 'termsRefusalExamined'));
      const endCite = inParens(c.short('contractEnd'));
      const kept = months(c, c.rs.retention['contract-evidence'].months);
      const keptCite = inParens(c.short('evidenceRetention'));
      const listed = reasons.length ? `, ${fr ? 'pour' : ''}${fr ? ' ' : ''}${followingReasons(c, reasons.length)}${fr ? ' ' : ''}:` : '.';
      const tail: Block[] = [
        ...(byAuthority && reasons.length ? [{ list: reasons }] : []),
        ...(byAuthority && input.contractId ? askFormalDecision(c, input.contractId) : []),
      ];
      if (fr) {
        const why = abuse
          ? `la ${chancellery} l'a résilié pour abus${cite}`
          : `la ${chancellery} l'a révoqué après votre refus des conditions générales${cite}`;
        return c.mail(`Fin de votre contrat d'utilisation du ${counter}`, [
          hi,
          byAuthority
            ? `Votre contrat d'utilisation du ${counter} a pris fin le ${ended} : ${why}${listed}`
            : `Votre contrat d'utilisation du ${counter} a pris fin le ${ended}${endCite}. Votre accès est fermé.`,
          ...tail,
          `Les preuves du contrat sont conservées ${kept} après sa fin, puis détruites${keptCite}.`,
        ]);
      }
      const why = abuse
        ? `Die ${chancellery} hat ihn wegen Missbrauchs gekündigt${cite}`
        : `Die ${chancellery} hat ihn nach Ihrer Ablehnung der Allgemeinen Nutzungsbedingungen widerrufen${cite}`;
      return c.mail(`Ende Ihres Nutzungsvertrags für den ${counter}`, [
        hi,
        byAuthority
          ? `Ihr Nutzungsvertrag für den ${counter} endete am ${ended}. ${why}${listed}`
          : `Ihr Nutzungsvertrag für den ${counter} endete am ${ended}${endCite}. Ihr Zugang ist geschlossen.`,
        ...tail,
        `Die Belege des Vertrags werden nach seinem Ende ${kept} aufbewahrt und danach vernichtet${keptCite}.`,
      ]);
    }
    default:
      return fr
        ? c.mail(`Votre accès au ${counter} est rétabli`, [
            hi,
            input.from === 'terminating'
              ? `Votre résiliation est annulée : votre contrat d'utilisation du ${counter} continue.`
              : `Votre accès au ${counter} est à nouveau complet.`,
          ])
        : c.mail(`Ihr Zugang zum ${counter} ist wiederhergestellt`, [
            hi,
            input.from === 'terminating'
              ? `Ihre Kündigung ist widerrufen: Ihr Nutzungsvertrag für den ${counter} läuft weiter.`
              : `Ihr Zugang zum ${counter} ist wieder vollständig.`,
          ]);
  }
}

/** NE 3.2: the Chancellery did not record the written proxy an unrestricted proxy needs; it is not in force. */
export function writtenProxyRefused(
  input: { firstName: string; lastName: string; proxyId: string; reasons: readonly string[] },
  voice: Voice = { ruleSetId: 'NE-GU-2025' },
): RenderedMail {
  const c = ctx(voice);
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('writtenProxyRefused: a refusal needs its reasons');
  const cite = inParens(c.full('unrestrictedProxy'));
  if (!c.fr)
    return c.mail(`Ihre Vollmacht (${input.proxyId}) ist nicht in Kraft getreten`, [
      greeting(c, input.firstName, input.lastName),
      `Eine Vollmacht für den uneingeschränkten Zugang zu den Leistungen ${c.w.counterGenitive} verlangt eine schriftliche Vollmacht mit beglaubigter Unterschrift, die der ${c.chancellery} übergeben wird${cite}.`,
      `Die ${c.chancellery} konnte die erhaltene schriftliche Vollmacht ${followingReasons(c, reasons.length)} nicht erfassen:`,
      { list: reasons },
      `Die Vollmacht (Referenz ${input.proxyId}) ist daher nicht in Kraft. Sie können eine neue erstellen.`,
    ]);
  return c.mail(`Votre procuration (${input.proxyId}) n'est pas entrée en vigueur`, [
    greeting(c, input.firstName, input.lastName),
    `Une procuration permettant un accès sans restriction aux prestations du ${c.counter} exige une procuration écrite dont la signature est légalisée, remise à la ${c.chancellery}${cite}.`,
    `La ${c.chancellery} n'a pas pu enregistrer la procuration écrite reçue, pour ${followingReasons(c, reasons.length)} :`,
    { list: reasons },
    `La procuration (référence ${input.proxyId}) n'est donc pas en vigueur. Vous pouvez en établir une nouvelle.`,
  ]);
}

export interface RepresentationMailInput {
  /** The representative's name: he receives the mail */
  firstName: string;
  lastName: string;
  requestId: string;
  kind: 'legal-representation' | 'written-proxy-contract';
  /** The represented person's name */
  person: { firstName: string; lastName: string };
}

function representationWhat(c: Ctx, kind: RepresentationMailInput['kind']): string {
  const cite = inParens(c.short(kind === 'legal-representation' ? 'legalRepresentation' : 'writtenProxyContract'));
  if (kind === 'legal-representation')
    return c.fr ? `votre demande d'agir comme représentant légal${cite}` : `Ihr Gesuch, als gesetzliche Vertretung zu handeln${cite}`;
  return c.fr ? `la procuration écrite d'une personne sans accès au guichet${cite}` : `die schriftliche Vollmacht einer Person ohne Zugang zum Schalter${cite}`;
}

/** Art. 9.4, 9.5: the representative may act for the person, from now, on the services named. */
export function representationApproved(
  input: RepresentationMailInput & { representedSub: string; lastDay?: string | null },
  voice: Voice = LEGACY_VOICE,
): RenderedMail {
  const c = ctx(voice);
  const person = `${input.person.firstName} ${input.person.lastName}`.replace(/\s+/g, ' ').trim();
  if (!c.fr)
    return c.mail(`Sie können im ${c.counter} für ${person} handeln`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat ${representationWhat(c, input.kind)} angenommen (Referenz ${input.requestId}). ${person} ist im Benutzerregister eingetragen, und der Nutzungsvertrag ist in Kraft.`,
      `Sie handeln in ihrem Namen, indem Sie in Ihren Anträgen die vertretene Person angeben: ${input.representedSub}.`,
      ...(input.lastDay ? [`Ihre Vertretungsbefugnis endet am ${c.date(input.lastDay)} am Abend, am Tag vor ihrer Volljährigkeit.`] : []),
    ]);
  return c.mail(`Vous pouvez agir pour ${person} au ${c.counter}`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a accepté ${representationWhat(c, input.kind)} (référence ${input.requestId}). ${person} est inscrit·e au registre des utilisateurs et son contrat d'utilisation a pris effet.`,
    `Vous agissez en son nom en indiquant, dans vos demandes, la personne représentée : ${input.representedSub}.`,
    ...(input.lastDay ? [`Votre pouvoir de représentation prend fin le ${c.date(input.lastDay)} au soir, veille de sa majorité.`] : []),
  ]);
}

/** Art. 9.4, 9.5: the request is refused, with its reasons. */
export function representationRefused(input: RepresentationMailInput & { reasons: readonly string[] }, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('representationRefused: a refusal needs its reasons');
  if (!c.fr)
    return c.mail(`Ihr Vertretungsgesuch (${input.requestId}) wird abgelehnt`, [
      greeting(c, input.firstName, input.lastName),
      `Die ${c.chancellery} hat ${representationWhat(c, input.kind)} (Referenz ${input.requestId}) geprüft und kann ${followingReasons(c, reasons.length)} nicht darauf eingehen:`,
      { list: reasons },
      `Bei Fragen schreiben Sie an die ${c.w.chancelleryPostal.de}, unter Angabe der Referenz ${input.requestId}.`,
    ]);
  return c.mail(`Votre demande de représentation (${input.requestId}) est refusée`, [
    greeting(c, input.firstName, input.lastName),
    `La ${c.chancellery} a examiné ${representationWhat(c, input.kind)} (référence ${input.requestId}) et ne peut pas y donner suite, pour ${followingReasons(c, reasons.length)} :`,
    { list: reasons },
    `Pour toute question, écrivez à la ${c.w.chancelleryPostal.fr}, en indiquant la référence ${input.requestId}.`,
  ]);
}

/**
 * NE 7.4: the account is deactivated on `deactivatesOn` unless the person signs in before; a
 * warning 30 days before (product decision). Every word comes from the rule set
 * (`accessRights.texts.warningMail`); `{date}` is the day of deactivation, written out.
 */
export function accessRightsDeactivationWarning(input: {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD, in the canton's time zone */
  deactivatesOn: string;
  text: { subject: string; paragraphs: readonly string[]; sender: readonly string[] };
}): RenderedMail {
  // The rule set's texts are French (accessRights.texts); so is the greeting.
  const c = ctx({ ruleSetId: LEGACY_VOICE.ruleSetId, lang: 'fr' });
  const fill = (s: string) => s.split('{date}').join(formatSwissDate(input.deactivatesOn, 'fr'));
  return render(fill(input.text.subject), [greeting(c, input.firstName, input.lastName), ...input.text.paragraphs.map(fill)], input.text.sender, 'fr');
}

/** What a user hears of his access to a service and of his transactions (Art. 14-15). */
export type ServiceNoticeKind =
  | 'access-granted'
  | 'access-refused'
  | 'access-revoked'
  | 'transaction-received'
  | 'payment-requested'
  | 'information-missing'
  | 'transaction-accepted'
  | 'transaction-refused'
  | 'lapsed-unpaid'
  | 'lapsed-incomplete';

export interface ServiceNoticeInput {
  kind: ServiceNoticeKind;
  /** The service's title in the recipient's language */
  serviceTitle: string;
  unitName: string;
  /** The request's id or the transaction's receipt number */
  reference: string;
  /** A refusal's or a revocation's reasons; what is missing */
  reasons?: readonly string[];
  /** A deadline (YYYY-MM-DD): to complete, to pay */
  dueDay?: string;
  /** The fee, formatted (e.g. "CHF 20.00") */
  amount?: string;
  /** Whether a document waits in the inbox with this answer */
  document?: boolean;
}

/**
 * Art. 14-15: the user is told each outcome — access granted, refused or revoked (with the
 * reasons, and how to ask for a formal decision, Art. 14.4), a transaction received, a fee
 * to pay, information missing by a day, the answer, the lapse. No reasons in the subject.
 */
export function serviceNotice(input: ServiceNoticeInput, voice: Voice = LEGACY_VOICE): RenderedMail {
  const c = ctx(voice);
  const sv = c.fr ? `« ${input.serviceTitle} »` : `«${input.serviceTitle}»`;
  const reasons: Block[] = input.reasons?.length
    ? [c.fr ? `Pour ${followingReasons(c, input.reasons.length)} :` : `${followingReasons(c, input.reasons.length)}:`, { list: input.reasons }]
    : [];
  const due = input.dueDay ? c.date(input.dueDay) : '';
  const cite = inParens(c.short('unitFormalDecision'));
  const formal: Block = c.fr
    ? `Si vous contestez cette décision, vous pouvez demander ${formalDecisionUnder(c)} à ${input.unitName}${cite}, depuis votre espace du ${c.counter}.`
    : `Sind Sie damit nicht einverstanden, können Sie bei ${input.unitName} ${formalDecisionUnder(c)} verlangen${cite}, in Ihrem Bereich im ${c.counter}.`;
  const inbox: Block[] = input.document
    ? [c.fr ? `Le document se trouve dans votre boîte de réception du ${c.counter}.` : `Das Dokument liegt in Ihrem Posteingang im ${c.counter}.`]
    : [];
  const ref: Block = { list: [c.fr ? `référence : ${input.reference}` : `Referenz: ${input.reference}`] };
  const fr: Record<ServiceNoticeKind, [string, Block[]]> = {
    'access-granted': [`Accès accordé à la prestation ${sv}`, [`${input.unitName} vous a accordé l'accès à la prestation ${sv} du ${c.counter}.`, ref]],
    'access-refused': [
      `Accès refusé à la prestation ${sv}`,
      [`${input.unitName} a refusé votre demande d'accès à la prestation ${sv}.`, ...reasons, ref, formal],
    ],
    'access-revoked': [
      `Accès révoqué à la prestation ${sv}`,
      [`${input.unitName} a révoqué votre accès à la prestation ${sv} pour abus ou violation des règles d'utilisation.`, ...reasons, ref, formal],
    ],
    'transaction-received': [
      `Accusé de réception : ${input.reference}`,
      [`Votre démarche ${sv} a été reçue sous le numéro ${input.reference}. L'accusé de réception se trouve dans votre boîte de réception du ${c.counter}.`],
    ],
    'payment-requested': [
      `Émolument à payer : ${input.reference}`,
      [
        `Votre démarche ${sv} est soumise à un émolument de ${input.amount}. ${input.unitName} la traite une fois l'émolument payé.`,
        `Payez-le en ligne depuis votre espace, ou avec la facture QR de votre boîte de réception, au plus tard le ${due} ; sinon la démarche devient caduque.`,
        ref,
      ],
    ],
    'information-missing': [
      `Informations manquantes : ${input.reference}`,
      [
        `${input.unitName} a besoin d'informations complémentaires pour traiter votre démarche ${sv} :`,
        { list: input.reasons ?? [] },
        `Complétez-la depuis votre espace au plus tard le ${due} ; sinon la démarche devient caduque.`,
        ref,
      ],
    ],
    'transaction-accepted': [`Démarche acceptée : ${input.reference}`, [`${input.unitName} a accepté votre démarche ${sv}.`, ...inbox, ref]],
    'transaction-refused': [`Démarche refusée : ${input.reference}`, [`${input.unitName} a refusé votre démarche ${sv}.`, ...reasons, ref, formal]],
    'lapsed-unpaid': [
      `Démarche caduque : ${input.reference}`,
      [`L'émolument de votre démarche ${sv} n'a pas été payé au ${due} : la démarche est devenue caduque.`, ref],
    ],
    'lapsed-incomplete': [
      `Démarche caduque : ${input.reference}`,
      [`Les informations demandées pour votre démarche ${sv} n'ont pas été fournies au ${due} : la démarche est devenue caduque.`, ref],
    ],
  };
  const de: Record<ServiceNoticeKind, [string, Block[]]> = {
    'access-granted': [`Zugang zur Leistung ${sv} gewährt`, [`${input.unitName} hat Ihnen den Zugang zur Leistung ${sv} im ${c.counter} gewährt.`, ref]],
    'access-refused': [
      `Zugang zur Leistung ${sv} verweigert`,
      [`${input.unitName} hat Ihr Gesuch um Zugang zur Leistung ${sv} abgelehnt.`, ...reasons, ref, formal],
    ],
    'access-revoked': [
      `Zugang zur Leistung ${sv} widerrufen`,
      [`${input.unitName} hat Ihren Zugang zur Leistung ${sv} wegen Missbrauchs oder Verletzung der Nutzungsregeln widerrufen.`, ...reasons, ref, formal],
    ],
    'transaction-received': [
      `Empfangsbestätigung: ${input.reference}`,
      [`Ihr Geschäft ${sv} ist unter der Nummer ${input.reference} eingegangen. Die Empfangsbestätigung liegt in Ihrem Posteingang im ${c.counter}.`],
    ],
    'payment-requested': [
      `Gebühr zu bezahlen: ${input.reference}`,
      [
        `Für Ihr Geschäft ${sv} ist eine Gebühr von ${input.amount} geschuldet. ${input.unitName} bearbeitet es, sobald sie bezahlt ist.`,
        `Bezahlen Sie sie online in Ihrem Bereich oder mit der QR-Rechnung in Ihrem Posteingang bis spätestens am ${due}; sonst verfällt das Geschäft.`,
        ref,
      ],
    ],
    'information-missing': [
      `Fehlende Angaben: ${input.reference}`,
      [
        `${input.unitName} benötigt für Ihr Geschäft ${sv} weitere Angaben:`,
        { list: input.reasons ?? [] },
        `Ergänzen Sie es in Ihrem Bereich bis spätestens am ${due}; sonst verfällt es.`,
        ref,
      ],
    ],
    'transaction-accepted': [`Geschäft angenommen: ${input.reference}`, [`${input.unitName} hat Ihr Geschäft ${sv} angenommen.`, ...inbox, ref]],
    'transaction-refused': [`Geschäft abgelehnt: ${input.reference}`, [`${input.unitName} hat Ihr Geschäft ${sv} abgelehnt.`, ...reasons, ref, formal]],
    'lapsed-unpaid': [
      `Geschäft verfallen: ${input.reference}`,
      [`Die Gebühr für Ihr Geschäft ${sv} wurde bis am ${due} nicht bezahlt: Das Geschäft ist verfallen.`, ref],
    ],
    'lapsed-incomplete': [
      `Geschäft verfallen: ${input.reference}`,
      [`Die verlangten Angaben zu Ihrem Geschäft ${sv} sind bis am ${due} nicht eingegangen: Das Geschäft ist verfallen.`, ref],
    ],
  };
  const [subject, blocks] = (c.fr ? fr : de)[input.kind];
  return c.mail(subject, [hello(c), ...blocks, noReply(c)]);
}
