// What a case page shows under its facts: the timeline picture, the pending deadlines and the
// history. The picture has a text equivalent (the lists), for screen readers and for print.
import type { CaseTimeline } from '../api';
import { useI18n } from '../i18n';
import { Timeline } from './Timeline';

export function CaseDetails({ timeline }: { timeline: CaseTimeline }) {
  const { t, dateTime, label } = useI18n();
  const pending = timeline.deadlines.filter((d) => d.pending);
  return (
    <>
      <section aria-labelledby="tl-title" className="panel">
        <h2 id="tl-title">{t('timeline')}</h2>
        <Timeline timeline={timeline} />
      </section>
      <section aria-labelledby="dl-title" className="panel">
        <h2 id="dl-title">{t('deadlines')}</h2>
        {pending.length === 0 ? (
          <p>{t('noDeadlines')}</p>
        ) : (
          <ul className="deadlines">
            {pending.map((d) => (
              <li key={`${d.kind}-${d.due}`}>
                <time dateTime={d.due}>{dateTime(d.due)}</time> — {label('deadline', d.kind)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="hist-title" className="panel">
        <h2 id="hist-title">{t('history')}</h2>
        {timeline.history.length === 0 ? (
          <p>{t('noHistory')}</p>
        ) : (
          <table className="history">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('actor')}</th>
              </tr>
            </thead>
            <tbody>
              {timeline.history.map((h, i) => (
                <tr key={`h-${i}`}>
                  <td>
                    <time dateTime={h.at}>{dateTime(h.at)}</time>
                  </td>
                  <td>{label('action', h.action)}</td>
                  <td>{h.actorSub ? `${h.actorSub} (${h.actorRole})` : h.actorRole}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
