import type { Connection } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../infra/db';
import type { Api } from '../http';

const check = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()) }).openapi('Readiness');

export function healthRoutes(api: Api, deps: { db: Db; connection: Connection; namespace: string }): Router {
  const router = Router();
  api.add(router, {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'Liveness: the process answers',
    roles: null,
    responses: { 200: { description: 'Alive' } },
    handler: async () => ({ status: 200, body: { status: 'ok' } }),
  });
  api.add(router, {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: Temporal and the database are reachable',
    roles: null,
    responses: { 200: { description: 'Ready', schema: check }, 503: { description: 'A dependency is unreachable', schema: check } },
    async handler({ req }) {
      const within = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
      const [temporal, database] = await Promise.allSettled([
        within(deps.connection.workflowService.describeNamespace({ namespace: deps.namespace })),
        within(deps.db.$queryRaw`SELECT 1`),
      ]);
      // Why a dependency is unreachable (its address, its error) is for the operator's log, not for anyone who asks.
      for (const [name, r] of [
        ['temporal', temporal],
        ['database', database],
      ] as const)
        if (r.status === 'rejected') req.log?.warn({ dependency: name, reason: (r.reason as Error).message }, 'readiness: dependency unreachable');
      const checks = {
        temporal: temporal.status === 'fulfilled' ? 'ok' : 'unreachable',
        database: database.status === 'fulfilled' ? 'ok' : 'unreachable',
      };
      const ok = temporal.status === 'fulfilled' && database.status === 'fulfilled';
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks } };
    },
  });
  return router;
}
