// The access policy, alone: who may see or act on which record.
import { may, requireAccess, requireToServe, type Resource } from '../../app/policy';
import type { Principal, Role } from '../../domain/roles';

const as = (role: Role, sub: string, extra: Partial<Principal> = {}): Principal => ({ role, sub, domains: [], ...extra });
const anna = as('citizen', 'anna');
const bruno = as('citizen', 'bruno');
const counsellor = as('counsellor', 'poste-1');
const otherCounsellor = as('counsellor', 'poste-2');
const unit = as('unit', 'agent-1', { unitId: 'SPOP', domains: ['population'] });
const otherUnit = as('unit', 'agent-2', { unitId: 'SCAV', domains: ['population'] });
const staff = as('chancellery', 'jurist-1');
const authority = as('authority', 'apea-1');
const operator = as('operator', 'ops-1');
const postal = as('postal', 'gateway');

describe('the counsellor rule, one rule for every record filed on someone’s behalf', () => {
  const application: Resource = { type: 'onboarding-application', applicantSub: 'anna', filedBySub: 'poste-1', filedByRole: 'counsellor' };
  const request: Resource = { type: 'access-request', citizenSub: 'anna', filedBySub: 'poste-1', unitId: 'SPOP' };
  const filedByAnna: Resource = { type: 'access-request', citizenSub: 'anna', filedBySub: 'anna', unitId: 'SPOP' };

  it.each([
    ['an application', application],
    ['an access request', request],
  ])('%s: the counsellor who filed it reads it and acts for the person; another counsellor does not', (_, r) => {
    expect(may(counsellor, 'read', r)).toBe(true);
    expect(may(counsellor, 'act-as-person', r)).toBe(true);
    expect(may(otherCounsellor, 'read', r)).toBe(false);
    expect(may(otherCounsellor, 'act-as-person', r)).toBe(false);
    expect(may(anna, 'read', r)).toBe(true);
    expect(may(bruno, 'read', r)).toBe(false);
  });

  it('a counsellor reaches nothing the citizen filed alone, even with the citizen’s subject as his own', () => {
    expect(may(counsellor, 'read', filedByAnna)).toBe(false);
    expect(may(as('counsellor', 'anna'), 'read', filedByAnna)).toBe(false);
    const ownApplication: Resource = { type: 'onboarding-application', applicantSub: 'anna', filedBySub: 'anna', filedByRole: 'citizen' };
    expect(may(as('counsellor', 'anna'), 'read', ownApplication)).toBe(false);
  });

  it('a citizen who filed for nobody else has no way in to another person’s application', () => {
    expect(may(bruno, 'act-as-person', application)).toBe(false);
  });
});

describe('applications', () => {
  const application: Resource = { type: 'onboarding-application', applicantSub: 'anna', filedBySub: 'anna', filedByRole: 'citizen' };
  it('the Chancellery reads the personal data; the applicant does not need to (she typed it); the authority answers', () => {
    expect(may(staff, 'read-personal-data', application)).toBe(true);
    expect(may(anna, 'read-personal-data', application)).toBe(false);
    expect(may(authority, 'act-as-authority', application)).toBe(true);
    expect(may(staff, 'act-as-authority', application)).toBe(false);
    expect(may(staff, 'act-as-person', application)).toBe(false);
    for (const p of [unit, operator, postal, authority]) expect(may(p, 'read', application)).toBe(false);
  });
});

