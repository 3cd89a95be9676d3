// The application layer's answers that are not results: what went wrong, for whom to read.
// The API turns them into { error: { code, message, details } } with `status`; a use case
// says which status a refusal means because the status is part of its contract.

export interface ErrorDetail {
  path: string;
  issue: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Not there, or not there for this caller: the same answer, so nobody learns what exists. */
export const notFound = (what = 'resource') => new AppError(404, 'not_found', `${what} not found`);

/** A field of a valid request that breaks a rule: 400 naming it. */
export const invalidField = (path: string, issue: string, message = 'the request is not valid') =>
  new AppError(400, 'validation_failed', message, [{ path, issue }]);

export const forbidden = (message: string, code = 'forbidden') => new AppError(403, code, message);
