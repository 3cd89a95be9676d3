/**
 * Rule sets: every legal number of the counter, as dated data (DOMAIN.md §6). A rule set is
 * a canton's profile with an id, the text it comes from and its dates; rules
 * (domain/legal-calendar.ts) read one and never branch on the canton. A canton may have
 * several (the Jura ordinance changed on 1 November 2021); each process carries the id of the
 * one it started under and reads that one only (domain/rule-sets.ts, workflows/common.ts).
 */

export type CantonCode = 'JU' | 'NE';

/** ISO calendar day `YYYY-MM-DD` in the canton's time zone. */
export type IsoDay = string;

/** What happens when the electronic service window passes unopened. */
export type WindowExpiry =
  /** A second service by registered post; the remedy runs from its delivery. */
  | 'postal-service'
  /** The decision is deemed notified on the window's last day. */
  | 'deemed-notified';

export type RemedyKind = 'opposition' | 'appeal';

/** The counter's actions a contract's state may forbid (the API checks them). */
export type ContractAction = 'access-request.create' | 'transaction.submit' | 'service-consent.grant' | 'decision.read';

/** The counter's transactions a single-use transaction code may be asked for (NE 4.5). */
export type TransactionAction = 'access-request.create' | 'transaction.submit' | 'service-consent.grant';

/** The words of the SMS that carries a transaction code, in one language. */
export interface TransactionCodeSms {
  /** `{code}`, `{purpose}` and `{minutes}` are replaced; no name of a person, no canton's other counter. */
  text: string;
  /** What the code is for, by action; `{service}` is the service's id. */
  purposes: Record<TransactionAction, string>;
}

/**
 * How a new terms version reaches a contract: `qes-acceptance`, the user accepts it with a
 * QES, else the contract is restricted then blocked, a refusal goes to the Chancellery (JU
 * Art. 5.2-5.3); `communicated`, every user is told of it and it applies from its effective
 * day, with nothing to accept, no restriction, no block (NE 9).
 */
export type TermsChanges = 'qes-acceptance' | 'communicated';

export type RetentionCategory = 'contract-evidence' | 'decision-service' | 'other-transaction';

/** One holiday, by rule, so a year's list can be computed for any year. */
export type HolidayRule =
  | { kind: 'fixed'; month: number; day: number; name: string }
  /** Days from Easter Sunday (Good Friday = -2, Ascension = +39). */
  | { kind: 'easter'; offset: number; name: string }
  /** The `nth` given weekday (0 = Sunday) of a month, shifted by `offset` days. */
  | { kind: 'nth-weekday'; month: number; weekday: number; nth: number; offset: number; name: string };

// Rules, not a holiday library: everything a workflow imports is evaluated again for each
// cached workflow; with date-holidays (every country's data, moment-timezone) a workflow cost
// the worker ~2.3 MiB and ~17 ms of CPU, ~0.4 MiB and ~5 ms without (`npm run bench`, section 6).
export interface HolidayCalendar {
  /** The canton's public holidays (Saturdays and Sundays are `deadlines.weekendDays`). */
  add: readonly HolidayRule[];
  /** Corrections: days a rule of `add` gives that are not holidays (a variant of a rule set). */
  remove: readonly HolidayRule[];
}

/** A period of court holidays (féries), inclusive at both ends. */
export type FeriesPeriod =
  | { kind: 'easter'; fromOffset: number; toOffset: number }
  /** Month-day bounds; `from` after `to` wraps the new year (18 Dec - 2 Jan). */
  | { kind: 'fixed'; from: { month: number; day: number }; to: { month: number; day: number } };

/** The languages the engine writes in. */
export type Lang = 'fr' | 'de';
export type Localized<T = string> = Readonly<Record<Lang, T>>;

/** A text a mail or letter cites: the counter's own text (ordinance, terms of use) or a law. */
export interface CitedText {
  /** Its name with its determiner, as cited in full: "l'Ordonnance concernant ...", "der Verordnung über ..." (German: genitive). */
  name: Localized;
  /** How a short citation without `abbr` names it, with its determiner: "l'ordonnance", "der Verordnung" (genitive). */
  short: Localized;
  /** Its abbreviation: a short citation uses it ("art. 30 LPA"), a full one adds it. */
  abbr?: string;
  /** Its number in the canton's systematic collection (RSJU, RSN), added to a full citation. */
  rs?: string;
  /** What its numbers are: articles (art. 4 al. 6) or the terms' numbered points (ch. 3.1). */
  numbering: 'article' | 'point';
}

/** One place in a cited text: `text` names a key of `CantonWords.texts`. */
export interface Citation {
  text: string;
  article: string;
  paragraph?: string;
  letter?: string;
  /** "art. 94 ss": and the following */
  following?: boolean;
}

/** What each citation is for: the act of the engine that a mail, letter or formal decision explains. */
export type CitationKey =
  | 'onboardingApproved'
  | 'entityApproval'
  | 'onboardingRefused'
  | 'civilCapacityInquiry'
  | 'termsNotAccepted'
  | 'termsRefusalExamined'
  | 'abuseReported'
  | 'provisionalMeasure'
  | 'userNotice'
  | 'terminatedForAbuse'
  | 'contractEnd'
  | 'evidenceRetention'
  | 'unitFormalDecision'
  | 'legalRepresentation'
  | 'writtenProxyContract'
  | 'unrestrictedProxy'
  | 'termsChanges'
  | 'consentToService'
  | 'unitChoice'
  | 'windowOpened'
  | 'windowExpiry'
  | 'postalDeemedDelivery'
  | 'noRemedyThroughCounter'
  | 'opposition';

