// Bearer JWTs verified with jose against the configured issuer's JWKS.
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ApiError } from './errors';

export const ROLES = ['chancellery', 'unit', 'citizen', 'counsellor', 'authority', 'operator', 'postal'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  sub: string;
  role: Role;
  /** unit role: the unit's id and the domains it may serve */
  unitId?: string;
  domains: string[];
}

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  unit: z.string().min(1).optional(),
  domains: z.array(z.string()).default([]),
});

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export interface AuthOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export function createVerifier(opts: AuthOptions) {
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(opts.jwksUrl), { cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
  return async (token: string): Promise<Principal> => {
    const { payload } = await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.audience, algorithms: ['ES256', 'RS256'] });
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw new Error(`token claims: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    const c = parsed.data;
    if (c.role === 'unit' && !c.unit) throw new Error('a unit token needs a unit claim');
    return { sub: c.sub, role: c.role, unitId: c.unit, domains: c.domains };
  };
}

export type Verifier = ReturnType<typeof createVerifier>;

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** Every /v1 route needs a valid bearer token. */
export function authenticate(verify: Verifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return next(unauthorized('a bearer token is required'));
    }
    try {
      req.principal = await verify(header.slice('Bearer '.length).trim());
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

export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw unauthorized('a bearer token is required');
  return req.principal;
}
