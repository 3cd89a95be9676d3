import { Prisma } from '../generated/prisma/client';

/** A write refused by a unique index (Prisma P2002): someone else wrote the same key first. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
