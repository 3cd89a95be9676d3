/**
 * The legal calendar, checked against dates computed by hand.
 * Instants are written in UTC; the comment gives the Europe/Zurich wall time
 * (CET = UTC+1 in winter, CEST = UTC+2 from the last Sunday of March to the last Sunday of October).
 * Reference calendar: 2026-01-01 is a Thursday; Easter 2026-04-05, 2027-03-28, 2028-04-16.
 * Féries 2026: 29 Mar-12 Apr (Easter ±7), 15 Jul-15 Aug, 18 Dec 2026-2 Jan 2027.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  addDays,
  addMonths,
  appealPeriod,
  deemedDeliveryDate,
  easterSunday,
  electronicServiceWindow,
  endOfLocalDay,
  isInFeries,
  isOpenedInTime,
  isPublicHoliday,
  isWorkingDay,
  localDay,
  retentionEnd,
} from '../../domain/legal-calendar';
import { profiles, type CantonProfile } from '../../domain/profiles';

const JU = profiles.JU;
const NE = profiles.NE;
const TZ = 'Europe/Zurich';
const at = (iso: string): Date => new Date(iso);

describe('day arithmetic', () => {
  it('adds days across month, leap-day and year ends', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29'); // 2028 is a leap year
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds calendar months, clamping to the last day of a shorter month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('rejects days that do not exist', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-2-3', 1)).toThrow(RangeError);
  });

  it('computes Easter Sunday as in the published tables', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2028)).toBe('2028-04-16');
    expect(easterSunday(2029)).toBe('2029-04-01');
    expect(easterSunday(2030)).toBe('2030-04-21');
  });
});

describe('local days in Europe/Zurich', () => {
  it('takes the Zurich calendar day, not the UTC one', () => {
    // 2026-01-31 23:30 UTC is 2026-02-01 00:30 CET.
    expect(localDay(at('2026-01-31T23:30:00Z'), TZ)).toBe('2026-02-01');
    // 2026-07-31 22:30 UTC is 2026-08-01 00:30 CEST.
    expect(localDay(at('2026-07-31T22:30:00Z'), TZ)).toBe('2026-08-01');
  });

  it('ends a local day at the next local midnight, on both DST changes', () => {
    expect(endOfLocalDay('2026-01-15', TZ)).toEqual(at('2026-01-15T23:00:00Z')); // CET
    expect(endOfLocalDay('2026-07-15', TZ)).toEqual(at('2026-07-15T22:00:00Z')); // CEST
    // 29 March 2026 (spring forward) lasts 23 hours: 28 Mar 23:00Z to 29 Mar 22:00Z.
    expect(endOfLocalDay('2026-03-28', TZ)).toEqual(at('2026-03-28T23:00:00Z'));
    expect(endOfLocalDay('2026-03-29', TZ)).toEqual(at('2026-03-29T22:00:00Z'));
    // 25 October 2026 (fall back) lasts 25 hours: 24 Oct 22:00Z to 25 Oct 23:00Z.
    expect(endOfLocalDay('2026-10-24', TZ)).toEqual(at('2026-10-24T22:00:00Z'));
    expect(endOfLocalDay('2026-10-25', TZ)).toEqual(at('2026-10-25T23:00:00Z'));
  });
});

describe('electronic service window (JU Art. 16.4: until the end of day D+10)', () => {
  it('runs 10 calendar days across a month end, with no extension for the weekend', () => {
    // Arrange: communicated Sunday 25 Jan 2026, 10:00 CET. D+10 = 4 Feb.
    const communicatedAt = at('2026-01-25T09:00:00Z');
    // Act
    const { lastDay } = electronicServiceWindow(communicatedAt, JU);
    // Assert
    expect(lastDay).toBe('2026-02-04');
  });

  it('keeps a last day on a Saturday (the window does not roll over)', () => {
    // Wed 3 Jun 2026 + 10 = Sat 13 Jun.
    expect(electronicServiceWindow(at('2026-06-03T08:00:00Z'), JU).lastDay).toBe('2026-06-13');
  });

  it('is not suspended by the Christmas féries', () => {
    // Sun 20 Dec 2026 + 10 = Wed 30 Dec, inside the féries.
    expect(electronicServiceWindow(at('2026-12-20T09:00:00Z'), JU).lastDay).toBe('2026-12-30');
  });

  it('counts from the Zurich day of the communication, just after local midnight', () => {
    // 31 Jan 2026 23:30 UTC = 1 Feb 00:30 CET: D = 1 Feb, D+10 = 11 Feb.
    expect(electronicServiceWindow(at('2026-01-31T23:30:00Z'), JU).lastDay).toBe('2026-02-11');
  });

  it('accepts an opening at 23:59:59 local on the last day and refuses one at 00:00:00 next day (CET)', () => {
    const communicatedAt = at('2026-01-25T09:00:00Z'); // last day 4 Feb
    expect(isOpenedInTime(communicatedAt, at('2026-02-04T22:59:59Z'), JU)).toBe(true); // 23:59:59 CET
    expect(isOpenedInTime(communicatedAt, at('2026-02-04T23:00:00Z'), JU)).toBe(false); // 5 Feb 00:00 CET
  });

  it('closes at local midnight after the spring DST change', () => {
    // Communicated Fri 20 Mar 2026 13:00 CET; last day Mon 30 Mar, now CEST (UTC+2).
    const communicatedAt = at('2026-03-20T12:00:00Z');
    expect(electronicServiceWindow(communicatedAt, JU).lastDay).toBe('2026-03-30');
    // 30 Mar 23:59:59 CEST = 21:59:59Z counts; 31 Mar 00:00 CEST = 30 Mar 22:00Z does not,
    // although a fixed UTC+1 would still call it 30 Mar.
    expect(isOpenedInTime(communicatedAt, at('2026-03-30T21:59:59Z'), JU)).toBe(true);
    expect(isOpenedInTime(communicatedAt, at('2026-03-30T22:00:00Z'), JU)).toBe(false);
    expect(endOfLocalDay('2026-03-30', TZ)).toEqual(at('2026-03-30T22:00:00Z'));
  });

  it('closes at local midnight after the autumn DST change', () => {
    // Communicated Tue 20 Oct 2026 10:00 CEST; last day Fri 30 Oct, now CET (UTC+1).
    const communicatedAt = at('2026-10-20T08:00:00Z');
    expect(electronicServiceWindow(communicatedAt, JU).lastDay).toBe('2026-10-30');
    // 30 Oct 23:59:59 CET = 22:59:59Z counts (a fixed UTC+2 would wrongly say 31 Oct).
    expect(isOpenedInTime(communicatedAt, at('2026-10-30T22:59:59Z'), JU)).toBe(true);
    expect(isOpenedInTime(communicatedAt, at('2026-10-30T23:00:00Z'), JU)).toBe(false);
  });

  it('counts an opening the same day as the communication', () => {
    const communicatedAt = at('2026-10-24T21:30:00Z'); // Sat 24 Oct 23:30 CEST
    expect(electronicServiceWindow(communicatedAt, JU).lastDay).toBe('2026-11-03');
    expect(isOpenedInTime(communicatedAt, at('2026-10-24T21:45:00Z'), JU)).toBe(true);
  });

  it('is 7 days in Neuchâtel (LPA Art. 30)', () => {
    // Wed 28 Jan 2026 10:00 CET + 7 = Wed 4 Feb.
    const communicatedAt = at('2026-01-28T09:00:00Z');
    expect(electronicServiceWindow(communicatedAt, NE).lastDay).toBe('2026-02-04');
    expect(isOpenedInTime(communicatedAt, at('2026-02-04T22:59:59Z'), NE)).toBe(true);
    expect(isOpenedInTime(communicatedAt, at('2026-02-04T23:00:00Z'), NE)).toBe(false);
  });
});

describe('deemed delivery of an uncollected letter', () => {
  it('is the day the notice was left + 7, across a month end (JU Art. 16.5)', () => {
    expect(deemedDeliveryDate('2026-07-28', JU)).toBe('2026-08-04');
    expect(deemedDeliveryDate('2026-02-25', JU)).toBe('2026-03-04'); // February 2026 has 28 days
    expect(deemedDeliveryDate('2028-02-25', JU)).toBe('2028-03-03'); // 2028 is a leap year
  });

  it('is not extended for weekends, holidays or féries', () => {
    // Thu 24 Dec 2026 + 7 = Thu 31 Dec (féries); Sat 25 Jul 2026 + 7 = Sat 1 Aug (holiday, Saturday).
    expect(deemedDeliveryDate('2026-12-24', JU)).toBe('2026-12-31');
    expect(deemedDeliveryDate('2026-07-25', JU)).toBe('2026-08-01');
  });

  it('is 7 days after the first delivery attempt in Neuchâtel (LPA Art. 31 al. 2)', () => {
    expect(deemedDeliveryDate('2026-03-27', NE)).toBe('2026-04-03');
  });
});

describe('remedy period (CPA Art. 44, 44a)', () => {
  it('counts 30 days from the day after the trigger when nothing intervenes', () => {
    // Trigger Tue 10 Feb 2026: start 11 Feb; day 30 = 12 Mar (18 days in Feb + 12 in Mar), a Thursday.
    expect(appealPeriod('2026-02-10', 30, JU)).toEqual({ start: '2026-02-11', lastDay: '2026-03-12' });
  });

  it('moves a deadline ending on a Saturday to the Monday', () => {
    // Trigger 5 Feb 2026: day 30 = Sat 7 Mar -> Mon 9 Mar.
    expect(appealPeriod('2026-02-05', 30, JU)).toEqual({ start: '2026-02-06', lastDay: '2026-03-09' });
  });

  it('moves a deadline ending on a Sunday to the Monday', () => {
    // Trigger 6 Feb 2026: day 30 = Sun 8 Mar -> Mon 9 Mar.
    expect(appealPeriod('2026-02-06', 30, JU)).toEqual({ start: '2026-02-07', lastDay: '2026-03-09' });
  });

  it('moves a 10-day incidental deadline ending on a Sunday', () => {
    // Trigger Thu 30 Apr 2026: start Fri 1 May (a holiday still counts); day 10 = Sun 10 May -> Mon 11 May.
    expect(appealPeriod('2026-04-30', 10, JU)).toEqual({ start: '2026-05-01', lastDay: '2026-05-11' });
  });

  it('moves a deadline ending on 23 June (Jura holiday) but not in Neuchâtel', () => {
    // Trigger Sun 24 May 2026: start 25 May; day 30 = Tue 23 Jun.
    expect(appealPeriod('2026-05-24', 30, JU).lastDay).toBe('2026-06-24');
    expect(appealPeriod('2026-05-24', 30, NE).lastDay).toBe('2026-06-23');
  });

  it('moves a deadline ending on 1 November (Jura holiday) but not in Neuchâtel', () => {
    // Trigger Sat 2 Oct 2027: start 3 Oct; day 30 = Mon 1 Nov 2027.
    expect(appealPeriod('2027-10-02', 30, JU).lastDay).toBe('2027-11-02');
    expect(appealPeriod('2027-10-02', 30, NE).lastDay).toBe('2027-11-01');
  });

  it('moves a deadline ending on Ascension; in Neuchâtel over the Friday after too', () => {
    // Trigger 14 Apr 2026 (after the Easter féries): start 15 Apr; day 30 = Thu 14 May, Ascension.
    expect(appealPeriod('2026-04-14', 30, JU)).toEqual({ start: '2026-04-15', lastDay: '2026-05-15' });
    // NE: Fri 15 May is also a holiday, then the weekend -> Mon 18 May.
    expect(appealPeriod('2026-04-14', 30, NE).lastDay).toBe('2026-05-18');
  });

  it('moves a deadline ending on Whit Monday', () => {
    // Trigger 25 Apr 2026: start 26 Apr; day 30 = Mon 25 May -> Tue 26 May (both cantons).
    expect(appealPeriod('2026-04-25', 30, JU).lastDay).toBe('2026-05-26');
    expect(appealPeriod('2026-04-25', 30, NE).lastDay).toBe('2026-05-26');
  });

  it('moves a deadline ending on Fête-Dieu in Jura, not in Neuchâtel', () => {
    // Trigger 5 May 2026: start 6 May; day 30 = Thu 4 Jun (Easter + 60).
    expect(appealPeriod('2026-05-05', 30, JU).lastDay).toBe('2026-06-05');
    expect(appealPeriod('2026-05-05', 30, NE).lastDay).toBe('2026-06-04');
  });

  it('moves a deadline ending on 1 March in Neuchâtel, not in Jura', () => {
    // Trigger 30 Jan 2027: start 31 Jan; day 30 = Mon 1 Mar 2027 (1 day in Jan + 28 in Feb + 1).
    expect(appealPeriod('2027-01-30', 30, NE).lastDay).toBe('2027-03-02');
    expect(appealPeriod('2027-01-30', 30, JU).lastDay).toBe('2027-03-01');
  });

  it('moves a deadline ending on the Monday after the Jeûne fédéral in Neuchâtel only', () => {
    // Trigger 22 Aug 2026: start 23 Aug; day 30 = Mon 21 Sep 2026 (Jeûne fédéral: Sun 20 Sep).
    expect(appealPeriod('2026-08-22', 30, NE).lastDay).toBe('2026-09-22');
    expect(appealPeriod('2026-08-22', 30, JU).lastDay).toBe('2026-09-21');
  });

  it('skips the Easter féries inside the period', () => {
    // Trigger Fri 20 Mar 2026: 21-28 Mar count (8 days); 29 Mar-12 Apr do not;
    // 22 more from 13 Apr: day 30 = Mon 4 May.
    expect(appealPeriod('2026-03-20', 30, JU)).toEqual({ start: '2026-03-21', lastDay: '2026-05-04' });
    expect(appealPeriod('2026-03-20', 30, NE)).toEqual({ start: '2026-03-21', lastDay: '2026-05-04' });
  });

  it('skips the summer féries inside the period', () => {
    // Trigger 1 Jul 2026: 2-14 Jul count (13 days); 17 more from 16 Aug: day 30 = Tue 1 Sep.
    expect(appealPeriod('2026-07-01', 30, JU)).toEqual({ start: '2026-07-02', lastDay: '2026-09-01' });
  });

  it('skips the Christmas féries across the new year', () => {
    // Trigger 10 Dec 2026: 11-17 Dec count (7 days); 23 more from Sun 3 Jan 2027: day 30 = Mon 25 Jan.
    expect(appealPeriod('2026-12-10', 30, JU)).toEqual({ start: '2026-12-11', lastDay: '2027-01-25' });
  });

  it('starts after the summer féries when the day after the trigger is inside them', () => {
    // Trigger 20 Jul 2026: start Sun 16 Aug (a weekend day still counts); day 30 = Mon 14 Sep.
    expect(appealPeriod('2026-07-20', 30, JU)).toEqual({ start: '2026-08-16', lastDay: '2026-09-14' });
    // Trigger on the eve of the féries, and on their last day: the same start.
    expect(appealPeriod('2026-07-14', 30, JU).start).toBe('2026-08-16');
    expect(appealPeriod('2026-08-15', 30, JU).start).toBe('2026-08-16');
  });

  it('starts after the Christmas féries when triggered inside them', () => {
    // Trigger Sun 20 Dec 2026: start Sun 3 Jan 2027; 10 days: day 10 = Tue 12 Jan.
    expect(appealPeriod('2026-12-20', 10, JU)).toEqual({ start: '2027-01-03', lastDay: '2027-01-12' });
  });

  it('moves a deadline whose next working day is inside the féries to after them (product decision)', () => {
    // Trigger 26 Feb 2026: start 27 Feb; day 30 = Sat 28 Mar (Easter - 8, eve of the féries).
    // Mon 30 Mar is inside the féries, so the deadline goes to Mon 13 Apr, the first working day after them.
    expect(appealPeriod('2026-02-26', 30, JU)).toEqual({ start: '2026-02-27', lastDay: '2026-04-13' });
    expect(appealPeriod('2026-02-26', 30, NE).lastDay).toBe('2026-04-13');
  });

  it('keeps moving when the first day after the féries is itself a holiday', () => {
    // Arrange: the Jura profile with an extra holiday on Mon 13 Apr 2026, the day after the Easter féries.
    const profile: CantonProfile = {
      ...JU,
      holidays: { ...JU.holidays, add: [...JU.holidays.add, { kind: 'easter', offset: 8, name: 'test holiday' }] },
    };
    // Act / Assert: same case as above, one more day -> Tue 14 Apr.
    expect(appealPeriod('2026-02-26', 30, profile).lastDay).toBe('2026-04-14');
  });

  describe('provisional measures (CPA Art. 44a al. 2)', () => {
    it('ignores the féries in Jura and rolls over Good Friday, Easter and Easter Monday', () => {
      // Trigger 4 Mar 2026: start 5 Mar; day 30 = Fri 3 Apr, Good Friday -> Sat, Sun (Easter),
      // Mon (Easter Monday) -> Tue 7 Apr, although inside the Easter féries.
      expect(appealPeriod('2026-03-04', 30, JU, { provisionalMeasure: true })).toEqual({
        start: '2026-03-05',
        lastDay: '2026-04-07',
      });
      // Without the flag the féries count: 5-28 Mar (24 days), then 13-18 Apr: day 30 = Sat 18 Apr -> Mon 20 Apr.
      expect(appealPeriod('2026-03-04', 30, JU).lastDay).toBe('2026-04-20');
    });

    it('crosses the Easter féries without suspension in Jura, not in Neuchâtel (LPA Art. 37)', () => {
      // Trigger 20 Mar 2026: JU day 30 = Sun 19 Apr -> Mon 20 Apr; NE skips the féries -> Mon 4 May.
      expect(appealPeriod('2026-03-20', 30, JU, { provisionalMeasure: true }).lastDay).toBe('2026-04-20');
      expect(appealPeriod('2026-03-20', 30, NE, { provisionalMeasure: true }).lastDay).toBe('2026-05-04');
    });

    it('starts the day after the trigger even inside the summer féries, and rolls over 1 August', () => {
      // Trigger 2 Jul 2028: start 3 Jul; day 30 = Tue 1 Aug 2028, national holiday -> Wed 2 Aug.
      expect(appealPeriod('2028-07-02', 30, JU, { provisionalMeasure: true })).toEqual({
        start: '2028-07-03',
        lastDay: '2028-08-02',
      });
    });

    it('rolls over 15 August (Jura) without waiting for the end of the féries', () => {
      // Trigger 5 Aug 2029: 10 days -> day 10 = Wed 15 Aug 2029 -> Thu 16 Aug.
      expect(appealPeriod('2029-08-05', 10, JU, { provisionalMeasure: true }).lastDay).toBe('2029-08-16');
    });
  });

  it('refuses a period that is not a positive whole number of days', () => {
    expect(() => appealPeriod('2026-02-10', 0, JU)).toThrow(RangeError);
    expect(() => appealPeriod('2026-02-10', 2.5, JU)).toThrow(RangeError);
  });
});

describe('féries and working days', () => {
  it('bounds the féries inclusively', () => {
    expect(isInFeries('2026-03-28', JU)).toBe(false); // Easter - 8
    expect(isInFeries('2026-03-29', JU)).toBe(true); // Easter - 7
    expect(isInFeries('2026-04-12', JU)).toBe(true); // Easter + 7
    expect(isInFeries('2026-04-13', JU)).toBe(false);
    expect(isInFeries('2026-07-14', JU)).toBe(false);
    expect(isInFeries('2026-07-15', JU)).toBe(true);
    expect(isInFeries('2026-08-15', JU)).toBe(true);
    expect(isInFeries('2026-08-16', JU)).toBe(false);
    expect(isInFeries('2026-12-17', JU)).toBe(false);
    expect(isInFeries('2026-12-18', JU)).toBe(true);
    expect(isInFeries('2027-01-02', JU)).toBe(true);
    expect(isInFeries('2027-01-03', JU)).toBe(false);
  });

  it('knows each canton its own holidays', () => {
    expect(isPublicHoliday('2026-12-26', NE)).toBe(true);
    expect(isPublicHoliday('2026-12-26', JU)).toBe(false);
    expect(isPublicHoliday('2026-06-04', JU)).toBe(true); // Fête-Dieu
    expect(isPublicHoliday('2026-06-04', NE)).toBe(false);
    expect(isPublicHoliday('2026-03-01', NE)).toBe(true);
    expect(isPublicHoliday('2026-03-01', JU)).toBe(false);
  });

  it('treats Saturdays, Sundays and holidays as non-working days', () => {
    expect(isWorkingDay('2026-03-06', JU)).toBe(true); // Friday
    expect(isWorkingDay('2026-03-07', JU)).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-08', JU)).toBe(false); // Sunday
    expect(isWorkingDay('2026-06-23', JU)).toBe(false); // Tuesday, 23 June
    expect(isWorkingDay('2026-06-23', NE)).toBe(true);
  });
});

describe('retention end (Art. 18)', () => {
  it('keeps contract evidence one year after the contract ends', () => {
    expect(retentionEnd('contract-evidence', '2026-03-31', JU)).toBe('2027-03-31');
    // 29 Feb 2028 + 1 year: 2029 has no 29 Feb -> 28 Feb.
    expect(retentionEnd('contract-evidence', '2028-02-29', JU)).toBe('2029-02-28');
  });

  it('keeps records of a decision service two years', () => {
    expect(retentionEnd('decision-service', '2026-05-15', JU)).toBe('2028-05-15');
  });

  it('keeps other transactions 18 months, clamping a month end', () => {
    // 31 Aug 2026 + 18 months = Feb 2028, a leap year -> 29 Feb; from 31 Aug 2027 -> 28 Feb 2029.
    expect(retentionEnd('other-transaction', '2026-08-31', JU)).toBe('2028-02-29');
    expect(retentionEnd('other-transaction', '2027-08-31', JU)).toBe('2029-02-28');
    expect(retentionEnd('other-transaction', '2026-01-15', NE)).toBe('2027-07-15');
  });
});

describe('sandbox safety', () => {
  it('is pure: no Node builtins, no clock, no canton branches', () => {
    const source = readFileSync(join(__dirname, '../../domain/legal-calendar.ts'), 'utf8');
    expect(source).not.toMatch(/from ['"](node:)?(fs|path|os|crypto|process)['"]/);
    expect(source).not.toMatch(/Date\.now\(|new Date\(\)|process\./);
    expect(source).not.toMatch(/'JU'|'NE'|\.canton\b/);
  });
});
