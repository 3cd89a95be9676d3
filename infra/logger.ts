// Logs an operator can read, and never personal data: request bodies are not logged, and
// the fields that could carry personal data are redacted wherever they appear.
import pino from 'pino';

export const REDACTED_FIELDS = ['avsNumber', 'email', 'lastName', 'firstName', 'address', 'birthDate'];

/** `destination`: a file to append to (synchronously) or a stream; stdout when omitted. */
export function createLogger(opts: { level?: string; name: string; destination?: string | pino.DestinationStream }) {
  const destination = typeof opts.destination === 'string' ? pino.destination({ dest: opts.destination, sync: true }) : opts.destination;
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level ?? 'info',
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`])],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;
