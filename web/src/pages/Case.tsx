// One task and its case: the application (personal data: each view is access-logged by the
// API), a legal entity's register answer and people, the person's representation, the
// timeline, the pending deadlines, the history, and the decision form.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  ApiFailure,
  describe,
  type Api,
  type Application,
  type CaseTimeline,
  type Contract,
  type EntityApplication,
  type LegalEntity,
  type Representation,
  type Task,
  type Transaction,
} from '../api';
import { TransactionPanel } from '../components/TransactionPanel';
import { CaseHeader } from '../components/CaseHeader';
import { CaseDetails } from '../components/CaseDetails';
import { EntityPanel } from '../components/EntityPanel';
import { RepresentationPanel } from '../components/RepresentationPanel';
import { useI18n, type MessageKey } from '../i18n';

type Outcome = 'approve' | 'refuse' | 'special-clauses' | 'keep-blocked' | 'revoke' | 'record' | 'acknowledge' | 'lift' | 'reactivate' | 'grant';
/**
 * The outcomes of the kinds this workspace knows. A kind it does not know yet gets no form:
 * the page shows the task, and the decision waits for a workspace that knows its outcomes.
 */
const OUTCOMES = new Map<string, Outcome[]>([
  ['review', ['approve', 'refuse']],
  ['formal-decision', ['approve', 'refuse']],
  ['terms-refusal', ['special-clauses', 'keep-blocked', 'revoke']],
  ['postal-tracking', ['acknowledge']],
  // Art. 11.2: the filer's powers, verified with the register's answer; 13.1: the written contract received.
  ['entity-powers', ['approve', 'refuse']],
  ['written-contract', ['record', 'refuse']],
  // Representation (Art. 9.4, 9.5; NE 3.2): what was received on paper is recorded, or refused.
  ['written-proxy', ['record', 'refuse']],
  ['legal-representation', ['approve', 'refuse']],
  ['written-proxy-contract', ['record', 'refuse']],
  // NE 7.6, 7.4: a block lifted on the person's written request; a deactivated account reactivated.
  ['access-rights-block', ['lift']],
  ['account-deactivated', ['reactivate']],
  // Art. 14.2: a unit grants access to its service, or refuses it with reasons.
  ['access-request', ['grant', 'refuse']],
]);
/** Which field each outcome needs: a text (justification) or lines (reasons, clauses); a grant needs none. */
const FIELD: Record<Outcome, 'justification' | 'reasons' | 'clauses' | null> = {
  approve: 'justification',
  refuse: 'reasons',
  'special-clauses': 'clauses',
  'keep-blocked': 'justification',
  revoke: 'reasons',
  record: 'justification',
  acknowledge: 'justification',
  lift: 'justification',
  reactivate: 'justification',
  grant: null,
};
/** The hint says what the law asks of this outcome, for this kind of task. */
function hintFor(kind: string, outcome: Outcome): MessageKey {
  if (kind === 'entity-powers') return outcome === 'approve' ? 'powersApproveHint' : 'powersRefuseHint';
  if (kind === 'written-contract' && outcome === 'refuse') return 'writtenRefuseHint';
  const hints: Record<Outcome, MessageKey> = {
    approve: 'justificationHint',
    refuse: 'reasonsHint',
    'special-clauses': 'clausesHint',
    'keep-blocked': 'keepBlockedHint',
    revoke: 'revokeHint',
    record: 'recordHint',
    acknowledge: 'acknowledgeHint',
    lift: 'liftHint',
    reactivate: 'reactivateHint',
    grant: 'grantHint',
  };
  return hints[outcome];
}
/** Where an entity application goes once its task is done: the next step, or the end. */
const entityMoved = (kind: string, a: EntityApplication) =>
  kind === 'entity-powers' ? a.status !== 'awaiting-powers' && a.status !== 'checking' : a.status !== 'awaiting-written-contract';

