// The Chancellery's workspace (web/, built by Vite) served at /staff, with what its sign-in
// needs: the provider's endpoints (from the issuer's discovery document) and the exchange of
// the authorization code (PKCE) done through this API, so the page talks to no other host.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { ApiError, fromZod } from '../errors';
import { readBody } from '../http';
import { unlimited } from '../rate-limits';

export const WEB_ROOT = join(__dirname, '..', '..', 'web', 'dist');

export interface StaffOptions {
  /** The identity provider's issuer URL (AUTH_ISSUER). */
  issuer: string;
  /** The workspace's public client at the provider. */
  clientId: string;
  /** The built workspace (default web/dist). */
  webRoot?: string;
  /** Which counter and rule set this deployment runs: the workspace shows it. */
  counter?: { canton: string; ruleSet: { id: string; effectiveFrom: string; effectiveTo: string | null } };
  /** The token exchange's limit per address (api/rate-limits.ts). */
  perAddress?: RequestHandler;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

const tokenBody = z
  .object({
    code: z.string().min(1).max(2000),
    codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'a PKCE code verifier (RFC 7636: 43-128 characters)'),
    redirectUri: z.url().max(500),
  })
  .strict();

export function staffRoutes(opts: StaffOptions): Router {
  const router = Router();
  const webRoot = opts.webRoot ?? WEB_ROOT;
  let discovery: Promise<Discovery> | null = null;
  const discover = () => {
    discovery ??= (async () => {
      const res = await fetch(`${opts.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      return (await res.json()) as Discovery;
    })().catch((err: unknown) => {
      discovery = null; // the provider may come up later: try again on the next request
      throw new ApiError(503, 'identity_provider_unavailable', `the identity provider cannot be reached: ${(err as Error).message}`);
    });
    return discovery;
  };

  // Only this origin, no inline script; the provider's pages are navigations, not requests.
  router.use(
    '/staff',
    helmet.contentSecurityPolicy({
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    }),
  );

  router.get('/staff/config.json', async (_req, res) => {
    const d = await discover();
    res.set('Cache-Control', 'no-store').json({
      clientId: opts.clientId,
      authorizationEndpoint: d.authorization_endpoint,
      endSessionEndpoint: d.end_session_endpoint ?? null,
      counter: opts.counter ?? null,
    });
  });

  router.post('/staff/auth/token', opts.perAddress ?? unlimited, readBody('16kb'), async (req, res) => {
    const parsed = tokenBody.safeParse(req.body);
    if (!parsed.success) throw fromZod(parsed.error, 'body');
    const d = await discover();
    const answer = await fetch(d.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: opts.clientId,
        code: parsed.data.code,
        code_verifier: parsed.data.codeVerifier,
        redirect_uri: parsed.data.redirectUri,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await answer.json().catch(() => ({}))) as {
      access_token?: string;
      id_token?: string;
      expires_in?: number;
      token_type?: string;
      error?: string;
      error_description?: string;
    };
    res.set('Cache-Control', 'no-store');
    if (!answer.ok || !body.access_token) {
      // The provider's reason (invalid_grant: code used twice, wrong verifier…), never the code.
      req.log?.info({ providerError: body.error, status: answer.status }, 'code exchange refused');
      throw new ApiError(400, 'sign_in_failed', body.error_description ?? body.error ?? `the identity provider answered ${answer.status}`);
    }
    res.json({ access_token: body.access_token, id_token: body.id_token, expires_in: body.expires_in, token_type: body.token_type });
  });

  // Routing is not strict ('/staff' also matches '/staff/'): redirect the bare path only.
  router.get('/staff', (req, res, next) => {
    const [path, query] = req.originalUrl.split('?');
    if (path !== '/staff') return next();
    res.redirect(301, `/staff/${query ? `?${query}` : ''}`);
  });
  // Hashed file names: cached for good; index.html always asked again.
  router.use('/staff/assets', express.static(join(webRoot, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  const page = (res: Response) => {
    const index = join(webRoot, 'index.html');
    if (!existsSync(index)) throw new ApiError(503, 'workspace_not_built', 'the workspace is not built: run `npm run build:web`');
    res.set('Cache-Control', 'no-cache').sendFile(index);
  };
  // The page's own routes (/staff/, /staff/tasks/…, /staff/callback) all load the same page.
  router.get('/staff/{*path}', (_req, res) => page(res));
  return router;
}
