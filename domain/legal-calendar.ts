/**
 * The legal calendar: service windows, deemed delivery, remedy periods, retention ends.
 * Pure and deterministic (imported by workflow code in Temporal's sandbox): no Node
 * builtins, no clock. Days are ISO `YYYY-MM-DD` strings of the canton's calendar,
 * instants are `Date`. Day arithmetic runs on Y-M-D integers; UTC `Date` math is used
 * only to count days and find weekdays; Intl converts instants to local days.
 */
import type { CantonProfile, FeriesPeriod, HolidayCalendar, HolidayRule, IsoDay, RetentionCategory } from './profiles';

import { addDays, addMonths, dayOfWeek, formatYmd, localDay, parseDay, toOrdinal } from './days';

export { addDays, addMonths, dayOfWeek, endOfLocalDay, localDay } from './days';

// ---------------------------------------------------------------- holidays

/** Easter Sunday (Gregorian), anonymous algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDay {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatYmd({ y: year, m: month, d: day });
}

function ruleDay(rule: HolidayRule, year: number): IsoDay {
  switch (rule.kind) {
    case 'fixed':
      return formatYmd({ y: year, m: rule.month, d: rule.day });
    case 'easter':
      return addDays(easterSunday(year), rule.offset);
    case 'nth-weekday': {
      const first = formatYmd({ y: year, m: rule.month, d: 1 });
      const toWeekday = (rule.weekday - dayOfWeek(first) + 7) % 7;
      return addDays(first, toWeekday + (rule.nth - 1) * 7 + rule.offset);
    }
  }
}

const holidayYears = new WeakMap<HolidayCalendar, Map<number, ReadonlySet<IsoDay>>>();

function holidaysOf(year: number, calendar: HolidayCalendar): ReadonlySet<IsoDay> {
  let byYear = holidayYears.get(calendar);
  if (!byYear) {
    byYear = new Map();
    holidayYears.set(calendar, byYear);
  }
  let days = byYear.get(year);
  if (!days) {
    const set = new Set<IsoDay>(calendar.add.map((rule) => ruleDay(rule, year)));
    for (const rule of calendar.remove) set.delete(ruleDay(rule, year));
    days = set;
    byYear.set(year, days);
  }
  return days;
}

/** The canton's named public holidays of a year, sorted (weekends are not listed). */
export function publicHolidays(year: number, profile: CantonProfile): IsoDay[] {
  return [...holidaysOf(year, profile.holidays)].sort();
}

/** A named public holiday of the canton (Saturdays and Sundays are handled by `isWorkingDay`). */
export function isPublicHoliday(day: IsoDay, profile: CantonProfile): boolean {
  return holidaysOf(parseDay(day).y, profile.holidays).has(day);
}

/** Neither a weekend day nor a public holiday: a deadline may end on it. */
export function isWorkingDay(day: IsoDay, profile: CantonProfile): boolean {
  return !profile.deadlines.weekendDays.includes(dayOfWeek(day)) && !isPublicHoliday(day, profile);
}

function inPeriod(day: IsoDay, period: FeriesPeriod): boolean {
  const { y, m, d } = parseDay(day);
  if (period.kind === 'easter') {
    const easter = toOrdinal(easterSunday(y));
    const n = toOrdinal(day);
    return n >= easter + period.fromOffset && n <= easter + period.toOffset;
  }
  const md = m * 100 + d;
  const from = period.from.month * 100 + period.from.day;
  const to = period.to.month * 100 + period.to.day;
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

/** Inside the court holidays (féries), bounds inclusive. */
export function isInFeries(day: IsoDay, profile: CantonProfile): boolean {
  return profile.deadlines.feries.periods.some((p) => inPeriod(day, p));
}

// ---------------------------------------------------------------- the rules

/** Art. 16.4 (JU) / LPA Art. 30 (NE): the last local day on which an opening still counts. */
export function electronicServiceWindow(communicatedAt: Date, profile: CantonProfile): { lastDay: IsoDay } {
  // No extension for weekends, holidays or féries.
  return { lastDay: addDays(localDay(communicatedAt, profile.timeZone), profile.electronicService.windowDays) };
}

/** Opened on or before the window's last local day (until 23:59:59.999 local). */
export function isOpenedInTime(communicatedAt: Date, openedAt: Date, profile: CantonProfile): boolean {
  const { lastDay } = electronicServiceWindow(communicatedAt, profile);
  return localDay(openedAt, profile.timeZone) <= lastDay;
}

/** Art. 16.5 (JU) / LPA Art. 31 al. 2 (NE): an uncollected letter is deemed delivered, no extension. */
export function deemedDeliveryDate(noticeLeftOn: IsoDay, profile: CantonProfile): IsoDay {
  return addDays(noticeLeftOn, profile.postal.collectionDays);
}

/**
 * CPA Art. 44, 44a (JU) / LPA Art. 33, 37 (NE): the remedy period after `triggerDay`
 * (opening, delivery or deemed delivery). `start` is the first counted day, `lastDay`
 * the day the period ends after any roll-over.
 */
export function appealPeriod(
  triggerDay: IsoDay,
  days: number,
  profile: CantonProfile,
  options: { provisionalMeasure?: boolean } = {},
): { start: IsoDay; lastDay: IsoDay } {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`Not a period in days: ${days}`);
  // CPA Art. 44a al. 2: no féries for suspensive effect / provisional measures, where the profile says so.
  const feriesApply = !(options.provisionalMeasure && profile.deadlines.feries.provisionalMeasuresExempt);
  const counts = (day: IsoDay): boolean => !feriesApply || !isInFeries(day, profile);

  // Counting starts the day after the trigger; inside the féries, the first day after them.
  let day = addDays(triggerDay, 1);
  while (!counts(day)) day = addDays(day, 1);
  const start = day;

  for (let counted = 1; counted < days;) {
    day = addDays(day, 1);
    if (counts(day)) counted += 1;
  }

  // CPA Art. 44 al. 3: a Saturday, Sunday or holiday moves to the next working day; where
  // that lands in the féries, to the first working day after them (product decision, in
  // the citizen's favour) — repeated until both hold.
  while (!isWorkingDay(day, profile) || !counts(day)) day = addDays(day, 1);
  return { start, lastDay: day };
}

/** Art. 18: the last day a record is kept (destroyed once that day is over). */
export function retentionEnd(category: RetentionCategory, eventDay: IsoDay, profile: CantonProfile): IsoDay {
  return addMonths(eventDay, profile.retention[category].months);
}
