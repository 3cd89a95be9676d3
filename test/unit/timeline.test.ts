// The case timeline's rules: which days are shaded, and how a served decision is laid out.
import { appealPeriod, deemedDeliveryDate, getProfile } from '../../domain';
import { applicationTimeline, decisionTimeline, feriesRanges, publicHolidaysBetween } from '../../domain/timeline';

const JU = getProfile('JU');

describe('féries and holidays over a span', () => {
  it('finds the three court holiday periods as contiguous runs, across a year end', () => {
    // Easter 2027 is 28 March: féries from the 7th day before to the 7th day after.
    expect(feriesRanges('2027-03-01', '2027-04-30', JU)).toEqual([{ start: '2027-03-21', end: '2027-04-04' }]);
    expect(feriesRanges('2027-07-01', '2027-08-31', JU)).toEqual([{ start: '2027-07-15', end: '2027-08-15' }]);
    expect(feriesRanges('2026-12-01', '2027-01-31', JU)).toEqual([{ start: '2026-12-18', end: '2027-01-02' }]);
    expect(feriesRanges('2027-05-01', '2027-06-30', JU)).toEqual([]);
  });

  it('lists the canton’s public holidays', () => {
    const days = publicHolidaysBetween('2026-12-20', '2027-01-05', JU);
    expect(days).toEqual(expect.arrayContaining(['2026-12-25', '2027-01-01']));
    expect(days.every((d) => d >= '2026-12-20' && d <= '2027-01-05')).toBe(true);
  });
});

describe('a decision served by post', () => {
  it('shows the notice, the deemed delivery and the remedy period pushed past the féries, which are shaded', () => {
    const notice = '2026-12-12';
    const deemed = deemedDeliveryDate(notice, JU);
    const remedy = appealPeriod(deemed, 30, JU);
    const tl = decisionTimeline(
      {
        id: 'd1',
        canton: 'JU',
        state: 'served',
        createdAt: new Date('2026-12-01T09:00:00Z'),
        communicatedAt: null,
        windowLastDay: null,
        openedAt: null,
        lateOpenedAt: null,
        sentByPostAt: new Date('2026-12-02T09:00:00Z'),
        postalEvents: [{ type: 'notice-left', occurredOn: notice }],
        serviceRule: 'deemed delivery',
        triggerDay: deemed,
        remedyStart: remedy.start,
        remedyLastDay: remedy.lastDay,
        remedyKind: 'opposition',
        history: [],
      },
      new Date('2026-12-20T10:00:00Z'),
      JU,
    );
    expect(tl.events.map((e) => [e.kind, e.day])).toEqual([
      ['decision-registered', '2026-12-01'],
      ['postal-dispatched', '2026-12-02'],
      ['postal-notice-left', notice],
      ['deemed-delivery', deemed],
    ]);
    // Deemed delivered inside the féries: the period starts after them.
    expect(deemed >= '2026-12-18').toBe(true);
    expect(tl.periods).toEqual([{ kind: 'remedy-period', start: '2027-01-03', end: remedy.lastDay, rule: 'opposition; deemed delivery' }]);
    expect(tl.feries).toEqual([{ start: '2026-12-18', end: '2027-01-02' }]);
    expect(tl.deadlines).toEqual([{ kind: 'remedy-last-day', day: remedy.lastDay, due: expect.stringMatching(/T22:59:59\.999Z$/), pending: true }]);
    expect(tl.range.start <= '2026-12-01' && tl.range.end >= remedy.lastDay).toBe(true);
  });

  it('before deemed delivery, the deemed day is a pending deadline', () => {
    const tl = decisionTimeline(
      {
        id: 'd2',
        canton: 'JU',
        state: 'awaiting-post',
        createdAt: new Date('2027-05-03T08:00:00Z'),
        communicatedAt: null,
        windowLastDay: null,
        openedAt: null,
        lateOpenedAt: null,
        sentByPostAt: null,
        postalEvents: [{ type: 'notice-left', occurredOn: '2027-05-05' }],
        serviceRule: null,
        triggerDay: null,
        remedyStart: null,
        remedyLastDay: null,
        remedyKind: 'appeal',
        history: [],
      },
      new Date('2027-05-06T08:00:00Z'),
      JU,
    );
    expect(tl.deadlines).toEqual([{ kind: 'deemed-delivery', day: deemedDeliveryDate('2027-05-05', JU), due: expect.any(String), pending: true }]);
  });
});

describe('an application waiting for review', () => {
  it('shows submission, checks, the open task with its reminder, and what is due next', () => {
    const created = new Date('2026-11-24T09:00:00Z');
    const tl = applicationTimeline(
      {
        id: 'a1',
        canton: 'JU',
        status: 'awaiting-review',
        submittedAt: new Date('2026-11-24T08:59:00Z'),
        decidedAt: null,
        checked: true,
        failedChecks: ['personne mineure (art. 4 al. 5 let. b)'],
        formalDecisionDeadline: null,
        tasks: [
          {
            id: 't1',
            kind: 'review',
            status: 'open',
            createdAt: created,
            dueAt: new Date('2026-11-30T09:00:00Z'),
            claimedAt: null,
            completedAt: null,
            outcome: null,
            escalatedAt: null,
            reminders: [new Date('2026-11-27T09:00:00Z')],
          },
        ],
        history: [],
      },
      new Date('2026-11-28T09:00:00Z'),
      JU,
    );
    expect(tl.events.map((e) => e.kind)).toEqual(['submitted', 'checks-done', 'task-opened', 'reminder']);
    expect(tl.events[1]!.detail).toBe('personne mineure (art. 4 al. 5 let. b)');
    expect(tl.periods).toEqual([{ kind: 'task-due', start: '2026-11-24', end: '2026-11-30' }]);
    // Escalation 7 days after the task opened (the profile's duration).
    expect(tl.deadlines).toEqual([
      { kind: 'next-reminder', due: '2026-11-30T09:00:00.000Z', day: '2026-11-30', pending: true },
      { kind: 'escalation', due: '2026-12-01T09:00:00.000Z', day: '2026-12-01', pending: true },
    ]);
  });
});