/**
 * The rule set's words: the names every text that leaves the engine uses (mails, letters,
 * formal decisions), in each language. A rule set's texts name only its own authority, laws
 * and places; a citation the rule set's texts do not have is null, and the sentence that
 * would carry it goes without it (never another canton's article).
 */
export interface CantonWords {
  /** The language of a recipient whose language the register does not know. */
  defaultLanguage: Lang;
  /** The closing lines of every mail. */
  sender: Localized<readonly string[]>;
  /** The counter's name, as a common noun after "le"/"der" ("guichet virtuel sécurisé"). */
  counter: Localized;
  /** German genitive with its article ("des sicheren virtuellen Schalters"). */
  counterGenitive: string;
  /** The Chancellery, without determiner: "Chancellerie d'Etat", "Staatskanzlei". */
  chancellery: Localized;
  /** Where a written request goes: the Chancellery's postal address on one line. */
  chancelleryPostal: Localized;
  /** The Chancellery as the authority of its formal decisions: its name, then its address lines. */
  chancelleryAddress: Localized<readonly string[]>;
  /** The texts the citations point into, by key. */
  texts: Readonly<Record<string, CitedText>>;
  /** The key in `texts` of the procedure law formal decisions are made under. */
  procedureLaw: string;
  citations: Readonly<Record<CitationKey, Citation | null>>;
}

/** What a canton's access rights process counts and says (see `CantonProfile.accessRights`). */
export interface AccessRightsRules {
  /** Every this many wrong entries of any element, no sign-in for `lockMinutes`. */
  lockAfterFailures: number;
  lockMinutes: number;
  /** The wrong attempt in a row at which the access rights are blocked until the Chancellery lifts them. */
  blockAtFailuresInARow: number;
  /** Days without a sign-in after which the account is deactivated. */
  deactivateAfterDays: number;
  /** Days before the deactivation the user is warned by e-mail. */
  warnDaysBefore: number;
  /** The emolument a lifting may cost: its amount (null: set elsewhere) and the notice the Chancellery's task carries. */
  liftFee: { amountChf: number | null; notice: string };
  /** The access rights themselves (NE 3.1, 4.1-4.3): the letters, the password rule, the second factor. */
  credentials: CredentialRules;
  /** The texts that leave the engine, in French. `{date}`: the day of deactivation, written out. */
  texts: {
    blockTaskSubject: string;
    deactivatedTaskSubject: string;
    warningMail: { subject: string; paragraphs: readonly string[]; sender: readonly string[] };
  };
}

/** A letter of the access rights: `{userCode}` / `{password}` is the secret it carries, `{counter}` the counter's name. */
export interface CredentialLetterText {
  subject: string;
  paragraphs: readonly string[];
}

/** What a canton's own access rights are (see `AccessRightsRules.credentials`). */
export interface CredentialRules {
  /** The password rule (NE 4.2): at least this many characters, with each of these kinds of character. */
  password: { minLength: number; needs: readonly ('digit' | 'lower' | 'upper')[]; maxLength: number };
  /** The initial password of the letter: this many characters, to be changed at the first sign-in. */
  initialPasswordLength: number;
  /** The code by SMS of each sign-in (NE 4.1): its digits, how long it is valid, the wrong entries it takes. */
  secondFactor: { digits: number; validityMinutes: number; maxWrongTries: number; sms: Localized };
  /** NE 4.3: lost or stolen access rights are replaced at the person's cost. */
  replacementFee: { amountChf: number | null; notice: string };
  /** NE 3.1: the two letters, sent separately (French; `{counter}` the counter's name); the sender is the words' Chancellery. */
  letters: {
    userCode: CredentialLetterText;
    password: CredentialLetterText;
    /** NE 4.3: the user-code letter's first paragraph when the access rights replace earlier ones. */
    replacementIntro: string;
  };
}

