// An entity task's case (Art. 11.2, 13.1): the commercial register's answer beside the filer,
// so the reviewer verifies the powers with it; the finding said in words and highlighted when
// it stands in the way; once admitted, the entity's people on the counter (Art. 12).
import type { EntityApplication, EntityReview, LegalEntity } from '../api';
import { useI18n } from '../i18n';

const same = (a: string, b: string) => a.localeCompare(b, 'fr', { sensitivity: 'base' }) === 0;

export function EntityPanel({ review, application, entity }: { review: EntityReview; application: EntityApplication | null; entity: LegalEntity | null }) {
  const { t, day, label, has } = useI18n();
  const register = review.register;
  const finding = review.signingPower ?? 'unknown';
  const findingKey = `finding.${finding}`;
  // What the filer may do alone is the usual case; anything else is what the reviewer must see first.
  const blocking = finding !== 'individual' && finding !== 'collective';
  const isFiler = (s: { lastName: string; firstName: string; birthDate?: string }) =>
    same(s.lastName, review.filedBy.lastName) && same(s.firstName, review.filedBy.firstName) && (!s.birthDate || s.birthDate === review.filedBy.birthDate);
  return (
    <section aria-labelledby="entity-title" className="panel">
      <h2 id="entity-title">{t('entity')}</h2>
      <p className="note">{t('accessLogged')}</p>
      <p className={blocking ? 'finding finding-blocking' : 'finding'} data-testid="entity-finding">
        <strong>{t('finding')}</strong> {has(findingKey) ? t(findingKey) : finding}
      </p>
      <dl className="facts">
        <dt>{t('uid')}</dt>
        <dd>{review.uid}</dd>
        {register ? (
          <>
            <dt>{t('entityName')}</dt>
            <dd data-testid="entity-name">{register.name}</dd>
            <dt>{t('legalForm')}</dt>
            <dd>{register.legalForm}</dd>
            <dt>{t('legalSeat')}</dt>
            <dd>{register.legalSeat}</dd>
            <dt>{t('registerStatus')}</dt>
            <dd>{label('registerStatus', register.status)}</dd>
          </>
        ) : (
          <>
            <dt>{t('entityName')}</dt>
            <dd>{t('notInRegister')}</dd>
          </>
        )}
        {application && (
          <>
            <dt>{t('entityApplication')}</dt>
            <dd data-testid="entity-application-status">{label('entityStatus', application.status)}</dd>
          </>
        )}
        <dt>{t('filedBy')}</dt>
        <dd>
          {review.filedBy.lastName} {review.filedBy.firstName}
          {review.filedBy.birthDate ? `, ${t('bornOn', { day: day(review.filedBy.birthDate) })}` : ''}
        </dd>
      </dl>
      {register && (
        <>
          <h3 id="signatories-title">{t('signatories')}</h3>
          {register.signatories.length === 0 ? (
            <p>{t('noSignatories')}</p>
          ) : (
            <table aria-labelledby="signatories-title" data-testid="signatories">
              <thead>
                <tr>
                  <th scope="col">{t('lastName')}</th>
                  <th scope="col">{t('firstName')}</th>
                  <th scope="col">{t('birthDate')}</th>
                  <th scope="col">{t('function')}</th>
                  <th scope="col">{t('signingPower')}</th>
                </tr>
              </thead>
              <tbody>
                {register.signatories.map((s, i) => (
                  <tr key={`s-${i}`} className={isFiler(s) ? 'filer' : undefined}>
                    <td>
                      {s.lastName}
                      {isFiler(s) && (
                        <>
                          {' '}
                          <span className="badge">{t('theFiler')}</span>
                        </>
                      )}
                    </td>
                    <td>{s.firstName}</td>
                    <td>{s.birthDate ? day(s.birthDate) : '—'}</td>
                    <td>{s.function ?? '—'}</td>
                    <td>{label('signing', s.signingPower)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {application?.refusalReasons && (
        <>
          <h3>{t('reasons')}</h3>
          <ul>
            {application.refusalReasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      )}
      {entity && <EntityMembers entity={entity} />}
    </section>
  );
}

function EntityMembers({ entity }: { entity: LegalEntity }) {
  const { t, day, label } = useI18n();
  const members = entity.members ?? [];
  return (
    <>
      <h3 id="members-title">{t('members')}</h3>
      {members.length === 0 ? (
        <p>{t('noMembers')}</p>
      ) : (
        <table aria-labelledby="members-title" data-testid="members">
          <thead>
            <tr>
              <th scope="col">{t('person')}</th>
              <th scope="col">{t('role')}</th>
              <th scope="col">{t('services')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.sub}>
                <td>{m.sub}</td>
                <td>{label('role', m.role)}</td>
                <td>{m.role === 'employee' ? m.services.join(', ') : t('allServices')}</td>
                <td>
                  {m.status === 'blocked' && m.blockedAt ? t('blockedOn', { day: day(m.blockedAt) }) : label('memberStatus', m.status)}
                  {m.blockReason ? ` — ${m.blockReason}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
