// The inbox: open tasks soonest due first, filters kept in the address (a link shows the same
// list), views saved on the server for this user, keyset paging, live changes from colleagues.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, describe, KNOWN_KINDS, type Api, type InboxFilters, type SavedView, type Task, type TaskChange } from '../api';
import { Link } from '../App';
import { useI18n, type MessageKey } from '../i18n';

const FILTER_KEYS = ['status', 'kind', 'claimedBy', 'overdue', 'canton', 'commune', 'order'] as const;

function filtersFromUrl(): InboxFilters {
  const q = new URLSearchParams(location.search);
  const f: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = q.get(k);
    if (v) f[k] = v;
  }
  return f as InboxFilters;
}

function toQuery(f: InboxFilters): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k]!);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function InboxPage({ api, me, navigate }: { api: Api; me: string; navigate: (to: string) => void }) {
  const { t, day, dateTime, label, kindName } = useI18n();
  const [filters, setFilters] = useState<InboxFilters>(filtersFromUrl);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<{ items: Task[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ taskId: string; message: string } | null>(null);
  const [announce, setAnnounce] = useState('');
  const [live, setLive] = useState(true);
  const [views, setViews] = useState<SavedView[]>([]);
  const [viewId, setViewId] = useState('');
  const [viewName, setViewName] = useState('');
  const [viewError, setViewError] = useState<string | null>(null);
  const [decisionId, setDecisionId] = useState('');
  const cursor = cursors[cursors.length - 1] ?? null;
  const heading = useRef<HTMLHeadingElement>(null);

  // Only the newest request's answer is shown: an older one (other filters) that arrives
  // late must not replace the list the reviewer asked for.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const answer = await api.tasks(filters, cursor);
      if (request !== latest.current) return;
      setPage(answer);
      setFresh(0);
      setError(null);
    } catch (err) {
      if (request === latest.current) setError(describe(err));
    }
  }, [api, filters, cursor]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    history.replaceState(null, '', `/staff/${toQuery(filters)}`);
  }, [filters]);

  useEffect(() => {
    api.views().then(
      (v) => setViews(v.items),
      () => setViews([]),
    );
  }, [api]);

  // Colleagues' claims and completions change the rows on screen in place; a new task that
  // these filters would show is counted, and shown when the reviewer asks (no jumping list).
  const shown = useRef(page);
  shown.current = page;
  const current = useRef(filters);
  current.current = filters;
  const [fresh, setFresh] = useState(0);
  const apply = useCallback(
    (c: TaskChange) => {
      const task = c.taskId.slice(0, 8);
      if (shown.current?.items.some((x) => x.taskId === c.taskId)) {
        setPage(
          (p) =>
            p && {
              ...p,
              items: p.items.map((x) => (x.taskId === c.taskId ? { ...x, status: c.status, claimedBy: c.claimedBy, outcome: c.outcome, dueAt: c.dueAt } : x)),
            },
        );
        if (c.status === 'completed') setAnnounce(t('liveCompleted', { task, outcome: label('outcome', c.outcome ?? '') }));
        else if (c.claimedBy) setAnnounce(t('liveClaimed', { task, by: c.claimedBy === me ? t('me') : c.claimedBy }));
        else setAnnounce(t('liveReleased', { task }));
        return;
      }
      const f = current.current;
      const wanted =
        c.op === 'insert' &&
        c.status === (f.status ?? 'open') &&
        (!f.kind || f.kind === c.kind) &&
        (!f.canton || f.canton === c.canton) &&
        (!f.commune || f.commune === c.commune) &&
        (f.claimedBy !== 'me' || c.claimedBy === me) &&
        (f.claimedBy !== 'none' || !c.claimedBy);
      if (wanted) {
        setFresh((n) => n + 1);
        setAnnounce(t('liveNew', { task }));
      }
    },
    [me, t, label],
  );
  const reloadAfterGap = useRef(false);
  useEffect(
    () =>
      api.watchTasks(apply, (up) => {
        setLive(up);
        if (!up) reloadAfterGap.current = true;
        else if (reloadAfterGap.current) {
          reloadAfterGap.current = false;
          void load();
        }
      }),
    [api, apply, load],
  );

  const change = (key: (typeof FILTER_KEYS)[number], value: string) => {
    setFilters((f) => ({ ...f, [key]: value || undefined }));
    setCursors([null]);
    setViewId('');
  };

  async function act(task: Task, action: 'claim' | 'release') {
    setRowError(null);
    try {
      const updated = await (action === 'claim' ? api.claim(task.taskId) : api.release(task.taskId));
      setPage((p) => p && { ...p, items: p.items.map((x) => (x.taskId === updated.taskId ? updated : x)) });
    } catch (err) {
      setRowError({ taskId: task.taskId, message: describe(err) });
    }
  }

  function chooseView(id: string) {
    setViewId(id);
    setViewError(null);
    const v = views.find((x) => x.id === id);
    if (!v) return;
    setFilters(v.filters);
    setCursors([null]);
    setViewName(v.name);
  }

  async function saveView() {
    setViewError(null);
    try {
      const existing = views.find((v) => v.name === viewName.trim());
      const saved = existing ? await api.updateView(existing.id, viewName.trim(), filters) : await api.saveView(viewName.trim(), filters);
      const list = await api.views();
      setViews(list.items);
      setViewId(saved.id);
      setAnnounce(t('viewSaved', { name: saved.name }));
    } catch (err) {
      setViewError(err instanceof ApiFailure ? [...err.about('name'), ...err.about('filters')].join(' ') || err.message : (err as Error).message);
    }
  }

  async function deleteView() {
    if (!viewId) return;
    try {
      await api.deleteView(viewId);
      setViews((vs) => vs.filter((v) => v.id !== viewId));
      setViewId('');
      setAnnounce(t('viewDeleted'));
    } catch (err) {
      setViewError((err as Error).message);
    }
  }

  // A saved view or a link may name a kind this workspace does not know yet: it stays choosable.
  const kinds: string[] = filters.kind && !(KNOWN_KINDS as readonly string[]).includes(filters.kind) ? [...KNOWN_KINDS, filters.kind] : [...KNOWN_KINDS];

  const select = (key: (typeof FILTER_KEYS)[number], options: Array<[string, string]>, labelKey: MessageKey) => (
    <div className="field">
      <label htmlFor={`f-${key}`}>{t(labelKey)}</label>
      <select id={`f-${key}`} value={filters[key] ?? ''} onChange={(e) => change(key, e.target.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      <h1 ref={heading}>{t('inboxTitle')}</h1>
      <p className="live-state" role="status" aria-live="polite">
        {live ? announce : t('liveOff')}
      </p>
      <section aria-labelledby="filters-title" className="panel">
        <h2 id="filters-title">{t('filters')}</h2>
        <div className="filters">
          {select('kind', [['', t('all')], ...kinds.map((k) => [k, kindName(k)] as [string, string])], 'kind')}
          {select(
            'status',
            [
              ['', t('state.open')],
              ['completed', t('state.completed')],
            ],
            'state',
          )}
          {select(
            'overdue',
            [
              ['', t('all')],
              ['true', t('overdue.true')],
              ['false', t('overdue.false')],
            ],
            'overdue',
          )}
          {select(
            'claimedBy',
            [
              ['', t('all')],
              ['me', t('claimed.me')],
              ['none', t('claimed.none')],
            ],
            'claimed',
          )}
          {select(
            'canton',
            [
              ['', t('all')],
              ['JU', 'JU'],
              ['NE', 'NE'],
            ],
            'canton',
          )}
          <div className="field">
            <label htmlFor="f-commune">{t('commune')}</label>
            <input
              id="f-commune"
              type="search"
              value={filters.commune ?? ''}
              placeholder={t('anyCommune')}
              onChange={(e) => change('commune', e.target.value)}
            />
          </div>
          {select(
            'order',
            [
              ['', t('sort.asc')],
              ['desc', t('sort.desc')],
            ],
            'sort',
          )}
        </div>
        <div className="views">
          <div className="field">
            <label htmlFor="v-pick">{t('views')}</label>
            <select id="v-pick" value={viewId} onChange={(e) => chooseView(e.target.value)}>
              <option value="">{t('noView')}</option>
              {views.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="v-name">{t('viewName')}</label>
            <input
              id="v-name"
              value={viewName}
              maxLength={80}
              aria-invalid={viewError ? true : undefined}
              aria-describedby={viewError ? 'v-error' : undefined}
              onChange={(e) => setViewName(e.target.value)}
            />
            {viewError && (
              <span id="v-error" className="field-error">
                {viewError}
              </span>
            )}
          </div>
          <button type="button" onClick={() => void saveView()}>
            {t('saveView')}
          </button>
          <button type="button" disabled={!viewId} onClick={() => void deleteView()}>
            {t('deleteView')}
          </button>
        </div>
      </section>

      <form
        className="decision-jump"
        onSubmit={(e) => {
          e.preventDefault();
          if (decisionId.trim()) navigate(`/staff/decisions/${encodeURIComponent(decisionId.trim())}`);
        }}
      >
        <div className="field">
          <label htmlFor="d-id">{t('decisionId')}</label>
          <input id="d-id" value={decisionId} onChange={(e) => setDecisionId(e.target.value)} />
        </div>
        <button type="submit">{t('openDecision')}</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {t('error', { message: error })}
        </p>
      )}
      {fresh > 0 && (
        <p>
          <button
            type="button"
            onClick={() => {
              setFresh(0);
              void load();
            }}
          >
            {t('showNew', { n: fresh })}
          </button>
        </p>
      )}
      {!page ? (
        <p role="status">{t('loading')}</p>
      ) : page.items.length === 0 ? (
        <p>{t('noTasks')}</p>
      ) : (
        <table className="tasks">
          <caption className="sr-only">{t('inboxTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('due')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('subject')}</th>
              <th scope="col">{t('commune')}</th>
              <th scope="col">{t('claimedBy')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((task) => (
              <tr key={task.taskId} data-task={task.taskId} className={task.status === 'completed' ? 'done' : undefined}>
                <td>
                  <time dateTime={task.dueAt} title={dateTime(task.dueAt)}>
                    {day(task.dueAt)}
                  </time>
                  {task.overdue && <span className="badge late">{t('late')}</span>}
                </td>
                <td>{kindName(task.kind)}</td>
                <td>
                  <Link to={`/staff/tasks/${encodeURIComponent(task.taskId)}`} navigate={navigate}>
                    {task.subject}
                  </Link>
                </td>
                <td>
                  {task.commune ?? '—'} <span className="muted">({task.canton})</span>
                </td>
                <td className="claimed-by">
                  {task.claimedBy ? task.claimedBy === me ? t('me') : task.claimedBy : <span className="muted">{t('nobody')}</span>}
                </td>
                <td className="row-actions">
                  {task.status === 'open' && !task.claimedBy && (
                    <button type="button" onClick={() => void act(task, 'claim')} aria-label={`${t('claim')} — ${task.subject}`}>
                      {t('claim')}
                    </button>
                  )}
                  {task.status === 'open' && task.claimedBy === me && (
                    <button type="button" onClick={() => void act(task, 'release')} aria-label={`${t('release')} — ${task.subject}`}>
                      {t('release')}
                    </button>
                  )}
                  {task.status === 'completed' && label('outcome', task.outcome ?? '')}
                  {rowError?.taskId === task.taskId && (
                    <span role="alert" className="field-error">
                      {rowError.message}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label={t('page', { n: cursors.length })}>
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('previous')}
        </button>
        <span>{t('page', { n: cursors.length })}</span>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}>
          {t('next')}
        </button>
      </nav>
    </>
  );
}