export interface CantonProfile {
  canton: CantonCode;
  ruleSet: {
    id: string;
    /** First and last day the text was in force (null: still in force). */
    effectiveFrom: IsoDay;
    effectiveTo: IsoDay | null;
    /** The text it comes from */
    source: string;
  };
  timeZone: string;
  electronicService: {
    /** The window closes at the end of local day D + windowDays. */
    windowDays: number;
    windowExpiry: WindowExpiry;
  };
  postal: {
    /** Deemed delivery: the day the notice was left + collectionDays, no extension. */
    collectionDays: number;
    /** Product decision: a registered letter with no tracking event after these days raises a task for the unit. */
    trackingTaskDays: number;
  };
  deadlines: {
    /** Weekdays (0 = Sunday, 6 = Saturday) on which a deadline cannot end. */
    weekendDays: readonly number[];
    feries: {
      periods: readonly FeriesPeriod[];
      /** Féries do not apply to decisions on suspensive effect / provisional measures. */
      provisionalMeasuresExempt: boolean;
    };
  };
  holidays: HolidayCalendar;
  remedies: {
    defaultKind: RemedyKind;
    defaultDays: number;
    incidentalDays: number;
  };
  /** Periods in calendar months, counted from the event day; kept through the end day. */
  retention: Record<RetentionCategory, { months: number }>;
  onboarding: {
    /** Age of majority on the day of the check (Art. 4.5 b; Swiss Civil Code Art. 14). */
    majorityAge: number;
  };
  /** Acting for others (Art. 9; seed 003): how long an assisted session at a post office lasts. */
  representation: {
    assistedSessionHours: number;
    /** Days a proxy waits for the representative's acceptance before it lapses (Art. 9.1). */
    proxyAcceptanceDays: number;
    /**
     * A proxy for unrestricted access (no service named: every delegable one) needs a written
     * proxy with a legalised signature, provided to the Chancellery, before it is in force, and
     * is revoked only by a written request of either party to the Chancellery.
     */
    unrestrictedProxyInWriting: boolean;
  };
  /** The user contract (Art. 5, 7, 10): terms rollouts, restriction, blocking, notice. */
  contract: {
    /** What a new terms version asks of the user (see `TermsChanges`). */
    termsChanges: TermsChanges;
    /** Days from a terms version's effective day during which it can still be accepted
     * before the contract is restricted, unless the version sets its own period. */
    defaultAcceptanceDays: number;
    /** Art. 5.2: days a contract stays restricted before it is blocked. */
    blockAfterRestrictedDays: number;
    /** Art. 10.1: the user's notice, in calendar months; the contract ends at the end of its last day. */
    userNoticeMonths: number;
    /** What a restricted contract may not do any more (Art. 5.2 "restreindre"). */
    restrictedActions: readonly ContractAction[];
    /** What a blocked contract may not do (Art. 5.2, 7.2, 10.3); its decisions go by post. */
    blockedActions: readonly ContractAction[];
  };
  /**
   * Access rights of the counter's own identity provider (NE 4.1, 7.1, 7.4, 7.6): wrong
   * entries, the lock, the block and deactivation, per account (workflows/access-rights).
   * null: the counter signs in elsewhere (JU: the e-ID, Art. 3), no such process runs.
   */
  accessRights: AccessRightsRules | null;
  /**
   * Single-use transaction codes (NE 4.5: "un code transaction individuel à usage unique" for
   * the transmission of very sensitive data), sent by SMS, stored hashed, valid once and for minutes.
   */
  transactionCodes: {
    /** Whether this counter asks for them at all. */
    enabled: boolean;
    /** Product decision: a code is valid once, for this long after it was sent. */
    validityMinutes: number;
    /** Digits of a code. */
    codeLength: number;
    /** Wrong entries a code takes; at the last one it is void and a new one must be asked for. */
    maxWrongTries: number;
    /** Codes a user may have open (neither used, void nor expired) at once. */
    maxOpenCodes: number;
    /** The actions that need a code when their service is sensitive. */
    sensitiveActions: readonly TransactionAction[];
    /**
     * Services that are sensitive until the service catalogue carries its own `sensitive`
     * flag (which then wins: app/transaction-codes.ts `SensitiveServices`).
     */
    sensitiveServices: readonly string[];
    sms: Record<'fr' | 'de', TransactionCodeSms>;
  };
  /** Transactions with the services (Art. 15; DOMAIN.md §5): product decisions, not law. */
  services: {
    /** Days a user has to complete a transaction the unit sent back for missing information (Art. 15.2). */
    completionDays: number;
    /** Days a fee waits to be paid before its transaction lapses. */
    paymentDays: number;
    /** What a submission may carry. */
    attachments: { maxCount: number; maxBytes: number; contentTypes: readonly string[] };
  };
  /** Product decisions, not law: operational durations for human tasks. */
  reminders: {
    taskReminderDays: number;
    taskEscalationDays: number;
    /** Only refusals made before requests for a formal decision had no period (the ordinance sets none) */
    formalDecisionRequestDays: number;
  };
  /** What its texts say and cite (mails, letters, formal decisions): see `CantonWords`. */
  words: CantonWords;
}

// CPA Art. 44a al. 1 (JU) and LPA Art. 37 (NE) use the same three periods.
const FERIES_PERIODS: readonly FeriesPeriod[] = [
  { kind: 'easter', fromOffset: -7, toOffset: 7 }, // 7th day before to 7th day after Easter
  { kind: 'fixed', from: { month: 7, day: 15 }, to: { month: 8, day: 15 } },
  { kind: 'fixed', from: { month: 12, day: 18 }, to: { month: 1, day: 2 } },
];

// Product decisions (not in the law): chase a waiting task after 3 days, escalate after 7.
// (The 30 days to ask for a formal decision bind only the refusals made before that period
// was removed: the ordinance sets none.)
// Product decisions (DOMAIN.md §5): 30 days to complete a transaction or to pay its fee; a
// submission carries up to 10 files of up to 10 MiB, PDF or images.
const SERVICES: CantonProfile['services'] = {
  completionDays: 30,
  paymentDays: 30,
  attachments: { maxCount: 10, maxBytes: 10 * 1024 * 1024, contentTypes: ['application/pdf', 'image/png', 'image/jpeg'] },
};

const REMINDERS: CantonProfile['reminders'] = {
  taskReminderDays: 3,
  taskEscalationDays: 7,
  formalDecisionRequestDays: 30,
};