export function CasePage({ api, taskId, me, navigate }: { api: Api; taskId: string; me: string; navigate: (to: string) => void }) {
  const { t, day, dateTime, label, kindName, has } = useI18n();
  const [task, setTask] = useState<Task | null>(null);
  const [application, setApplication] = useState<Application | null>(null);
  const [timeline, setTimeline] = useState<CaseTimeline | null>(null);
  const [contract, setContract] = useState<Contract | null>(null);
  const [entityApplication, setEntityApplication] = useState<EntityApplication | null>(null);
  const [entity, setEntity] = useState<LegalEntity | null>(null);
  const [transaction, setTransaction] = useState<Transaction | null>(null);
  const [person, setPerson] = useState<{ sub: string; representation: Representation | null; error: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [text, setText] = useState('');
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const errorSummary = useRef<HTMLDivElement>(null);

  const loadCase = useCallback(
    async (t0: Task) => {
      // Whose case it is: the applicant, the contract's holder, the entity's filer.
      let sub: string | undefined;
      // A refusal of the terms of use is about a contract: its state, as its workflow holds it.
      if (t0.contractId) {
        const c = await api.contract(t0.contractId);
        setContract(c);
        // An entity holds a contract without proxies of its own: its people show on its entity task.
        if (c.holderSub && !c.holderSub.startsWith('entity:')) sub = c.holderSub;
      }
      if (t0.entityApplicationId) {
        const ea = await api.entityApplication(t0.entityApplicationId);
        setEntityApplication(ea);
        sub = ea.filedBySub;
        // Once admitted, the entity's people on the counter (Art. 12).
        if (ea.status === 'approved') setEntity(await api.entity(ea.uid));
      }
      // Art. 15: a submission to the unit's service, with its receipt, fee and rounds.
      if (t0.transactionId) {
        const [tx, tl] = await Promise.all([api.transaction(t0.transactionId), api.transactionTimeline(t0.transactionId).catch(() => null)]);
        setTransaction(tx);
        setTimeline(tl);
      }
      if (t0.applicationId) {
        const [a, tl] = await Promise.all([api.application(t0.applicationId), api.applicationTimeline(t0.applicationId).catch(() => null)]);
        setApplication(a);
        setTimeline(tl);
        sub = a.applicant?.sub ?? sub;
      }
      if (!sub) return;
      const of = sub;
      setPerson((p) => (p?.sub === of ? p : { sub: of, representation: null, error: null }));
      try {
        setPerson({ sub: of, representation: await api.representation(of), error: null });
      } catch (err) {
        setPerson({ sub: of, representation: null, error: describe(err) });
      }
    },
    [api],
  );
  // The task's answers to claim, release and complete carry no entity review: keep the one read.
  const keepReview = (updated: Task) => setTask((cur) => ({ ...updated, entity: updated.entity ?? cur?.entity }));

  useEffect(() => {
    void (async () => {
      try {
        const t0 = await api.task(taskId);
        setTask(t0);
        await loadCase(t0);
      } catch (err) {
        setError(describe(err));
      }
    })();
  }, [api, taskId, loadCase]);

  // A colleague's claim or completion shows here too.
  useEffect(
    () =>
      api.watchTasks(
        (c) => {
          if (c.taskId !== taskId) return;
          setTask((cur) => cur && { ...cur, status: c.status, claimedBy: c.claimedBy, outcome: c.outcome });
        },
        () => undefined,
      ),
    [api, taskId],
  );

  async function act(action: 'claim' | 'release') {
    setBusy(true);
    setError(null);
    try {
      keepReview(await (action === 'claim' ? api.claim(taskId) : api.release(taskId)));
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!outcome) return;
    setBusy(true);
    setFailure(null);
    const field = FIELD[outcome];
    // Lines as the API wants them: one reason or clause each, empty lines dropped… except
    // when there is nothing at all, which the API must refuse with its own message.
    const value =
      field === 'justification'
        ? text
        : text
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
    try {
      const updated = await api.complete(taskId, field ? { outcome, [field]: value } : { outcome });
      keepReview(updated);
      setDone(t('completed', { outcome: label('outcome', outcome) }));
      // An entity's process goes on from the task (the next task, or the entity admitted): its
      // status holds no personal data, so it is what the page waits on.
      for (let i = 0; updated.entityApplicationId && i < 40; i++) {
        const ea = await api.entityApplication(updated.entityApplicationId).catch(() => null);
        if (ea && entityMoved(updated.kind, ea)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      // The process records the decision right after the task: wait on the timeline (which
      // holds no personal data) rather than re-reading the applicant, each read of whom is logged.
      for (let i = 0; updated.applicationId && i < 40; i++) {
        const tl = await api.applicationTimeline(updated.applicationId).catch(() => null);
        if (tl?.events.some((e) => e.kind === 'approved' || e.kind === 'refused')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await loadCase(updated);
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'error', (err as Error).message, []);
      setFailure(f);
      setTimeout(() => errorSummary.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  }

  if (error && !task)
    return (
      <p role="alert" className="error">
        {t('error', { message: error })}
      </p>
    );
  if (!task) return <p role="status">{t('loading')}</p>;

  const mine = task.claimedBy === me;
  const field = outcome ? FIELD[outcome] : null;
  const apiIssues = failure && field ? failure.about(field) : [];
  // The API speaks English; the field's message is the page's language (the API's in a tooltip).
  const fieldIssues = apiIssues.length && field && outcome ? [fieldErrorOf(task.kind, outcome, field)] : [];
  const otherIssues = failure ? failure.details.filter((d) => !field || !(d.path === field || d.path.startsWith(`${field}.`))) : [];
  const fieldLabel: Record<'justification' | 'reasons' | 'clauses', MessageKey> = { justification: 'justification', reasons: 'reasons', clauses: 'clauses' };
  const hint: MessageKey | null = outcome ? hintFor(task.kind, outcome) : null;
  const outcomes = OUTCOMES.get(task.kind);
  /** The message for this kind and outcome when there is one, else the field's. */
  function fieldErrorOf(kind: string, o: Outcome, f: string): string {
    for (const key of [`fieldError.${kind}.${o}`, `fieldError.${o}`]) if (has(key)) return t(key);
    return label('fieldError', f);
  }

  return (
    <>
      <CaseHeader navigate={navigate}>
        {t('caseTitle')} — {task.subject}
      </CaseHeader>

      <section aria-labelledby="task-title" className="panel">
        <h2 id="task-title">{t('task')}</h2>
        <dl className="facts">
          <dt>{t('kind')}</dt>
          <dd data-testid="task-kind">{kindName(task.kind)}</dd>
          <dt>{t('state')}</dt>
          <dd data-testid="task-status">
            {task.status === 'completed' ? `${label('taskState', 'completed')} — ${label('outcome', task.outcome ?? '')}` : label('taskState', 'open')}
          </dd>
          <dt>{t('due')}</dt>
          <dd>
            {dateTime(task.dueAt)} {task.overdue && <span className="badge late">{t('late')}</span>}
          </dd>
          <dt>{t('claimedBy')}</dt>
          <dd data-testid="claimed-by">{task.claimedBy ? (mine ? t('me') : task.claimedBy) : t('nobody')}</dd>
        </dl>
        {task.status === 'open' && (
          <div className="actions">
            {!task.claimedBy && (
              <button type="button" disabled={busy} onClick={() => void act('claim')}>
                {t('claim')}
              </button>
            )}
            {mine && (
              <button type="button" disabled={busy} onClick={() => void act('release')}>
                {t('release')}
              </button>
            )}
          </div>
        )}
        {error && (
          <p role="alert" className="error">
            {t('error', { message: error })}
          </p>
        )}
      </section>

      {application && (
        <section aria-labelledby="app-title" className="panel">
          <h2 id="app-title">{t('application')}</h2>
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd data-testid="application-status">{label('status', application.status)}</dd>
            <dt>{t('when')}</dt>
            <dd>{dateTime(application.submittedAt)}</dd>
          </dl>
          {application.applicant && (
            <>
              <h3>{t('applicant')}</h3>
              <p className="note">{t('accessLogged')}</p>
              <dl className="facts">
                <dt>{t('lastName')}</dt>
                <dd>{application.applicant.lastName}</dd>
                <dt>{t('firstName')}</dt>
                <dd>{application.applicant.firstName}</dd>
                <dt>{t('birthDate')}</dt>
                <dd>{day(application.applicant.birthDate)}</dd>
                <dt>{t('address')}</dt>
                <dd>
                  {application.applicant.street}, {application.applicant.postCode} {application.applicant.locality}
                </dd>
                <dt>{t('commune')}</dt>
                <dd>{application.applicant.commune}</dd>
                <dt>{t('email')}</dt>
                <dd>{application.applicant.email}</dd>
              </dl>
            </>
          )}
        </section>
      )}

      {contract && (
        <section aria-labelledby="contract-title" className="panel">
          <h2 id="contract-title">{t('contract')}</h2>
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd data-testid="contract-status">{label('contractStatus', contract.status)}</dd>
            {contract.reason && (
              <>
                <dt>{t('reason')}</dt>
                <dd>{contract.reason}</dd>
              </>
            )}
            <dt>{t('termsAccepted')}</dt>
            <dd>{contract.acceptedTermsVersion}</dd>
            {contract.pendingTerms && (
              <>
                <dt>{t('termsPending')}</dt>
                <dd>
                  {contract.pendingTerms.version} — {t('blockFrom', { day: day(contract.pendingTerms.blockFrom) })}
                </dd>
              </>
            )}
          </dl>
        </section>
      )}

      {task.entity && <EntityPanel review={task.entity} application={entityApplication} entity={entity} />}

      {person && <RepresentationPanel sub={person.sub} representation={person.representation} error={person.error} />}

      {task.status === 'open' && outcomes && (
        <section aria-labelledby="decide-title" className="panel">
          <h2 id="decide-title">{t('decide')}</h2>
          {!mine ? (
            <p>{task.claimedBy ? t('claimedByOther', { by: task.claimedBy }) : t('claimFirst')}</p>
          ) : (
            <form onSubmit={(e) => void submit(e)} noValidate>
              {failure && (
                <div ref={errorSummary} tabIndex={-1} role="alert" className="error-summary">
                  <p>{t('errorsTitle')}</p>
                  <ul>
                    {fieldIssues.length > 0 && field && (
                      <li>
                        <a href={`#f-${field}`} title={apiIssues.join(' ')}>
                          {fieldIssues.join(' ')}
                        </a>
                      </li>
                    )}
                    {(fieldIssues.length === 0 ? [failure.message] : []).concat(otherIssues.map((d) => `${d.path}: ${d.issue}`)).map((m) => (
                      <li key={m}>{m}</li>
                    ))}
                  </ul>
                </div>
              )}
              <fieldset>
                <legend>{t('outcome')}</legend>
                {outcomes.map((o) => (
                  <label key={o} className="choice">
                    <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {label('outcome', o)}
                  </label>
                ))}
              </fieldset>
              {field && (
                <div className="field wide">
                  <label htmlFor={`f-${field}`}>{t(fieldLabel[field])}</label>
                  <span id={`f-${field}-hint`} className="hint">
                    {hint ? t(hint) : ''}
                  </span>
                  <textarea
                    id={`f-${field}`}
                    rows={5}
                    value={text}
                    onChange={(e) => setText(e.target.value)}
                    aria-invalid={fieldIssues.length ? true : undefined}
                    aria-describedby={`f-${field}-hint${fieldIssues.length ? ` f-${field}-error` : ''}`}
                  />
                  {fieldIssues.length > 0 && (
                    <span id={`f-${field}-error`} className="field-error" data-testid="field-error" title={apiIssues.join(' ')}>
                      {fieldIssues.join(' ')}
                    </span>
                  )}
                </div>
              )}
              <button type="submit" disabled={busy || !outcome}>
                {t('submit')}
              </button>
            </form>
          )}
        </section>
      )}
      {done && (
        <p role="status" className="success">
          {done}
        </p>
      )}

      {transaction && task && (
        <TransactionPanel api={api} transaction={transaction} open={task.status === 'open' && task.claimedBy === me} onAnswered={(tx) => setTransaction(tx)} />
      )}

      {timeline && <CaseDetails timeline={timeline} />}
    </>
  );
}
