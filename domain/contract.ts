// The user contract's state (Art. 5, 7, 10) as pure rules: what a contract's facts make of
// it on a given day, and which of the counter's actions that state forbids. The contract
// workflow keeps the facts; the API enforces `accessDenial` on every restricted action.
import { addDays, addMonths } from './days';
import type { CantonProfile, ContractAction, IsoDay } from './profiles';

export type ContractStatus = 'active' | 'restricted' | 'blocked' | 'terminating' | 'terminated';

/** Art. 7.2: the user fears someone used their credentials; Art. 10.3: the Chancellery's provisional measure. */
export type BlockKind = 'misuse-reported' | 'provisional';

export interface Block {
  kind: BlockKind;
  reason: string;
  since: string;
  by: string;
}

/** A terms version the user has not accepted yet, and what happens when. */
export interface PendingTerms {
  version: string;
  /** Publication order: a later version replaces an earlier pending one, never the reverse. */
  sequence: number;
  effectiveOn: IsoDay;
  /** First day the contract is restricted if the version is still not accepted. */
  restrictFrom: IsoDay;
  /** First day it is blocked (Art. 5.2). */
  blockFrom: IsoDay;
}

export interface ContractFacts {
  /** The day the contract ended, once it has. */
  endedOn: IsoDay | null;
  /** Last day of the contract after the user's notice (Art. 10.1), while it runs. */
  noticeEndsOn: IsoDay | null;
  blocks: Block[];
  pendingTerms: PendingTerms | null;
}

/**
 * The schedule of a terms version (Art. 5.2): it can be accepted during `acceptanceDays`
 * days from its effective day (the effective day counted); then the contract is
 * restricted, and `blockAfterRestrictedDays` later blocked. With 0 days, a contract that
 * has not accepted by the effective day is restricted from that day.
 */
export function termsSchedule(
  effectiveOn: IsoDay,
  acceptanceDays: number,
  profile: CantonProfile,
): { restrictFrom: IsoDay; blockFrom: IsoDay; lastAcceptanceDay: IsoDay | null } {
  if (!Number.isInteger(acceptanceDays) || acceptanceDays < 0)
    throw new RangeError(`acceptance period must be a whole number of days ≥ 0, got ${acceptanceDays}`);
  const restrictFrom = addDays(effectiveOn, acceptanceDays);
  return {
    restrictFrom,
    blockFrom: addDays(restrictFrom, profile.contract.blockAfterRestrictedDays),
    lastAcceptanceDay: acceptanceDays === 0 ? null : addDays(restrictFrom, -1),
  };
}

/**
 * Two pending versions: the newer one must be accepted, on the earlier schedule (publishing
 * again never lifts a restriction that was due).
 */
export function mergePendingTerms(current: PendingTerms | null, incoming: PendingTerms): PendingTerms {
  if (!current) return incoming;
  if (incoming.sequence <= current.sequence) return current;
  return {
    ...incoming,
    restrictFrom: incoming.restrictFrom < current.restrictFrom ? incoming.restrictFrom : current.restrictFrom,
    blockFrom: incoming.blockFrom < current.blockFrom ? incoming.blockFrom : current.blockFrom,
  };
}

/** Art. 10.1: notice given on `givenOn` ends the contract at the end of this day. */
export function noticeLastDay(givenOn: IsoDay, profile: CantonProfile): IsoDay {
  return addMonths(givenOn, profile.contract.userNoticeMonths);
}

export type TermsStage = 'none' | 'pending' | 'restricted' | 'blocked';

export function termsStage(pending: PendingTerms | null, today: IsoDay): TermsStage {
  if (!pending) return 'none';
  if (today >= pending.blockFrom) return 'blocked';
  if (today >= pending.restrictFrom) return 'restricted';
  return 'pending';
}

/** What the facts make of the contract today; a block outranks a restriction, which outranks notice. */
export function contractStatus(f: ContractFacts, today: IsoDay): ContractStatus {
  if (f.endedOn) return 'terminated';
  const stage = termsStage(f.pendingTerms, today);
  if (f.blocks.length > 0 || stage === 'blocked') return 'blocked';
  if (stage === 'restricted') return 'restricted';
  if (f.noticeEndsOn) return 'terminating';
  return 'active';
}

/** Why the contract is in its state, in words for the user (no personal data). */
export function statusReason(f: ContractFacts, today: IsoDay): string | null {
  const status = contractStatus(f, today);
  const terms = f.pendingTerms;
  switch (status) {
    case 'terminated':
      return `the contract ended on ${f.endedOn} (Art. 10)`;
    case 'blocked': {
      const block = f.blocks[0];
      if (block?.kind === 'misuse-reported') return `blocked since ${block.since.slice(0, 10)}: a misuse of the credentials was reported (Art. 7.2)`;
      if (block) return `blocked since ${block.since.slice(0, 10)} by the Chancellery as a provisional measure (Art. 10.3): ${block.reason}`;
      return `blocked since ${terms!.blockFrom}: the terms of use version ${terms!.version} have not been accepted (Art. 5.2)`;
    }
    case 'restricted':
      return `restricted since ${terms!.restrictFrom}: the terms of use version ${terms!.version} have not been accepted (Art. 5.2); blocked from ${terms!.blockFrom}`;
    case 'terminating':
      return `terminated by notice; the contract ends at the end of ${f.noticeEndsOn} (Art. 10.1)`;
    default:
      return null;
  }
}

/** The reason the contract's state forbids `action`, or null when it is allowed. */
export function accessDenial(contract: { status: ContractStatus; reason: string | null }, action: ContractAction, profile: CantonProfile): string | null {
  const forbidden =
    contract.status === 'terminated' ||
    (contract.status === 'blocked' && profile.contract.blockedActions.includes(action)) ||
    (contract.status === 'restricted' && profile.contract.restrictedActions.includes(action));
  return forbidden ? (contract.reason ?? `the contract is ${contract.status}`) : null;
}
