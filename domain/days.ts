/**
 * Calendar days and time zones, with no holiday data: small enough for every workflow
 * bundle. Pure and deterministic (no Node builtins, no clock). Days are ISO `YYYY-MM-DD`
 * strings; instants are `Date`. Day arithmetic runs on Y-M-D integers; Intl converts
 * instants to local days.
 */
import type { IsoDay } from './profiles';

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

export function formatYmd({ y, m, d }: Ymd): IsoDay {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function parseDay(day: IsoDay): Ymd {
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

/** A real calendar day written YYYY-MM-DD (no 30 February); never throws. */
export function isRealDay(day: unknown): day is IsoDay {
  if (typeof day !== 'string') return false;
  try {
    parseDay(day);
    return true;
  } catch {
    return false;
  }
}

/** Days since 1970-01-01. */
export function toOrdinal(day: IsoDay): number {
  const { y, m, d } = parseDay(day);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

export function fromOrdinal(ordinal: number): IsoDay {
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
export function startOfLocalDay(day: IsoDay, timeZone: string): Date {
  const wall = toOrdinal(day) * MS_PER_DAY;
  // Two passes settle the offset in force at that wall time, across a DST change.
  const first = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(first, timeZone));
}

/** The instant local `day` is over, i.e. the next local day starts: a timer for a window's end. */
export function endOfLocalDay(day: IsoDay, timeZone: string): Date {
  return startOfLocalDay(addDays(day, 1), timeZone);
}
