// The user contract (Art. 5-7, 10): terms versions and their rollout, the user's acceptance
// with a QES or refusal, misuse reports, notice; the Chancellery's blocks and termination.
// Each route: parse → use case (app/contracts.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { MAX_TERMS_PDF_BYTES } from '../../app/contracts';
import { contractRejections } from '../../app/gateways/contract';
import { base64BodyLimit, type Api } from '../http';
import { rejections } from '../openapi';
import { isoDay, qesSigningTime, qesValue, text } from '../schemas';

export { MAX_TERMS_PDF_BYTES };

export const versionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, ".", "_" or "-", at most 40, e.g. 2027-01');

const termsBody = z
  .object({
    version: versionId.openapi({ example: '2027-01' }),
    title: text(200).openapi({ example: "Conditions générales d'utilisation du guichet virtuel sécurisé" }),
    document: z.union([
      z.object({ text: z.string().min(1, 'required').max(200_000, 'at most 200,000 characters') }).strict(),
      z.object({ pdfBase64: z.base64('base64').max(Math.ceil((MAX_TERMS_PDF_BYTES * 4) / 3), 'at most 5 MiB') }).strict(),
    ]),
    effectiveOn: isoDay.optional().openapi({ example: '2027-01-01', description: 'Today (Europe/Zurich) when absent' }),
    acceptanceDays: z
      .number()
      .int('whole days')
      .min(0)
      .max(365)
      .optional()
      .openapi({ description: "Days from the effective day to accept before the contract is restricted; the profile's default when absent" }),
  })
  .strict()
  .openapi('TermsVersionIn');

const termsView = z
  .object({
    version: z.string(),
    sequence: z.number(),
    title: z.string(),
    mediaType: z.string(),
    documentSha256: z.string().openapi({ description: 'What the user signs: the SHA-256 of the document, hex' }),
    effectiveOn: z.string(),
    acceptanceDays: z.number(),
    lastAcceptanceDay: z.string().nullable(),
    restrictFrom: z.string(),
    blockFrom: z.string(),
    publishedAt: z.string(),
    rollout: z.object({ workflowId: z.string(), notified: z.number().nullable(), done: z.boolean().nullable() }).optional(),
  })
  .openapi('TermsVersion');

export const acceptanceBody = z
  .object({
    version: versionId,
    documentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the signed terms, 64 lowercase hex digits'),
    signatureValue: qesValue,
    signedAt: qesSigningTime,
  })
  .strict()
  .openapi('TermsAcceptanceIn');

export const contractView = z
  .object({
    contractId: z.string(),
    status: z.enum(['active', 'restricted', 'blocked', 'terminating', 'terminated']),
    reason: z.string().nullable(),
    acceptedTermsVersion: z.string(),
    pendingTerms: z.object({ version: z.string(), effectiveOn: z.string(), restrictFrom: z.string(), blockFrom: z.string() }).nullable(),
    blocks: z.array(z.object({ kind: z.enum(['misuse-reported', 'provisional']), reason: z.string(), since: z.string() })),
    noticeEndsOn: z.string().nullable(),
    endedOn: z.string().nullable(),
    specialClauses: z.array(z.string()),
    refusalTaskId: z.string().nullable(),
    holderSub: z
      .string()
      .optional()
      .openapi({ description: "Chancellery only: the holder's subject (a person's, or entity:… for a legal entity); GET /v1/people/{sub}/representation" }),
  })
  .openapi('Contract');

const address = z
  .object({ street: text(200), postCode: z.string().regex(/^[1-9]\d{3}$/, 'a Swiss post code: 4 digits, 1000-9999'), locality: text(100) })
  .strict();
const contactView = z.object({ email: z.string(), address, commune: z.string() }).openapi('Contact');
const contactBody = z
  .object({ email: z.email('not a valid e-mail address').optional(), address: address.optional(), commune: text(100).optional() })
  .strict()
  .openapi('ContactUpdate');