describe('decisions', () => {
  const decision: Resource = { type: 'decision', unitId: 'SPOP', recipientSub: 'anna' };
  it('the serving unit, the recipient and the Chancellery read it; only the recipient opens it', () => {
    for (const p of [unit, anna, staff]) expect(may(p, 'read', decision)).toBe(true);
    for (const p of [otherUnit, bruno, counsellor, operator, postal, authority]) expect(may(p, 'read', decision)).toBe(false);
    expect(may(anna, 'act-as-person', decision)).toBe(true);
    expect(may(unit, 'act-as-person', decision)).toBe(false);
  });
  it('legal holds and timelines: the serving unit and the Chancellery', () => {
    expect(may(unit, 'act-as-authority', decision)).toBe(true);
    expect(may(staff, 'act-as-authority', decision)).toBe(true);
    expect(may(otherUnit, 'act-as-authority', decision)).toBe(false);
    expect(may(anna, 'act-as-authority', decision)).toBe(false);
  });
  it('a unit serves its own decisions in its own domains only (403, naming why)', () => {
    expect(() => requireToServe(unit, 'SPOP', 'population')).not.toThrow();
    expect(() => requireToServe(unit, 'SCAV', 'population')).toThrow(/own decisions only/);
    expect(() => requireToServe(unit, 'SPOP', 'fiscalite')).toThrow(/domain "fiscalite"/);
    expect(() => requireToServe(staff, 'SPOP', 'population')).toThrow(/own decisions only/);
  });
});

describe('access requests, contracts, tasks and what a person keeps', () => {
  it('the unit the request is for decides it; another unit does not see it', () => {
    const r: Resource = { type: 'access-request', citizenSub: 'anna', filedBySub: 'anna', unitId: 'SPOP' };
    expect(may(unit, 'act-as-authority', r)).toBe(true);
    expect(may(otherUnit, 'read', r)).toBe(false);
    expect(may(staff, 'act-as-authority', r)).toBe(false);
  });
  it('a contract: its user acts on it, the Chancellery reads and administers it', () => {
    const c: Resource = { type: 'contract', userSub: 'anna' };
    expect(may(anna, 'act-as-person', c)).toBe(true);
    expect(may(anna, 'administer', c)).toBe(false);
    expect(may(bruno, 'read', c)).toBe(false);
    expect(may(staff, 'administer', c)).toBe(true);
    expect(may(staff, 'act-as-person', c)).toBe(false);
  });
  it('tasks are the Chancellery’s; a saved view or a consent is its owner’s alone', () => {
    expect(may(staff, 'administer', { type: 'task' })).toBe(true);
    // Art. 4.5 c: the authority reads the inquiries put to it, and nothing else; it acts through its answer.
    expect(may(authority, 'read', { type: 'task', kind: 'authority-inquiry' })).toBe(true);
    expect(may(authority, 'read', { type: 'task', kind: 'review' })).toBe(false);
    expect(may(authority, 'administer', { type: 'task', kind: 'authority-inquiry' })).toBe(false);
    expect(may(unit, 'administer', { type: 'task' })).toBe(false);
    expect(may(staff, 'act-as-person', { type: 'own', ownerSub: 'jurist-1' })).toBe(true);
    expect(may(as('chancellery', 'jurist-2'), 'act-as-person', { type: 'own', ownerSub: 'jurist-1' })).toBe(false);
  });
  it("a person's representation (proxies, entities) is read by the Chancellery alone, even by the person", () => {
    const r: Resource = { type: 'representation', sub: 'anna' };
    expect(may(staff, 'read-personal-data', r)).toBe(true);
    expect(may(staff, 'administer', r)).toBe(false);
    expect(may(anna, 'read', r)).toBe(false);
    expect(may(bruno, 'read', r)).toBe(false);
    expect(may(authority, 'read', r)).toBe(false);
    expect(may(unit, 'read', r)).toBe(false);
  });
  it('requireAccess answers 404 alike for a missing record and for one that is not yours', () => {
    const status = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { status: number; code: string }).status;
      }
      return 200;
    };
    expect(status(() => requireAccess(bruno, 'read', { type: 'contract', userSub: 'anna' }, 'contract'))).toBe(404);
    expect(status(() => requireAccess(bruno, 'read', null, 'contract'))).toBe(404);
    expect(status(() => requireAccess(anna, 'read', { type: 'contract', userSub: 'anna' }, 'contract'))).toBe(200);
  });
});
