// Rate limits (rate-limiter-flexible, its state in PostgreSQL so that every API replica counts
// the same calls): every act of a signed-in caller counts against their subject, and the doors
// an anonymous caller can knock at (the workspace's token exchange, the codec's sign-in) against
// their address. Over the limit: 429 with Retry-After. Should PostgreSQL not answer, each
// replica counts on its own in memory meanwhile (the library's insurance limiter).
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from './errors';

export interface RateLimitSettings {
  /** Acts (every call that is not a GET) per subject per minute. */
  writesPerMinute: number;
  /** Anonymous sign-in attempts per address per minute. */
  anonymousPerMinute: number;
  /** Sign-in steps the identity provider sends for one login (user code or challenge) per minute. */
  signInsPerLoginPerMinute?: number;
}

/** Where no limit is given (a router built alone, in a test). */
export const unlimited: RequestHandler = (_req, _res, next) => next();

/** RATE_LIMIT_* defaults (infra/config.ts). */
export const DEFAULT_RATE_LIMITS: Required<RateLimitSettings> = { writesPerMinute: 300, anonymousPerMinute: 30, signInsPerLoginPerMinute: 10 };

export interface RateLimits {
  /** Per signed-in subject (after the token is checked). */
  perSubject: RequestHandler;
  /** Per address, for a door without a token. */
  perAddress: RequestHandler;
  /**
   * Per login, for the identity provider's sign-in steps (after the body is read): it calls for
   * every person of the canton under one subject, so a per-subject count would hold them all
   * up, while one login tried over and over is held up alone. The key is the caller and a
   * hash of the user code (or the challenge), never the code itself.
   */
  perLogin: RequestHandler;
}

/** The login a sign-in step is about: its user code, or the challenge its first step opened. */
function loginOf(req: Parameters<RequestHandler>[0]): string {
  const body = (req.body ?? {}) as { userCode?: unknown; challengeId?: unknown };
  const login = typeof body.userCode === 'string' ? `code:${body.userCode.trim().toUpperCase()}` : `challenge:${String(body.challengeId)}`;
  return `${req.principal?.sub}:${createHash('sha256').update(login).digest('base64url').slice(0, 22)}`;
}

function limiter(pool: Pool | null, keyPrefix: string, points: number): RateLimiterAbstract {
  const opts: IRateLimiterOptions = { keyPrefix, points, duration: 60 };
  if (!pool) return new RateLimiterMemory(opts);
  return new RateLimiterPostgres({
    ...opts,
    storeClient: pool,
    tableName: 'rate_limit', // made by the migrations (prisma/migrations/*_rate_limits)
    tableCreated: true,
    // Windows ended an hour ago go (every 5 minutes): an address is kept no longer than that.
    clearExpiredByTimeout: true,
    insuranceLimiter: new RateLimiterMemory(opts),
  });
}

function middleware(l: RateLimiterAbstract, keyOf: (req: Parameters<RequestHandler>[0]) => string, what: string): RequestHandler {
  return async (req, res, next) => {
    try {
      await l.consume(keyOf(req));
      next();
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) return next(err);
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      req.log?.warn({ limit: what }, 'rate limited');
      next(new ApiError(429, 'rate_limited', `too many ${what}: try again in ${seconds} s`));
    }
  };
}

/** `pool`: PostgreSQL for the shared count; null counts in this process alone (tests of one replica). */
export function createRateLimits(pool: Pool | null, s: RateLimitSettings): RateLimits {
  return {
    perSubject: middleware(limiter(pool, 'acts', s.writesPerMinute), (req) => `${req.principal?.role}:${req.principal?.sub}`, 'requests from this account'),
    perAddress: middleware(limiter(pool, 'anonymous', s.anonymousPerMinute), (req) => req.ip ?? 'unknown', 'sign-in attempts from this address'),
    perLogin: middleware(
      limiter(pool, 'login', s.signInsPerLoginPerMinute ?? DEFAULT_RATE_LIMITS.signInsPerLoginPerMinute),
      loginOf,
      'sign-in attempts for this login',
    ),
  };
}
