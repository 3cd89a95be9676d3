// A route is declared once: its zod schemas validate the request AND describe it in the
// OpenAPI document, so the docs cannot drift from what the API accepts.
import { extendZodWithOpenApi, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { authenticate, principalOf, requireRole, type Principal, type Role, type Verifier } from './auth';
import { fromZod } from './errors';

extendZodWithOpenApi(z);

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), issue: z.string() })),
    }),
  })
  .openapi('Error');

type Method = 'get' | 'post' | 'put' | 'delete';

export interface Route<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  /** Express style: /v1/things/:id */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; `null` = public (no token). */
  roles: Role[] | null;
  body?: B;
  query?: Q;
  params?: P;
  headers?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (ctx: {
    req: Request;
    res: Response;
    body: z.output<B>;
    query: z.output<Q>;
    params: z.output<P>;
    principal: Principal;
  }) => Promise<{ status: number; body?: unknown; headers?: Record<string, string>; file?: { type: string; data: Buffer; filename: string }; streamed?: true }>;
}

export class Api {
  readonly registry = new OpenAPIRegistry();

  constructor(private readonly verify: Verifier) {
    this.registry.register('Error', errorSchema);
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }

  add<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(router: Router, route: Route<B, Q, P>): void {
    const errors: RouteConfig['responses'] = {};
    const std: Record<number, string> = { 400: 'Invalid request (details name each field)', 401: 'Missing or invalid token', 403: 'Role not allowed', 404: 'Not found' };
    for (const [status, description] of Object.entries(std)) {
      if (route.roles === null && (status === '401' || status === '403')) continue;
      errors[status] = { description, content: { 'application/json': { schema: errorSchema } } };
    }
    this.registry.registerPath({
      method: route.method,
      path: route.path.replace(/:(\w+)/g, '{$1}'),
      summary: route.summary,
      tags: [route.tag],
      security: route.roles ? [{ bearer: [] }] : undefined,
      description: route.roles ? `Roles: ${route.roles.join(', ')}` : 'Public',
      request: {
        body: route.body ? { content: { 'application/json': { schema: route.body } }, required: true } : undefined,
        query: route.query as z.ZodObject | undefined,
        params: route.params as z.ZodObject | undefined,
        headers: route.headers,
      },
      responses: {
        ...errors,
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, r]) => [
            status,
            { description: r.description, content: r.schema ? { 'application/json': { schema: r.schema } } : undefined },
          ]),
        ),
      },
    });

    const guards = route.roles ? [authenticate(this.verify), requireRole(...route.roles)] : [];
    router[route.method](route.path, ...guards, async (req: Request, res: Response) => {
      const parse = <T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'body' | 'query' | 'params') => {
        if (!schema) return undefined as z.output<T>;
        const r = schema.safeParse(value);
        if (!r.success) throw fromZod(r.error, where);
        return r.data;
      };
      const body = parse(route.body, req.body ?? {}, 'body');
      const query = parse(route.query, req.query, 'query');
      const params = parse(route.params, req.params, 'params');
      const principal = route.roles ? principalOf(req) : { sub: 'anonymous', role: 'citizen' as Role, domains: [] };
      const out = await route.handler({ req, res, body, query, params, principal });
      if (out.streamed) return; // the handler writes the response itself (server-sent events)
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
      if (out.file) {
        res.status(out.status).type(out.file.type).setHeader('Content-Disposition', `inline; filename="${out.file.filename}"`);
        res.send(out.file.data);
      } else if (out.body === undefined) res.status(out.status).end();
      else res.status(out.status).json(out.body);
    });
  }
}
