// Inbox views saved on the server per staff member: named filters that follow a person from
// one workstation to the next (a browser-only setting would not).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { ApiError, notFound } from '../errors';
import type { Api } from '../http';
import { inboxFilters } from './tasks';

export const MAX_VIEWS_PER_USER = 50;

const viewBody = z.object({ name: z.string().trim().min(1, 'a view needs a name').max(80), filters: inboxFilters }).strict().openapi('SavedViewInput');
const viewSchema = z.object({ id: z.string(), name: z.string(), filters: inboxFilters, createdAt: z.string(), updatedAt: z.string() }).openapi('SavedView');
const params = z.object({ id: z.uuid('not a view id') });

type Row = Prisma.SavedViewGetPayload<object>;
const toView = (v: Row) => ({ id: v.id, name: v.name, filters: v.filters as z.infer<typeof inboxFilters>, createdAt: v.createdAt.toISOString(), updatedAt: v.updatedAt.toISOString() });
/** A write under the (owner, name) unique key: a name already taken is a 409 on `name`. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
      throw new ApiError(409, 'conflict', `you already have a view named "${name}"`, [{ path: 'name', issue: 'already used by another of your views' }]);
    throw err;
  }
}

export function viewRoutes(api: Api, deps: { db: Db }): Router {
  const router = Router();
  const { db } = deps;
  const mine = async (id: string, sub: string) => {
    const v = await db.savedView.findUnique({ where: { id } });
    // Another person's view is not there for you.
    if (!v || v.ownerSub !== sub) throw notFound('view');
    return v;
  };

  api.add(router, {
    method: 'get',
    path: '/v1/me/views',
    tag: 'Tasks',
    summary: 'Your saved inbox views',
    roles: ['chancellery'],
    responses: { 200: { description: 'Your views, by name', schema: z.object({ items: z.array(viewSchema) }) } },
    async handler({ principal }) {
      const rows = await db.savedView.findMany({ where: { ownerSub: principal.sub }, orderBy: { name: 'asc' } });
      return { status: 200, body: { items: rows.map(toView) } };
    },
  });

  api.add(router, {
    method: 'post',
    path: '/v1/me/views',
    tag: 'Tasks',
    summary: 'Save the inbox filters as a named view',
    roles: ['chancellery'],
    body: viewBody,
    responses: { 201: { description: 'Saved', schema: viewSchema }, 409: { description: 'You have a view of that name' }, 422: { description: `More than ${MAX_VIEWS_PER_USER} views` } },
    async handler({ body, principal }) {
      if ((await db.savedView.count({ where: { ownerSub: principal.sub } })) >= MAX_VIEWS_PER_USER)
        throw new ApiError(422, 'unprocessable', `at most ${MAX_VIEWS_PER_USER} views per person; delete one first`);
      const row = await uniqueName(body.name, () => db.savedView.create({ data: { id: randomUUID(), ownerSub: principal.sub, name: body.name, filters: body.filters } }));
      return { status: 201, body: toView(row), headers: { Location: `/v1/me/views/${row.id}` } };
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
    async handler({ params: p, body, principal }) {
      await mine(p.id, principal.sub);
      return { status: 200, body: toView(await uniqueName(body.name, () => db.savedView.update({ where: { id: p.id }, data: { name: body.name, filters: body.filters } }))) };
    },
  });

  api.add(router, {
    method: 'delete',
    path: '/v1/me/views/:id',
    tag: 'Tasks',
    summary: 'Delete a view',
    roles: ['chancellery'],
    params,
    responses: { 204: { description: 'Deleted' } },
    async handler({ params: p, principal }) {
      await mine(p.id, principal.sub);
      await db.savedView.delete({ where: { id: p.id } });
      return { status: 204 };
    },
  });

  return router;
}