// Product decisions (Art. 5.2 lets the Chancellery restrict, then block, without numbers):
// 30 days to accept, then 30 days restricted (no new transactions, decisions still readable),
// then blocked (nothing but the contract's own actions; decisions served by post).
const CONTRACT: CantonProfile['contract'] = {
  termsChanges: 'qes-acceptance', // Art. 5.2: accepted with a QES, else restricted, then blocked
  defaultAcceptanceDays: 30,
  blockAfterRestrictedDays: 30,
  userNoticeMonths: 1, // Art. 10.1: "moyennant un préavis d'un mois"
  restrictedActions: ['access-request.create', 'transaction.submit', 'service-consent.grant'],
  blockedActions: ['access-request.create', 'transaction.submit', 'service-consent.grant', 'decision.read'],
};

// JU-GVS-2013's words: seed 000 (the ordinance of 24 April 2012, RSJU 170.42) and the Jura
// Code de procédure administrative (RSJU 175.1). Each article once, where the seed has it.
const JU_WORDS: CantonWords = {
  defaultLanguage: 'fr', // the canton's official language
  sender: { fr: ["Chancellerie d'Etat", 'République et Canton du Jura'], de: ['Staatskanzlei', 'Republik und Kanton Jura'] },
  counter: { fr: 'guichet virtuel sécurisé', de: 'sicheren virtuellen Schalter' }, // the ordinance's title
  counterGenitive: 'des sicheren virtuellen Schalters',
  chancellery: { fr: "Chancellerie d'Etat", de: 'Staatskanzlei' },
  // Art. 4 al. 8: a written request goes to the Chancellery.
  chancelleryPostal: { fr: "Chancellerie d'Etat, 2800 Delémont", de: 'Staatskanzlei, 2800 Delémont' },
  chancelleryAddress: {
    fr: ["Chancellerie d'Etat", 'Rue de l’Hôpital 2', '2800 Delémont'],
    de: ['Staatskanzlei', 'Rue de l’Hôpital 2', '2800 Delémont'],
  },
  texts: {
    ordinance: {
      name: { fr: "l'Ordonnance concernant le guichet virtuel sécurisé", de: 'der Verordnung über den sicheren virtuellen Schalter' },
      short: { fr: "l'ordonnance", de: 'der Verordnung' },
      rs: 'RSJU 170.42', // seed 000, title
      numbering: 'article',
    },
    cpa: {
      name: { fr: 'le Code de procédure administrative', de: 'des jurassischen Verwaltungsverfahrensgesetzes' },
      short: { fr: 'le Code de procédure administrative', de: 'des jurassischen Verwaltungsverfahrensgesetzes' },
      abbr: 'CPA',
      rs: 'RSJU 175.1',
      numbering: 'article',
    },
  },
  procedureLaw: 'cpa',
  citations: {
    onboardingApproved: { text: 'ordinance', article: '4', paragraph: '6' }, // Art. 4 al. 6: the contract concluded, access open
    entityApproval: { text: 'ordinance', article: '11' }, // Art. 11: the contract of a legal entity
    onboardingRefused: { text: 'ordinance', article: '4', paragraph: '8' }, // Art. 4 al. 8: refusal, briefly reasoned
    civilCapacityInquiry: { text: 'ordinance', article: '4', paragraph: '5', letter: 'c' }, // Art. 4 al. 5 let. c
    termsNotAccepted: { text: 'ordinance', article: '5', paragraph: '2' }, // Art. 5 al. 2: restrict, then block
    termsRefusalExamined: { text: 'ordinance', article: '5', paragraph: '3' }, // Art. 5 al. 3: a refusal examined
    abuseReported: { text: 'ordinance', article: '7', paragraph: '2' }, // Art. 7 al. 2: the user fears abuse
    provisionalMeasure: { text: 'ordinance', article: '10', paragraph: '3' }, // Art. 10 al. 3
    userNotice: { text: 'ordinance', article: '10', paragraph: '1' }, // Art. 10 al. 1: a month's notice
    terminatedForAbuse: { text: 'ordinance', article: '10', paragraph: '2' }, // Art. 10 al. 2
    contractEnd: { text: 'ordinance', article: '10' }, // Art. 10
    evidenceRetention: { text: 'ordinance', article: '18', paragraph: '1', letter: 'a' }, // Art. 18 al. 1 let. a
    unitFormalDecision: { text: 'ordinance', article: '14', paragraph: '4' }, // Art. 14 al. 4
    legalRepresentation: { text: 'ordinance', article: '9', paragraph: '5' }, // Art. 9 al. 5
    writtenProxyContract: { text: 'ordinance', article: '9', paragraph: '4' }, // Art. 9 al. 4
    unrestrictedProxy: null, // every proxy is given on the counter (Art. 9.2-9.3)
    termsChanges: null, // terms changes are accepted with a QES (Art. 5.2), not only communicated
    consentToService: { text: 'ordinance', article: '16', paragraph: '1' }, // Art. 16 al. 1
    unitChoice: { text: 'ordinance', article: '16', paragraph: '2' }, // Art. 16 al. 2
    windowOpened: { text: 'ordinance', article: '16', paragraph: '4' }, // Art. 16 al. 4
    windowExpiry: { text: 'ordinance', article: '16', paragraph: '5' }, // Art. 16 al. 5: the second service by post
    postalDeemedDelivery: null, // Art. 16 al. 5 "formes usuelles": the 7-day collection period, not cited on its own
    noRemedyThroughCounter: { text: 'ordinance', article: '17' }, // Art. 17
    opposition: { text: 'cpa', article: '94', following: true }, // CPA Art. 94 ss
  },
};

