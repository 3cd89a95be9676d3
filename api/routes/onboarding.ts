// Contract onboarding (Art. 3-4): applications, the authority's answer, the request for a
// formal decision after a refusal.
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../activities/audit';
import { isValidAvsNumber, normalizeAvs } from '../../domain/avs';
import { localDay } from '../../domain/days';
import { profiles, type CantonCode } from '../../domain/profiles';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import {
  authorityAnswerUpdate,
  formalDecisionRequestUpdate,
  onboardingWorkflowId,
  Rejections,
  stateQuery,
} from '../../workflows/onboarding/definitions';
import type { onboarding } from '../../workflows/onboarding/workflow';
import type { Principal } from '../auth';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { writeAccessLog } from '../access-log';
import { runUpdate } from '../temporal-errors';
import { isoDay, text } from '../schemas';


export const applicationBody = z
  .object({
    lastName: text(100),
    firstName: text(100),
    avsNumber: z.string().refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC with its check digit)').openapi({ example: '756.1234.5678.04' }),
    address: z
      .object({
        street: text(200),
        postCode: z.string().regex(/^[1-9]\d{3}$/, 'a Swiss post code: 4 digits, 1000-9999'),
        locality: text(100),
      })
      .strict(),
    commune: text(100).openapi({ example: 'Delémont' }),
    birthDate: isoDay.openapi({ example: '1985-03-21' }),
    email: z.email('not a valid e-mail address'),
    identityProofRef: text(200).openapi({ description: 'Reference of the identity proof (e-ID or counter check)' }),
    contractSignature: z
      .object({
        documentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the signed contract, 64 lowercase hex digits'),
        signatureValue: z.string().min(16, 'the qualified signature value (base64)').max(20_000).regex(/^[A-Za-z0-9+/=_-]+$/, 'base64'),
        signedAt: z.iso.datetime({ offset: true, message: 'an ISO 8601 instant' }),
        termsVersion: text(50),
      })
      .strict(),
    onBehalfOf: z.string().min(1).max(200).optional().openapi({ description: 'counsellor only: the e-ID subject of the citizen applying' }),
  })
  .strict()
  .openapi('OnboardingApplication');

const statusValues = ['checking', 'awaiting-review', 'awaiting-authority', 'approved', 'refused', 'formal-decision-requested'] as const;
const applicationStatus = z
  .object({
    applicationId: z.string(),
    status: z.enum(statusValues),
    pending: z.object({ kind: z.string(), taskId: z.string(), dueAt: z.string(), claimed: z.boolean() }).nullable(),
    refusalReasons: z.array(z.string()).optional(),
    formalDecisionDeadline: z.string().optional(),
    submittedAt: z.string(),
    applicant: z
      .object({ lastName: z.string(), firstName: z.string(), birthDate: z.string(), commune: z.string(), street: z.string(), postCode: z.string(), locality: z.string(), email: z.string() })
      .optional()
      .openapi({ description: 'Chancellery only (the reviewer needs to know whom they decide on); each such read is written to the access log' }),
  })
  .openapi('OnboardingStatus');

const params = z.object({ id: z.uuid('not an application id') });

export interface OnboardingRouteDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  canton: CantonCode;
}

/** Same body, same hash: key order and the AVS number's notation do not matter. */
function bodyHash(body: z.output<typeof applicationBody>): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical({ ...body, avsNumber: normalizeAvs(body.avsNumber) }))).digest('hex');
}

