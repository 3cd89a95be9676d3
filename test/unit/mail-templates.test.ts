// The counter's e-mails say what the ordinance requires (Art. 4 al. 6 and 8), in French,
// with Swiss dates, and the HTML part never lets a value become markup.
import {
  formalDecisionRequested,
  formatSwissDate,
  onboardingApproved,
  onboardingRefused,
  taskReminder,
  termsCommunicated,
} from '../../activities/mail-templates';

const refusal = {
  firstName: 'Amélie',
  lastName: 'Theubet',
  reasons: ["Vous n'êtes pas domicilié·e dans le canton du Jura.", "Vous n'avez pas 18 ans révolus."],
  formalDecisionDeadline: '2026-12-01',
  applicationId: 'app-4711',
};

/** The HTML part reduced to its visible text, to compare it with the text part. */
const visible = (html: string): string =>
  html
    .replace(/<title>.*<\/title>/s, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/\s+/g, ' ')
    .trim();
const words = (text: string): string => text.replace(/^- /gm, '').replace(/\s+/g, ' ').trim();

describe('formatSwissDate', () => {
  test('writes the day in Swiss French, the first of the month as "1er"', () => {
    expect(formatSwissDate('2026-12-01')).toBe('1er décembre 2026');
    expect(formatSwissDate('2027-03-15')).toBe('15 mars 2027');
    expect(formatSwissDate('2026-08-01')).toBe('1er août 2026');
  });

  test('refuses what is not a calendar day', () => {
    expect(() => formatSwissDate('2026-02-30')).toThrow(RangeError);
    expect(() => formatSwissDate('01.12.2026')).toThrow(RangeError);
  });
});

describe('onboardingApproved (Art. 4 al. 6)', () => {
  const mail = onboardingApproved({ firstName: 'Amélie', lastName: 'Theubet', contractStart: '2026-12-01', termsVersion: 'CG-2026.1' });

  test('confirms the contract is concluded and the account active, from its start date', () => {
    expect(mail.subject).toMatch(/accès au guichet virtuel sécurisé est ouvert/);
    expect(mail.text).toContain('Bonjour Amélie Theubet,');
    expect(mail.text).toContain("conclusion de votre contrat d'utilisation");
    expect(mail.text).toContain('votre compte est actif');
    expect(mail.text).toContain('le 1er décembre 2026');
    expect(mail.text).toContain('version CG-2026.1');
    expect(mail.text).toContain("l'article 4, alinéa 6");
    expect(mail.text).toContain("Chancellerie d'Etat");
  });

  test('the HTML part says the same as the text part', () => {
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.html).toContain('<meta charset="utf-8">');
    expect(visible(mail.html)).toBe(words(mail.text));
  });
});

describe('onboardingRefused (Art. 4 al. 8)', () => {
  const mail = onboardingRefused(refusal);

  test('lists every brief reason', () => {
    expect(mail.subject).toMatch(/refusée/);
    expect(mail.text).toContain('pour les motifs suivants');
    expect(mail.text).toContain("- Vous n'êtes pas domicilié·e dans le canton du Jura.");
    expect(mail.text).toContain("- Vous n'avez pas 18 ans révolus.");
    expect(mail.html).toContain('<li>Vous n&#39;avez pas 18 ans révolus.</li>');
  });

  test('says how, where and until when to ask for a formal decision, and that it can be contested', () => {
    expect(mail.text).toContain('demander une décision formelle');
    expect(mail.text).toContain('Code de procédure administrative');
    expect(mail.text).toContain('au plus tard le 1er décembre 2026');
    expect(mail.text).toContain('dans le guichet virtuel sécurisé, sous votre demande (référence app-4711)');
    expect(mail.text).toContain("par écrit à la Chancellerie d'Etat, 2800 Delémont");
    expect(mail.text).toContain('La décision formelle pourra ensuite être contestée');
    expect(mail.text).toContain('la voie de droit (opposition ou recours)');
    expect(mail.text).toContain("l'article 4, alinéa 8");
  });

  test('one reason reads in the singular', () => {
    expect(onboardingRefused({ ...refusal, reasons: ['Motif unique.'] }).text).toContain('pour le motif suivant :\n\n- Motif unique.');
  });

  test('a refusal without reasons is not sent: the law requires them', () => {
    expect(() => onboardingRefused({ ...refusal, reasons: [] })).toThrow(/reason/);
    expect(() => onboardingRefused({ ...refusal, reasons: ['  '] })).toThrow(/reason/);
  });

  test('the HTML part says the same as the text part', () => {
    expect(visible(mail.html)).toBe(words(mail.text));
  });
});

