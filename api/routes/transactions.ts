// Transactions with the services (Art. 15), the user's counter inbox, the provider's payment
// events and the seal's certificate. Each route: parse → use case (app/transactions.ts) → answer.
import { Router } from 'express';
import { z } from 'zod';
import type { Application } from '../../app';
import { transactionRejections } from '../../app/gateways/transaction';
import { AppError } from '../../app/errors';
import type { Api } from '../http';
import { rejections } from '../openapi';
import { givenTransactionCode, TRANSACTION_CODE_REFUSALS, transactionCodeHeaders } from './transaction-codes';

const serviceId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+){0,7}$/, 'a service id from the catalogue');
// A submission, an answer or a completion carries its files (each at most 10 MiB, in base64).
const MAX_FILES_BODY = '32mb';
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const file = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^/\\\0]+$/, 'a file name, without a path'),
    contentType: z.string().min(1).max(100).openapi({ example: 'application/pdf' }),
    content: base64.openapi({ description: 'The file, base64' }),
  })
  .strict()
  .openapi('TransactionFile');

const submitBody = z
  .object({
    service: serviceId.openapi({ example: 'attestation-domicile' }),
    form: z.record(z.string(), z.unknown()).openapi({ description: "The service's form, checked against its JSON Schema (GET /v1/services/:id)" }),
    attachments: z.array(file).max(50).optional(),
    onBehalfOf: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'The person or entity acted for (a counsellor in her session, a representative with his proxy, an entity’s people)' }),
  })
  .strict()
  .openapi('TransactionSubmit');

const lines = (none: string) => z.array(z.string().trim().min(1, 'cannot be empty').max(1000)).min(1, none).max(20);
const answerBody = z
  .discriminatedUnion('outcome', [
    z
      .object({
        outcome: z.literal('accept'),
        document: z
          .object({ title: z.string().trim().min(1).max(200), content: base64 })
          .strict()
          .optional()
          .openapi({ description: 'A PDF the engine seals into the user’s inbox' }),
      })
      .strict(),
    z.object({ outcome: z.literal('missing-information'), missing: lines('say what is missing') }).strict(),
    z.object({ outcome: z.literal('refuse'), reasons: lines('a refusal needs its reasons (Art. 15 al. 2)') }).strict(),
  ])
  .openapi('TransactionAnswer');

const completionBody = z
  .object({ form: z.record(z.string(), z.unknown()).optional(), attachments: z.array(file).max(50).optional() })
  .strict()
  .refine((b) => b.form || b.attachments?.length, { message: 'give the completed form or the missing files' })
  .openapi('TransactionCompletion');

const statusSchema = z
  .object({
    transactionId: z.string(),
    receiptNumber: z.string(),
    state: z.enum(['recording', 'awaiting-payment', 'awaiting-unit', 'awaiting-information', 'issuing', 'accepted', 'refused', 'lapsed']),
    serviceId: z.string(),
    unitId: z.string(),
    submittedAt: z.string(),
    payment: z.object({ state: z.enum(['pending', 'paid', 'refunded', 'expired']), feeCents: z.number(), dueAt: z.string().nullable() }).nullable(),
    completionDueAt: z.string().nullable(),
    rounds: z.number(),
    outcome: z.enum(['accept', 'refuse', 'lapsed']).nullable(),
    taskId: z.string().nullable(),
  })
  .loose()
  .openapi('TransactionStatus');

const params = z.object({ id: z.uuid('not a transaction id') });
const docParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}:[a-z-]{1,20}$/, 'not a document id') });
const idempotency = z.object({ 'idempotency-key': z.string().min(8).max(200).optional() });

