// The embedded default's identity provider: a real OpenID Connect provider (`oidc-provider`)
// with the demo accounts, so the workspace signs in as it would at the canton's provider —
// authorization code flow with PKCE, access tokens as JWTs (ES256) for the API's audience with
// the claims the API reads (role, unit, domains). It signs with the key `npm run token` uses,
// so both kinds of token verify against its one JWKS.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import { accountByLogin, accountBySub, DEMO_PASSWORD, type DemoAccount } from './accounts';
import { defaultAcrFor, DEFAULT_ACR_LEVELS } from '../../domain/assurance';
import type { Lang } from '../../domain/profiles';
import { accessRightsClient, Challenges, EngineError, stepMessage, type AccessRightsSignInOptions } from './access-rights';

/** The acr of a sign-in with the counter's own access rights: two factors (NE 4.1). */
const ACCESS_RIGHTS_ACR = DEFAULT_ACR_LEVELS[1];
/**
 * The subjects signed in with the counter's access rights (their tokens: citizens, two
 * factors). The account id is the person's subject itself, since it becomes the tokens' `sub`;
 * a demo sign-in with the same subject (development only) takes it back.
 */
const signedInWithAccessRights = new Set<string>();

export interface IdentityProviderOptions {
  /** e.g. http://127.0.0.1:3001 */
  issuer: string;
  port: number;
  host?: string;
  /** The private signing key (ES256, with its kid), the one LocalIssuer keeps. */
  signingKey: JWK;
  /** The API's audience (AUTH_AUDIENCE). */
  audience: string;
  /** The workspace's public client. */
  staffClient: { clientId: string; origins: string[] };
  /** The citizens' portal (a public client): where a counter with access rights of its own signs people in. */
  portalClient?: { clientId: string; redirectUris: string[] };
  /**
   * The Temporal Web UI of the cluster (a confidential client, its secret shared with the UI
   * server): only an account with the operator role signs in there.
   */
  operatorClient?: { clientId: string; clientSecret: string; redirectUris: string[] };
  /** The counter's own access rights (NE 4.1): user code, password, SMS code; absent: demo accounts only. */
  accessRights?: AccessRightsSignInOptions;
  accessTokenTtlSeconds?: number;
}

export interface RunningIdentityProvider {
  issuer: string;
  close(): Promise<void>;
}

