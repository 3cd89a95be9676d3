// Representation through the Chancellery (Art. 9.4, 9.5). Each route: parse → use case
// (app/representations.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { isValidAvsNumber } from '../../domain/avs';
import type { Api } from '../http';
import { isoDay, text } from '../schemas';

const person = z
  .object({
    lastName: text(100),
    firstName: text(100),
    birthDate: isoDay.openapi({ example: '2014-06-02' }),
    avsNumber: z.string().refine(isValidAvsNumber, 'not a valid AVS number (756.XXXX.XXXX.XC with its check digit)').openapi({ example: '756.1234.5678.97' }),
    address: z
      .object({
        street: text(200),
        postCode: z.string().regex(/^[1-9]\d{3}$/, 'a Swiss post code: 4 digits, 1000-9999'),
        locality: text(100),
      })
      .strict(),
    commune: text(100).openapi({ example: 'Delémont' }),
    email: z
      .email('not a valid e-mail address')
      .optional()
      .openapi({ description: "The person's own e-mail, if she has one; none: the counter's e-mails about her go to the representative" }),
  })
  .strict()
  .openapi('RepresentedPerson', { description: 'The person represented, who has no access of her own' });

const representationView = z
  .object({
    requestId: z.string(),
    kind: z.enum(['legal-representation', 'written-proxy-contract']),
    status: z.enum(['checking', 'awaiting-review', 'approved', 'refused']),
    basis: z.enum(['parental-authority', 'protection-measure']).optional(),
    services: z.array(z.string()).openapi({ description: 'Empty: every delegable service' }),
    decisions: z.boolean(),
    until: z.string().optional(),
    person: z.object({ lastName: z.string(), firstName: z.string(), birthDate: z.string(), commune: z.string() }),
    representedSub: z.string().optional().openapi({ description: 'Approved: her subject on the counter; name it as `onBehalfOf` to act for her' }),
    proxyId: z.string().optional().openapi({ description: 'Approved: the standing proxy (GET /v1/proxies)' }),
    refusalReasons: z.array(z.string()),
    submittedAt: z.string(),
    decidedAt: z.string().optional(),
  })
  .openapi('RepresentationRequest');

const checks = z
  .object({
    found: z.boolean(),
    domiciled: z.boolean(),
    minor: z.boolean(),
    protectionMeasure: z.boolean(),
    basisConfirmed: z.boolean(),
    lastDay: z.string().optional(),
  })
  .openapi('RepresentedChecks', { description: 'Chancellery only: what the resident and protection registers answered' });

const conflicts = {
  409: { description: 'already_registered: the person is a user of the counter (one person, one subject); already_requested: a request for her is open' },
};

export function representationRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const representations = application.representations;

  api.add(router, {
    method: 'post',
    path: '/v1/me/legal-representations',
    tag: 'Representation',
    summary:
      'A legal representative contracts for the person he represents (Art. 9.5): a parent for a minor, a curator for a person under a protection measure. The registers are asked, the Chancellery decides; approved, he acts for her in every delegable service and her decisions (for a minor, until the day before her majority)',
    roles: ['citizen'],
    body: z
      .object({ person, basis: z.enum(['parental-authority', 'protection-measure']) })
      .strict()
      .openapi('LegalRepresentationIn'),
    responses: {
      201: { description: 'Filed: the registers are asked, then a Chancellery task', schema: representationView },
      403: { description: 'no_contract: the representative is not a user of the counter' },
      ...conflicts,
      422: { description: 'Parental authority for a person of age' },
    },
    async handler({ body, caller }) {
      const r = await representations.requestLegalRepresentation(caller, body);
      return { status: 201, body: r, headers: { Location: `/v1/representation-requests/${r.requestId}` } };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/written-proxies',
    tag: 'Representation',
    summary:
      'File the written proxy of a person without access to the counter (Art. 9.4): the signed paper contract goes to the Chancellery, which checks and records it; then he acts for her in the services named',
    roles: ['citizen'],
    body: z
      .object({
        person,
        services: z.array(text(100)).max(100).default([]).openapi({ description: 'The services it covers; none: every delegable one' }),
        decisions: z.boolean().default(false).openapi({ description: 'Also the decisions served to her (Art. 16.4 applies to him)' }),
        until: isoDay.optional().openapi({ description: 'Its last day, if the paper contract sets one' }),
      })
      .strict()
      .openapi('WrittenProxyIn'),
    responses: {
      201: { description: 'Filed: a Chancellery task waits for the paper contract', schema: representationView },
      403: { description: 'no_contract: the representative is not a user of the counter' },
      ...conflicts,
    },
    async handler({ body, caller }) {
      const r = await representations.requestWrittenProxy(caller, body);
      return { status: 201, body: r, headers: { Location: `/v1/representation-requests/${r.requestId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/representation-requests',
    tag: 'Representation',
    summary: 'My requests to represent someone',
    roles: ['citizen'],
    responses: { 200: { description: 'The requests', schema: z.object({ requests: z.array(representationView) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { requests: await representations.list(caller) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/representation-requests/:id',
    tag: 'Representation',
    summary: "One request: the representative's own; for the Chancellery, with what the registers answered (each read access-logged)",
    roles: ['citizen', 'chancellery'],
    params: z.object({ id: z.uuid('not a request id') }),
    responses: { 200: { description: 'The request', schema: representationView.extend({ checks: checks.optional() }) } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await representations.get(caller, p.id) }),
  });

  return router;
}
