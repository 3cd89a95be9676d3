// Contract onboarding (Art. 3-4): applications, the authority's answer, the request for a
// formal decision after a refusal. Each route: parse → use case (app/onboarding.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { onboardingRejections } from '../../app/gateways/onboarding';
import { isValidAvsNumber } from '../../domain/avs';
import type { Api } from '../http';
import { formalDecisionRequestSchema } from './formal-decisions';
import { rejections } from '../openapi';
import { isoDay, qesSigningTime, qesValue, swissMobile, text } from '../schemas';

const fromEid = 'Optional: the verified e-ID says it; when given, it must be the same (422 `identity_mismatch` naming the field)';

export const applicationBody = z
  .object({
    identityVerificationId: z
      .uuid('the id of your verified e-ID presentation (POST /v1/identity-verifications)')
      .openapi({ description: 'Art. 3: the e-ID verification the names, birth date and AVS number come from; used once' }),
    lastName: text(100).optional().openapi({ description: fromEid }),
    firstName: text(100).optional().openapi({ description: fromEid }),
    avsNumber: z
      .string()
      .refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC with its check digit)')
      .optional()
      .openapi({ example: '756.1234.5678.04', description: fromEid }),
    address: z
      .object({
        street: text(200),
        postCode: z.string().regex(/^[1-9]\d{3}$/, 'a Swiss post code: 4 digits, 1000-9999'),
        locality: text(100),
      })
      .strict(),
    commune: text(100).openapi({ example: 'Delémont' }),
    birthDate: isoDay.optional().openapi({ example: '1985-03-21', description: fromEid }),
    email: z.email('not a valid e-mail address'),
    mobilePhone: swissMobile
      .optional()
      .openapi({ example: '+41 79 123 45 67', description: 'Where the rule set signs in with a code by SMS (NE 4.1): required there' }),
    contractSignature: z
      .object({
        documentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the signed terms version, 64 lowercase hex digits'),
        signatureValue: qesValue,
        signedAt: qesSigningTime,
        termsVersion: text(50).openapi({ description: 'The published terms version signed (its document: GET /v1/terms-versions/{version}/document)' }),
      })
      .strict()
      .openapi({ description: 'Art. 4.3: the qualified signature of the contract (e.g. `npm run sign` in the demo)' }),
    onBehalfOf: z.string().min(1).max(200).optional().openapi({ description: 'counsellor only: the e-ID subject of the citizen applying' }),
  })
  .strict()
  .openapi('OnboardingApplication');

const statusValues = ['checking', 'awaiting-review', 'awaiting-authority', 'approved', 'refused', 'formal-decision-requested', 'withdrawn'] as const;
const applicationStatus = z
  .object({
    applicationId: z.string(),
    status: z.enum(statusValues),
    pending: z.object({ kind: z.string(), taskId: z.string(), dueAt: z.string(), claimed: z.boolean() }).nullable(),
    refusalReasons: z.array(z.string()).optional(),
    formalDecisionDeadline: z.string().optional().openapi({ description: 'Only on refusals made before requests had no period (the ordinance sets none)' }),
    formalDecisionRequest: formalDecisionRequestSchema.optional(),
    submittedAt: z.string(),
    applicant: z
      .object({
        sub: z.string().openapi({ description: "The applicant's subject: GET /v1/people/{sub}/representation" }),
        lastName: z.string(),
        firstName: z.string(),
        birthDate: z.string(),
        commune: z.string(),
        street: z.string(),
        postCode: z.string(),
        locality: z.string(),
        email: z.string(),
      })
      .optional()
      .openapi({ description: 'Chancellery only (the reviewer needs to know whom they decide on); each such read is written to the access log' }),
  })
  .openapi('OnboardingStatus');

const params = z.object({ id: z.uuid('not an application id') });

export function onboardingRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const onboarding = application.onboarding;

  api.add(router, {
    method: 'post',
    path: '/v1/onboarding/applications',
    tag: 'Onboarding',
    summary: 'Apply for the user contract (Art. 3-4): a citizen for themself, or a counsellor on their behalf',
    roles: ['citizen', 'counsellor'],
    body: applicationBody,
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
    responses: {
      202: { description: 'Accepted: the checks run', schema: applicationStatus },
      409: {
        description:
          'An application for this person is already open (`application_open`), the person already has a contract (`already_registered`), the person or the sign-in is registered with another identity (`identity_bound_elsewhere`), the e-ID verification was used already (`identity_proof_used`)',
      },
      422: {
        description:
          'The e-ID verification is not verified, failed, expired or too old (`identity_not_proven`); typed identity fields differ from it (`identity_mismatch`); the qualified signature failed a check (`signature_invalid`, the detail names it: format, document, signature, chain, qualified, validity, revocation, signer); this Idempotency-Key was used with another body (`idempotency_key_reused`)',
      },
      503: { description: "The e-ID verifier, or the authority's revocation list, cannot be reached now: try again" },
    },
    async handler({ req, body, caller }) {
      const { view } = await onboarding.apply(caller, body, req.header('idempotency-key') ?? null);
      return { status: 202, body: view, headers: { Location: `/v1/onboarding/applications/${view.applicationId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/onboarding/applications/:id',
    tag: 'Onboarding',
    summary: 'Where an application stands, and what it waits for',
    roles: ['citizen', 'counsellor', 'chancellery'],
    params,
    responses: { 200: { description: 'The application', schema: applicationStatus } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await onboarding.get(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/onboarding/applications/:id/authority-answer',
    tag: 'Onboarding',
    summary: "The protection authority's answer: does the person have civil capacity for the counter's services (Art. 4.5 c)?",
    roles: ['authority'],
    params,
    body: z
      .object({ hasCivilCapacity: z.boolean(), note: z.string().trim().max(2000).optional() })
      .strict()
      .openapi('AuthorityAnswer'),
    responses: {
      200: { description: 'Recorded', schema: applicationStatus },
      409: { description: rejections(onboardingRejections, 409, 'No question to the authority is pending') },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await onboarding.answerAuthority(caller, p.id, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/onboarding/applications/:id/formal-decision-request',
    tag: 'Onboarding',
    summary: 'After a refusal, ask for a formal decision (Art. 4.8): at any time (the ordinance sets no period)',
    roles: ['citizen', 'counsellor'],
    params,
    responses: {
      200: { description: 'Requested (asking again answers the same request): a formal-decision task goes to the Chancellery', schema: applicationStatus },
      409: { description: rejections(onboardingRejections, 409, '`NothingToContest`: not refused') },
      422: { description: rejections(onboardingRejections, 422, 'A refusal made before requests had no period: that period is over') },
    },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await onboarding.requestFormalDecision(caller, p.id) }),
  });

  return router;
}
