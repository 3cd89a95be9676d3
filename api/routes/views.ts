// Inbox views saved on the server per staff member. Each route: parse → use case (app/views.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { MAX_VIEWS_PER_USER } from '../../app/views';
import type { Api } from '../http';
import { inboxFilters } from './tasks';

const viewBody = z
  .object({ name: z.string().trim().min(1, 'a view needs a name').max(80), filters: inboxFilters })
  .strict()
  .openapi('SavedViewInput');
const viewSchema = z.object({ id: z.string(), name: z.string(), filters: inboxFilters, createdAt: z.string(), updatedAt: z.string() }).openapi('SavedView');
const params = z.object({ id: z.uuid('not a view id') });

export function viewRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const views = application.views;

  api.add(router, {
    method: 'get',
    path: '/v1/me/views',
    tag: 'Tasks',
    summary: 'Your saved inbox views',
    roles: ['chancellery'],
    responses: { 200: { description: 'Your views, by name', schema: z.object({ items: z.array(viewSchema) }) } },
    handler: async ({ caller }) => ({ status: 200, body: { items: await views.list(caller) } }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/views',
    tag: 'Tasks',
    summary: 'Save the inbox filters as a named view',
    roles: ['chancellery'],
    body: viewBody,
    responses: {
      201: { description: 'Saved', schema: viewSchema },
      409: { description: 'You have a view of that name' },
      422: { description: `More than ${MAX_VIEWS_PER_USER} views` },
    },
    async handler({ body, caller }) {
      const view = await views.create(caller, body);
      return { status: 201, body: view, headers: { Location: `/v1/me/views/${view.id}` } };
    },
  });

  api.add(router, {
    method: 'put',
    path: '/v1/me/views/:id',
    tag: 'Tasks',
    summary: 'Rename a view or change its filters',
    roles: ['chancellery'],
    params,
    body: viewBody,
    responses: { 200: { description: 'Saved', schema: viewSchema }, 409: { description: 'You have another view of that name' } },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await views.update(caller, p.id, body) }),
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/me/views/:id',
    tag: 'Tasks',
    summary: 'Delete a view',
    roles: ['chancellery'],
    params,
    responses: { 204: { description: 'Deleted' } },
    async handler({ params: p, caller }) {
      await views.remove(caller, p.id);
      return { status: 204 };
    },
  });

  return router;
}
