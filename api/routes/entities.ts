// Legal entities (Art. 11-13; NE 5.5, 7.3): the contract in an entity's name, filed by a
// signatory of the commercial register; its people, authorised and blocked by its
// signatories. Each route: parse → use case (app/entities.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { isValidUid } from '../../domain/uid';
import type { Api } from '../http';
import { acceptanceBody, contractView, versionId } from './contracts';
import { applicationBody } from './onboarding';
import { text } from '../schemas';

const uid = z.string().refine(isValidUid, 'not a valid UID (CHE-123.456.789 with its check digit)');

const applicationView = z
  .object({
    applicationId: z.string(),
    uid: z.string(),
    filedBySub: z.string().openapi({ description: 'Who filed it: GET /v1/people/{sub}/representation for the Chancellery' }),
    status: z.enum(['checking', 'awaiting-powers', 'awaiting-written-contract', 'approved', 'refused', 'withdrawn']),
    finding: z
      .enum(['not-found', 'cancelled', 'no-power', 'individual', 'collective'])
      .optional()
      .openapi({ description: "What the commercial register says of the filer's power (the Chancellery verifies it, Art. 11.2)" }),
    pending: z.object({ kind: z.string(), taskId: z.string(), dueAt: z.string() }).nullable(),
    refusalReasons: z.array(z.string()).optional(),
    entitySub: z.string().optional().openapi({ description: 'Once approved: what its people name in `onBehalfOf`' }),
    submittedAt: z.string(),
  })
  .openapi('EntityApplicationStatus');

const memberView = z
  .object({
    sub: z.string(),
    role: z.enum(['signatory', 'administrator', 'employee']),
    services: z.array(z.string()).openapi({ description: "An employee's services; signatories and the administrator act for every service" }),
    status: z.enum(['active', 'blocked']),
    addedAt: z.string(),
    blockedAt: z.string().optional(),
    blockReason: z.string().optional(),
  })
  .openapi('EntityMember');

const entityView = z
  .object({
    entitySub: z.string(),
    uid: z.string(),
    name: z.string(),
    legalForm: z.string(),
    legalSeat: z.string(),
    signingPower: z.enum(['individual', 'collective']),
    contract: z.object({ contractId: z.string(), status: z.string(), startedOn: z.string() }).nullable(),
    me: memberView.optional(),
    members: z.array(memberView).optional().openapi({ description: 'For its signatories, its administrator and the Chancellery' }),
  })
  .openapi('LegalEntity');

const uidParams = z.object({ uid });

