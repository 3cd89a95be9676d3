// The user contract (Art. 5-7, 10): terms versions and their rollout, the user's acceptance
// with a QES or refusal, misuse reports, notice; the Chancellery's blocks and termination.
// The contract's workflow judges every change (its validators answer 409/422 at once); the
// API checks what only it can: the caller, the version's text and the signed hash.
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../activities/audit';
import { accessDenial, termsSchedule, type ContractStatus } from '../../domain/contract';
import { localDay } from '../../domain/days';
import { profiles, type CantonCode, type ContractAction } from '../../domain/profiles';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import {
  acceptTermsUpdate,
  blockUpdate,
  cancelNoticeUpdate,
  ContractRejections,
  contractStateQuery,
  contractWorkflowId,
  giveNoticeUpdate,
  refuseTermsUpdate,
  reportMisuseUpdate,
  terminateUpdate,
  unblockUpdate,
} from '../../workflows/contract/definitions';
import type { ContractState } from '../../workflows/contract/types';
import { personalData } from '../../workflows/personal-data';
import { rolloutProgressQuery, termsRolloutWorkflowId } from '../../workflows/terms-rollout/definitions';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { runUpdate } from '../temporal-errors';
import { isoDay, text } from '../schemas';

export const MAX_TERMS_PDF_BYTES = 5 * 1024 * 1024;

const versionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, ".", "_" or "-", at most 40, e.g. 2027-01');

const termsBody = z
  .object({
    version: versionId.openapi({ example: '2027-01' }),
    title: text(200).openapi({ example: "Conditions générales d'utilisation du guichet virtuel sécurisé" }),
    document: z.union([
      z.object({ text: z.string().min(1, 'required').max(200_000, 'at most 200,000 characters') }).strict(),
      z.object({ pdfBase64: z.base64('base64').max(Math.ceil((MAX_TERMS_PDF_BYTES * 4) / 3), 'at most 5 MiB') }).strict(),
    ]),
    effectiveOn: isoDay.optional().openapi({ example: '2027-01-01', description: 'Today (Europe/Zurich) when absent' }),
    acceptanceDays: z.number().int('whole days').min(0).max(365).optional().openapi({ description: "Days from the effective day to accept before the contract is restricted; the profile's default when absent" }),
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

const acceptanceBody = z
  .object({
    version: versionId,
    documentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the signed terms, 64 lowercase hex digits'),
    signatureValue: z.string().min(16, 'the qualified signature value (base64)').max(20_000).regex(/^[A-Za-z0-9+/=_-]+$/, 'base64'),
    signedAt: z.iso.datetime({ offset: true, message: 'an ISO 8601 instant' }),
  })
  .strict()
  .openapi('TermsAcceptanceIn');

const contractView = z
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
  })
  .openapi('Contract');

const contractParams = z.object({ id: z.string().regex(/^contract-[0-9a-f-]{36}$/, 'not a contract id') });
const versionParams = z.object({ version: versionId });

type TermsRow = Prisma.TermsVersionGetPayload<object>;

const answers = {
  [ContractRejections.ended]: 409,
  [ContractRejections.termsNotPending]: 422,
  [ContractRejections.refusalOpen]: 409,
  [ContractRejections.notApplicable]: 409,
};

/** The contract's state allows `action` for this caller, else 403 with the reason (Art. 5.2, 7.2, 10). */
export function contractGate(db: Db, canton: CantonCode) {
  const profile = profiles[canton];
  return async (citizenSub: string, action: ContractAction): Promise<void> => {
    const c = await db.contract.findFirst({ where: { user: { sub: citizenSub } }, orderBy: { createdAt: 'desc' }, select: { status: true, statusReason: true } });
    if (!c) return;
    const denial = accessDenial({ status: c.status as ContractStatus, reason: c.statusReason }, action, profile);
    if (denial) throw new ApiError(403, 'contract_restricted', denial, [{ path: 'contract', issue: c.status }]);
  };
}

