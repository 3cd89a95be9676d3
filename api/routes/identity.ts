// The electronic identity proof (Art. 3): e-ID verifications, and the verifier's webhook.
// Each route: parse → use case (app/identity.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { ApiError } from '../errors';
import type { Api } from '../http';

const verificationView = z
  .object({
    verificationId: z.string(),
    status: z.enum(['pending', 'verified', 'failed', 'expired']),
    failureCode: z.string().optional().openapi({
      description:
        "Why it failed or expired: the verifier's error_code (credential_revoked, issuer_not_accepted, holder_binding_mismatch, …) or the engine's own (deadline_exceeded, presentation_not_accepted, verification_expired)",
    }),
    expiresAt: z.string().openapi({ description: 'The engine ends the attempt then if no presentation came: start a new one' }),
    deeplink: z.string().optional().openapi({ description: 'While pending: what the wallet opens (show it as a QR code)' }),
    walletUrl: z.string().optional().openapi({ description: "While pending: the request object's URL" }),
    identity: z
      .object({ firstName: z.string(), lastName: z.string(), birthDate: z.string() })
      .optional()
      .openapi({ description: 'Once verified and not yet used: whom it proved (the AVS number is not shown)' }),
    usedByApplication: z.string().optional(),
  })
  .openapi('IdentityVerification');

export function identityRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const identity = application.identity;

  api.add(router, {
    method: 'post',
    path: '/v1/identity-verifications',
    tag: 'Identity',
    summary: 'Start a verification of your federal e-ID (Art. 3): open its deeplink in your wallet; an application then takes its claims',
    roles: ['citizen', 'counsellor'],
    responses: {
      201: { description: 'Started: waiting for the presentation', schema: verificationView },
      429: { description: 'Too many verifications waiting at once (`too_many_verifications`)' },
      503: { description: 'The e-ID verifier cannot be reached now, or none is configured' },
    },
    async handler({ caller }) {
      const v = await identity.start(caller);
      return { status: 201, body: v, headers: { Location: `/v1/identity-verifications/${v.verificationId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/identity-verifications/:id',
    tag: 'Identity',
    summary: 'Where a verification stands (yours only); `wait` seconds to wait for the presentation',
    roles: ['citizen', 'counsellor'],
    params: z.object({ id: z.uuid('not a verification id') }),
    query: z.object({ wait: z.coerce.number().int().min(0).max(25).default(0).openapi({ description: 'Seconds to wait while pending (long poll)' }) }),
    responses: { 200: { description: 'The verification', schema: verificationView } },
    handler: async ({ params, query, caller }) => ({ status: 200, body: await identity.get(caller, params.id, query.wait * 1000) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/eid/verifier-events',
    tag: 'Identity',
    summary: "The e-ID verifier's webhook (swiyu-verifier WEBHOOK_CALLBACK_URI): its static API key header; the result is read back from the verifier",
    roles: null,
    body: z.object({ verification_id: z.string(), timestamp: z.string().optional() }).loose(),
    responses: { 204: { description: 'Taken' }, 401: { description: "Not the verifier's API key" } },
    async handler({ req }) {
      if (!(await identity.notified(req.headers, req.body))) throw new ApiError(401, 'unauthorized', "not the e-ID verifier's call");
      return { status: 204 };
    },
  });

  return router;
}