// The words of the transaction-code SMS: the counter's own, no canton's name (the sender ID
// says which counter). GSM-7 characters only (no ç, no « »), so that one SMS carries it.
const TRANSACTION_CODE_SMS: CantonProfile['transactionCodes']['sms'] = {
  fr: {
    text: 'Code de transaction: {code}, pour {purpose}. Valable une seule fois, {minutes} minutes. Ne le communiquez à personne.',
    purposes: {
      'access-request.create': 'la demande d\'accès au service "{service}"',
      'transaction.submit': 'la demarche "{service}"',
      'service-consent.grant': 'l\'accord de recevoir par le guichet les décisions "{service}"',
    },
  },
  de: {
    text: 'Ihr Transaktionscode: {code}, für {purpose}. Nur einmal und {minutes} Minuten gültig. Geben Sie ihn niemandem weiter.',
    purposes: {
      'access-request.create': 'den Antrag auf Zugang zum Dienst "{service}"',
      'transaction.submit': 'das Geschaeft "{service}"',
      'service-consent.grant': 'die Zustimmung, Verfügungen "{service}" über den Schalter zu erhalten',
    },
  },
};

const JU: CantonProfile = {
  canton: 'JU',
  ruleSet: {
    id: 'JU-GVS-2013',
    effectiveFrom: '2013-01-01',
    // Seed 000: replaced on 1 November 2021 by an ordinance that is not in the seeds yet; it
    // comes as a rule set of its own (data and its own rules), this one stays for its processes.
    effectiveTo: '2021-10-31',
    source: 'Ordonnance concernant le guichet virtuel sécurisé du 24 avril 2012 (RSJU 170.42; en vigueur 2013-01-01 au 2021-10-31)',
  },
  timeZone: 'Europe/Zurich',
  electronicService: {
    windowDays: 10, // Art. 16.4: "dans les dix jours qui suivent la communication"
    windowExpiry: 'postal-service', // Art. 16.5: second service in the usual forms
  },
  postal: {
    collectionDays: 7, // Art. 16.5 (usual forms): deemed delivered on the last day of the 7-day collection period
    trackingTaskDays: 10, // product decision (DOMAIN §3): no tracking event after 10 days, a task for the unit
  },
  deadlines: {
    weekendDays: [6, 0], // CPA Art. 44 al. 3: Saturday, Sunday
    feries: {
      periods: FERIES_PERIODS, // CPA Art. 44a al. 1
      provisionalMeasuresExempt: true, // CPA Art. 44a al. 2
    },
  },
  // Loi sur les jours fériés officiels (RSJU 555.1) Art. 3, besides Sundays; not 26 December.
  // date-holidays CH/JU "public" gives the same days plus the Jeûne fédéral, always a Sunday
  // (checked 2020-2040 in test/unit/jura-holidays.test.ts).
  holidays: {
    add: [
      { kind: 'fixed', month: 1, day: 1, name: 'Nouvel An' },
      { kind: 'fixed', month: 1, day: 2, name: '2 janvier' },
      { kind: 'easter', offset: -2, name: 'Vendredi saint' },
      { kind: 'easter', offset: 0, name: 'Pâques' },
      { kind: 'easter', offset: 1, name: 'Lundi de Pâques' },
      { kind: 'fixed', month: 5, day: 1, name: 'Fête du travail' },
      { kind: 'easter', offset: 39, name: 'Ascension' },
      { kind: 'easter', offset: 49, name: 'Pentecôte' },
      { kind: 'easter', offset: 50, name: 'Lundi de Pentecôte' },
      { kind: 'easter', offset: 60, name: 'Fête-Dieu' },
      { kind: 'fixed', month: 6, day: 23, name: 'Commémoration du plébiscite jurassien' },
      { kind: 'fixed', month: 8, day: 1, name: 'Fête nationale' },
      { kind: 'fixed', month: 8, day: 15, name: 'Assomption' },
      { kind: 'fixed', month: 11, day: 1, name: 'Toussaint' },
      { kind: 'fixed', month: 12, day: 25, name: 'Noël' },
    ],
    remove: [],
  },
  remedies: {
    defaultKind: 'opposition', // CPA Art. 94
    defaultDays: 30, // CPA Art. 98, 121
    incidentalDays: 10, // CPA Art. 98, 121: incidental decisions
  },
  retention: {
    'contract-evidence': { months: 12 }, // Art. 18.1 a: one year after the contract's end
    'decision-service': { months: 24 }, // Art. 18.1 b: two years (legal hold aside)
    'other-transaction': { months: 18 }, // Art. 18.1 c: eighteen months
  },
  onboarding: { majorityAge: 18 }, // CC Art. 14
  representation: {
    assistedSessionHours: 2, // product decision (DOMAIN §5): a visit's time
    proxyAcceptanceDays: 30, // product decision (DOMAIN §5): 30 days to accept
    unrestrictedProxyInWriting: false, // Art. 9.2-9.3: every proxy is given and revoked on the counter
  },
  contract: CONTRACT,
  // The Jura counter signs in with the e-ID (Art. 3): the ordinance sets no lock, block or deactivation.
  accessRights: null,
  services: SERVICES,
  reminders: REMINDERS,
  words: JU_WORDS,
  // The ordinance asks for no transaction codes: every transaction goes through on the sign-in.
  transactionCodes: {
    enabled: false,
    validityMinutes: 10,
    codeLength: 6,
    maxWrongTries: 3,
    maxOpenCodes: 3,
    sensitiveActions: [],
    sensitiveServices: [],
    sms: TRANSACTION_CODE_SMS,
  },
};

