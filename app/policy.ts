// The access policy: may this principal see or do this to that record? The one place the
// answer is written; use cases ask it before they read or act. "Not yours" is 404, like
// "not there", so a caller learns nothing of records that are not theirs.
import type { Principal } from '../domain/roles';
import { AppError, notFound } from './errors';

/** The records the policy knows, with the facts it decides on (ids and subjects only). */
export type Resource =
  | { type: 'onboarding-application'; applicantSub: string; filedBySub: string; filedByRole: string }
  | { type: 'access-request'; citizenSub: string; filedBySub: string; unitId: string }
  | { type: 'transaction'; citizenSub: string; filedBySub: string; unitId: string }
  /** `representative`: the caller's proxy for the recipient's decisions was checked just now. */
  | { type: 'decision'; unitId: string; recipientSub: string; representative?: boolean }
  | { type: 'contract'; userSub: string }
  | { type: 'task'; kind?: string; unitId?: string | null }
  /** Something a person keeps for themself: a saved view, a consent. */
  | { type: 'own'; ownerSub: string }
  /** A request to represent a person (Art. 9.4, 9.5) */
  | { type: 'representation-request'; representativeSub: string }
  /** Whom a person represents and who represents them (Art. 9, 12): proxies and entities, across records. */
  | { type: 'representation'; sub: string }
  /** An account's access rights on the counter's own sign-in (NE 7.1, 7.4, 7.6) */
  | { type: 'access-rights' };

export type Action =
  /** see the record and where it stands */
  | 'read'
  /** see the personal data it holds (written to the access log) */
  | 'read-personal-data'
  /** the person's own acts: ask for a formal decision, open a decision, accept terms… */
  | 'act-as-person'
  /** the answering body's acts: the authority's answer, the unit's decision, a legal hold */
  | 'act-as-authority'
  /** the Chancellery's acts on a user's contract and on tasks */
  | 'administer';

/**
 * The counsellor rule, for every record filed on someone's behalf: a post-office counsellor
 * reaches what he filed himself for a citizen, and nothing else (no other citizen's record,
 * nothing the citizen filed alone).
 */
export function filedByCounsellor(p: Principal, r: { filedBySub: string; filedByRole: string }): boolean {
  return p.role === 'counsellor' && r.filedByRole === 'counsellor' && r.filedBySub === p.sub;
}

export function may(p: Principal, action: Action, r: Resource): boolean {
  switch (r.type) {
    case 'onboarding-application': {
      const person = (p.role === 'citizen' && p.sub === r.applicantSub) || filedByCounsellor(p, r);
      if (action === 'read') return person || p.role === 'chancellery';
      if (action === 'read-personal-data') return p.role === 'chancellery';
      if (action === 'act-as-person') return person;
      // Art. 4.5 c: the protection authority answers the inquiry about any applicant.
      if (action === 'act-as-authority') return p.role === 'authority';
      return p.role === 'chancellery';
    }
    case 'access-request':
    case 'transaction': {
      // A citizen files only for himself, so a request filed by someone else was filed by a counsellor.
      const filed = { filedBySub: r.filedBySub, filedByRole: r.filedBySub === r.citizenSub ? 'citizen' : 'counsellor' };
      const person = (p.role === 'citizen' && p.sub === r.citizenSub) || filedByCounsellor(p, filed);
      // A representative (Art. 9) reads what he filed for the person; the use case checks his proxy then.
      const representative = p.role === 'citizen' && p.sub === r.filedBySub;
      const ownUnit = p.role === 'unit' && p.unitId === r.unitId;
      if (action === 'read') return person || representative || ownUnit || p.role === 'chancellery';
      if (action === 'act-as-authority') return ownUnit;
      if (action === 'act-as-person') return person;
      return false;
    }
    case 'decision': {
      const recipient = p.role === 'citizen' && (p.sub === r.recipientSub || r.representative === true);
      const ownUnit = p.role === 'unit' && p.unitId === r.unitId;
      if (action === 'read') return recipient || ownUnit || p.role === 'chancellery';
      if (action === 'act-as-person') return recipient;
      // Legal holds and timelines: the unit that served it, and the Chancellery.
      if (action === 'act-as-authority') return ownUnit || p.role === 'chancellery';
      return false;
    }
    case 'contract': {
      const own = p.role === 'citizen' && p.sub === r.userSub;
      if (action === 'act-as-person') return own;
      if (action === 'read') return own || p.role === 'chancellery';
      return p.role === 'chancellery';
    }
    case 'task':
      // Art. 4.5 c: the protection authority reads the inquiries put to it (and answers them
      // through the application); a unit works the tasks of its own inbox; the Chancellery
      // reads every task and works its own.
      if (p.role === 'authority') return action === 'read' && r.kind === 'authority-inquiry';
      if (r.unitId) return (p.role === 'unit' && p.unitId === r.unitId && action !== 'read-personal-data') || (p.role === 'chancellery' && action === 'read');
      return p.role === 'chancellery';
    case 'own':
      return p.sub === r.ownerSub && action !== 'read-personal-data';
    case 'representation-request':
      // The representative sees his own request; the Chancellery examines it (its reads access-logged).
      if (action === 'read') return (p.role === 'citizen' && p.sub === r.representativeSub) || p.role === 'chancellery';
      return p.role === 'chancellery';
    case 'representation':
      // The Chancellery, on a person's case; the person has the lists of their own (proxies, entities).
      return p.role === 'chancellery' && (action === 'read' || action === 'read-personal-data');
    case 'access-rights':
      // The Chancellery lifts blocks and reactivates accounts (NE 7.6, 7.4): it reads their state, and
      // replaces lost or stolen access rights (NE 4.3); the person signs in.
      return p.role === 'chancellery' && (action === 'read' || action === 'read-personal-data' || action === 'administer');
  }
}

/** 404 unless the record is there and the principal may do `action` to it. */
export function requireAccess(p: Principal, action: Action, record: Resource | null | undefined, what: string): asserts record is Resource {
  if (!record || !may(p, action, record)) throw notFound(what);
}

/** Art. 16: a unit serves its own decisions, in the domains it is authorised for (403: the caller names them). */
export function requireToServe(p: Principal, unitId: string, domain: string): void {
  if (p.role !== 'unit' || p.unitId !== unitId) throw new AppError(403, 'forbidden', 'a unit serves its own decisions only');
  if (!p.domains.includes(domain)) throw new AppError(403, 'forbidden', `this unit may not serve decisions in the domain "${domain}"`);
}
