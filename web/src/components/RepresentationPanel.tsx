// A person's representation on their case (Art. 9, 12): the proxies given and received, the
// legal entities the person acts for. Read for the Chancellery only, each read access-logged.
import type { Representation } from '../api';
import { useI18n } from '../i18n';

export function RepresentationPanel({ sub, representation, error }: { sub: string; representation: Representation | null; error: string | null }) {
  const { t, day, label } = useI18n();
  return (
    <section aria-labelledby="repr-title" className="panel" data-testid="representation">
      <h2 id="repr-title">{t('representation')}</h2>
      <p className="muted">{t('representationOf', { sub })}</p>
      <p className="note">{t('accessLogged')}</p>
      {error ? (
        <p role="alert" className="error">
          {t('error', { message: error })}
        </p>
      ) : !representation ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <>
          <h3 id="proxies-title">{t('proxies')}</h3>
          {representation.proxies.length === 0 ? (
            <p>{t('noProxies')}</p>
          ) : (
            <table aria-labelledby="proxies-title" data-testid="proxies">
              <thead>
                <tr>
                  <th scope="col">{t('direction')}</th>
                  <th scope="col">{t('otherPerson')}</th>
                  <th scope="col">{t('services')}</th>
                  <th scope="col">{t('decisionsToo')}</th>
                  <th scope="col">{t('until')}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {representation.proxies.map((p) => {
                  const given = p.grantorSub === sub;
                  return (
                    <tr key={p.proxyId}>
                      <td>{label('direction', given ? 'given' : 'received')}</td>
                      <td>{given ? p.representativeSub : p.grantorSub}</td>
                      <td>{p.services.length ? p.services.join(', ') : t('allDelegable')}</td>
                      <td>{p.decisions ? t('yes') : t('no')}</td>
                      <td>{p.until ? day(p.until) : '—'}</td>
                      <td>{label('proxyStatus', p.status)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <h3 id="acted-title">{t('entitiesActedFor')}</h3>
          {representation.entities.length === 0 ? (
            <p>{t('noEntities')}</p>
          ) : (
            <table aria-labelledby="acted-title" data-testid="represented-entities">
              <thead>
                <tr>
                  <th scope="col">{t('uid')}</th>
                  <th scope="col">{t('entityName')}</th>
                  <th scope="col">{t('role')}</th>
                  <th scope="col">{t('services')}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {representation.entities.map((e) => (
                  <tr key={e.uid}>
                    <td>{e.uid}</td>
                    <td>{e.name}</td>
                    <td>{label('role', e.role)}</td>
                    <td>{e.role === 'employee' ? e.services.join(', ') : t('allServices')}</td>
                    <td>{label('memberStatus', e.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
