import { ageOn, assess, route } from '../../domain/onboarding';
import { profiles } from '../../domain/profiles';

const facts = (birthDate: string, over: Partial<Parameters<typeof assess>[0]> = {}) => ({
  found: true,
  domiciledInCanton: true,
  birthDate,
  protectionMeasure: false,
  ...over,
});

describe('the 18th birthday boundary (Art. 4.5 b)', () => {
  it('is of age from the first moment of the 18th birthday, not the day before', () => {
    expect(ageOn('2008-12-01', '2026-11-30')).toBe(17);
    expect(ageOn('2008-12-01', '2026-12-01')).toBe(18);
    expect(assess(facts('2008-12-01'), '2026-11-30', profiles.JU).adult).toBe(false);
    expect(assess(facts('2008-12-01'), '2026-12-01', profiles.JU).adult).toBe(true);
  });

  it('counts a 29 February birthday as reached on 1 March in a common year', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
});

describe('routing an application', () => {
  it('admits when every check passes', () => {
    expect(route(assess(facts('1980-01-01'), '2026-11-23', profiles.JU))).toBe('admit');
  });
  it('sends a minor or a person domiciled elsewhere to review', () => {
    expect(route(assess(facts('2010-05-14'), '2026-11-23', profiles.JU))).toBe('review');
    expect(route(assess(facts('1980-01-01', { domiciledInCanton: false }), '2026-11-23', profiles.JU))).toBe('review');
    expect(route(assess(facts('1980-01-01', { found: false, birthDate: null }), '2026-11-23', profiles.JU))).toBe('review');
  });
  it('asks the authority first when a protection measure is recorded', () => {
    expect(route(assess(facts('2010-05-14', { protectionMeasure: true }), '2026-11-23', profiles.JU))).toBe('ask-authority');
  });
});
