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
