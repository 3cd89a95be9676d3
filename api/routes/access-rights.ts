// Neuchâtel's access rights (NE 7.1, 7.4, 7.6), for the Chancellery: an account's state, and
// the accounts locked, blocked or deactivated. Each route: parse → use case (app/access-rights.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { ACCESS_RIGHTS_STATES } from '../../app/access-rights';
import type { Api } from '../http';
import { swissMobile } from '../schemas';

const userId = z.string().regex(/^user-[0-9a-f-]{36}$/, 'not a user id');

const accessRightsView = z
  .object({
    userId: z.string().openapi({ description: "The register's id of the account" }),
    canton: z.string(),
    state: z.enum(ACCESS_RIGHTS_STATES).openapi({
      description:
        'active; locked: 5 wrong entries, no sign-in until lockedUntil (NE 7.1); blocked: the 8th wrong attempt in a row, until the Chancellery lifts it (NE 7.6); deactivated: 540 days without a sign-in (NE 7.4)',
    }),
    lockedUntil: z.string().nullable(),
    failuresInARow: z.number().int(),
    lastSignInAt: z.string().nullable(),
    deactivatesAt: z.string().nullable().openapi({ description: 'When the account is deactivated if nobody signs in (null: deactivated)' }),
    updatedAt: z.string(),
    openTaskId: z.string().nullable().openapi({ description: "The Chancellery's open task on it: a block to lift, an account to reactivate" }),
  })
  .openapi('AccessRights');

export function accessRightsRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const rights = application.accessRights;

  api.add(router, {
    method: 'get',
    path: '/v1/accounts/:userId/access-rights',
    tag: 'Access rights',
    summary: "An account's access rights: locked, blocked or deactivated, its wrong entries in a row, its last sign-in (NE 7.1, 7.4, 7.6; access-logged)",
    roles: ['chancellery'],
    params: z.object({ userId }),
    responses: { 200: { description: 'The access rights', schema: accessRightsView } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await rights.of(caller, p.userId) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/access-rights',
    tag: 'Access rights',
    summary: 'The accounts in a state, e.g. the blocked ones waiting for a written request (NE 7.6); by account id, access-logged',
    roles: ['chancellery'],
    query: z
      .object({
        state: z.enum(ACCESS_RIGHTS_STATES),
        limit: z.coerce.number().int().min(1).max(100).default(50),
        after: userId.optional().openapi({ description: 'nextCursor of the previous page' }),
      })
      .strict(),
    responses: {
      200: { description: 'The accounts', schema: z.object({ items: z.array(accessRightsView), nextCursor: z.string().nullable() }) },
    },
    handler: async ({ query, caller }) => ({ status: 200, body: await rights.list(caller, query) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/accounts/:userId/access-rights/replacements',
    tag: 'Access rights',
    summary:
      "Lost or stolen access rights replaced on the person's request (NE 4.3): a new user code and initial password, each by its own letter; the old ones are void. The fee is the person's; a retry with the same Idempotency-Key replaces once",
    roles: ['chancellery'],
    params: z.object({ userId }),
    headers: z.object({ 'idempotency-key': z.string().min(8).max(200) }),
    responses: {
      201: {
        description: 'Replaced: the letters are posted',
        schema: z.object({
          userId: z.string(),
          generation: z.number().int().openapi({ description: 'The issue of the access rights now valid (1: the first)' }),
          fee: z.object({ amountChf: z.number().nullable(), notice: z.string() }),
        }),
      },
    },
    handler: async ({ params: p, caller, req }) => ({ status: 201, body: await rights.replace(caller, p.userId, req.header('idempotency-key')!) }),
  });

  api.add(router, {
    method: 'put',
    path: '/v1/accounts/:userId/mobile-phone',
    tag: 'Access rights',
    summary: "The person's new mobile phone, as she told the Chancellery (NE 5.3): the next sign-in code goes there; kept as a contact change",
    roles: ['chancellery'],
    params: z.object({ userId }),
    body: z.object({ mobilePhone: swissMobile }).strict(),
    responses: { 200: { description: 'Recorded', schema: z.object({ userId: z.string(), changedAt: z.string() }) } },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await rights.recordMobilePhone(caller, p.userId, body.mobilePhone) }),
  });

  return router;
}
