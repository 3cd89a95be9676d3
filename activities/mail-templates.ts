/**
 * The counter's e-mails, in French. Each template is written once as blocks (paragraphs
 * and lists) and rendered twice, as plain text and as simple HTML, so both parts always
 * say the same thing. Pure functions: no clock, no I/O; dates come in as `YYYY-MM-DD`.
 */

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A paragraph, or a bulleted list. */
type Block = string | { list: readonly string[] };

const SENDER = ["Chancellerie d'Etat", 'République et Canton du Jura'];
const COUNTER = 'guichet virtuel sécurisé';
// Where a written request goes (Art. 4 al. 8): the Chancellery's postal address.
const CHANCELLERY_POSTAL = "Chancellerie d'Etat, 2800 Delémont";
const ORDINANCE = 'Ordonnance concernant le guichet virtuel sécurisé';

const longDate = new Intl.DateTimeFormat('fr-CH', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A calendar day in the Swiss French long form: "1er décembre 2026", "15 mars 2027".
 * The day is a civil date, not an instant, so it is formatted in UTC to never shift.
 */
export function formatSwissDate(isoDay: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== isoDay) {
    throw new RangeError(`not a calendar day (YYYY-MM-DD): ${JSON.stringify(isoDay)}`);
  }
  // French writes the first of the month as an ordinal ("1er"); Intl does not.
  return longDate
    .formatToParts(date)
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(subject: string, blocks: readonly Block[], sender: readonly string[] = SENDER): RenderedMail {
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
    `<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` + `<body>\n${body}\n</body>\n</html>\n`;
  return { subject, text, html };
}

/** A name goes into a greeting only: trimmed, on one line (it is user input). */
function greeting(firstName: string, lastName: string): string {
  const name = `${firstName} ${lastName}`.replace(/\s+/g, ' ').trim();
  return `Bonjour ${name},`;
}

export interface OnboardingApprovedInput {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD */
  contractStart: string;
  termsVersion: string;
}

/** Art. 4 al. 6: confirms that the contract is concluded and the counter open to the person. */
export function onboardingApproved(input: OnboardingApprovedInput): RenderedMail {
  return render(`Votre accès au ${COUNTER} est ouvert`, [
    greeting(input.firstName, input.lastName),
    `Nous vous confirmons la conclusion de votre contrat d'utilisation du ${COUNTER} avec la Chancellerie d'Etat. ` +
      `Le contrat prend effet le ${formatSwissDate(input.contractStart)} et votre compte est actif : ` +
      `vous pouvez dès à présent accéder au ${COUNTER}.`,
    `Le contrat est régi par les conditions générales, version ${input.termsVersion}, que vous avez acceptées par votre signature électronique qualifiée.`,
    `Ce message vous est adressé conformément à l'article 4, alinéa 6, de l'${ORDINANCE}.`,
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

/** Art. 4 al. 8: the refusal, its brief reasons, and the right to a formal decision (CPA). */
export function onboardingRefused(input: OnboardingRefusedInput): RenderedMail {
  // The law requires reasons; a refusal without any must not go out.
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('onboardingRefused: Art. 4 al. 8 requires at least one reason');
  // The ordinance sets no period for asking; refusals sent before this rule carried one.
  const deadline = input.formalDecisionDeadline ? `, au plus tard le ${formatSwissDate(input.formalDecisionDeadline)}` : '';
  return render(`Votre demande d'accès au ${COUNTER} est refusée`, [
    greeting(input.firstName, input.lastName),
    `La Chancellerie d'Etat a examiné votre demande d'accès au ${COUNTER} (référence ${input.applicationId}) ` +
      `et ne peut pas y donner suite, pour ${reasons.length > 1 ? 'les motifs suivants' : 'le motif suivant'} :`,
    { list: reasons },
    `Si vous contestez ce refus, vous pouvez demander une décision formelle au sens du Code de procédure administrative ` + `(RSJU 175.1)${deadline} :`,
    {
      list: [
        `dans le ${COUNTER}, sous votre demande (référence ${input.applicationId}) ;`,
        `ou par écrit à la ${CHANCELLERY_POSTAL}, en indiquant la référence ${input.applicationId}.`,
      ],
    },
    `La décision formelle pourra ensuite être contestée : elle indiquera la voie de droit (opposition ou recours) et le délai pour le faire.`,
    `Ce message vous est adressé conformément à l'article 4, alinéa 8, de l'${ORDINANCE}.`,
  ]);
}

export interface FormalDecisionRequestedInput {
  firstName: string;
  lastName: string;
  /** The record the request is about */
  reference: string;
  /** What is contested, e.g. "le refus de votre accès au guichet virtuel sécurisé" */
  about: string;
  /** Who decides: the Chancellery, or the unit (Art. 14) */
  authority: string;
}

/** Acknowledges a request for a formal decision (Art. 4.8, 5.3, 10.2, 14.4). */
export function formalDecisionRequested(input: FormalDecisionRequestedInput): RenderedMail {
  return render('Votre demande de décision formelle a été reçue', [
    greeting(input.firstName, input.lastName),
    `Nous avons bien reçu votre demande de décision formelle concernant ${input.about} (référence ${input.reference}).`,
    `${input.authority} rendra une décision formelle au sens du Code de procédure administrative (RSJU 175.1). ` +
      `Elle vous sera notifiée et indiquera la voie de droit (opposition ou recours) et le délai pour la contester.`,
  ]);
}

/** Where and how a person asks for a formal decision: no period (the ordinance sets none). */
const askFormalDecision = (reference: string): Block[] => [
  `Si vous contestez cette mesure, vous pouvez demander une décision formelle au sens du Code de procédure administrative (RSJU 175.1) :`,
  {
    list: [
      `dans le ${COUNTER}, sous votre contrat (référence ${reference}) ;`,
      `ou par écrit à la ${CHANCELLERY_POSTAL}, en indiquant la référence ${reference}.`,
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
export function termsBlockKept(input: TermsBlockKeptInput): RenderedMail {
  return render(`Votre accès au ${COUNTER} reste bloqué`, [
    greeting(input.firstName, input.lastName),
    `La Chancellerie d'Etat a examiné votre refus des conditions générales et maintient le blocage de votre accès jusqu'à leur acceptation (${ORDINANCE}, art. 5 al. 3), pour le motif suivant :`,
    { list: [input.justification.trim()] },
    ...askFormalDecision(input.contractId),
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
export function taskReminder(input: TaskReminderInput): RenderedMail {
  const days = `${input.waitingDays} jour${input.waitingDays > 1 ? 's' : ''}`;
  const subject = input.escalated
    ? `Escalade : tâche ${input.taskKind} en attente depuis ${days}`
    : `Rappel : tâche ${input.taskKind} en attente depuis ${days}`;
  return render(subject, [
    'Bonjour,',
    `La tâche suivante attend un traitement dans le ${COUNTER} depuis ${days} :`,
    { list: [`type : ${input.taskKind}`, `référence : ${input.taskId}`] },
    input.escalated
      ? `Le délai de traitement est dépassé : cette tâche vous est signalée pour escalade. Merci de la faire traiter sans délai.`
      : `Merci de la traiter dans le ${COUNTER}.`,
    'Message automatique ; merci de ne pas y répondre.',
  ]);
}

/** Art. 4.5 c: a question of the Chancellery awaits the protection authority (no personal data in the mail). */
export function authorityInquiryOpened(input: { taskId: string; dueAt: string }): RenderedMail {
  return render(`Demande de la Chancellerie : capacité civile (tâche ${input.taskId})`, [
    'Bonjour,',
    `La Chancellerie d'État vous demande si une personne qui sollicite l'accès au ${COUNTER} a l'exercice des droits civils pour ses prestations (art. 4, al. 5, let. c, de l'ordonnance).`,
    { list: [`référence : ${input.taskId}`, `réponse attendue d'ici au : ${formatSwissDate(input.dueAt.slice(0, 10))}`] },
    `Vous trouvez la personne concernée dans la boîte des tâches de votre autorité au ${COUNTER}, où vous répondez ; chaque consultation y est journalisée.`,
    'Message automatique ; merci de ne pas y répondre.',
  ]);
}

const UNIT_TASKS: Record<string, string> = {
  'formal-decision': "une demande de décision formelle après le refus de l'accès à une de vos prestations (art. 14 al. 4 de l'ordonnance)",
  'postal-tracking': "une lettre recommandée de votre unité sans aucun suivi postal depuis son envoi : vérifiez auprès de la poste ce qu'il en est",
};

/** A task opened in a unit's own inbox (no personal data in the mail). */
export function unitTaskOpened(input: { taskKind: string; taskId: string; dueAt: string }): RenderedMail {
  return render(`Tâche pour votre unité au ${COUNTER} (${input.taskId})`, [
    'Bonjour,',
    `Une tâche attend votre unité dans le ${COUNTER} : ${UNIT_TASKS[input.taskKind] ?? input.taskKind}.`,
    { list: [`référence : ${input.taskId}`, `traitement attendu d'ici au : ${formatSwissDate(input.dueAt.slice(0, 10))}`] },
    `Vous la trouvez dans la boîte des tâches de votre unité, où vous la traitez.`,
    'Message automatique ; merci de ne pas y répondre.',
  ]);
}

/** The notice that a task was opened, for whoever owes the answer. */
export const taskOpened = (input: { taskKind: string; taskId: string; dueAt: string }): RenderedMail =>
  input.taskKind === 'authority-inquiry' ? authorityInquiryOpened(input) : unitTaskOpened(input);

export interface DecisionAvailableInput {
  firstName: string;
  lastName: string;
  unitName: string;
  title: string;
  /** Last day on which opening it in the counter counts as its notification */
  windowLastDay: string;
}

/** Art. 16 al. 3: the alert that a decision waits in the inbox, and what the window means. */
export function decisionAvailable(input: DecisionAvailableInput): RenderedMail {
  return render('Une décision vous attend dans le guichet virtuel sécurisé', [
    greeting(input.firstName, input.lastName),
    `${input.unitName} vous a notifié une décision dans votre boîte de réception du ${COUNTER} : « ${input.title} ».`,
    `Si vous l'ouvrez au plus tard le ${formatSwissDate(input.windowLastDay)}, elle vous est notifiée le jour de son ouverture ` +
      `et le délai pour la contester court dès le lendemain (art. 16 al. 4). ` +
      `Sinon, elle vous sera notifiée une seconde fois par courrier recommandé (art. 16 al. 5).`,
    `Aucune opposition ni aucun recours ne peut être déposé par le ${COUNTER} (art. 17) : la décision indique où et comment le faire.`,
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
export function termsPublished(input: TermsPublishedInput): RenderedMail {
  return render(`Nouvelles conditions générales du ${COUNTER} (version ${input.version})`, [
    greeting(input.firstName, input.lastName),
    `La Chancellerie d'Etat a modifié les conditions générales du ${COUNTER} : « ${input.title} », version ${input.version}, en vigueur dès le ${formatSwissDate(input.effectiveOn)}.`,
    input.lastAcceptanceDay
      ? `Nous vous invitons à les accepter au moyen de votre signature électronique qualifiée, au plus tard le ${formatSwissDate(input.lastAcceptanceDay)}, dans votre espace du guichet.`
      : `Nous vous invitons à les accepter au moyen de votre signature électronique qualifiée dans votre espace du guichet.`,
    {
      list: [
        `Sans acceptation, l'utilisation du guichet est restreinte dès le ${formatSwissDate(input.restrictFrom)} (nouvelles démarches impossibles).`,
        `Elle est bloquée dès le ${formatSwissDate(input.blockFrom)} ; vos décisions vous sont alors notifiées par la poste.`,
      ],
    },
    `Si vous refusez ces conditions mais souhaitez continuer à utiliser le guichet, vous pouvez l'indiquer dans votre espace ; la Chancellerie d'Etat examinera votre situation (${ORDINANCE}, art. 5 al. 3).`,
  ]);
}

/** The Neuchâtel counter's sender and name (seed 004): its texts name no Jura authority. */
const NE_SENDER = ["Chancellerie d'État", 'République et Canton de Neuchâtel'];
const NE_COUNTER = 'Guichet unique';

export type TermsCommunicatedInput = Pick<TermsPublishedInput, 'firstName' | 'lastName' | 'version' | 'title' | 'effectiveOn'>;

/** NE 9: a change of the terms, communicated; it applies from its effective day, nothing to sign. */
export function termsCommunicated(input: TermsCommunicatedInput): RenderedMail {
  return render(
    `Modification des conditions générales du ${NE_COUNTER} (version ${input.version})`,
    [
      greeting(input.firstName, input.lastName),
      `L'État de Neuchâtel a modifié les conditions générales d'utilisation du ${NE_COUNTER} : « ${input.title} », version ${input.version}.`,
      `Elles s'appliquent dès le ${formatSwissDate(input.effectiveOn)}. Vous n'avez rien à signer ni à accepter ; vous pouvez les consulter dans votre espace du ${NE_COUNTER}.`,
      `Toute modification des prestations et des conditions générales vous est communiquée ainsi (conditions générales d'utilisation, ch. 9).`,
    ],
    NE_SENDER,
  );
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

/** Every change of the contract's state (Art. 5.2, 7.2, 10), told to the user. */
export function contractStatusChanged(input: ContractStatusInput): RenderedMail {
  const hello = greeting(input.firstName, input.lastName);
  switch (input.status) {
    case 'restricted':
      return render(`Votre accès au ${COUNTER} est restreint`, [
        hello,
        `Vous n'avez pas accepté la nouvelle version des conditions générales dans le délai : l'utilisation du ${COUNTER} est restreinte (${ORDINANCE}, art. 5 al. 2). Vous ne pouvez plus engager de nouvelles démarches ; vos décisions restent consultables.`,
        `Acceptez les conditions générales dans votre espace pour retrouver un accès complet.`,
      ]);
    case 'blocked':
      return render(`Votre accès au ${COUNTER} est bloqué`, [
        hello,
        `Votre accès au ${COUNTER} est bloqué. Les décisions qui vous sont adressées vous seront notifiées par la poste.`,
        input.reason?.includes('Art. 5.2')
          ? `Motif : les conditions générales n'ont pas été acceptées (${ORDINANCE}, art. 5 al. 2). Acceptez-les dans votre espace pour lever le blocage.`
          : input.reason?.includes('Art. 7.2')
            ? `Motif : vous nous avez signalé un possible usage abusif de vos moyens d'identification (${ORDINANCE}, art. 7 al. 2). Contactez la Chancellerie d'Etat pour lever le blocage.`
            : `Motif : mesure provisionnelle de la Chancellerie d'Etat (${ORDINANCE}, art. 10 al. 3). Contactez-la pour en savoir plus.`,
      ]);
    case 'terminating':
      return render(`Résiliation de votre contrat d'utilisation du ${COUNTER}`, [
        hello,
        `Nous avons bien reçu votre résiliation. Votre contrat prend fin le ${formatSwissDate(input.noticeEndsOn!)} au soir (préavis d'un mois, ${ORDINANCE}, art. 10 al. 1). Vous pouvez l'annuler jusque-là dans votre espace.`,
      ]);
    case 'terminated': {
      const ended = formatSwissDate(input.endedOn!);
      const reasons = (input.endReasons ?? []).map((r) => r.trim()).filter((r) => r.length > 0);
      const byAuthority = input.endGround === 'abuse' || input.endGround === 'terms-revoked';
      const why =
        input.endGround === 'abuse'
          ? `la Chancellerie d'Etat l'a résilié pour abus (${ORDINANCE}, art. 10 al. 2)`
          : `la Chancellerie d'Etat l'a révoqué après votre refus des conditions générales (${ORDINANCE}, art. 5 al. 3)`;
      return render(`Fin de votre contrat d'utilisation du ${COUNTER}`, [
        hello,
        byAuthority
          ? `Votre contrat d'utilisation du ${COUNTER} a pris fin le ${ended} : ${why}${reasons.length ? `, pour ${reasons.length > 1 ? 'les motifs suivants' : 'le motif suivant'} :` : '.'}`
          : `Votre contrat d'utilisation du ${COUNTER} a pris fin le ${ended} (${ORDINANCE}, art. 10). Votre accès est fermé.`,
        ...(byAuthority && reasons.length ? [{ list: reasons }] : []),
        ...(byAuthority && input.contractId ? askFormalDecision(input.contractId) : []),
        `Les preuves du contrat sont conservées une année après sa fin, puis détruites (${ORDINANCE}, art. 18 al. 1 let. a).`,
      ]);
    }
    default:
      return render(`Votre accès au ${COUNTER} est rétabli`, [
        hello,
        input.from === 'terminating'
          ? `Votre résiliation est annulée : votre contrat d'utilisation du ${COUNTER} continue.`
          : `Votre accès au ${COUNTER} est à nouveau complet.`,
      ]);
  }
}

const LGSU_22 = "l'article 22, alinéas 3 et 4, de la loi sur le guichet unique (LGSU)";

/** NE 3.2: the Chancellery did not record the written proxy an unrestricted proxy needs; it is not in force. */
export function writtenProxyRefused(input: { firstName: string; lastName: string; proxyId: string; reasons: readonly string[] }): RenderedMail {
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('writtenProxyRefused: a refusal needs its reasons');
  return render(`Votre procuration (${input.proxyId}) n'est pas entrée en vigueur`, [
    greeting(input.firstName, input.lastName),
    `Une procuration permettant un accès sans restriction aux prestations du ${COUNTER} exige une procuration écrite dont la signature est légalisée, remise à la Chancellerie d'Etat (${LGSU_22}).`,
    `La Chancellerie d'Etat n'a pas pu enregistrer la procuration écrite reçue, pour ${reasons.length > 1 ? 'les motifs suivants' : 'le motif suivant'} :`,
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

const REPRESENTATION_WHAT = {
  'legal-representation': "votre demande d'agir comme représentant légal (art. 9 al. 5 de l'ordonnance)",
  'written-proxy-contract': "la procuration écrite d'une personne sans accès au guichet (art. 9 al. 4 de l'ordonnance)",
} as const;

/** Art. 9.4, 9.5: the representative may act for the person, from now, on the services named. */
export function representationApproved(input: RepresentationMailInput & { representedSub: string; lastDay?: string | null }): RenderedMail {
  const person = `${input.person.firstName} ${input.person.lastName}`.replace(/\s+/g, ' ').trim();
  return render(`Vous pouvez agir pour ${person} au ${COUNTER}`, [
    greeting(input.firstName, input.lastName),
    `La Chancellerie d'Etat a accepté ${REPRESENTATION_WHAT[input.kind]} (référence ${input.requestId}). ${person} est inscrit·e au registre des utilisateurs et son contrat d'utilisation a pris effet.`,
    `Vous agissez en son nom en indiquant, dans vos demandes, la personne représentée : ${input.representedSub}.`,
    ...(input.lastDay ? [`Votre pouvoir de représentation prend fin le ${formatSwissDate(input.lastDay)} au soir, veille de sa majorité.`] : []),
  ]);
}

/** Art. 9.4, 9.5: the request is refused, with its reasons. */
export function representationRefused(input: RepresentationMailInput & { reasons: readonly string[] }): RenderedMail {
  const reasons = input.reasons.map((r) => r.trim()).filter((r) => r.length > 0);
  if (reasons.length === 0) throw new Error('representationRefused: a refusal needs its reasons');
  return render(`Votre demande de représentation (${input.requestId}) est refusée`, [
    greeting(input.firstName, input.lastName),
    `La Chancellerie d'Etat a examiné ${REPRESENTATION_WHAT[input.kind]} (référence ${input.requestId}) et ne peut pas y donner suite, pour ${reasons.length > 1 ? 'les motifs suivants' : 'le motif suivant'} :`,
    { list: reasons },
    `Pour toute question, écrivez à la ${CHANCELLERY_POSTAL}, en indiquant la référence ${input.requestId}.`,
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
  const fill = (s: string) => s.split('{date}').join(formatSwissDate(input.deactivatesOn));
  return render(fill(input.text.subject), [greeting(input.firstName, input.lastName), ...input.text.paragraphs.map(fill)], input.text.sender);
}
