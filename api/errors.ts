// One error shape everywhere: { error: { code, message, details: [{ path, issue }] } }.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

export interface ErrorDetail {
  path: string;
  issue: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `${what} not found`);

export function fromZod(error: z.ZodError, where: 'body' | 'query' | 'params' | 'headers'): ApiError {
  return new ApiError(
    400,
    'validation_failed',
    `the request ${where} is not valid`,
    error.issues.map((i) => ({ path: i.path.join('.') || '(root)', issue: i.message })),
  );
}

export const errorBody = (code: string, message: string, details: ErrorDetail[] = []) => ({ error: { code, message, details } });

export const unknownRoute: RequestHandler = (req, _res, next) => next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`));

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof ApiError) {
    res.status(err.status).json(errorBody(err.code, err.message, err.details));
    return;
  }
  // body-parser errors carry a status and a type
  const e = err as { status?: number; type?: string; message?: string };
  if (e.type === 'entity.too.large') {
    res.status(413).json(errorBody('payload_too_large', 'the request body is larger than allowed'));
    return;
  }
  if (e.type === 'entity.parse.failed') {
    res.status(400).json(errorBody('malformed_json', 'the request body is not valid JSON'));
    return;
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json(errorBody('bad_request', e.message ?? 'bad request'));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(errorBody('internal', 'an unexpected error occurred; it has been logged'));
};