describe('formalDecisionRequested', () => {
  test('acknowledges the request with its reference', () => {
    const mail = formalDecisionRequested({
      firstName: 'Amélie',
      lastName: 'Theubet',
      reference: 'app-4711',
      about: 'le refus de votre accès au guichet virtuel sécurisé',
      authority: "La Chancellerie d'Etat",
    });

    expect(mail.subject).toMatch(/décision formelle/);
    expect(mail.text).toContain('Bonjour Amélie Theubet,');
    expect(mail.text).toContain('bien reçu votre demande de décision formelle');
    expect(mail.text).toContain('référence app-4711');
    expect(mail.text).toContain('concernant le refus de votre accès au guichet virtuel sécurisé');
    expect(mail.text).toContain("La Chancellerie d'Etat rendra une décision formelle");
    expect(visible(mail.html)).toBe(words(mail.text));
  });
});

describe('taskReminder (to Chancellery staff)', () => {
  test('a reminder names the task by kind and id and how long it waits', () => {
    const mail = taskReminder({ taskKind: 'special-reason-review', taskId: 'task-91', waitingDays: 3, escalated: false });

    expect(mail.subject).toBe('Rappel : tâche special-reason-review en attente depuis 3 jours');
    expect(mail.text).toContain('référence : task-91');
    expect(mail.text).not.toMatch(/escalade/i);
  });

  test('an escalation says so', () => {
    const mail = taskReminder({ taskKind: 'formal-decision', taskId: 'task-92', waitingDays: 7, escalated: true });

    expect(mail.subject).toMatch(/^Escalade : /);
    expect(mail.text).toContain('Le délai de traitement est dépassé');
  });

  test('carries no personal data: its inputs are ids and kinds only', () => {
    const mail = taskReminder({ taskKind: 'capacity-inquiry', taskId: 'task-93', waitingDays: 1, escalated: false });

    expect(mail.text).toContain('depuis 1 jour :');
    expect(mail.text).not.toMatch(/Bonjour [A-Z]/);
    expect(visible(mail.html)).toBe(words(mail.text));
  });
});

describe('HTML escaping', () => {
  test('a name with markup is shown, never run', () => {
    const mail = onboardingRefused({ ...refusal, firstName: '<script>alert("x")</script>', reasons: ['<b>gras</b> & co'] });

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(mail.html).toContain('&#60;b&#62;gras&#60;/b&#62; &#38; co');
    // The text part is plain text: the value is kept as typed.
    expect(mail.text).toContain('Bonjour <script>alert("x")</script> Theubet,');
  });
});

describe('termsCommunicated (NE 9)', () => {
  test('says the version applies from its effective day, asks for no signature, and names no Jura authority', () => {
    const mail = termsCommunicated({ firstName: 'Luc', lastName: 'Perret', version: 'CGU-2027-1', title: 'Conditions générales', effectiveOn: '2027-03-01' });
    expect(mail.subject).toBe('Modification des conditions générales du Guichet unique (version CGU-2027-1)');
    expect(mail.text).toContain("Elles s'appliquent dès le 1er mars 2027.");
    expect(mail.text).toContain('République et Canton de Neuchâtel');
    expect(mail.text).not.toMatch(/signature électronique qualifiée|restreinte|bloquée|Jura|Delémont|art\. 5/);
    expect(visible(mail.html)).toBe(words(mail.text));
  });
});
