// Sign-in with the identity provider: authorization code flow with PKCE (S256). The browser
// goes to the provider's login page and back; the code is exchanged through the API (the page
// talks to no other host). Tokens live in this tab's sessionStorage only.

export interface StaffConfig {
  clientId: string;
  authorizationEndpoint: string;
  endSessionEndpoint: string | null;
  /** The counter this deployment runs and the rule set its new processes follow (DOMAIN.md §6). */
  counter: { canton: string; ruleSet: { id: string; effectiveFrom: string; effectiveTo: string | null } } | null;
}

export interface Session {
  accessToken: string;
  idToken: string | null;
  expiresAt: number;
  sub: string;
  role: string;
}

const SESSION = 'guichet.session';
const PENDING = 'guichet.pending-sign-in';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

export const redirectUri = () => `${location.origin}/staff/callback`;

export async function loadConfig(): Promise<StaffConfig> {
  const res = await fetch('/staff/config.json');
  if (!res.ok) throw new Error(`configuration: HTTP ${res.status}`);
  return (await res.json()) as StaffConfig;
}

function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(SESSION);
  if (!raw) return null;
  const s = JSON.parse(raw) as Session;
  // A minute of margin: a request must not leave with a token about to expire.
  return s.expiresAt - 60_000 > Date.now() ? s : null;
}

let leaving = false;

export async function signIn(config: StaffConfig, lang: string): Promise<never> {
  // Once per page: a second call would replace the state the provider will send back.
  if (leaving) return new Promise<never>(() => undefined);
  leaving = true;
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo: location.pathname + location.search }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    ui_locales: lang,
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

let completing: Promise<string> | null = null;

/** Back from the provider: checks the state, exchanges the code (once), returns where to go. */
export function completeSignIn(params: URLSearchParams): Promise<string> {
  completing ??= exchange(params);
  return completing;
}

async function exchange(params: URLSearchParams): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error) throw new Error(params.get('error_description') ?? error);
  if (!pending || params.get('state') !== pending.state) throw new Error('state mismatch');
  const res = await fetch('/staff/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: params.get('code'), codeVerifier: pending.verifier, redirectUri: redirectUri() }),
  });
  const body = (await res.json()) as { access_token?: string; id_token?: string; expires_in?: number; error?: { message: string } };
  if (!res.ok || !body.access_token) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  const c = claims(body.access_token);
  const session: Session = {
    accessToken: body.access_token,
    idToken: body.id_token ?? null,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    sub: String(c.sub),
    role: String(c.role),
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return pending.returnTo.startsWith('/staff') && !pending.returnTo.startsWith('/staff/callback') ? pending.returnTo : '/staff/';
}

export function signOut(config: StaffConfig, session: Session | null): void {
  sessionStorage.removeItem(SESSION);
  if (!config.endSessionEndpoint) return location.assign('/staff/');
  const url = new URL(config.endSessionEndpoint);
  const params = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: `${location.origin}/staff/` });
  if (session?.idToken) params.set('id_token_hint', session.idToken);
  url.search = params.toString();
  location.assign(url.toString());
}
