// The case's timeline as a picture (SVG): one column per calendar day, court holidays (féries)
// and public holidays shaded, the periods as bars (the decision window, the remedy period…),
// events and deadlines as marks. The list under it says the same in words.
import type { CaseTimeline } from '../api';
import { useI18n } from '../i18n';

const W = 960;
const M = 12;
const AXIS = 28;
const BAR = 22;
const GAP = 6;
const MAX_EVENT_ROWS = 8;

const ordinal = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
const fromOrdinal = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

const PERIOD_COLOURS: Record<string, string> = {
  'task-due': '#cfe3f7',
  'electronic-window': '#d7f0d2',
  'remedy-period': '#fbe3b8',
  'formal-decision-period': '#f5d0d6',
};

export function Timeline({ timeline }: { timeline: CaseTimeline }) {
  const { t, day, dateTime, label, codes } = useI18n();
  const start = ordinal(timeline.range.start);
  const days = Math.max(1, ordinal(timeline.range.end) - start + 1);
  const x = (d: string) => M + ((ordinal(d) - start) / days) * (W - 2 * M);
  const width = (from: string, to: string) => Math.max(2, ((ordinal(to) - ordinal(from) + 1) / days) * (W - 2 * M));
  // Each event's label goes on the first row where it does not cover the previous label.
  const LABEL_PX = 150;
  const rowEnds: number[] = [];
  const rows = timeline.events.map((e) => {
    const left = x(e.day);
    let row = rowEnds.findIndex((end) => end < left);
    if (row < 0) row = rowEnds.length < MAX_EVENT_ROWS ? rowEnds.length : rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = left + LABEL_PX;
    return row;
  });
  const eventRows = Math.max(1, rowEnds.length);
  const periodsTop = AXIS + 8;
  const eventsTop = periodsTop + timeline.periods.length * (BAR + GAP) + 10;
  const H = eventsTop + eventRows * 20 + 16;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Zurich' }).format(new Date());

  // Axis: the first of each month, or every Monday on a short range.
  const ticks: string[] = [];
  for (let n = start; n < start + days; n++) {
    const d = fromOrdinal(n);
    if (days > 70 ? d.endsWith('-01') : new Date(n * 86_400_000).getUTCDay() === 1) ticks.push(d);
  }
  const titleId = `tl-t-${timeline.caseId}`;
  const descId = `tl-d-${timeline.caseId}`;

  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="timeline" preserveAspectRatio="xMinYMin meet">
        <title id={titleId}>{t('timeline')}</title>
        <desc id={descId}>{t('timelineDesc', { start: day(timeline.range.start), end: day(timeline.range.end) })}</desc>
        <defs>
          <pattern id="feries-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#ece6f6" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#b9a8dc" strokeWidth="2" />
          </pattern>
        </defs>
        {timeline.feries.map((f) => (
          <rect key={`f-${f.start}`} className="feries" x={x(f.start)} y={AXIS} width={width(f.start, f.end)} height={H - AXIS} fill="url(#feries-hatch)">
            <title>{`${t('feries')} ${day(f.start)} – ${day(f.end)}`}</title>
          </rect>
        ))}
        {timeline.holidays.map((h) => (
          <rect key={`h-${h}`} className="holiday" x={x(h)} y={AXIS} width={width(h, h)} height={H - AXIS} fill="#f6d2b0">
            <title>{`${t('holiday')} ${day(h)}`}</title>
          </rect>
        ))}
        <line x1={M} x2={W - M} y1={AXIS} y2={AXIS} stroke="#555" />
        {ticks.map((d) => (
          <g key={`t-${d}`}>
            <line x1={x(d)} x2={x(d)} y1={AXIS - 5} y2={AXIS} stroke="#555" />
            <text x={x(d) + 2} y={AXIS - 9} fontSize="11" fill="#222">
              {day(d).slice(0, 5)}
            </text>
          </g>
        ))}
        {timeline.periods.map((p, i) => {
          const y = periodsTop + i * (BAR + GAP);
          return (
            <g key={`p-${p.kind}-${p.start}`} className={`period period-${p.kind}`}>
              <rect
                x={x(p.start)}
                y={y}
                width={width(p.start, p.end)}
                height={BAR}
                rx="3"
                fill={PERIOD_COLOURS[p.kind] ?? '#e3e3e3'}
                stroke="#4a4a4a"
                strokeWidth="0.75"
              >
                <title>{`${label('period', p.kind)}: ${day(p.start)} – ${day(p.end)}${p.rule ? ` (${p.rule})` : ''}`}</title>
              </rect>
              <text x={Math.min(x(p.start) + 4, W - 200)} y={y + 15} fontSize="12" fill="#111">
                {label('period', p.kind)} · {day(p.start)} – {day(p.end)}
              </text>
            </g>
          );
        })}
        {timeline.deadlines
          .filter((d) => d.pending)
          .map((d) => {
            const cx = x(d.day) + 3;
            return (
              <path key={`d-${d.kind}-${d.due}`} className="deadline" d={`M ${cx} ${eventsTop - 8} l 6 6 l -6 6 l -6 -6 z`} fill="#b3261e">
                <title>{`${label('deadline', d.kind)}: ${dateTime(d.due)}`}</title>
              </path>
            );
          })}
        {timeline.events.map((e, i) => {
          const cx = x(e.day) + 3;
          const cy = eventsTop + 14 + rows[i]! * 20;
          return (
            <g key={`e-${i}`} className="event">
              <line x1={cx} x2={cx} y1={AXIS} y2={cy} stroke="#8a8a8a" strokeDasharray="2 2" />
              <circle cx={cx} cy={cy} r="5" fill="#1f4e8c">
                <title>{`${label('event', e.kind)} — ${dateTime(e.at)}`}</title>
              </circle>
              <text x={cx + 8} y={cy + 4} fontSize="11" fill="#111">
                {label('event', e.kind)}
              </text>
            </g>
          );
        })}
        {ordinal(today) >= start && ordinal(today) < start + days && (
          <g className="today">
            <line x1={x(today) + 3} x2={x(today) + 3} y1={AXIS} y2={H} stroke="#b3261e" strokeWidth="1.5" strokeDasharray="5 3" />
            <text x={x(today) + 6} y={H - 4} fontSize="11" fill="#8c1d18">
              {t('today')}
            </text>
          </g>
        )}
      </svg>
      <figcaption>
        <ul className="legend">
          <li>
            <span className="swatch feries-swatch" aria-hidden="true" /> {t('feries')}
          </li>
          <li>
            <span className="swatch holiday-swatch" aria-hidden="true" /> {t('holiday')}
          </li>
        </ul>
        <ol className="events-list">
          {timeline.events.map((e, i) => (
            <li key={`el-${i}`}>
              <time dateTime={e.at}>{dateTime(e.at)}</time> — {label('event', e.kind)}
              {e.detail ? ` (${codes(e.detail)})` : ''}
            </li>
          ))}
          {timeline.periods.map((p) => (
            <li key={`pl-${p.kind}-${p.start}`}>
              {label('period', p.kind)}: {day(p.start)} – {day(p.end)}
              {p.rule ? ` (${p.rule})` : ''}
            </li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}
