// One error shape everywhere: { error: { code, message, details: [{ path, issue }] } }.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, type ErrorDetail } from '../app/errors';

export { AppError as ApiError, notFound, type ErrorDetail } from '../app/errors';

export function fromZod(error: z.ZodError, where: 'body' | 'query' | 'params' | 'headers'): AppError {
  return new AppError(
    400,
    'validation_failed',
    `the request ${where} is not valid`,
    error.issues.map((i) => ({ path: i.path.join('.') || '(root)', issue: i.message })),
  );
}

export const errorBody = (code: string, message: string, details: ErrorDetail[] = []) => ({ error: { code, message, details } });

export const unknownRoute: RequestHandler = (req, _res, next) => next(new AppError(404, 'not_found', `no route ${req.method} ${req.path}`));

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof AppError) {
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
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    res.status(415).json(errorBody('unsupported_encoding', e.message ?? 'unsupported request encoding'));
    return;
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json(errorBody('bad_request', e.message ?? 'bad request'));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(errorBody('internal', 'an unexpected error occurred; it has been logged'));
};
