// A served decision's case: its service state and the timeline of the window, the postal
// events, the deemed delivery and the remedy period, with the féries shaded.
import { useEffect, useState } from 'react';
import { describe, type Api, type CaseTimeline } from '../api';
import { CaseHeader } from '../components/CaseHeader';
import { CaseDetails } from '../components/CaseDetails';
import { useI18n } from '../i18n';

export function DecisionPage({ api, decisionId, navigate }: { api: Api; decisionId: string; navigate: (to: string) => void }) {
  const { t, label } = useI18n();
  const [decision, setDecision] = useState<Record<string, unknown> | null>(null);
  const [timeline, setTimeline] = useState<CaseTimeline | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api.decision(decisionId), api.decisionTimeline(decisionId)]).then(
      ([d, tl]) => {
        setDecision(d);
        setTimeline(tl);
      },
      (err: unknown) => setError(describe(err)),
    );
  }, [api, decisionId]);

  return (
    <>
      <CaseHeader navigate={navigate}>{t('decisionCase', { id: String(decision?.reference ?? decisionId) })}</CaseHeader>
      {error && (
        <p role="alert" className="error">
          {t('error', { message: error })}
        </p>
      )}
      {decision && (
        <section aria-labelledby="dec-title" className="panel">
          <h2 id="dec-title">{t('status')}</h2>
          <p data-testid="decision-state">{label('decisionState', String(decision.state ?? ''))}</p>
        </section>
      )}
      {timeline && <CaseDetails timeline={timeline} />}
    </>
  );
}
