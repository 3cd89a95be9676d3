/**
 * Canton profiles: the legal numbers as data, and each canton's public holidays
 * checked year by year against the law (Easter from a published table, not from our code).
 */
import { getProfile, profiles, type CantonProfile } from '../../domain/profiles';
import { addDays, dayOfWeek, isPublicHoliday, isWorkingDay, publicHolidays } from '../../domain/legal-calendar';

const EASTER: Record<number, string> = {
  2026: '2026-04-05',
  2027: '2027-03-28',
  2028: '2028-04-16',
  2029: '2029-04-01',
  2030: '2030-04-21',
};
const YEARS = Object.keys(EASTER).map(Number);
const easter = (year: number): string => EASTER[year] as string;

/** The third Sunday of September (Jeûne fédéral), by walking the month. */
function jeuneFederal(year: number): string {
  let sundays = 0;
  for (let day = `${year}-09-01`; ; day = addDays(day, 1)) {
    if (dayOfWeek(day) === 0 && ++sundays === 3) return day;
  }
}

/** RSJU 555.1 Art. 3, besides Sundays. */
function juraHolidays(year: number): string[] {
  const e = easter(year);
  return [
    `${year}-01-01`,
    `${year}-01-02`,
    addDays(e, -2), // Good Friday
    e, // Easter
    addDays(e, 1), // Easter Monday
    `${year}-05-01`,
    addDays(e, 39), // Ascension
    addDays(e, 49), // Whit Sunday
    addDays(e, 50), // Whit Monday
    addDays(e, 60), // Fête-Dieu
    `${year}-06-23`,
    `${year}-08-01`,
    `${year}-08-15`,
    `${year}-11-01`,
    `${year}-12-25`,
  ].sort();
}

/** NE: days the cantonal offices close (RSN 152.512 Art. 11). */
function neuchatelHolidays(year: number): string[] {
  const e = easter(year);
  return [
    `${year}-01-01`,
    `${year}-01-02`,
    `${year}-03-01`,
    addDays(e, -2), // Good Friday
    addDays(e, 1), // Easter Monday
    `${year}-05-01`,
    addDays(e, 39), // Ascension
    addDays(e, 40), // the Friday after
    addDays(e, 50), // Whit Monday
    `${year}-08-01`,
    addDays(jeuneFederal(year), 1),
    `${year}-12-24`,
    `${year}-12-25`,
    `${year}-12-26`,
    `${year}-12-31`,
  ].sort();
}

describe('profiles hold the legal numbers', () => {
  it('gives Jura a 10-day window followed by a postal service (Art. 16.4-5)', () => {
    const ju = getProfile('JU');
    expect(ju.timeZone).toBe('Europe/Zurich');
    expect(ju.electronicService).toEqual({ windowDays: 10, windowExpiry: 'postal-service' });
    expect(ju.postal.collectionDays).toBe(7);
    expect(ju.deadlines.feries.provisionalMeasuresExempt).toBe(true);
    expect(ju.remedies).toEqual({ defaultKind: 'opposition', defaultDays: 30, incidentalDays: 10 });
  });

  it('gives Neuchâtel a 7-day window after which the decision is deemed notified (LPA Art. 30)', () => {
    const ne = getProfile('NE');
    expect(ne.timeZone).toBe('Europe/Zurich');
    expect(ne.electronicService).toEqual({ windowDays: 7, windowExpiry: 'deemed-notified' });
    expect(ne.postal.collectionDays).toBe(7);
    expect(ne.deadlines.feries.provisionalMeasuresExempt).toBe(false);
  });

  it('asks a QES acceptance of a new terms version in the Jura (Art. 5.2); Neuchâtel only communicates it (NE 9)', () => {
    expect(profiles.JU.contract.termsChanges).toBe('qes-acceptance');
    expect(profiles.NE.contract.termsChanges).toBe('communicated');
  });

  it('keeps records as Art. 18 says', () => {
    expect(profiles.JU.retention).toEqual({
      'contract-evidence': { months: 12 },
      'decision-service': { months: 24 },
      'other-transaction': { months: 18 },
    });
  });

  it('carries the operational reminder durations', () => {
    expect(profiles.JU.reminders).toEqual({ taskReminderDays: 3, taskEscalationDays: 7, formalDecisionRequestDays: 30 });
  });

  it('dates each rule set so a later one can be added', () => {
    expect(profiles.JU.ruleSet).toMatchObject({ id: 'JU-GVS-2013', effectiveFrom: '2013-01-01' });
    expect(profiles.NE.ruleSet).toMatchObject({ id: 'NE-GU-2025', effectiveFrom: '2026-01-01', effectiveTo: null });
    expect(profiles.JU.ruleSet).toMatchObject({ effectiveTo: '2021-10-31' });
    expect(profiles.JU.ruleSet.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(profiles.JU.electronicService)).toBe(true);
    expect(() => {
      (profiles.JU.electronicService as { windowDays: number }).windowDays = 30;
    }).toThrow(TypeError);
  });

  it('refuses an unknown canton', () => {
    expect(() => getProfile('GE' as never)).toThrow(RangeError);
  });
});

describe.each(YEARS)('Jura public holidays %i (RSJU 555.1 Art. 3)', (year) => {
  it('contains every holiday of the law', () => {
    const actual = publicHolidays(year, profiles.JU);
    expect(actual).toEqual(expect.arrayContaining(juraHolidays(year)));
    for (const day of juraHolidays(year)) expect(isWorkingDay(day, profiles.JU)).toBe(false);
  });

  it('adds nothing but Sundays (the Jeûne fédéral)', () => {
    const extra = publicHolidays(year, profiles.JU).filter((d) => !juraHolidays(year).includes(d));
    for (const day of extra) expect(dayOfWeek(day)).toBe(0);
  });

  it('does not make 26 December a holiday', () => {
    expect(isPublicHoliday(`${year}-12-26`, profiles.JU)).toBe(false);
  });
});

describe.each(YEARS)('Neuchâtel public holidays %i (RSN 152.512 Art. 11)', (year) => {
  it('is exactly the offices-closed list, without Fête-Dieu', () => {
    expect(publicHolidays(year, profiles.NE)).toEqual(neuchatelHolidays(year));
    expect(isPublicHoliday(addDays(easter(year), 60), profiles.NE)).toBe(false);
  });
});

describe('holiday corrections are data', () => {
  it('adds and removes holidays through the profile only', () => {
    // Arrange: a Jura variant that adds 26 December and drops Fête-Dieu.
    const variant: CantonProfile = {
      ...profiles.JU,
      holidays: {
        ...profiles.JU.holidays,
        add: [...profiles.JU.holidays.add, { kind: 'fixed', month: 12, day: 26, name: 'Saint-Etienne' }],
        remove: [{ kind: 'easter', offset: 60, name: 'Fête-Dieu' }],
      },
    };
    // Act / Assert
    expect(isPublicHoliday('2026-12-26', variant)).toBe(true);
    expect(isPublicHoliday('2026-06-04', variant)).toBe(false);
    expect(isPublicHoliday('2026-06-04', profiles.JU)).toBe(true);
  });
});
