// Field schemas several routes share: one wording for one rule.
import { z } from 'zod';
import { parseDay } from '../domain/days';

/** Required text, trimmed, with a length limit. */
export const text = (max: number) => z.string().trim().min(1, 'required').max(max, `at most ${max} characters`);

/** A calendar day YYYY-MM-DD that exists (no 30 February). */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((d) => {
    try {
      parseDay(d);
      return true;
    } catch {
      return false;
    }
  }, 'not a real calendar date');

/** A qualified signature as the portal's signing tool gives it: a detached CMS (CAdES) in base64. */
export const qesValue = z
  .string()
  .min(16, 'the qualified signature (a detached CAdES signature, base64)')
  .max(64_000, 'at most 64000 characters')
  .regex(/^[A-Za-z0-9+/=_-]+$/, 'base64')
  .openapi({ description: 'A detached CMS / CAdES-BES signature over the document, DER in base64, with the signer certificate' });

/** When a signature was made: optional, since the signed signing-time attribute says it. */
export const qesSigningTime = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 instant' })
  .optional()
  .openapi({ description: 'Optional: the signing time is the one signed in the signature; when given, within 5 minutes of it' });

/** A Swiss mobile number (NE 4.1: where sign-in codes go), as typed ("079 123 45 67", "+41 79 …"), kept in E.164. */
export const swissMobile = z
  .string()
  .transform((v) =>
    v
      .replace(/[\s.()-]/g, '')
      .replace(/^00/, '+')
      .replace(/^0(?=7)/, '+41'),
  )
  .pipe(z.string().regex(/^\+417[5-9]\d{7}$/, 'a Swiss mobile number: +41 7X XXX XX XX'));
