// The provider's sign-in with a counter's own access rights (NE 4.1, 4.2): user code and
// password, then the code sent by SMS, then — the first time — the new personal password. The
// engine checks each element and tells the account's access-rights process (POST /v1/sign-in/*,
// role identity-provider, a token the provider signs for itself); this file shows the pages and
// keeps, per interaction, only the engine's challenge id (in memory, for the interaction's life).
import type { AccessRightsRules, Lang } from '../../domain/profiles';

export interface AccessRightsSignInOptions {
  /** The engine's API, e.g. http://127.0.0.1:3000 */
  apiUrl: string;
  /** A token of role identity-provider for the API (short-lived; asked for each call). */
  serviceToken: () => Promise<string>;
  rules: AccessRightsRules;
}

export type Step =
  | { outcome: 'refused'; state: string; lockedUntil?: string }
  | { outcome: 'wrong'; element: string; state: string; lockedUntil?: string; failuresInARow?: number }
  | { outcome: 'second-factor'; challengeId: string; expiresAt: string }
  | { outcome: 'signed-in'; sub: string; mustChange: boolean; challengeId: string };

export class EngineError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function accessRightsClient(o: AccessRightsSignInOptions) {
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${o.apiUrl.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await o.serviceToken()}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await res.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
    if (!res.ok) throw new EngineError(res.status, answer.error?.code ?? 'error', answer.error?.message ?? `HTTP ${res.status}`);
    return answer;
  };
  return {
    password: (userCode: string, password: string, lang: Lang) => call<Step>('/v1/sign-in/password', { userCode, password, lang }),
    code: (challengeId: string, code: string) => call<Step>('/v1/sign-in/second-factor', { challengeId, code }),
    change: (challengeId: string, newPassword: string, lang: Lang) =>
      call<{ changed: true }>('/v1/sign-in/password-change', { challengeId, newPassword, lang }),
  };
}

/**
 * Interaction uid → the engine's challenge, for the pages that follow the first; and, while the
 * initial password is being changed, the subject its second factor signed in.
 */
export class Challenges {
  private readonly byUid = new Map<string, { challengeId: string; sub?: string; until: number }>();
  set(uid: string, challengeId: string): void {
    this.sweep();
    this.byUid.set(uid, { challengeId, until: Date.now() + 20 * 60_000 });
  }
  get(uid: string): { challengeId: string; sub?: string } | undefined {
    const c = this.byUid.get(uid);
    return c && c.until > Date.now() ? c : undefined;
  }
  /** Both factors passed: the subject waits for the new password. */
  signedIn(uid: string, sub: string): void {
    const c = this.byUid.get(uid);
    if (c) c.sub = sub;
  }
  delete(uid: string): void {
    this.byUid.delete(uid);
  }
  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.byUid) if (v.until <= now) this.byUid.delete(k);
  }
}

const time = (iso: string, lang: Lang) =>
  new Intl.DateTimeFormat(lang === 'de' ? 'de-CH' : 'fr-CH', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Zurich' }).format(new Date(iso));

/** What the person reads when a step did not pass: the state of the access rights, in the rule set's numbers. */
export function stepMessage(step: Step, rules: AccessRightsRules, lang: Lang): string {
  const fr = lang === 'fr';
  const state = step.outcome === 'refused' || step.outcome === 'wrong' ? step.state : 'active';
  const lockedUntil = step.outcome === 'refused' || step.outcome === 'wrong' ? step.lockedUntil : undefined;
  const wrong =
    step.outcome === 'wrong'
      ? step.element === 'second-factor'
        ? fr
          ? 'Code SMS incorrect.'
          : 'SMS-Code falsch.'
        : fr
          ? 'Code utilisateur ou mot de passe incorrect.'
          : 'Benutzercode oder Passwort falsch.'
      : '';
  const why =
    state === 'locked'
      ? fr
        ? `Après ${rules.lockAfterFailures} entrées erronées, aucune connexion n'est possible pendant ${rules.lockMinutes} minutes${lockedUntil ? ` : réessayez après ${time(lockedUntil, lang)}` : ''} (conditions générales d'utilisation, ch. 7.1).`
        : `Nach ${rules.lockAfterFailures} Fehleingaben ist während ${rules.lockMinutes} Minuten keine Anmeldung möglich${lockedUntil ? `: versuchen Sie es nach ${time(lockedUntil, lang)} wieder` : ''} (Nutzungsbedingungen, Ziff. 7.1).`
      : state === 'blocked'
        ? fr
          ? "Vos droits d'accès sont bloqués après la huitième tentative de connexion erronée consécutive. Pour les débloquer, adressez une demande écrite à la chancellerie d'État ; un émolument peut être perçu (ch. 7.1, 7.6)."
          : 'Ihre Zugangsrechte sind nach dem achten aufeinanderfolgenden Fehlversuch gesperrt. Richten Sie für die Entsperrung ein schriftliches Gesuch an die Staatskanzlei; eine Gebühr kann erhoben werden (Ziff. 7.1, 7.6).'
        : state === 'deactivated'
          ? fr
            ? `Votre compte a été désactivé après ${rules.deactivateAfterDays} jours sans connexion (ch. 7.4). La chancellerie d'État peut le réactiver sur votre demande.`
            : `Ihr Konto wurde nach ${rules.deactivateAfterDays} Tagen ohne Anmeldung deaktiviert (Ziff. 7.4). Die Staatskanzlei kann es auf Ihr Gesuch reaktivieren.`
          : state === 'no-access-rights'
            ? fr
              ? "Ce compte n'a pas encore de droits d'accès."
              : 'Dieses Konto hat noch keine Zugangsrechte.'
            : '';
  return [wrong, why].filter(Boolean).join(' ');
}