// NE-GU-2025's words: seed 004 (the terms of use of March 2025, numbered points), the law on
// the guichet unique it rests on (LGSU, NE 1) and the procedure law of 18 March 2025
// (RSN 152.130, DOMAIN.md §3). Its texts name no Jura authority, law or place.
const NE_WORDS: CantonWords = {
  defaultLanguage: 'fr', // the canton's official language
  sender: { fr: ["Chancellerie d'État", 'République et Canton de Neuchâtel'], de: ['Staatskanzlei', 'Republik und Kanton Neuenburg'] },
  counter: { fr: 'Guichet unique', de: 'Guichet unique' }, // seed 004, title: "Guichet unique des collectivités publiques neuchâteloises"
  counterGenitive: 'des Guichet unique',
  chancellery: { fr: "Chancellerie d'État", de: 'Staatskanzlei' }, // NE 2: "La chancellerie d'État en assure la gestion administrative"
  chancelleryPostal: { fr: "Chancellerie d'État, Château, 2000 Neuchâtel", de: 'Staatskanzlei, Château, 2000 Neuenburg' },
  chancelleryAddress: {
    fr: ["Chancellerie d'État", 'Château', '2000 Neuchâtel'],
    de: ['Staatskanzlei', 'Château', '2000 Neuenburg'],
  },
  texts: {
    terms: {
      name: {
        fr: "les conditions générales d'utilisation du Guichet unique (version mars 2025)",
        de: 'der Allgemeinen Nutzungsbedingungen des Guichet unique (Version März 2025)',
      },
      short: { fr: 'les conditions générales', de: 'der Nutzungsbedingungen' },
      numbering: 'point',
    },
    lgsu: {
      name: {
        fr: 'la loi sur le guichet sécurisé unique du 28 septembre 2004',
        de: 'des Gesetzes über den sicheren einheitlichen Schalter vom 28. September 2004',
      },
      short: { fr: 'la loi sur le guichet sécurisé unique', de: 'des Gesetzes über den sicheren einheitlichen Schalter' },
      abbr: 'LGSU', // NE 1
      numbering: 'article',
    },
    lpa: {
      name: { fr: 'la loi sur la procédure administrative du 18 mars 2025', de: 'des Gesetzes über das Verwaltungsverfahren vom 18. März 2025' },
      short: { fr: 'la loi sur la procédure administrative', de: 'des Gesetzes über das Verwaltungsverfahren' },
      abbr: 'LPA',
      rs: 'RSN 152.130', // in force since 1 January 2026 (DOMAIN.md §3)
      numbering: 'article',
    },
  },
  procedureLaw: 'lpa',
  citations: {
    onboardingApproved: { text: 'terms', article: '3.1' }, // NE 3.1: the State signs the contract (LGSU Art. 18, 19)
    entityApproval: { text: 'terms', article: '3.1' }, // NE 2, 3.1: legal persons contract the same way
    onboardingRefused: null, // the terms say nothing of a refusal
    civilCapacityInquiry: null, // no such check in the terms
    termsNotAccepted: null, // NE 9: terms are communicated, never accepted
    termsRefusalExamined: null, // idem
    abuseReported: { text: 'terms', article: '7.2' }, // NE 7.2: blocked on the user's request
    provisionalMeasure: { text: 'terms', article: '7.5' }, // NE 7.5: the Chancellery blocks on abuse
    userNotice: null, // the terms set no notice
    terminatedForAbuse: null, // NE 7.5 lets the Chancellery block on abuse, not terminate
    contractEnd: null,
    evidenceRetention: null, // product decision (profile `retention`), not in the terms
    unitFormalDecision: null,
    legalRepresentation: null,
    writtenProxyContract: { text: 'lgsu', article: '22', paragraph: '1 et 2' }, // NE 3.2: "art. 22 al. 1 et 2 LGSU"
    unrestrictedProxy: { text: 'lgsu', article: '22', paragraph: '3 et 4' }, // LGSU Art. 22 al. 3-4 (profile `representation`)
    termsChanges: { text: 'terms', article: '9' }, // NE 9: "Toute modification sera communiquée"
    consentToService: null,
    unitChoice: null,
    windowOpened: { text: 'lpa', article: '30' }, // LPA Art. 30: effective at the first consultation
    windowExpiry: { text: 'lpa', article: '30' }, // LPA Art. 30: at the latest at the end of the 7th day: deemed notified
    postalDeemedDelivery: { text: 'lpa', article: '31', paragraph: '2' }, // LPA Art. 31 al. 2
    noRemedyThroughCounter: null,
    opposition: null, // the remedy is an appeal (profile `remedies`)
  },
};

