// A route is declared once: its zod schemas validate the request AND describe it in the
// OpenAPI document, so the docs cannot drift from what the API accepts.
import { extendZodWithOpenApi, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Caller } from '../app/caller';
import type { Role } from '../domain/roles';
import { DEFAULT_ASSURANCE, type ActKind, type AssurancePolicy } from '../domain/assurance';
import { authenticate, principalOf, requireAssurance, requireRole, type Verifier } from './auth';
import { ApiError, fromZod } from './errors';

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

/**
 * Text the engine would store or pass on must be text: a NUL byte (PostgreSQL refuses it in
 * text columns), a lone surrogate, or the replacement character that invalid UTF-8 decodes
 * to is refused with 400 naming the field, before any handler sees it.
 */
// eslint-disable-next-line no-control-regex -- the NUL byte is what this refuses
const BAD_TEXT = /[\u0000\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function badTextIn(value: unknown, path: string[], depth = 0): string[] | null {
  if (typeof value === 'string') return BAD_TEXT.test(value) ? path : null;
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (BAD_TEXT.test(k)) return [...path, k];
    const found = badTextIn(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

export interface Route<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R extends Role[] | null = Role[]> {
  method: Method;
  /** Express style: /v1/things/:id */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed; `null` = public (no token, and no caller). */
  roles: R;
  /** The sign-in strength it needs (domain/assurance.ts); default: reading for GET, legal effect otherwise. */
  act?: ActKind;
  body?: B;
  query?: Q;
  params?: P;
  headers?: z.ZodObject;
  /**
   * The largest body it reads (bytes, or '32mb'): only routes that take a PDF or files go above
   * the API's BODY_LIMIT. The body is read after the token, the role and the sign-in strength
   * are checked, and never inflated (a Content-Encoding is refused with 415).
   */
  maxBody?: number | string;
  /** The body as raw bytes (a webhook signed over them), not parsed. */
  rawBody?: boolean;
  /**
   * What its calls count against (api/rate-limits.ts): the caller's subject (default), or the
   * login the body names, for the identity provider's sign-in steps.
   */
  rateLimit?: 'subject' | 'login';
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (ctx: {
    req: Request;
    res: Response;
    body: z.output<B>;
    query: z.output<Q>;
    params: z.output<P>;
    /** Who calls; public routes have none. */
    caller: R extends null ? undefined : Caller;
  }) => Promise<{ status: number; body?: unknown; headers?: Record<string, string>; file?: { type: string; data: Buffer; filename: string }; streamed?: true }>;
}

export class Api {
  readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly verify: Verifier,
    private readonly assurance: AssurancePolicy = DEFAULT_ASSURANCE,
    /** BODY_LIMIT: what a route reads at most unless it says otherwise. */
    private readonly bodyLimit: number | string = '100kb',
    /** Counts every act (a call that is not a GET) of a signed-in caller (api/rate-limits.ts). */
    private readonly perSubject?: RequestHandler,
    /** Counts the sign-in steps per login (routes with `rateLimit: 'login'`). */
    private readonly perLogin?: RequestHandler,
  ) {
    this.registry.register('Error', errorSchema);
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }

  add<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined, R extends Role[] | null = Role[]>(
    router: Router,
    route: Route<B, Q, P, R>,
  ): void {
    const errors: RouteConfig['responses'] = {};
    const std: Record<number, string> = {
      400: 'Invalid request (details name each field)',
      401: 'Missing or invalid token',
      403: 'Role not allowed',
      404: 'Not found',
    };
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

    const act = route.act ?? (route.method === 'get' ? 'read' : 'legal-effect');
    const guards = route.roles ? [authenticate(this.verify), requireRole(...route.roles), requireAssurance(this.assurance, act)] : [];
    const perLogin = route.rateLimit === 'login';
    if (route.roles && route.method !== 'get' && this.perSubject && !perLogin) guards.push(this.perSubject);
    const afterBody = perLogin && this.perLogin ? [this.perLogin] : [];
    router[route.method](
      route.path,
      ...guards,
      readBody(route.maxBody ?? this.bodyLimit, route.rawBody ?? false),
      ...afterBody,
      async (req: Request, res: Response) => {
        const parse = <T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'body' | 'query' | 'params') => {
          if (!schema) return undefined as z.output<T>;
          const bad = badTextIn(value, []);
          if (bad)
            throw new ApiError(400, 'validation_failed', `the request ${where} is not valid`, [
              { path: bad.join('.') || '(root)', issue: 'not valid text: a NUL byte or invalid UTF-8' },
            ]);
          const r = schema.safeParse(value);
          if (!r.success) throw fromZod(r.error, where);
          return r.data;
        };
        const body = parse(route.body, req.body ?? {}, 'body');
        const query = parse(route.query, req.query, 'query');
        const params = parse(route.params, req.params, 'params');
        const caller = (
          route.roles ? { principal: principalOf(req), requestId: String(req.id), statedPurpose: req.header('x-access-purpose') } : undefined
        ) as R extends null ? undefined : Caller;
        const out = await route.handler({ req, res, body, query, params, caller });
        if (out.streamed) return; // the handler writes the response itself (server-sent events)
        for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
        if (out.file) {
          res.status(out.status).type(out.file.type).setHeader('Content-Disposition', `inline; filename="${out.file.filename}"`);
          res.send(out.file.data);
        } else if (out.body === undefined) res.status(out.status).end();
        else res.status(out.status).json(out.body);
      },
    );
  }
}

/** The body limit of a route carrying a file of `bytes` in base64, with room for the rest of its JSON. */
export const base64BodyLimit = (bytes: number) => Math.ceil((bytes * 4) / 3) + 64 * 1024;

/**
 * A route's body parser, run after its guards: an anonymous caller never makes the API read (or
 * hold) a large body. No inflation: nothing the API takes needs compressing, and a small gzip
 * body can inflate to many times the limit's work.
 */
export function readBody(limit: number | string, raw = false): RequestHandler {
  return raw ? express.raw({ type: 'application/json', limit, inflate: false }) : express.json({ limit, inflate: false });
}
