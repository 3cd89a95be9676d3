// The catalogue of services (Art. 14-15): read by everyone signed in, managed by the
// Chancellery and the owning unit. Each route: parse → use case (app/services.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { SERVICE_ACCESS, SERVICE_ID } from '../../domain/services';
import type { Api } from '../http';
import { text } from '../schemas';

const serviceId = z.string().regex(SERVICE_ID, 'lower-case words joined by dashes, e.g. permis-de-peche');
const ALL_ROLES = ['citizen', 'counsellor', 'chancellery', 'unit', 'authority', 'operator'] as const;

const serviceBody = z
  .object({
    unitId: text(50).openapi({ example: 'SPOP', description: 'The owning unit (a cantonal unit or a commune): 422 if unknown' }),
    domain: text(50).openapi({ example: 'population' }),
    title: z.object({ fr: text(200), de: text(200) }).strict(),
    access: z.enum(SERVICE_ACCESS).openapi({ description: 'Art. 14.1-14.2: free (open at once) or on request (decided by the unit)' }),
    delegable: z.boolean().openapi({ description: 'Whether a representative may act in it (Art. 9)' }),
    adultsOnly: z.boolean(),
    feeChf: z
      .number()
      .min(0)
      .max(100_000)
      .refine((v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'to the centime at most')
      .nullable()
      .openapi({ example: 25, description: 'The fee in francs (null: free of charge)' }),
    sensitive: z.boolean().default(false).openapi({ description: 'NE 4.5: its transactions need a single-use transaction code' }),
    formSchema: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "The JSON Schema (2020-12) a submission's form must satisfy; null: no form" }),
  })
  .strict()
  .openapi('ServiceInput');

const serviceView = serviceBody.extend({ id: z.string(), updatedAt: z.string() }).openapi('Service');

export function serviceRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const services = application.services;

  api.add(router, {
    method: 'get',
    path: '/v1/services',
    tag: 'Services',
    summary: "The counter's catalogue: each service's unit, access (free or on request), fee and form",
    roles: [...ALL_ROLES],
    query: z.object({ unitId: z.string().max(50).optional(), domain: z.string().max(50).optional() }).strict(),
    responses: { 200: { description: 'The services', schema: z.object({ items: z.array(serviceView) }) } },
    handler: async ({ query }) => ({ status: 200, body: { items: await services.list(query) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/services/:id',
    tag: 'Services',
    summary: 'One service of the catalogue',
    roles: [...ALL_ROLES],
    params: z.object({ id: serviceId }),
    responses: { 200: { description: 'The service', schema: serviceView } },
    handler: async ({ params: p }) => ({ status: 200, body: await services.get(p.id) }),
  });

  api.add(router, {
    method: 'put',
    path: '/v1/services/:id',
    tag: 'Services',
    summary: 'Creates or replaces a service (the Chancellery; a unit its own, in its own domains); its form must be a valid JSON Schema',
    roles: ['chancellery', 'unit'],
    params: z.object({ id: serviceId }),
    body: serviceBody,
    responses: {
      200: { description: 'Replaced', schema: serviceView },
      201: { description: 'Created', schema: serviceView },
      422: { description: 'No such unit (`unknown_unit`)' },
    },
    handler: async ({ params: p, body, caller }) => {
      const { created, service } = await services.put(caller, p.id, body);
      return { status: created ? 201 : 200, body: service };
    },
  });

  return router;
}
