// Logs an operator can read, and never personal data: request bodies are not logged, and
// the fields that could carry personal data are redacted wherever they appear.
import pino from 'pino';

export const REDACTED_FIELDS = ['avsNumber', 'email', 'lastName', 'firstName', 'address', 'birthDate'];

export function createLogger(opts: { level?: string; name: string }) {
  return pino({
    name: opts.name,
    level: opts.level ?? 'info',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
      ],
      censor: '[redacted]',
    },
  });
}

export type Logger = pino.Logger;
