// A transaction (Art. 15) as its unit handles it: the receipt, the fee, the form and files the
// user gave; and, on the task claimed, the unit's answer — accept (with the document the engine
// seals into the user's inbox), ask for what is missing, or refuse with reasons (15.2).
import { useState, type FormEvent } from 'react';
import { describe, type Api, type Transaction } from '../api';
import { useI18n } from '../i18n';

type Answer = 'accept' | 'missing-information' | 'refuse';

const base64Of = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

export function TransactionPanel({
  api,
  transaction: tx,
  open,
  onAnswered,
}: {
  api: Api;
  transaction: Transaction;
  open: boolean;
  onAnswered: (tx: Transaction) => void;
}) {
  const { t, dateTime, label } = useI18n();
  const [answer, setAnswer] = useState<Answer | ''>('');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!answer) return;
    setBusy(true);
    setError(null);
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    try {
      const body =
        answer === 'accept'
          ? { outcome: answer, ...(file ? { document: { title: file.name.replace(/\.pdf$/i, ''), content: await base64Of(file) } } : {}) }
          : answer === 'refuse'
            ? { outcome: answer, reasons: lines }
            : { outcome: answer, missing: lines };
      onAnswered({ ...tx, ...(await api.answerTransaction(tx.transactionId, body)) });
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="tx-title" className="panel">
      <h2 id="tx-title">{t('transaction', { number: tx.receiptNumber })}</h2>
      <dl className="facts">
        <dt>{t('service')}</dt>
        <dd>{tx.serviceId}</dd>
        <dt>{t('state')}</dt>
        <dd data-testid="transaction-state">{label('txState', tx.state)}</dd>
        <dt>{t('when')}</dt>
        <dd>{dateTime(tx.submittedAt)}</dd>
        {tx.payment && (
          <>
            <dt>{t('fee')}</dt>
            <dd>
              CHF {(tx.payment.feeCents / 100).toFixed(2)} — {label('paymentState', tx.payment.state)}
            </dd>
          </>
        )}
        {tx.completionDueAt && (
          <>
            <dt>{t('completionDue')}</dt>
            <dd>{dateTime(tx.completionDueAt)}</dd>
          </>
        )}
      </dl>
      <h3>{t('form')}</h3>
      <dl className="facts">
        {Object.entries(tx.form).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
      </dl>
      {tx.attachments.length > 0 && (
        <ul>
          {tx.attachments.map((a) => (
            <li key={a.id}>
              {a.name} ({a.contentType}, {Math.ceil(a.sizeBytes / 1024)} KiB)
            </li>
          ))}
        </ul>
      )}
      {open && tx.state === 'awaiting-unit' && (
        <form onSubmit={(e) => void submit(e)}>
          <fieldset>
            <legend>{t('answer')}</legend>
            {(['accept', 'missing-information', 'refuse'] as const).map((a) => (
              <label key={a}>
                <input type="radio" name="answer" value={a} checked={answer === a} onChange={() => setAnswer(a)} /> {label('txAnswer', a)}
              </label>
            ))}
          </fieldset>
          {answer === 'accept' && (
            <label>
              {t('answerDocument')} <input type="file" accept="application/pdf" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </label>
          )}
          {(answer === 'refuse' || answer === 'missing-information') && (
            <label>
              {label('txLines', answer)}
              <textarea value={text} onChange={(e) => setText(e.target.value)} rows={4} />
            </label>
          )}
          {error && (
            <p role="alert" className="error">
              {t('error', { message: error })}
            </p>
          )}
          <button type="submit" disabled={busy || !answer}>
            {t('submit')}
          </button>
        </form>
      )}
    </section>
  );
}
