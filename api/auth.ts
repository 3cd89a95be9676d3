// Bearer JWTs verified with jose against the identity provider's JWKS (found by discovery
// from the issuer URL unless AUTH_JWKS_URL names it).
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ApiError } from './errors';

import { meets, requiredAcr, type ActKind, type AssurancePolicy } from '../domain/assurance';
import { ROLES, type Principal, type Role } from '../domain/roles';

export { ROLES, type Principal, type Role } from '../domain/roles';

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  unit: z.string().min(1).optional(),
  domains: z.array(z.string()).default([]),
  acr: z.string().min(1).optional(),
});

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export interface AuthOptions {
  issuer: string;
  audience: string;
  /** Default: the `jwks_uri` of the issuer's discovery document (/.well-known/openid-configuration). */
  jwksUrl?: string;
  /** The longest an access token may live (exp - iat), in seconds; default one hour. */
  maxLifetimeSeconds?: number;
}

/** RFC 9068 access tokens: an ID token or another JWT of the provider is not a key to the API. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/** The provider's JWKS URL from its discovery document: asked once, asked again after a failure. */
async function discoverJwksUri(issuer: string): Promise<URL> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`the issuer's discovery document answered ${res.status}`);
  const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
  if (doc.issuer !== issuer) throw new Error(`the discovery document names another issuer: ${String(doc.issuer)}`);
  if (!doc.jwks_uri) throw new Error('the discovery document has no jwks_uri');
  return new URL(doc.jwks_uri);
}

export function createVerifier(opts: AuthOptions) {
  const remote = (url: URL): JWTVerifyGetKey => createRemoteJWKSet(url, { cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
  let jwks: Promise<JWTVerifyGetKey> | null = opts.jwksUrl ? Promise.resolve(remote(new URL(opts.jwksUrl))) : null;
  const keys = () => {
    jwks ??= discoverJwksUri(opts.issuer)
      .then(remote)
      .catch((err: unknown) => {
        jwks = null;
        throw err;
      });
    return jwks;
  };
  return async (token: string): Promise<Principal> => {
    const { payload, protectedHeader } = await jwtVerify(token, await keys(), {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: ['ES256', 'RS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    if (!ACCESS_TOKEN_TYPES.has(String(protectedHeader.typ).toLowerCase())) throw new Error(`not an access token (typ ${String(protectedHeader.typ)})`);
    const lifetime = payload.exp! - payload.iat!;
    const max = opts.maxLifetimeSeconds ?? 3600;
    if (lifetime > max) throw new Error(`the token lives ${lifetime} s, longer than the ${max} s allowed`);
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw new Error(`token claims: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    const c = parsed.data;
    if (c.role === 'unit' && !c.unit) throw new Error('a unit token needs a unit claim');
    return { sub: c.sub, role: c.role, unitId: c.unit, domains: c.domains, expiresAt: payload.exp! * 1000, acr: c.acr };
  };
}

export type Verifier = ReturnType<typeof createVerifier>;

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Every /v1 route needs a valid bearer token. */
export function authenticate(verify: Verifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return next(unauthorized('a bearer token is required'));
    }
    try {
      req.principal = await verify(token);
      next();
    } catch (err) {
      req.log?.info({ reason: (err as Error).message }, 'token rejected');
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      next(unauthorized('the bearer token is invalid or expired'));
    }
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(unauthorized('a bearer token is required'));
    if (!roles.includes(p.role)) return next(new ApiError(403, 'forbidden', `this action needs one of the roles: ${roles.join(', ')}`));
    next();
  };
}

/**
 * The sign-in strength an act needs (RFC 9470 step-up): a weaker or absent acr is 401
 * `insufficient_user_authentication`, naming the acr to sign in with.
 */
export function requireAssurance(policy: AssurancePolicy, kind: ActKind): RequestHandler {
  return (req, res, next) => {
    const p = req.principal;
    if (!p) return next(unauthorized('a bearer token is required'));
    const needed = requiredAcr(policy, p.role, kind);
    if (meets(policy, p.acr, needed)) return next();
    res.setHeader('WWW-Authenticate', `Bearer error="insufficient_user_authentication", acr_values="${needed}"`);
    next(
      new ApiError(401, 'insufficient_user_authentication', `this ${kind === 'read' ? 'reading' : 'act'} needs a sign-in of level ${needed}`, [
        { path: 'acr', issue: p.acr ? `${p.acr} is not enough` : 'the token has no acr' },
      ]),
    );
  };
}

export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw unauthorized('a bearer token is required');
  return req.principal;
}
