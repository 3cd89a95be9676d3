// The contract's pure rules (Art. 5.2, 7.2, 10): the schedule of a terms version, what the
// facts make of a contract on a given day, and what its state forbids.
import {
  accessDenial,
  contractStatus,
  mergePendingTerms,
  noticeLastDay,
  statusReason,
  termsSchedule,
  type ContractFacts,
  type PendingTerms,
} from '../../domain/contract';
import { profiles } from '../../domain/profiles';

const JU = profiles.JU;
const none: ContractFacts = { endedOn: null, noticeEndsOn: null, blocks: [], pendingTerms: null };
const pending = (p: Partial<PendingTerms> = {}): PendingTerms => ({
  version: 'v2',
  sequence: 2,
  effectiveOn: '2027-01-01',
  restrictFrom: '2027-01-31',
  blockFrom: '2027-03-02',
  ...p,
});

describe('termsSchedule', () => {
  it('counts the effective day as the first day to accept; restriction the day after the last; the block after the profile delay', () => {
    expect(termsSchedule('2027-01-01', 30, JU)).toEqual({ lastAcceptanceDay: '2027-01-30', restrictFrom: '2027-01-31', blockFrom: '2027-03-02' });
    expect(JU.contract.blockAfterRestrictedDays).toBe(30);
  });
  it('with no acceptance period restricts from the effective day', () => {
    expect(termsSchedule('2027-02-28', 0, JU)).toEqual({ lastAcceptanceDay: null, restrictFrom: '2027-02-28', blockFrom: '2027-03-30' });
  });
  it('refuses a negative or fractional period', () => {
    expect(() => termsSchedule('2027-01-01', -1, JU)).toThrow(RangeError);
    expect(() => termsSchedule('2027-01-01', 1.5, JU)).toThrow(RangeError);
  });
});

describe('contractStatus', () => {
  it('follows the schedule day by day: pending, restricted on restrictFrom, blocked on blockFrom', () => {
    const f = { ...none, pendingTerms: pending() };
    expect(contractStatus(f, '2027-01-30')).toBe('active');
    expect(contractStatus(f, '2027-01-31')).toBe('restricted');
    expect(contractStatus(f, '2027-03-01')).toBe('restricted');
    expect(contractStatus(f, '2027-03-02')).toBe('blocked');
  });
  it('ranks an end over a block over a restriction over a notice', () => {
    const block = { kind: 'provisional' as const, reason: 'enquête', since: '2027-01-05T10:00:00Z', by: 'staff' };
    expect(contractStatus({ ...none, noticeEndsOn: '2027-02-05' }, '2027-01-10')).toBe('terminating');
    expect(contractStatus({ ...none, noticeEndsOn: '2027-02-05', pendingTerms: pending() }, '2027-02-01')).toBe('restricted');
    expect(contractStatus({ ...none, blocks: [block], pendingTerms: pending() }, '2027-02-01')).toBe('blocked');
    expect(contractStatus({ ...none, endedOn: '2027-02-05', blocks: [block] }, '2027-02-06')).toBe('terminated');
  });
  it('gives the reason with the article', () => {
    expect(statusReason({ ...none, pendingTerms: pending() }, '2027-02-01')).toBe(
      'restricted since 2027-01-31: the terms of use version v2 have not been accepted (Art. 5.2); blocked from 2027-03-02',
    );
    expect(statusReason({ ...none, blocks: [{ kind: 'misuse-reported', reason: 'x', since: '2027-01-05T10:00:00Z', by: 'u' }] }, '2027-02-01')).toContain(
      'Art. 7.2',
    );
    expect(statusReason(none, '2027-02-01')).toBeNull();
  });
});

describe('mergePendingTerms', () => {
  it('a newer version replaces the pending one on the earlier schedule; an older one changes nothing', () => {
    const first = pending();
    const newer = pending({ version: 'v3', sequence: 3, restrictFrom: '2027-02-20', blockFrom: '2027-03-22' });
    expect(mergePendingTerms(first, newer)).toEqual({ ...newer, restrictFrom: '2027-01-31', blockFrom: '2027-03-02' });
    expect(mergePendingTerms(newer, first)).toBe(newer);
    expect(mergePendingTerms(null, first)).toBe(first);
  });
});

describe('noticeLastDay (Art. 10.1: one month)', () => {
  it('is the same day a month later, or the last day of a shorter month', () => {
    expect(noticeLastDay('2027-01-15', JU)).toBe('2027-02-15');
    expect(noticeLastDay('2027-01-31', JU)).toBe('2027-02-28');
    expect(noticeLastDay('2028-01-31', JU)).toBe('2028-02-29');
  });
});

describe('accessDenial', () => {
  const restricted = { status: 'restricted' as const, reason: 'restricted since …' };
  it('a restricted contract starts nothing new but still reads its decisions', () => {
    expect(accessDenial(restricted, 'access-request.create', JU)).toBe('restricted since …');
    expect(accessDenial(restricted, 'service-consent.grant', JU)).toBe('restricted since …');
    expect(accessDenial(restricted, 'decision.read', JU)).toBeNull();
  });
  it('a blocked one reads nothing online; an ended one does nothing; an active or terminating one everything', () => {
    expect(accessDenial({ status: 'blocked', reason: 'b' }, 'decision.read', JU)).toBe('b');
    expect(accessDenial({ status: 'terminated', reason: null }, 'decision.read', JU)).toBe('the contract is terminated');
    expect(accessDenial({ status: 'terminating', reason: 'n' }, 'access-request.create', JU)).toBeNull();
    expect(accessDenial({ status: 'active', reason: null }, 'service-consent.grant', JU)).toBeNull();
  });
});
