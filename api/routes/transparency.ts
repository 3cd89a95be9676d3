// Transparency towards the person: who read his data, and everything the counter holds about
// him. Each route: parse → use case (app/transparency.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { Api } from '../http';

const read = z
  .object({
    at: z.string(),
    role: z.string(),
    unit: z.string().nullable(),
    action: z.string(),
    record: z.object({ type: z.string(), id: z.string().nullable() }),
    purpose: z.string(),
  })
  .openapi('PersonalDataRead');

export function transparencyRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const t = application.transparency;

  api.add(router, {
    method: 'get',
    path: '/v1/me/access-log',
    tag: 'Transparency',
    summary: 'Who read my data and when: staff by role and unit, the record, the time and the stated purpose (this request is logged too)',
    roles: ['citizen'],
    responses: { 200: { description: 'Reads, newest first', schema: z.object({ items: z.array(read) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { items: await t.accessLog(caller) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/export',
    tag: 'Transparency',
    summary: 'Everything the counter holds about me, as JSON (the right of access; this request is logged)',
    roles: ['citizen'],
    responses: { 200: { description: 'The export' } },
    handler: async ({ caller }) => ({
      status: 200,
      body: await t.exportJson(caller),
      headers: { 'Content-Disposition': 'attachment; filename="guichet-export.json"' },
    }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/export.pdf',
    tag: 'Transparency',
    summary: 'The same export as a readable PDF',
    roles: ['citizen'],
    responses: { 200: { description: 'application/pdf' } },
    handler: async ({ caller }) => ({ status: 200, file: { type: 'application/pdf', data: await t.exportPdf(caller), filename: 'guichet-export.pdf' } }),
  });

  return router;
}
