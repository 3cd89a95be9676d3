// The citizens' portal as the tests play it: a browser's cookie jar over plain HTTP, the
// authorization code flow with PKCE at the embedded identity provider (client guichet-portal),
// the steps of a sign-in with the counter's own access rights (NE 4.1), the code exchanged.
import { createHash, randomBytes } from 'node:crypto';

const b64url = (b: Buffer) => b.toString('base64url');

/** A browser's cookie jar, enough for the provider's interaction cookies. */
export class Browser {
  private cookies = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  }
  post(url: string, form: Record<string, string>) {
    return this.go(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }
}

export interface PortalSignIn {
  browser: Browser;
  /** The provider's interaction page: POST `${interaction}/login`, `/code`, `/password`. */
  interaction: string;
  /** The login page's HTML. */
  page: string;
  /** Follows the provider's redirects back to the portal and exchanges the code: the access token. */
  token(after: Response): Promise<string>;
}

/** Opens a sign-in as the portal does; `redirectUri` is the portal's registered callback. */
export async function openPortalSignIn(issuer: string, redirectUri: string): Promise<PortalSignIn> {
  const browser = new Browser();
  const verifier = b64url(randomBytes(32));
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'guichet-portal',
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state: 's',
  }).toString();
  const first = await browser.go(url.toString());
  const interaction = new URL(first.headers.get('location')!, issuer).toString();
  const page = await (await browser.go(interaction)).text();
  return {
    browser,
    interaction,
    page,
    async token(after: Response): Promise<string> {
      let res = after;
      const back = new URL(redirectUri).origin + new URL(redirectUri).pathname;
      for (let i = 0; i < 6; i++) {
        if (res.status !== 302 && res.status !== 303) throw new Error(`the sign-in did not finish: HTTP ${res.status}\n${await res.text()}`);
        const next = new URL(res.headers.get('location')!, issuer);
        if (next.origin + next.pathname === back) {
          const answer = await fetch(`${issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code: next.searchParams.get('code')!,
              redirect_uri: redirectUri,
              client_id: 'guichet-portal',
              code_verifier: verifier,
            }).toString(),
          });
          if (answer.status !== 200) throw new Error(`the code was not exchanged: HTTP ${answer.status}`);
          return ((await answer.json()) as { access_token: string }).access_token;
        }
        res = await browser.go(next.toString());
      }
      throw new Error('no way back to the portal');
    },
  };
}

/** The last sign-in code the fake SMS gateway sent to `to`. */
export async function lastSmsCode(smsUrl: string, to: string): Promise<string> {
  return ((await (await fetch(`${smsUrl}/_control/last-code?to=${encodeURIComponent(to)}`)).json()) as { code: string }).code;
}

/** The two letters of a generation of an account's access rights at the fake postal gateway: user code and password. */
export function secretsIn(texts: string[]): { userCode: string; password: string } {
  const codeLetter = texts.find((t) => t.includes('code utilisateur :'));
  const passwordLetter = texts.find((t) => t.includes('mot de passe initial :'));
  return {
    userCode: /code utilisateur : (GU-\d{5}-\d{5})/.exec(codeLetter ?? '')?.[1] ?? '',
    password: /mot de passe initial : (\S+)/.exec(passwordLetter ?? '')?.[1] ?? '',
  };
}
