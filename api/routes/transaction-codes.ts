// Single-use transaction codes (NE 4.5): ask for one, sent by SMS; give it with the transaction.
// Each route: parse → use case (app/transaction-codes.ts) → answer.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import type { GivenTransactionCode } from '../../app/transaction-codes';
import { TRANSACTION_ACTIONS } from '../../domain/transaction-codes';
import type { Api } from '../http';

/** The headers a sensitive transaction carries its code in (documented on each such route). */
export const transactionCodeHeaders = {
  'x-transaction-code-id': z.uuid().optional().openapi({
    description: 'NE 4.5: the `codeId` of a single-use transaction code (POST /v1/me/transaction-codes), for a transaction the counter marks sensitive',
  }),
  'x-transaction-code': z
    .string()
    .regex(/^\d{4,10}$/)
    .optional()
    .openapi({ description: 'The code received by SMS for that transaction', example: '123456' }),
};

/** 403s of a transaction that may need a code. */
export const TRANSACTION_CODE_REFUSALS =
  'a sensitive transaction without a transaction code (`transaction_code_required`), or with one that is wrong, expired, used, void or for another transaction (`transaction_code_invalid`)';

/** The code given with the request; null when neither header is there. */
export function givenTransactionCode(req: Request): GivenTransactionCode | null {
  const codeId = req.header('x-transaction-code-id')?.trim();
  const code = req.header('x-transaction-code')?.trim();
  if (!codeId && !code) return null;
  return { codeId: codeId ?? '', code: code ?? '' };
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

const requestBody = z
  .object({
    purpose: z
      .object({
        action: z.enum(TRANSACTION_ACTIONS as [string, ...string[]]).openapi({ description: 'The transaction the code is for' }),
        service: id.openapi({
          example: 'vote-electronique',
          description: "The access request's service, or the consent's domain",
        }),
      })
      .strict(),
    language: z.enum(['fr', 'de']).default('fr').openapi({ description: 'The language of the SMS' }),
  })
  .strict()
  .openapi('TransactionCodeRequest');

const sentSchema = z
  .object({
    codeId: z.uuid(),
    expiresAt: z.string().openapi({ description: 'The code is valid once, until then' }),
  })
  .openapi('TransactionCodeSent');

export function transactionCodeRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const codes = application.transactionCodes;

  api.add(router, {
    method: 'post',
    path: '/v1/me/transaction-codes',
    tag: 'Transaction codes',
    summary:
      'Send me a single-use transaction code by SMS for one sensitive transaction (NE 4.5); give it with that transaction in X-Transaction-Code-Id and X-Transaction-Code',
    roles: ['citizen'],
    body: requestBody,
    responses: {
      201: { description: 'Sent to your mobile phone; the code itself is never in the answer', schema: sentSchema },
      400: { description: 'This transaction needs no code (`validation_failed` on `purpose`)' },
      404: { description: 'This counter uses no transaction codes' },
      409: { description: 'No mobile phone number is known for you (`no_mobile_phone`)' },
      429: { description: 'Too many codes open at once (`too_many_codes`)' },
      503: { description: 'The SMS could not be sent (`sms_unavailable`)' },
    },
    async handler({ body, caller }) {
      const sent = await codes.request(caller, body.purpose as Parameters<typeof codes.request>[1], body.language);
      return { status: 201, body: sent };
    },
  });

  return router;
}