export function transactionRoutes(api: Api, { application }: { application: Application }): Router {
  const router = Router();
  const tx = application.transactions;

  api.add(router, {
    method: 'post',
    path: '/v1/transactions',
    tag: 'Transactions',
    summary: 'Submit to a service (Art. 15): the form checked, the files by type and size; a receipt with its number at once',
    roles: ['citizen', 'counsellor'],
    body: submitBody,
    headers: idempotency.extend(transactionCodeHeaders),
    maxBody: MAX_FILES_BODY,
    responses: {
      202: { description: 'Received: the receipt number now, its PDF in the inbox', schema: statusSchema },
      400: { description: 'The form or a file is not acceptable: each problem with its path (`form.…`, `attachments.N.…`)' },
      403: {
        description:
          'No access yet to a service on request (`no_access`), or revoked (`access_revoked`); not delegable (`not_delegable`); reserved to adults (`adults_only`); the contract does not allow it (`contract_restricted`); ' +
          TRANSACTION_CODE_REFUSALS,
      },
      422: { description: 'No such service (`unknown_service`)' },
    },
    async handler({ req, body, caller }) {
      const s = await tx.submit(caller, body, req.header('idempotency-key') ?? null, givenTransactionCode(req));
      return { status: 202, body: s, headers: { Location: `/v1/transactions/${s.transactionId}` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/transactions',
    tag: 'Transactions',
    summary: 'Your transactions, newest first',
    roles: ['citizen'],
    responses: { 200: { description: 'The list' } },
    handler: async ({ caller }) => ({ status: 200, body: { transactions: await tx.mine(caller) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/transactions/:id',
    tag: 'Transactions',
    summary: 'A transaction: its state, form and files (the user, whoever acts for him, its unit, the Chancellery)',
    roles: ['citizen', 'counsellor', 'unit', 'chancellery'],
    params,
    responses: { 200: { description: 'The transaction', schema: statusSchema } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await tx.get(caller, p.id) }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/transactions/:id/timeline',
    tag: 'Transactions',
    summary: 'The case’s timeline for its unit and the Chancellery: receipt, fee, rounds, what the user owes and by when (no personal data)',
    roles: ['unit', 'chancellery'],
    params,
    responses: { 200: { description: 'The timeline' } },
    handler: async ({ params: p, caller }) => ({ status: 200, body: await tx.timeline(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/transactions/:id/answer',
    tag: 'Transactions',
    summary:
      "The owning unit's answer (Art. 15.2): accept (with a document, sealed into the user's inbox), ask for missing information, or refuse with reasons",
    roles: ['unit'],
    params,
    body: answerBody,
    maxBody: MAX_FILES_BODY,
    responses: {
      200: { description: 'Answered', schema: statusSchema },
      409: { description: rejections(transactionRejections, 409, 'Not awaiting the unit (`NotAwaitingUnit`)') },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await tx.answer(caller, p.id, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/transactions/:id/completion',
    tag: 'Transactions',
    summary: 'The user gives the missing information by the day (Art. 15.2): the unit answers again',
    roles: ['citizen', 'counsellor'],
    params,
    body: completionBody,
    maxBody: MAX_FILES_BODY,
    responses: {
      200: { description: 'Completed: back with the unit', schema: statusSchema },
      409: { description: rejections(transactionRejections, 409, 'No information awaited (`NotAwaitingInformation`)') },
    },
    handler: async ({ params: p, body, caller }) => ({ status: 200, body: await tx.complete(caller, p.id, body) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/transactions/:id/payment',
    tag: 'Transactions',
    summary: "Pay the fee online: the payment provider's page for it",
    roles: ['citizen', 'counsellor'],
    params,
    responses: {
      201: { description: 'Where to pay', schema: z.object({ paymentUrl: z.url(), providerTransactionId: z.string() }) },
      409: { description: 'No payment awaited (`not_awaiting_payment`)' },
      503: { description: 'No online payment here (`payments_unavailable`): the QR-bill in the inbox' },
    },
    handler: async ({ params: p, caller }) => ({ status: 201, body: await tx.pay(caller, p.id) }),
  });

  api.add(router, {
    method: 'post',
    path: '/v1/payment-events',
    tag: 'Transactions',
    summary: "The payment provider's webhook (Datatrans-Signature over the raw body)",
    roles: null,
    rawBody: true,
    maxBody: '256kb',
    responses: { 204: { description: 'Taken' }, 401: { description: 'Not signed by our provider' } },
    async handler({ req }) {
      if (!Buffer.isBuffer(req.body)) throw new AppError(400, 'validation_failed', 'a payment event is a JSON body');
      await tx.paymentEvent(req.headers, req.body);
      return { status: 204 };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/inbox',
    tag: 'Transactions',
    summary: 'Your counter inbox: receipts, QR-bills, the units’ documents (sealed ones say so)',
    roles: ['citizen'],
    responses: { 200: { description: 'The documents, newest first' } },
    handler: async ({ caller }) => ({ status: 200, body: { documents: await tx.inbox(caller) } }),
  });

  api.add(router, {
    method: 'get',
    path: '/v1/me/inbox/:id',
    tag: 'Transactions',
    summary: 'One document of your inbox (PDF); a representative or a counsellor in session reads those of the transactions he acts in',
    roles: ['citizen', 'counsellor'],
    params: docParams,
    responses: { 200: { description: 'application/pdf' } },
    async handler({ params: p, caller }) {
      const d = await tx.inboxDocument(caller, p.id);
      return { status: 200, file: { type: 'application/pdf', data: d.content, filename: `${p.id.replace(/[^\w.-]/g, '_')}.pdf` } };
    },
  });

  api.add(router, {
    method: 'get',
    path: '/v1/seal/certificate',
    tag: 'Transactions',
    summary: "The certificate of the canton's seal on issued documents (PEM): anyone verifies a sealed PDF with it",
    roles: null,
    responses: { 200: { description: 'application/x-pem-file' }, 404: { description: 'No seal configured' } },
    async handler() {
      const pem = application.sealCertificatePem;
      if (!pem) throw new AppError(404, 'not_found', 'no seal is configured on this counter');
      return { status: 200, file: { type: 'application/x-pem-file', data: Buffer.from(pem), filename: 'seal.pem' } };
    },
  });

  return router;
}