export function contractRoutes(api: Api, deps: { client: Client; db: Db; canton: CantonCode; taskQueue: string; rollout?: { batchSize?: number; batchesPerRun?: number } }): Router {
  const router = Router();
  const { client, db, canton } = deps;
  const profile = profiles[canton];

  const termsOut = (v: TermsRow) => ({
    version: v.version,
    sequence: v.sequence,
    title: v.title,
    mediaType: v.mediaType,
    documentSha256: v.documentSha256,
    effectiveOn: v.effectiveOn,
    acceptanceDays: v.acceptanceDays,
    lastAcceptanceDay: termsSchedule(v.effectiveOn, v.acceptanceDays, profile).lastAcceptanceDay,
    restrictFrom: v.restrictFrom,
    blockFrom: v.blockFrom,
    publishedAt: v.publishedAt.toISOString(),
  });
  const stateOut = (s: ContractState) => ({
    contractId: s.contractId,
    status: s.status,
    reason: s.reason,
    acceptedTermsVersion: s.acceptedTermsVersion,
    pendingTerms: s.pendingTerms && { version: s.pendingTerms.version, effectiveOn: s.pendingTerms.effectiveOn, restrictFrom: s.pendingTerms.restrictFrom, blockFrom: s.pendingTerms.blockFrom },
    blocks: s.blocks.map((b) => ({ kind: b.kind, reason: b.reason, since: b.since })),
    noticeEndsOn: s.noticeEndsOn,
    endedOn: s.endedOn,
    specialClauses: s.specialClauses,
    refusalTaskId: s.task?.taskId ?? null,
  });

  async function startRollout(version: string) {
    try {
      await client.workflow.start('termsRollout', { taskQueue: deps.taskQueue, workflowId: termsRolloutWorkflowId(version), args: [{ version, ...deps.rollout }] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async function myContract(principal: Principal) {
    const c = await db.contract.findFirst({ where: { user: { sub: principal.sub } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    if (!c) throw notFound('contract');
    return c.id;
  }
  const handle = (contractId: string) => client.workflow.getHandle(contractWorkflowId(contractId));
  const closed = () => new ApiError(409, 'conflict', 'this contract has ended');
  const audit = (req: { id: unknown }, principal: Principal, action: string, recordType: string, recordId: string) =>
    writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action, recordType, recordId, requestId: String(req.id) });

  // ---- terms versions (Art. 5.1)
  api.add(router, {
    method: 'post',
    path: '/v1/terms-versions',
    tag: 'Contracts',
    summary: 'Publish a terms version: every contract that has not ended is notified, in batches (Art. 5.2)',
    roles: ['chancellery'],
    body: termsBody,
    responses: { 201: { description: 'Published; the rollout runs', schema: termsView }, 200: { description: 'The same version again: already published', schema: termsView }, 409: { description: 'This version exists with other content' } },
    async handler({ req, body, principal }) {
      const today = localDay(new Date(), profile.timeZone);
      const effectiveOn = body.effectiveOn ?? today;
      if (effectiveOn < today) {
        throw new ApiError(400, 'validation_failed', 'the request body is not valid', [{ path: 'effectiveOn', issue: 'a new version cannot take effect in the past' }]);
      }
      const isText = 'text' in body.document;
      const document = isText ? Buffer.from((body.document as { text: string }).text, 'utf8') : Buffer.from((body.document as { pdfBase64: string }).pdfBase64, 'base64');
      if (!isText && (document.length > MAX_TERMS_PDF_BYTES || document.subarray(0, 5).toString('latin1') !== '%PDF-')) {
        throw new ApiError(400, 'validation_failed', 'the request body is not valid', [{ path: 'document.pdfBase64', issue: 'not a PDF of at most 5 MiB' }]);
      }
      const documentSha256 = createHash('sha256').update(document).digest('hex');
      const acceptanceDays = body.acceptanceDays ?? profile.contract.defaultAcceptanceDays;
      const schedule = termsSchedule(effectiveOn, acceptanceDays, profile);
      const fields = { title: body.title, mediaType: isText ? 'text/plain; charset=utf-8' : 'application/pdf', documentSha256, effectiveOn, acceptanceDays, restrictFrom: schedule.restrictFrom, blockFrom: schedule.blockFrom };
      // A retry without effectiveOn on a later day is the same publication, not a new one.
      const compared = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => body.effectiveOn !== undefined || !['effectiveOn', 'restrictFrom', 'blockFrom'].includes(k));
      const same = (v: TermsRow) => compared.every((k) => v[k] === fields[k]);

      let row = await db.termsVersion.findUnique({ where: { version: body.version } });
      let created = false;
      if (!row) {
        try {
          row = await db.termsVersion.create({ data: { version: body.version, canton, document: new Uint8Array(document), publishedBy: principal.sub, ...fields } });
          created = true;
        } catch (err) {
          if ((err as { code?: string }).code !== 'P2002') throw err;
          row = await db.termsVersion.findUniqueOrThrow({ where: { version: body.version } });
        }
      }
      if (!same(row)) throw new ApiError(409, 'conflict', `terms version ${body.version} is already published with other content`, [{ path: 'version', issue: 'already published' }]);
      // Started after the row is stored, and again on a retry: a failure between the two is repaired by repeating the request.
      await startRollout(body.version);
      if (created) await audit(req, principal, 'terms.published', 'terms-version', body.version);
      return { status: created ? 201 : 200, body: { ...termsOut(row), rollout: { workflowId: termsRolloutWorkflowId(body.version), notified: null, done: null } } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/terms-versions',
    tag: 'Contracts',
    summary: 'The published terms versions, newest first',
    roles: ['chancellery', 'citizen', 'counsellor', 'unit', 'operator'],
    responses: { 200: { description: 'Versions', schema: z.object({ items: z.array(termsView) }) } },
    async handler() {
      const rows = await db.termsVersion.findMany({ orderBy: { sequence: 'desc' }, omit: { document: true } });
      return { status: 200, body: { items: rows.map((r) => termsOut(r as TermsRow)) } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/terms-versions/:version',
    tag: 'Contracts',
    summary: 'One terms version, with its rollout progress',
    roles: ['chancellery', 'citizen', 'counsellor', 'unit', 'operator'],
    params: versionParams,
    responses: { 200: { description: 'The version', schema: termsView } },
    async handler({ params: p }) {
      const v = await db.termsVersion.findUnique({ where: { version: p.version }, omit: { document: true } });
      if (!v) throw notFound('terms version');
      const workflowId = termsRolloutWorkflowId(v.version);
      const progress = await client.workflow
        .getHandle(workflowId)
        .query(rolloutProgressQuery)
        .catch(() => null);
      return { status: 200, body: { ...termsOut(v as TermsRow), rollout: { workflowId, notified: progress?.notified ?? null, done: progress?.done ?? null } } };
    },
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
      const v = await db.termsVersion.findUnique({ where: { version: p.version } });
      if (!v) throw notFound('terms version');
      return { status: 200, file: { type: v.mediaType, data: Buffer.from(v.document), filename: `cg-${v.version}.${v.mediaType === 'application/pdf' ? 'pdf' : 'txt'}` } };
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
    async handler({ principal }) {
      const id = await myContract(principal);
      return { status: 200, body: stateOut(await handle(id).query(contractStateQuery)) };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/terms-acceptances',
    tag: 'Contracts',
    summary: 'Accept a terms version with a qualified e-signature (Art. 5.2): the contract returns to active',
    roles: ['citizen'],
    body: acceptanceBody,
    responses: { 200: { description: 'Accepted', schema: contractView }, 422: { description: 'Unknown version, a hash that is not of its text, or not the version waiting' } },
    async handler({ req, body, principal }) {
      const v = await db.termsVersion.findUnique({ where: { version: body.version }, select: { documentSha256: true } });
      if (!v) throw new ApiError(422, 'unprocessable', `terms version ${body.version} is not published`, [{ path: 'version', issue: 'unknown version' }]);
      if (v.documentSha256 !== body.documentSha256) {
        throw new ApiError(422, 'unprocessable', 'the signed hash is not the hash of this version of the terms', [{ path: 'documentSha256', issue: `must be the SHA-256 of version ${body.version}` }]);
      }
      const id = await myContract(principal);
      // A QES carries the signer's certificate: personal data, under the contract's data key.
      const s = await runUpdate(() => handle(id).executeUpdate(acceptTermsUpdate, { args: [personalData('contract', id, { ...body, by: principal.sub })] }), answers, closed);
      await audit(req, principal, 'terms.acceptance-submitted', 'contract', id);
      return { status: 200, body: stateOut(s) };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/terms-refusals',
    tag: 'Contracts',
    summary: 'Refuse a terms version but ask to go on using the counter: a Chancellery task (Art. 5.3)',
    roles: ['citizen'],
    body: z.object({ version: versionId }).strict(),
    responses: { 202: { description: 'With the Chancellery', schema: contractView } },
    async handler({ req, body, principal }) {
      const id = await myContract(principal);
      const s = await runUpdate(() => handle(id).executeUpdate(refuseTermsUpdate, { args: [{ version: body.version, by: principal.sub }] }), answers, closed);
      await audit(req, principal, 'terms.refused', 'contract', id);
      return { status: 202, body: stateOut(s) };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/misuse-reports',
    tag: 'Contracts',
    summary: 'Report that someone may have used my credentials: my account is blocked at once (Art. 7.2)',
    roles: ['citizen'],
    body: z.object({}).strict(),
    responses: { 200: { description: 'Blocked', schema: contractView } },
    async handler({ req, principal }) {
      const id = await myContract(principal);
      const s = await runUpdate(() => handle(id).executeUpdate(reportMisuseUpdate, { args: [{ by: principal.sub }] }), answers, closed);
      await audit(req, principal, 'contract.misuse-reported', 'contract', id);
      return { status: 200, body: stateOut(s) };
    },
  });

  for (const [method, update, summary, action] of [
    ['post', giveNoticeUpdate, "Terminate my contract with one month's notice (Art. 10.1)", 'contract.notice-given'],
    ['delete', cancelNoticeUpdate, 'Withdraw my notice before it ends', 'contract.notice-cancelled'],
  ] as const) {
    api.add(router, {
      method,
      path: '/v1/me/contract/notice',
      tag: 'Contracts',
      summary,
      roles: ['citizen'],
      responses: { 200: { description: 'Done', schema: contractView } },
      async handler({ req, principal }) {
        const id = await myContract(principal);
        const s = await runUpdate(() => handle(id).executeUpdate(update, { args: [{ by: principal.sub }] }), answers, closed);
        await audit(req, principal, action, 'contract', id);
        return { status: 200, body: stateOut(s) };
      },
    });
  }

  // ---- the Chancellery
  api.add(router, {
    method: 'get',
    path: '/v1/contracts/:id',
    tag: 'Contracts',
    summary: "A user's contract, as its workflow holds it",
    roles: ['chancellery'],
    params: contractParams,
    responses: { 200: { description: 'The contract', schema: contractView } },
    async handler({ params: p }) {
      if (!(await db.contract.findUnique({ where: { id: p.id }, select: { id: true } }))) throw notFound('contract');
      return { status: 200, body: stateOut(await handle(p.id).query(contractStateQuery)) };
    },
  });

  const chancelleryActs = [
    ['blocks', blockUpdate, 'Block provisionally, with the reason (Art. 10.3)', z.object({ reason: text(1000) }).strict(), 'contract.blocked'],
    ['unblock', unblockUpdate, 'Lift the blocks (misuse report, provisional measure) with a justification', z.object({ justification: text(2000) }).strict(), 'contract.unblocked'],
    ['termination', terminateUpdate, 'Terminate the contract at once for abuse (Art. 10.2), with the reasons', z.object({ reasons: z.array(text(1000)).min(1, 'at least one reason').max(20) }).strict(), 'contract.terminated-for-abuse'],
  ] as const;
  for (const [path, update, summary, body, action] of chancelleryActs) {
    api.add(router, {
      method: 'post',
      path: `/v1/contracts/:id/${path}`,
      tag: 'Contracts',
      summary,
      roles: ['chancellery'],
      params: contractParams,
      body: body as z.ZodType<Record<string, unknown>>,
      responses: { 200: { description: 'Done', schema: contractView } },
      async handler({ req, params: p, body: b, principal }) {
        if (!(await db.contract.findUnique({ where: { id: p.id }, select: { id: true } }))) throw notFound('contract');
        const args = [personalData('contract', p.id, { ...b, by: principal.sub })] as never;
        const s = await runUpdate(() => handle(p.id).executeUpdate(update as typeof blockUpdate, { args }), answers, closed);
        await audit(req, principal, action, 'contract', p.id);
        return { status: 200, body: stateOut(s) };
      },
    });
  }

  return router;
}
