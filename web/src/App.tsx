import { useCallback, useEffect, useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { Api } from './api';
import { completeSignIn, currentSession, loadConfig, signIn, signOut, type Session, type StaffConfig } from './auth';
import { I18nContext, initialLang, LANGS, makeI18n, type Lang } from './i18n';
import { CasePage } from './pages/Case';
import { DecisionPage } from './pages/Decision';
import { InboxPage } from './pages/Inbox';

/** In-app navigation without reloads; the browser's back button works (popstate). */
export function useLocation(): [string, (to: string) => void] {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    history.pushState(null, '', to);
    setPath(to);
    scrollTo(0, 0);
  }, []);
  return [path, navigate];
}

export function Link({ to, navigate, children, className }: { to: string; navigate: (to: string) => void; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

type Phase = { kind: 'loading' } | { kind: 'failed'; reason: string } | { kind: 'ready'; config: StaffConfig; session: Session };

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const { t } = i18n;
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [path, navigate] = useLocation();

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('guichet.lang', lang);
  }, [lang]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const config = await loadConfig();
        if (location.pathname === '/staff/callback') {
          const to = await completeSignIn(new URLSearchParams(location.search));
          history.replaceState(null, '', to);
          navigate(to);
        }
        const session = currentSession();
        if (!session) return void (await signIn(config, lang));
        if (!cancelled) setPhase({ kind: 'ready', config, session });
      } catch (err) {
        if (!cancelled) setPhase({ kind: 'failed', reason: (err as Error).message });
      }
    })();
    return () => {
      cancelled = true;
    };
    // Sign-in happens once per page load; the language may change afterwards.
  }, []);

  const api = useMemo(
    () =>
      phase.kind === 'ready'
        ? new Api(
            () => currentSession()?.accessToken ?? phase.session.accessToken,
            () => void signIn(phase.config, lang),
          )
        : null,
    [phase, lang],
  );

  let main: ReactNode;
  if (phase.kind === 'loading') main = <p role="status">{t('signingIn')}</p>;
  else if (phase.kind === 'failed')
    main = (
      <div role="alert">
        <p>{t('signInFailed', { reason: phase.reason })}</p>
        <button type="button" onClick={() => location.assign('/staff/')}>
          {t('signInAgain')}
        </button>
      </div>
    );
  // The Chancellery's inbox, and each unit's own (its access requests, transactions, formal decisions).
  else if (phase.session.role !== 'chancellery' && phase.session.role !== 'unit') main = <p role="alert">{t('noAccess')}</p>;
  else {
    const route = path.split('?')[0] ?? '';
    const task = /^\/staff\/tasks\/([^/]+)$/.exec(route);
    const decision = /^\/staff\/decisions\/([^/]+)$/.exec(route);
    if (task) main = <CasePage key={task[1]} api={api!} taskId={decodeURIComponent(task[1]!)} me={phase.session.sub} navigate={navigate} />;
    else if (decision) main = <DecisionPage key={decision[1]} api={api!} decisionId={decodeURIComponent(decision[1]!)} navigate={navigate} />;
    else main = <InboxPage api={api!} me={phase.session.sub} navigate={navigate} />;
  }

  return (
    <I18nContext.Provider value={i18n}>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header className="top">
        <div className="brand">
          <span className="brand-title">{t('appTitle')}</span>
          <span className="brand-sub">{t('appSubtitle')}</span>
          {phase.kind === 'ready' && phase.config.counter && (
            <span className="brand-sub" data-testid="rule-set">
              {t('ruleSet', {
                canton: phase.config.counter.canton,
                id: phase.config.counter.ruleSet.id,
                from: phase.config.counter.ruleSet.effectiveFrom,
                to: phase.config.counter.ruleSet.effectiveTo ?? '…',
              })}
            </span>
          )}
        </div>
        <nav aria-label={t('inbox')}>
          {phase.kind === 'ready' && (
            <Link to="/staff/" navigate={navigate}>
              {t('inbox')}
            </Link>
          )}
        </nav>
        <div className="session">
          <div role="group" aria-label={t('language')} className="langs">
            {LANGS.map((l) => (
              <button key={l} type="button" lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
                {l === 'fr' ? 'Français' : 'Deutsch'}
              </button>
            ))}
          </div>
          {phase.kind === 'ready' && (
            <>
              <span className="who">{t('signedInAs', { sub: phase.session.sub })}</span>
              <button type="button" onClick={() => signOut(phase.config, phase.session)}>
                {t('signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {main}
      </main>
    </I18nContext.Provider>
  );
}
