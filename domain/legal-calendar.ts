/**
 * The legal calendar: service windows, deemed delivery, remedy periods, retention ends.
 * Pure and deterministic (imported by workflow code in Temporal's sandbox): no Node
 * builtins, no clock. Days are ISO `YYYY-MM-DD` strings of the canton's calendar,
 * instants are `Date`. Day arithmetic runs on Y-M-D integers; UTC `Date` math is used
 * only to count days and find weekdays; Intl converts instants to local days.
 */
import Holidays from 'date-holidays';
import type { CantonProfile, FeriesPeriod, HolidayCalendar, HolidayRule, IsoDay, RetentionCategory } from './profiles';

const MS_PER_DAY = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Ymd {
  y: number;
  m: number; // 1-12
  d: number;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatYmd({ y, m, d }: Ymd): IsoDay {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function parseDay(day: IsoDay): Ymd {
  const match = ISO_DAY.exec(day);
  if (!match) throw new RangeError(`Not an ISO day (YYYY-MM-DD): ${day}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new RangeError(`No such day: ${day}`);
  }
  return { y, m, d };
}

/** Days since 1970-01-01. */
function toOrdinal(day: IsoDay): number {
  const { y, m, d } = parseDay(day);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

function fromOrdinal(ordinal: number): IsoDay {
  const date = new Date(ordinal * MS_PER_DAY);
  return formatYmd({ y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() });
}

export function addDays(day: IsoDay, n: number): IsoDay {
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of days: ${n}`);
  return fromOrdinal(toOrdinal(day) + n);
}

/** Calendar months; a day the target month lacks becomes its last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(day: IsoDay, n: number): IsoDay {
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of months: ${n}`);
  const { y, m, d } = parseDay(day);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return formatYmd({ y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) });
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(day: IsoDay): number {
  // 1970-01-01 was a Thursday (4).
  return (((toOrdinal(day) + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------- time zones

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const instantFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    cache.set(timeZone, f);
  }
  return f;
}

function parts(f: Intl.DateTimeFormat, instant: Date): Record<string, number> {
  if (Number.isNaN(instant.getTime())) throw new RangeError('Invalid instant');
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The calendar day of `instant` in `timeZone`. */
export function localDay(instant: Date, timeZone: string): IsoDay {
  const p = parts(formatter(dayFormatters, timeZone, false), instant);
  return formatYmd({ y: p.year ?? NaN, m: p.month ?? NaN, d: p.day ?? NaN });
}

/** Local wall time minus UTC at `ms`, in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
  const p = parts(formatter(instantFormatters, timeZone, true), new Date(ms));
  const wall = Date.UTC(p.year ?? NaN, (p.month ?? NaN) - 1, p.day ?? NaN, p.hour ?? NaN, p.minute ?? NaN, p.second ?? NaN);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant local midnight starts `day` (midnight is never skipped in Europe/Zurich). */
function startOfLocalDay(day: IsoDay, timeZone: string): Date {
  const wall = toOrdinal(day) * MS_PER_DAY;
  // Two passes settle the offset in force at that wall time, across a DST change.
  const first = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(first, timeZone));
}

/** The instant local `day` is over, i.e. the next local day starts: a timer for a window's end. */
export function endOfLocalDay(day: IsoDay, timeZone: string): Date {
  return startOfLocalDay(addDays(day, 1), timeZone);
}

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

const libraries = new Map<string, Holidays>();
const holidayYears = new WeakMap<HolidayCalendar, Map<number, ReadonlySet<IsoDay>>>();

function libraryDays(library: NonNullable<HolidayCalendar['library']>, year: number): IsoDay[] {
  const key = `${library.country}/${library.state}`;
  let lib = libraries.get(key);
  if (!lib) {
    lib = new Holidays(library.country, library.state);
    libraries.set(key, lib);
  }
  const types: readonly string[] = library.types;
  // `date` is the local calendar day ("YYYY-MM-DD 00:00:00"), independent of the host's zone.
  return lib
    .getHolidays(year)
    .filter((h) => types.includes(h.type))
    .map((h) => h.date.slice(0, 10));
}

function holidaysOf(year: number, calendar: HolidayCalendar): ReadonlySet<IsoDay> {
  let byYear = holidayYears.get(calendar);
  if (!byYear) {
    byYear = new Map();
    holidayYears.set(calendar, byYear);
  }
  let days = byYear.get(year);
  if (!days) {
    const set = new Set<IsoDay>(calendar.library ? libraryDays(calendar.library, year) : []);
    for (const rule of calendar.add) set.add(ruleDay(rule, year));
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

  for (let counted = 1; counted < days; ) {
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