const contractParams = z.object({ id: z.string().regex(/^contract-[0-9a-f-]{36}$/, 'not a contract id') });
const versionParams = z.object({ version: versionId });

/** Acceptances and refusals of a terms version: none where the rule set only communicates them (NE 9). */
const termsRefusals = {
  409: {
    description: rejections(
      contractRejections,
      409,
      'The contract cannot do this now, or its rule set communicates changes of the terms and asks for no acceptance (`terms_not_accepted_here`, NE 9)',
    ),
    schema: undefined,
  },
};

const refusals = {
  409: { description: rejections(contractRejections, 409, 'The contract cannot do this now'), schema: undefined },
  422: { description: rejections(contractRejections, 422, 'Not the version waiting for acceptance') },
};

export function contractRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const contracts = application.contracts;

  // ---- terms versions (Art. 5.1)
  api.add(router, {
    method: 'post',
    path: '/v1/terms-versions',
    tag: 'Contracts',
    summary: 'Publish a terms version: every contract that has not ended is notified, in batches (Art. 5.2)',
    roles: ['chancellery'],
    body: termsBody,
    maxBody: base64BodyLimit(MAX_TERMS_PDF_BYTES),
    responses: {
      201: { description: 'Published; the rollout runs', schema: termsView },
      200: { description: 'The same version again: already published', schema: termsView },
      409: { description: 'This version exists with other content' },
    },
    async handler({ body, caller }) {
      const { created, terms } = await contracts.publishTerms(caller, body);
      return { status: created ? 201 : 200, body: terms };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/terms-versions',
    tag: 'Contracts',
    summary: 'The published terms versions, newest first',
    roles: ['chancellery', 'citizen', 'counsellor', 'unit', 'operator'],
    responses: { 200: { description: 'Versions', schema: z.object({ items: z.array(termsView) }) } },
    handler: async () => ({ status: 200, body: { items: await contracts.listTerms() } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/terms-versions/:version',
    tag: 'Contracts',
    summary: 'One terms version, with its rollout progress',
    roles: ['chancellery', 'citizen', 'counsellor', 'unit', 'operator'],
    params: versionParams,
    responses: { 200: { description: 'The version', schema: termsView } },
    handler: async ({ params: p }) => ({ status: 200, body: await contracts.getTerms(p.version) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/terms-versions/:version/document',
    tag: 'Contracts',
    summary: 'The text to sign (its SHA-256 is documentSha256)',
    roles: ['chancellery', 'citizen', 'counsellor', 'unit', 'operator'],
    params: versionParams,
    responses: { 200: { description: 'The document' } },
    async handler({ params: p }) {
      const v = await contracts.termsDocument(p.version);
      return { status: 200, file: { type: v.mediaType, data: v.data, filename: `cg-${v.version}.${v.mediaType === 'application/pdf' ? 'pdf' : 'txt'}` } };
    },
  });

  // ---- the user's own contract
  api.add(router, {
    method: 'get',
    path: '/v1/me/contract',
    tag: 'Contracts',
    summary: 'My contract: its state, the terms version waiting for me, blocks, notice',
    roles: ['citizen'],
    responses: { 200: { description: 'The contract', schema: contractView } },
    handler: async ({ caller }) => ({ status: 200, body: await contracts.myContract(caller) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/terms-acceptances',
    tag: 'Contracts',
    summary: 'Accept a terms version with a qualified e-signature (Art. 5.2): the contract returns to active',
    roles: ['citizen'],
    body: acceptanceBody,
    responses: {
      200: { description: 'Accepted', schema: contractView },
      ...refusals,
      ...termsRefusals,
      422: {
        description: rejections(
          contractRejections,
          422,
          'Unknown version, a hash that is not of its text, not the version waiting, or a qualified signature that failed a check (`signature_invalid`, naming it)',
        ),
      },
      503: { description: "The authority's revocation list cannot be read now: try again" },
    },
    handler: async ({ body, caller }) => ({ status: 200, body: await contracts.acceptTerms(caller, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/terms-refusals',
    tag: 'Contracts',
    summary: 'Refuse a terms version but ask to go on using the counter: a Chancellery task (Art. 5.3)',
    roles: ['citizen'],
    body: z.object({ version: versionId }).strict(),
    responses: { 202: { description: 'With the Chancellery', schema: contractView }, ...refusals, ...termsRefusals },
    handler: async ({ body, caller }) => ({ status: 202, body: await contracts.refuseTerms(caller, body.version) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/misuse-reports',
    tag: 'Contracts',
    summary: 'Report that someone may have used my credentials: my account is blocked at once (Art. 7.2)',
    roles: ['citizen'],
    body: z.object({}).strict(),
    responses: { 200: { description: 'Blocked', schema: contractView }, ...refusals },
    handler: async ({ caller }) => ({ status: 200, body: await contracts.reportMisuse(caller) }),
  });

  for (const [method, give, summary] of [
    ['post', true, "Terminate my contract with one month's notice (Art. 10.1)"],
    ['delete', false, 'Withdraw my notice before it ends'],
  ] as const) {
    api.add(router, {
      method,
      path: '/v1/me/contract/notice',
      tag: 'Contracts',
      summary,
      roles: ['citizen'],
      responses: { 200: { description: 'Done', schema: contractView }, ...refusals },
      handler: async ({ caller }) => ({ status: 200, body: await contracts.notice(caller, give) }),
    });
  }

  // ---- contact data (Art. 7.3)
  api.add(router, {
    method: 'get',
    path: '/v1/me/contact',
    tag: 'Contracts',
    summary: 'My contact data: where alerts and registered letters go',
    roles: ['citizen'],
    responses: { 200: { description: 'Contact data', schema: contactView } },
    handler: async ({ caller }) => ({ status: 200, body: await application.contact.get(caller) }),
  });

  api.add(router, {
    method: 'put',
    path: '/v1/me/contact',
    tag: 'Contracts',
    summary: 'Update my e-mail or postal address (Art. 7.3): the next alert or letter uses it; each change is kept with what it replaced',
    roles: ['citizen'],
    body: contactBody,
    responses: { 200: { description: 'Updated', schema: contactView } },
    handler: async ({ body, caller }) => ({ status: 200, body: await application.contact.update(caller, body) }),
  });

  // ---- the Chancellery
  api.add(router, {
    method: 'get',
    path: '/v1/contracts/:id',
    tag: 'Contracts',
    summary: "A user's contract, as its workflow holds it (its record, once the workflow is gone)",
    roles: ['chancellery'],
    params: contractParams,
    responses: { 200: { description: 'The contract', schema: contractView } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await contracts.getContract(caller, p.id) }),
  });

  const chancelleryActs = [
    ['blocks', 'block', 'Block provisionally, with the reason (Art. 10.3)', z.object({ reason: text(1000) }).strict()],
    ['unblock', 'unblock', 'Lift the blocks (misuse report, provisional measure) with a justification', z.object({ justification: text(2000) }).strict()],
    [
      'termination',
      'terminate',
      'Terminate the contract at once for abuse (Art. 10.2), with the reasons',
      z.object({ reasons: z.array(text(1000)).min(1, 'at least one reason').max(20) }).strict(),
    ],
  ] as const;
  for (const [path, kind, summary, body] of chancelleryActs) {
    api.add(router, {
      method: 'post',
      path: `/v1/contracts/:id/${path}`,
      tag: 'Contracts',
      summary,
      roles: ['chancellery'],
      params: contractParams,
      body: body as z.ZodType<{ reason: string } | { justification: string } | { reasons: string[] }>,
      responses: { 200: { description: 'Done', schema: contractView }, ...refusals },
      handler: async ({ params: p, body: b, caller }) => ({ status: 200, body: await contracts.administer(caller, p.id, kind, b) }),
    });
  }

  return router;
}
