// The top of a case page: the way back to the inbox and the case's title, which takes the
// focus when the page opens (a screen reader announces where the user landed).
import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from '../App';
import { useI18n } from '../i18n';

export function CaseHeader({ navigate, children }: { navigate: (to: string) => void; children: ReactNode }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <>
      <p>
        <Link to="/staff/" navigate={navigate}>
          ← {t('backToInbox')}
        </Link>
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {children}
      </h1>
    </>
  );
}