export function onboardingRoutes(api: Api, deps: OnboardingRouteDeps): Router {
  const router = Router();
  const { client, db } = deps;
  const profile = profiles[deps.canton];

  async function view(applicationId: string) {
    const row = await db.onboardingApplication.findUnique({ where: { id: applicationId }, select: { submittedAt: true } });
    if (!row) throw notFound('application');
    const s = await client.workflow.getHandle(onboardingWorkflowId(applicationId)).query(stateQuery);
    return {
      applicationId,
      status: s.status,
      pending: s.pending && { kind: s.pending.kind, taskId: s.pending.taskId, dueAt: s.pending.dueAt, claimed: s.pending.claimedBy !== null },
      refusalReasons: s.refusalReasons,
      formalDecisionDeadline: s.formalDecisionDeadline,
      submittedAt: row.submittedAt.toISOString(),
    };
  }

  /** The applicant, the counsellor who filed for them, or the Chancellery; anyone else: 404. */
  async function visible(principal: Principal, applicationId: string, allowChancellery = true) {
    const row = await db.onboardingApplication.findUnique({ where: { id: applicationId }, select: { applicantSub: true, filedBySub: true, filedByRole: true } });
    const ok =
      !!row &&
      ((principal.role === 'citizen' && row.applicantSub === principal.sub) ||
        (principal.role === 'counsellor' && row.filedByRole === 'counsellor' && row.filedBySub === principal.sub) ||
        (allowChancellery && principal.role === 'chancellery'));
    if (!ok) throw notFound('application');
    return row!;
  }

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
      409: { description: 'An application for this AVS number is already open, or the person already has a contract' },
      422: { description: 'This Idempotency-Key was used with another body' },
    },
    async handler({ req, body, principal }) {
      if (principal.role === 'counsellor' && !body.onBehalfOf) {
        throw new ApiError(400, 'validation_failed', 'a counsellor applies on behalf of a citizen', [{ path: 'onBehalfOf', issue: 'required for a counsellor' }]);
      }
      if (principal.role === 'citizen' && body.onBehalfOf) {
        throw new ApiError(400, 'validation_failed', 'a citizen applies for themself', [{ path: 'onBehalfOf', issue: 'only a counsellor may act on behalf of someone' }]);
      }
      const today = localDay(new Date(), profile.timeZone);
      if (body.birthDate >= today) throw new ApiError(400, 'validation_failed', 'the request body is not valid', [{ path: 'birthDate', issue: 'must be in the past' }]);
      if (new Date(body.contractSignature.signedAt).getTime() > Date.now() + 5 * 60_000) {
        throw new ApiError(400, 'validation_failed', 'the request body is not valid', [{ path: 'contractSignature.signedAt', issue: 'must not be in the future' }]);
      }

      const key = req.header('idempotency-key') ?? null;
      const hash = bodyHash(body);
      const replay = async () => {
        if (!key) return undefined;
        const prior = await db.onboardingApplication.findUnique({ where: { filedBySub_idempotencyKey: { filedBySub: principal.sub, idempotencyKey: key } }, select: { id: true, requestHash: true } });
        if (!prior) return undefined;
        if (prior.requestHash !== hash) throw new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different body');
        return { status: 202, body: await view(prior.id) };
      };
      const earlier = await replay();
      if (earlier) return earlier;

      const avsNumber = normalizeAvs(body.avsNumber)!;
      if (await db.registeredUser.findFirst({ where: { OR: [{ avsNumber }, { sub: principal.role === 'counsellor' ? body.onBehalfOf! : principal.sub }] }, select: { id: true } })) {
        throw new ApiError(409, 'already_registered', 'this person already has a user contract');
      }
      const applicationId = randomUUID();
      const now = new Date();
      try {
        await db.$transaction([
          // At most one open application per person: this row exists while one is open.
          db.openApplication.create({ data: { avsNumber, applicationId } }),
          db.onboardingApplication.create({
            data: {
              id: applicationId,
              canton: deps.canton,
              status: 'checking',
              applicantSub: principal.role === 'counsellor' ? body.onBehalfOf! : principal.sub,
              filedBySub: principal.sub,
              filedByRole: principal.role,
              idempotencyKey: key,
              requestHash: hash,
              avsNumber,
              lastName: body.lastName,
              firstName: body.firstName,
              street: body.address.street,
              postCode: body.address.postCode,
              locality: body.address.locality,
              commune: body.commune,
              birthDate: body.birthDate,
              email: body.email,
              identityProofRef: body.identityProofRef,
              documentSha256: body.contractSignature.documentSha256,
              signatureValue: body.contractSignature.signatureValue,
              signedAt: new Date(body.contractSignature.signedAt),
              termsVersion: body.contractSignature.termsVersion,
              refusalReasons: [],
              submittedAt: now,
              retentionEventDay: today,
            },
          }),
          db.auditLog.create({
            data: {
              actorRole: principal.role,
              actorSub: principal.sub,
              onBehalfOf: principal.role === 'counsellor' ? body.onBehalfOf : undefined,
              action: 'onboarding.applied',
              recordType: 'onboarding-application',
              recordId: applicationId,
              requestId: String(req.id),
              workflowId: onboardingWorkflowId(applicationId),
            },
          }),
        ]);
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          // Either the same key raced us, or this person has an application open.
          const again = await replay();
          if (again) return again;
          throw new ApiError(409, 'application_open', 'an application for this AVS number is already open');
        }
        throw err;
      }

      try {
        await client.workflow.start<typeof onboarding>('onboarding', {
          taskQueue: deps.taskQueue,
          workflowId: onboardingWorkflowId(applicationId),
          args: [{ applicationId, canton: deps.canton, commune: body.commune }],
        });
      } catch (err) {
        // Nothing half-written: without its process, the application is withdrawn.
        await db.$transaction([
          db.openApplication.deleteMany({ where: { applicationId } }),
          db.onboardingApplication.update({ where: { id: applicationId }, data: { status: 'withdrawn', idempotencyKey: null } }),
        ]);
        throw err;
      }
      return { status: 202, body: await view(applicationId), headers: { Location: `/v1/onboarding/applications/${applicationId}` } };
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
    async handler({ req, params: p, principal }) {
      await visible(principal, p.id);
      const body = await view(p.id);
      if (principal.role !== 'chancellery') return { status: 200, body };
      const a = await db.onboardingApplication.findUniqueOrThrow({ where: { id: p.id }, select: { lastName: true, firstName: true, birthDate: true, commune: true, street: true, postCode: true, locality: true, email: true } });
      await writeAccessLog(db, req, { action: 'read.onboarding-application', recordType: 'onboarding-application', recordId: p.id, purpose: 'review of an onboarding application (Art. 4.7)' });
      return { status: 200, body: { ...body, applicant: a } };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/onboarding/applications/:id/authority-answer',
    tag: 'Onboarding',
    summary: "The protection authority's answer: does the person have civil capacity for the counter's services (Art. 4.5 c)?",
    roles: ['authority'],
    params,
    body: z.object({ hasCivilCapacity: z.boolean(), note: z.string().trim().max(2000).optional() }).strict().openapi('AuthorityAnswer'),
    responses: { 200: { description: 'Recorded', schema: applicationStatus }, 409: { description: 'No question to the authority is pending' } },
    async handler({ req, params: p, body, principal }) {
      if (!(await db.onboardingApplication.findUnique({ where: { id: p.id }, select: { id: true } }))) throw notFound('application');
      const workflowId = onboardingWorkflowId(p.id);
      await runUpdate(
        () => client.workflow.getHandle(workflowId).executeUpdate(authorityAnswerUpdate, { args: [{ hasCivilCapacity: body.hasCivilCapacity, note: body.note, by: principal.sub }] }),
        { [Rejections.notWaiting]: 409 },
        () => new ApiError(409, 'conflict', 'this application is closed'),
      );
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'onboarding.authority-answered', recordType: 'onboarding-application', recordId: p.id, requestId: String(req.id), workflowId });
      return { status: 200, body: await view(p.id) };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/onboarding/applications/:id/formal-decision-request',
    tag: 'Onboarding',
    summary: 'After a refusal, ask for a formal decision (Art. 4.8), within the period the refusal states',
    roles: ['citizen', 'counsellor'],
    params,
    responses: {
      200: { description: 'Requested: a formal-decision task goes to the Chancellery', schema: applicationStatus },
      409: { description: 'Not refused, or already asked' },
      422: { description: 'The period is over' },
    },
    async handler({ req, params: p, principal }) {
      await visible(principal, p.id, false);
      const workflowId = onboardingWorkflowId(p.id);
      await runUpdate(
        () => client.workflow.getHandle(workflowId).executeUpdate(formalDecisionRequestUpdate, { args: [{ by: principal.sub }] }),
        { [Rejections.notWaiting]: 409, [Rejections.periodOver]: 422 },
        () => new ApiError(422, 'unprocessable', 'the period to ask for a formal decision is over'),
      );
      await writeAudit(db, { actorRole: principal.role, actorSub: principal.sub, action: 'onboarding.formal-decision-requested', recordType: 'onboarding-application', recordId: p.id, requestId: String(req.id), workflowId });
      return { status: 200, body: await view(p.id) };
    },
  });

  return router;
}