const NE: CantonProfile = {
  canton: 'NE',
  ruleSet: {
    id: 'NE-GU-2025',
    // The terms of use of March 2025 (seed 004) with the procedure law in force since 2026.
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    source:
      "Conditions générales d'utilisation du Guichet unique, version mars 2025 (LGSU, RELGSU); loi sur la procédure administrative du 18 mars 2025 (RSN 152.130)",
  },
  timeZone: 'Europe/Zurich',
  electronicService: {
    windowDays: 7, // LPA Art. 30: at the latest at the end of the 7th day after transmission
    windowExpiry: 'deemed-notified', // LPA Art. 30: no second service by post
  },
  postal: {
    collectionDays: 7, // LPA Art. 31 al. 2: 7 days after the first delivery attempt
    trackingTaskDays: 10, // product decision: no tracking event after 10 days, a task for the unit
  },
  deadlines: {
    weekendDays: [6, 0], // LPA Art. 33: Saturday, Sunday
    feries: {
      periods: FERIES_PERIODS, // LPA Art. 37
      provisionalMeasuresExempt: false, // LPA Art. 37: féries apply to every deadline
    },
  },
  // LPA Art. 33 al. 3: days the cantonal offices close (RSN 152.512 Art. 11).
  // date-holidays CH/NE differs (Fête-Dieu, no 26/31 Dec), so the list is our own.
  holidays: {
    add: [
      { kind: 'fixed', month: 1, day: 1, name: 'Nouvel An' },
      { kind: 'fixed', month: 1, day: 2, name: '2 janvier' },
      { kind: 'fixed', month: 3, day: 1, name: 'Instauration de la République' },
      { kind: 'easter', offset: -2, name: 'Vendredi saint' },
      { kind: 'easter', offset: 1, name: 'Lundi de Pâques' },
      { kind: 'fixed', month: 5, day: 1, name: 'Fête du travail' },
      { kind: 'easter', offset: 39, name: 'Ascension' },
      { kind: 'easter', offset: 40, name: "Vendredi de l'Ascension" },
      { kind: 'easter', offset: 50, name: 'Lundi de Pentecôte' },
      { kind: 'fixed', month: 8, day: 1, name: 'Fête nationale' },
      // Jeûne fédéral = third Sunday of September; the office holiday is the Monday after.
      { kind: 'nth-weekday', month: 9, weekday: 0, nth: 3, offset: 1, name: 'Lundi du Jeûne fédéral' },
      { kind: 'fixed', month: 12, day: 24, name: 'Veille de Noël' },
      { kind: 'fixed', month: 12, day: 25, name: 'Noël' },
      { kind: 'fixed', month: 12, day: 26, name: 'Saint-Etienne' },
      { kind: 'fixed', month: 12, day: 31, name: 'Saint-Sylvestre' },
    ],
    remove: [],
  },
  remedies: {
    // Product decision: the NE LPA text is not in our seeds; each decision states its
    // remedy and period, these are only defaults.
    defaultKind: 'appeal',
    defaultDays: 30,
    incidentalDays: 10,
  },
  // The Jura retention periods (Art. 18) also apply to the NE counter: product decision,
  // the NE terms of use (NE 7.4) only set account deactivation after 540 days.
  retention: {
    'contract-evidence': { months: 12 },
    'decision-service': { months: 24 },
    'other-transaction': { months: 18 },
  },
  onboarding: { majorityAge: 18 }, // CC Art. 14
  representation: {
    assistedSessionHours: 2, // product decision (DOMAIN §5): a visit's time
    proxyAcceptanceDays: 30, // product decision (DOMAIN §5): 30 days to accept
    unrestrictedProxyInWriting: true, // NE 3.2, LGSU Art. 22 al. 3-4: written proxy, legalised signature; revoked in writing
  },
  // NE 9: "Toute modification sera communiquée aux personnes utilisatrices": nothing to
  // accept, so its acceptance and restriction periods never run.
  contract: { ...CONTRACT, termsChanges: 'communicated' },
  accessRights: {
    lockAfterFailures: 5, // NE 7.1: "Après cinq entrées erronées d'un des éléments d'identification"
    lockMinutes: 15, // NE 7.1: "pendant une durée de 15 minutes"
    blockAtFailuresInARow: 8, // NE 7.1: "Au bout de la huitième tentative de connexion erronée consécutive"
    deactivateAfterDays: 540, // NE 7.4: "désactivés automatiquement dès 540 jours sans connexion"
    warnDaysBefore: 30, // product decision (DOMAIN §7): a warning 30 days before
    liftFee: {
      // NE 7.6, 8: the Conseil d'État sets the emolument; its amount is published on guichetunique.ch, not in the terms.
      amountChf: null,
      notice:
        "La perception d'un émolument déterminé par le Conseil d'État est réservée (conditions générales d'utilisation, ch. 7.6 et 8 ; montant publié sur www.guichetunique.ch).",
    },
    texts: {
      // NE 7.1, 7.6: blocked at the 8th wrong attempt in a row, lifted on a written request
      blockTaskSubject:
        "droits d'accès bloqués à la huitième tentative de connexion erronée consécutive (ch. 7.1) : levée sur demande écrite de la personne utilisatrice (ch. 7.6)",
      // NE 7.4: deactivated after 540 days without a sign-in
      deactivatedTaskSubject: 'compte désactivé après 540 jours sans connexion (ch. 7.4) : réactivation sur demande de la personne utilisatrice',
      warningMail: {
        subject: 'Votre compte du Guichet unique sera désactivé le {date}',
        paragraphs: [
          "Vous ne vous êtes pas connecté·e au Guichet unique depuis longtemps. Tous les comptes privés et professionnels sont désactivés automatiquement dès 540 jours sans connexion (conditions générales d'utilisation du Guichet unique, ch. 7.4).",
          'Votre compte sera désactivé le {date}. Pour le garder actif, il vous suffit de vous connecter au Guichet unique avant cette date.',
          "Une fois le compte désactivé, seule la chancellerie d'État peut le réactiver, sur votre demande.",
        ],
        sender: ["Chancellerie d'État", 'République et Canton de Neuchâtel'],
      },
    },
    credentials: {
      // NE 4.2: "au moins 10 caractères, dont au moins un chiffre, une minuscule et une majuscule"
      password: { minLength: 10, needs: ['digit', 'lower', 'upper'], maxLength: 128 },
      initialPasswordLength: 12, // product decision: above the rule, changed at the first sign-in (NE 4.2)
      secondFactor: {
        digits: 6,
        validityMinutes: 5, // product decision
        maxWrongTries: 3, // product decision: then a new code; each wrong entry counts for NE 7.1 too
        // NE 4.1: "un code reçu par SMS"
        sms: {
          fr: 'Guichet unique : votre code de connexion est {code}. Valable {minutes} minutes. Ne le communiquez à personne.',
          de: 'Guichet unique: Ihr Anmeldecode ist {code}. {minutes} Minuten gültig. Geben Sie ihn niemandem weiter.',
        },
      },
      replacementFee: {
        amountChf: null, // NE 4.3, 8: set by the Conseil d'État, published on guichetunique.ch
        notice:
          "Le remplacement de droits d'accès perdus ou volés est à la charge de la personne utilisatrice (conditions générales d'utilisation, ch. 4.3 ; émolument publié sur www.guichetunique.ch).",
      },
      letters: {
        // NE 3.1: "Après signature par l'État de Neuchâtel du contrat d'utilisation [...], la personne
        // concernée reçoit, par plis séparés, ses droits d'accès"
        userCode: {
          subject: "Vos droits d'accès au {counter} : votre code utilisateur",
          paragraphs: [
            "L'État de Neuchâtel a signé votre contrat d'utilisation du {counter}. Vos droits d'accès vous parviennent par plis séparés (conditions générales d'utilisation, ch. 3.1) : ce pli contient votre code utilisateur, un autre pli votre mot de passe initial.",
            'Votre code utilisateur : {userCode}',
            "Pour vous connecter, il vous faut votre code utilisateur, votre mot de passe personnel et un code reçu par SMS sur votre téléphone mobile (ch. 4.1). Ces informations sont des données personnelles et secrètes (ch. 3.1) : ne les communiquez à personne. En cas de perte ou de vol, avisez immédiatement la chancellerie d'État (ch. 4.3).",
          ],
        },
        password: {
          subject: "Vos droits d'accès au {counter} : votre mot de passe initial",
          paragraphs: [
            "Ce pli contient votre mot de passe initial ; votre code utilisateur vous parvient par pli séparé (conditions générales d'utilisation, ch. 3.1).",
            'Votre mot de passe initial : {password}',
            'À votre première connexion, vous devrez le remplacer par un mot de passe personnel d’au minimum 10 caractères comprenant des chiffres, des lettres minuscules et des lettres majuscules (ch. 4.2). Détruisez ce pli une fois le mot de passe changé.',
          ],
        },
        // NE 4.3: "elle doit aviser immédiatement la chancellerie d'État, qui se chargera de lui en délivrer de nouveaux"
        replacementIntro:
          "À votre demande, la chancellerie d'État vous délivre de nouveaux droits d'accès au {counter} (conditions générales d'utilisation, ch. 4.3) : ceux qui vous avaient été remis ne sont plus valables. Ils vous parviennent par plis séparés (ch. 3.1) : ce pli contient votre nouveau code utilisateur, un autre pli votre mot de passe initial.",
      },
    },
  },
  services: SERVICES,
  reminders: REMINDERS,
  words: NE_WORDS,
  // NE 4.5: "Pour la transmission de données extrêmement sensibles (exemple : votation), le
  // partenaire peut mettre en œuvre [...] un code transaction individuel à usage unique": by SMS,
  // valid once for 10 minutes (product decision), void after 3 wrong entries.
  transactionCodes: {
    enabled: true,
    validityMinutes: 10,
    codeLength: 6,
    maxWrongTries: 3,
    maxOpenCodes: 3,
    sensitiveActions: ['access-request.create', 'transaction.submit', 'service-consent.grant'],
    // NE 4.5: the partner decides which of its services; until the service catalogue carries
    // that flag, the demo's sensitive service (the seed's example, a vote).
    sensitiveServices: ['vote-electronique'],
    sms: TRANSACTION_CODE_SMS,
  },
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Frozen: a rule set is law; nothing may tweak it at run time.
/** Every rule set the engine knows, oldest first within a canton. */
export const RULE_SETS: readonly CantonProfile[] = deepFreeze([JU, NE]);

/** Each canton's newest rule set: what a process started before rule sets were pinned reads. */
export const profiles: Readonly<Record<CantonCode, CantonProfile>> = deepFreeze({ JU, NE });

export function getProfile(canton: CantonCode): CantonProfile {
  const profile = profiles[canton];
  if (!profile) throw new RangeError(`Unknown canton: ${String(canton)}`);
  return profile;
}