// Just what this file uses of oidc-provider (it ships no types).
interface OidcContext {
  oidc: {
    client?: { clientId: string };
    session?: { accountId?: string; grantIdFor(clientId: string, value?: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: OidcProvider;
  };
  type: string;
  body: string;
  status: number;
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
  jti: string;
}
interface OidcProvider {
  Grant: { new (props: { accountId: string; clientId: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> };
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown> }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: unknown, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

const API_SCOPE = 'api';
/** The API as a resource (RFC 8707 wants an absolute URI); its tokens' `aud` is the audience. */
const API_RESOURCE = 'urn:guichet:api';

export async function startIdentityProvider(opts: IdentityProviderOptions): Promise<RunningIdentityProvider> {
  // ES module only: loaded when the provider starts (never under jest, which talks to it over HTTP).
  const { default: Provider, errors } = (await import('oidc-provider')) as unknown as {
    default: new (issuer: string, config: Record<string, unknown>) => OidcProvider;
    errors: { InvalidTarget: new () => Error };
  };
  const { audience } = opts;
  const ttl = opts.accessTokenTtlSeconds ?? 3600;
  // Cookies signed with a key derived from the signing key: stable across restarts.
  const cookieKey = createHash('sha256')
    .update(`cookies:${String(opts.signingKey.d)}`)
    .digest('base64url');

  const provider = new Provider(opts.issuer, {
    clients: [
      {
        client_id: opts.staffClient.clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: opts.staffClient.origins.map((o) => `${o}/staff/callback`),
        post_logout_redirect_uris: opts.staffClient.origins.map((o) => `${o}/staff/`),
        id_token_signed_response_alg: 'ES256',
      },
      ...(opts.portalClient
        ? [
            {
              client_id: opts.portalClient.clientId,
              token_endpoint_auth_method: 'none',
              grant_types: ['authorization_code'],
              response_types: ['code'],
              redirect_uris: opts.portalClient.redirectUris,
              id_token_signed_response_alg: 'ES256',
            },
          ]
        : []),
      ...(opts.operatorClient
        ? [
            {
              client_id: opts.operatorClient.clientId,
              client_secret: opts.operatorClient.clientSecret,
              token_endpoint_auth_method: 'client_secret_basic',
              grant_types: ['authorization_code'],
              response_types: ['code'],
              redirect_uris: opts.operatorClient.redirectUris,
              id_token_signed_response_alg: 'ES256',
            },
          ]
        : []),
    ],
    jwks: { keys: [{ ...opts.signingKey, use: 'sig', alg: 'ES256' }] },
    cookies: { keys: [cookieKey] },
    scopes: ['openid', API_SCOPE],
    claims: { openid: ['sub'], profile: ['name'] },
    // Public clients (the workspace, the portal) prove their code with PKCE; the UI server authenticates with its secret.
    pkce: { required: (_ctx: unknown, client: { clientAuthMethod?: string }) => client.clientAuthMethod === 'none' },
    ttl: { AccessToken: ttl, AuthorizationCode: 60, IdToken: ttl, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    async findAccount(_ctx: unknown, sub: string) {
      if (signedInWithAccessRights.has(sub)) return { accountId: sub, claims: async () => ({ sub }) };
      const a = accountBySub(sub);
      return a ? { accountId: a.sub, claims: async () => ({ sub: a.sub, name: a.displayName }) } : undefined;
    },
    // The API's claims on the access token (never personal data: ids and roles).
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string }) {
      // Signed in with the counter's access rights: a citizen, two factors; the token's sub is the person's.
      if (token.accountId && signedInWithAccessRights.has(token.accountId)) return { role: 'citizen', domains: [], acr: ACCESS_RIGHTS_ACR };
      const a = token.accountId ? accountBySub(token.accountId) : undefined;
      return a ? { role: a.role, unit: a.unit, domains: a.domains ?? [], acr: defaultAcrFor(a.role) } : undefined;
    },
    // A first-party client: no consent screen, the grant is made at sign-in.
    async loadExistingGrant(ctx: OidcContext) {
      const clientId = ctx.oidc.client!.clientId;
      const session = ctx.oidc.session!;
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: session.accountId! });
      grant.addOIDCScope('openid');
      grant.addResourceScope(API_RESOURCE, API_SCOPE);
      await grant.save();
      session.grantIdFor(clientId, grant.jti);
      return grant;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return { scope: API_SCOPE, audience, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: OidcContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Déconnexion — Abmelden',
            `<h1>Se déconnecter ? <span lang="de">— Abmelden?</span></h1>${form}
             <button type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Se déconnecter <span lang="de">/ Abmelden</span></button>
             <button type="submit" form="op.logoutForm" class="secondary">Rester connecté·e <span lang="de">/ Angemeldet bleiben</span></button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: OidcContext) => {
          ctx.type = 'html';
          ctx.body = page('Déconnecté — Abgemeldet', '<h1>Vous êtes déconnecté·e. <span lang="de">Sie sind abgemeldet.</span></h1>');
        },
      },
    },
    async renderError(ctx: OidcContext, out: { error?: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = page(
        'Erreur — Fehler',
        `<h1>La connexion a échoué <span lang="de">— Anmeldung fehlgeschlagen</span></h1><p role="alert">${escape(out.error_description ?? out.error ?? 'error')}</p>`,
      );
    },
  });
  // No tokens or passwords in any log: only the error's name.
  provider.on('server_error', (_ctx: unknown, err: unknown) => process.stderr.write(`[identity provider] server error: ${(err as Error).message}\n`));

  const oidc = provider.callback();
  const ar = opts.accessRights ? { ...opts.accessRights, client: accessRightsClient(opts.accessRights), challenges: new Challenges() } : undefined;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', opts.issuer).pathname;
    const m = /^\/interaction\/([\w-]+)(\/login|\/code|\/password)?$/.exec(path);
    if (!m) return oidc(req, res);
    interaction(provider, req, res, (m[2]?.slice(1) as 'login' | 'code' | 'password' | undefined) ?? null, ar, opts.operatorClient?.clientId).catch(
      (err: unknown) => {
        process.stderr.write(`[identity provider] interaction failed: ${(err as Error).message}\n`);
        if (!res.headersSent)
          send(
            res,
            400,
            page(
              'Erreur — Fehler',
              '<h1>La session de connexion a expiré. <span lang="de">Die Anmeldesitzung ist abgelaufen.</span></h1><p><a href="/">Recommencer / Neu beginnen</a></p>',
            ),
          );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  return { issuer: opts.issuer, close: () => closeServer(server) };
}

type AccessRights = AccessRightsSignInOptions & { client: ReturnType<typeof accessRightsClient>; challenges: Challenges };

async function interaction(
  provider: OidcProvider,
  req: IncomingMessage,
  res: ServerResponse,
  step: 'login' | 'code' | 'password' | null,
  ar: AccessRights | undefined,
  operatorClientId?: string,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // Consent is never asked of this first-party client (loadExistingGrant made the grant).
    return provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
  }
  const lang: Lang = String(details.params.ui_locales ?? 'fr').startsWith('de') ? 'de' : 'fr';
  const uid = details.uid;
  const operatorsOnly = !!operatorClientId && details.params.client_id === operatorClientId;
  if (!step || req.method !== 'POST') return send(res, 200, loginPage(uid, lang, '', null, !!ar));
  const form = new URLSearchParams(await readBody(req));
  const finish = (accountId: string, withAccessRights = false) => {
    if (withAccessRights) signedInWithAccessRights.add(accountId);
    else signedInWithAccessRights.delete(accountId);
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  };

  if (step === 'login') {
    const login = (form.get('login') ?? '').slice(0, 100);
    const password = form.get('password') ?? '';
    const account = check(login, password);
    // The Temporal Web UI: operators only (their certificate there reads and repairs, nothing more).
    if (account && operatorsOnly && account.role !== 'operator')
      return send(res, 403, loginPage(uid, lang, login, lang === 'de' ? 'Nur für Betreiber.' : 'Réservé aux opérateurs.', false));
    if (account) return finish(account.sub);
    if (operatorsOnly)
      return send(
        res,
        401,
        loginPage(uid, lang, login, lang === 'de' ? 'Benutzername oder Passwort falsch.' : 'Identifiant ou mot de passe incorrect.', false),
      );
    if (!ar || accountByLogin(login))
      return send(res, 401, loginPage(uid, lang, login, lang === 'de' ? 'Benutzername oder Passwort falsch.' : 'Identifiant ou mot de passe incorrect.', !!ar));
    const answer = await engine(() => ar.client.password(login, password, lang), lang);
    if ('failed' in answer) return send(res, answer.status, loginPage(uid, lang, login, answer.failed, true));
    if (answer.outcome !== 'second-factor') return send(res, 401, loginPage(uid, lang, login, stepMessage(answer, ar.rules, lang), true));
    ar.challenges.set(uid, answer.challengeId);
    return send(res, 200, codePage(uid, lang, null));
  }

  const pending = ar?.challenges.get(uid);
  if (!ar || !pending) return send(res, 400, loginPage(uid, lang, '', lang === 'de' ? 'Bitte melden Sie sich neu an.' : 'Veuillez vous reconnecter.', !!ar));
  if (step === 'code') {
    const answer = await engine(() => ar.client.code(pending.challengeId, (form.get('code') ?? '').trim().slice(0, 12)), lang);
    if ('failed' in answer) {
      ar.challenges.delete(uid);
      return send(res, answer.status, loginPage(uid, lang, '', answer.failed, true));
    }
    if (answer.outcome === 'refused') {
      ar.challenges.delete(uid);
      return send(res, 401, loginPage(uid, lang, '', stepMessage(answer, ar.rules, lang), true));
    }
    if (answer.outcome === 'wrong') {
      // Locked or blocked now: no more tries on this page.
      if (answer.state !== 'active') {
        ar.challenges.delete(uid);
        return send(res, 401, loginPage(uid, lang, '', stepMessage(answer, ar.rules, lang), true));
      }
      return send(res, 401, codePage(uid, lang, stepMessage(answer, ar.rules, lang)));
    }
    if (answer.outcome !== 'signed-in') return send(res, 400, codePage(uid, lang, null));
    if (!answer.mustChange) {
      ar.challenges.delete(uid);
      return finish(answer.sub, true);
    }
    // NE 4.2: the initial password is changed before the person is signed in.
    ar.challenges.signedIn(uid, answer.sub);
    return send(res, 200, passwordPage(uid, lang, null, ar.rules.credentials.password.minLength));
  }
  // step === 'password'
  const newPassword = form.get('newPassword') ?? '';
  if (newPassword !== (form.get('confirm') ?? ''))
    return send(
      res,
      400,
      passwordPage(
        uid,
        lang,
        lang === 'de' ? 'Die beiden Passwörter sind nicht gleich.' : 'Les deux mots de passe ne sont pas identiques.',
        ar.rules.credentials.password.minLength,
      ),
    );
  const changed = await engine(() => ar.client.change(pending.challengeId, newPassword, lang), lang);
  if ('failed' in changed) {
    if (changed.status === 400) return send(res, 400, passwordPage(uid, lang, changed.failed, ar.rules.credentials.password.minLength));
    ar.challenges.delete(uid);
    return send(res, changed.status, loginPage(uid, lang, '', changed.failed, true));
  }
  const sub = pending.sub;
  ar.challenges.delete(uid);
  if (!sub) return send(res, 400, loginPage(uid, lang, '', lang === 'de' ? 'Bitte melden Sie sich neu an.' : 'Veuillez vous reconnecter.', true));
  return finish(sub, true);
}

/** The engine's answer, or what to tell the person when it refused (its message: no secrets in it). */
async function engine<T extends object>(call: () => Promise<T>, lang: Lang): Promise<T | { failed: string; status: number }> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EngineError) {
      if (err.code === 'validation_failed') return { failed: err.message, status: 400 };
      if (err.status === 410)
        return { failed: lang === 'de' ? 'Der Code ist abgelaufen: melden Sie sich neu an.' : 'Le code a expiré : veuillez vous reconnecter.', status: 401 };
      return { failed: err.message, status: err.status >= 500 ? 503 : 401 };
    }
    process.stderr.write(`[identity provider] the engine did not answer: ${(err as Error).message}\n`);
    return { failed: lang === 'de' ? 'Die Anmeldung ist zurzeit nicht möglich.' : "La connexion n'est pas possible pour le moment.", status: 503 };
  }
}

function check(login: string, password: string): DemoAccount | undefined {
  const account = accountByLogin(login);
  const given = createHash('sha256').update(password).digest();
  const expected = createHash('sha256').update(DEMO_PASSWORD).digest();
  return timingSafeEqual(given, expected) && account ? account : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > 10_000) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
  });
  res.end(html);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, lang = 'fr'): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:system-ui,'Noto Sans','Liberation Sans',sans-serif;background:#f6f6f4;color:#1b1b1b;margin:0}
header{background:#13345c;color:#fff;padding:.8rem 1.2rem}
main{max-width:26rem;margin:2rem auto;background:#fff;border:1px solid #c9c9c9;border-radius:6px;padding:1.2rem 1.4rem}
h1{font-size:1.25rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.8rem 0 .2rem}
input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem;border:1px solid #767676;border-radius:4px}
input[aria-invalid=true]{border:2px solid #a3211a}
button{font:inherit;margin-top:1rem;padding:.45rem 1rem;border-radius:4px;border:1px solid #1f4e8c;background:#1f4e8c;color:#fff;cursor:pointer;width:100%}
button.secondary{background:#fff;color:#1f4e8c}
.error{color:#a3211a;font-weight:600;margin:.3rem 0 0}
.demo{color:#555;font-size:.88rem;margin-top:1.2rem}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
</style>
</head>
<body><header>Guichet virtuel sécurisé — <span lang="de">Sicherer virtueller Schalter</span></header>
<main>${body}</main></body></html>`;
}

function loginPage(uid: string, lang: 'fr' | 'de', login: string, error: string | null, ownAccessRights = false): string {
  const t =
    lang === 'de'
      ? {
          title: 'Anmeldung',
          login: ownAccessRights ? 'Benutzercode (oder Demo-Benutzername)' : 'Benutzername',
          password: 'Passwort',
          submit: 'Anmelden',
          demo: 'Demo-Konten: siehe README (Passwort «demo»).',
        }
      : {
          title: 'Connexion',
          login: ownAccessRights ? 'Code utilisateur (ou identifiant de démonstration)' : 'Identifiant',
          password: 'Mot de passe',
          submit: 'Se connecter',
          demo: 'Comptes de démonstration : voir le README (mot de passe « demo »).',
        };
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return page(
    `${t.title} — Guichet virtuel`,
    `<h1>${t.title}</h1>
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">${t.login}</label>
<input id="login" name="login" value="${escape(login)}" autocomplete="username" required autofocus${invalid}>
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
${error ? `<p id="login-error" class="error" role="alert">${escape(error)}</p>` : ''}
<button type="submit">${t.submit}</button>
</form>
<p class="demo">${t.demo}</p>`,
    lang,
  );
}

/** NE 4.1: the code sent by SMS. */
function codePage(uid: string, lang: Lang, error: string | null): string {
  const t =
    lang === 'de'
      ? { title: 'SMS-Code', text: 'Wir haben Ihnen einen Code per SMS an Ihr Mobiltelefon gesendet.', code: 'Code aus der SMS', submit: 'Bestätigen' }
      : { title: 'Code SMS', text: 'Nous vous avons envoyé un code par SMS sur votre téléphone mobile.', code: 'Code reçu par SMS', submit: 'Confirmer' };
  const invalid = error ? ' aria-invalid="true" aria-describedby="code-error"' : '';
  return page(
    t.title,
    `<h1>${t.title}</h1><p>${t.text}</p>
<form method="post" action="/interaction/${escape(uid)}/code" autocomplete="off">
<label for="code">${t.code}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required autofocus${invalid}>
${error ? `<p id="code-error" class="error" role="alert">${escape(error)}</p>` : ''}
<button type="submit">${t.submit}</button>
</form>`,
    lang,
  );
}

/** NE 4.2: the initial password replaced by a personal one. */
function passwordPage(uid: string, lang: Lang, error: string | null, minLength: number): string {
  const t =
    lang === 'de'
      ? {
          title: 'Neues Passwort',
          text: `Ersetzen Sie das Anfangspasswort durch ein persönliches Passwort: mindestens ${minLength} Zeichen, mit Ziffern, Klein- und Grossbuchstaben.`,
          fresh: 'Neues Passwort',
          confirm: 'Neues Passwort bestätigen',
          submit: 'Passwort ändern',
        }
      : {
          title: 'Nouveau mot de passe',
          text: `Remplacez le mot de passe initial par un mot de passe personnel : au minimum ${minLength} caractères, avec des chiffres, des lettres minuscules et des lettres majuscules.`,
          fresh: 'Nouveau mot de passe',
          confirm: 'Confirmer le nouveau mot de passe',
          submit: 'Changer le mot de passe',
        };
  const invalid = error ? ' aria-invalid="true" aria-describedby="password-error"' : '';
  return page(
    t.title,
    `<h1>${t.title}</h1><p>${t.text}</p>
<form method="post" action="/interaction/${escape(uid)}/password" autocomplete="off">
<label for="newPassword">${t.fresh}</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="${minLength}" required autofocus${invalid}>
<label for="confirm">${t.confirm}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required${invalid}>
${error ? `<p id="password-error" class="error" role="alert">${escape(error)}</p>` : ''}
<button type="submit">${t.submit}</button>
</form>`,
    lang,
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