export function entityRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const entities = application.entities;

  api.add(router, {
    method: 'post',
    path: '/v1/entity-applications',
    tag: 'Legal entities',
    summary:
      "Contract in a legal entity's name (Art. 11): filed by a person who may sign for it according to the commercial register; the Chancellery verifies the powers; a collective signature also needs the contract in written form (Art. 13.1)",
    roles: ['citizen'],
    body: z
      .object({
        uid: uid.openapi({ example: 'CHE-116.281.710' }),
        email: z.email('not a valid e-mail address').openapi({ description: "Where the entity's mail and decisions go (Art. 7.3)" }),
        address: applicationBody.shape.address,
        administratorSub: text(200)
          .optional()
          .openapi({ description: 'Art. 12.2: the user of the counter the contract names to designate the entity’s employees and third parties' }),
        contractSignature: applicationBody.shape.contractSignature,
      })
      .strict()
      .openapi('EntityApplication'),
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
    responses: {
      202: { description: 'Accepted: the commercial register is asked, then the Chancellery verifies the powers', schema: applicationView },
      403: { description: 'The filer has no contract of his own on the counter (`no_contract`), or his contract is restricted' },
      409: { description: 'The entity already has a contract (`already_registered`), or an application for it is open (`application_open`)' },
      422: { description: 'Not a valid UID; the administrator is not a user of the counter; the qualified signature failed a check (`signature_invalid`)' },
    },
    async handler({ req, body, caller }) {
      const { view } = await entities.apply(caller, body, req.header('idempotency-key') ?? null);
      return { status: 202, body: view, headers: { Location: `/v1/entity-applications/${view.applicationId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/entity-applications/:id',
    tag: 'Legal entities',
    summary: "Where an entity's application stands: the register's finding, the Chancellery's task it waits for",
    roles: ['citizen', 'chancellery'],
    params: z.object({ id: z.uuid('not an application id') }),
    responses: { 200: { description: 'The application', schema: applicationView } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await entities.get(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/entities',
    tag: 'Legal entities',
    summary: 'The entities I act for, and how (signatory, administrator, employee for named services)',
    roles: ['citizen'],
    responses: { 200: { description: 'The entities', schema: z.object({ entities: z.array(entityView) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { entities: await entities.mine(caller) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/entities/:uid',
    tag: 'Legal entities',
    summary: 'An entity, its contract and its people (every member for its signatories, its administrator and the Chancellery)',
    roles: ['citizen', 'chancellery'],
    params: uidParams,
    responses: { 200: { description: 'The entity', schema: entityView } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await entities.entity(caller, p.uid) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/entities/:uid/members',
    tag: 'Legal entities',
    summary:
      'Authorise an employee or a third party to act for the entity for named services (Art. 12.1), or name the administrator who designates them (12.2); by a signatory (the administrator: employees only)',
    roles: ['citizen'],
    params: uidParams,
    body: z
      .object({
        sub: text(200).openapi({ description: "The person's subject on the counter (an identified user)" }),
        role: z.enum(['employee', 'administrator']).default('employee'),
        services: z.array(text(100)).max(100).default([]).openapi({ description: 'The services an employee transacts for the entity' }),
      })
      .strict()
      .openapi('EntityMemberIn'),
    responses: {
      200: { description: 'Authorised', schema: memberView },
      403: { description: 'Not a signatory (or the administrator, for employees) of this entity' },
      409: { description: 'The person is a signatory of the register' },
      422: { description: 'The person is not a user of the counter; an employee without services' },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await entities.authorise(caller, p.uid, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/entities/:uid/members/:sub/block',
    tag: 'Legal entities',
    summary: "Block a member's access at once, e.g. at the end of employment (NE 7.3): his next act for the entity is refused (403 `no_mandate`)",
    roles: ['citizen'],
    params: z.object({ uid, sub: text(200) }),
    body: z
      .object({ reason: z.string().trim().max(1000).optional() })
      .strict()
      .openapi('EntityMemberBlock'),
    responses: {
      200: { description: 'Blocked', schema: memberView },
      403: { description: 'Not a signatory (or the administrator, for employees) of this entity' },
      409: { description: "A signatory's power comes from the commercial register" },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await entities.block(caller, p.uid, p.sub, body.reason) }),
  });

  // ---- the entity's contract, acted on by its signatories (Art. 11-13) as a person's by her
  const signatoryOnly = { 403: { description: 'Not a signatory of the entity; a collective signature acts in writing (`written_form_required`, Art. 13.1)' } };
  api.add(router, {
    method: 'get',
    path: '/v1/entities/:uid/contract',
    tag: 'Legal entities',
    summary: "The entity's contract: its state, the terms version waiting, blocks, notice",
    roles: ['citizen'],
    params: uidParams,
    responses: { 200: { description: 'The contract', schema: contractView }, ...signatoryOnly },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await application.contracts.myContract(caller, p.uid) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/entities/:uid/terms-acceptances',
    tag: 'Legal entities',
    summary: 'A signatory accepts a terms version for the entity with his qualified e-signature (Art. 5.2, 13.2)',
    roles: ['citizen'],
    params: uidParams,
    body: acceptanceBody,
    responses: { 200: { description: 'Accepted', schema: contractView }, ...signatoryOnly, 422: { description: 'As for a person’s acceptance' } },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await application.contracts.acceptTerms(caller, body, p.uid) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/entities/:uid/terms-refusals',
    tag: 'Legal entities',
    summary: 'A signatory refuses a terms version for the entity but asks to go on using the counter: a Chancellery task (Art. 5.3)',
    roles: ['citizen'],
    params: uidParams,
    body: z.object({ version: versionId }).strict(),
    responses: { 202: { description: 'With the Chancellery', schema: contractView }, ...signatoryOnly },
    handler: async ({ params: p, body, caller }) => ({ status: 202, body: await application.contracts.refuseTerms(caller, body.version, p.uid) }),
  });

  for (const [method, give, summary] of [
    ['post', true, "Terminate the entity's contract with one month's notice (Art. 10.1, 13.3)"],
    ['delete', false, "Withdraw the entity's notice before it ends"],
  ] as const) {
    api.add(router, {
      method,
      path: '/v1/entities/:uid/contract/notice',
      tag: 'Legal entities',
      summary,
      roles: ['citizen'],
      params: uidParams,
      responses: { 200: { description: 'Done', schema: contractView }, ...signatoryOnly },
      handler: async ({ params: p, caller }) => ({ status: 200, body: await application.contracts.notice(caller, give, p.uid) }),
    });
  }

  return router;
}
