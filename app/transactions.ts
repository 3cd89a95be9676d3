// Transactions with the services (Art. 15): a user (or whoever acts for him) submits to a
// service of the catalogue — the form checked against the service's JSON Schema, the files
// by their real type and size — and gets a receipt with a number at once; the unit answers in
// its inbox; a fee is paid first. Its process carries ids only: the form and files are here.
import { createHash, randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { addDays, endOfLocalDay, localDay } from '../domain/days';
import { transactionTimeline, type CaseTimeline } from '../domain/timeline';
import { profiles, type CantonCode } from '../domain/profiles';
import { attachmentIssues, receiptNumber, sniffContentType } from '../domain/services';
import type { Db } from '../infra/db';
import type { PaymentProvider } from '../infra/payments';
import { enclosablePages } from '../infra/pdf';
import { writeAudit } from '../records/audit';
import { transactionWorkflowId } from '../workflows/transaction/definitions';
import type { TransactionInput, TransactionStatus } from '../workflows/transaction/types';
import { personalData } from '../workflows/personal-data';
import type { AccessRequestUseCases } from './access-requests';
import { actorOf, type Caller } from './caller';
import type { ContractGate } from './contract-gate';
import { WorkflowGoneError } from './gateways/temporal';
import { AppError, invalidField, notFound } from './errors';
import type { TransactionGateway } from './gateways/transaction';
import { requestIdFor } from './access-requests';
import { requireAccess, type Resource } from './policy';
import type { GivenTransactionCode, TransactionCodeUseCases } from './transaction-codes';

export interface GivenFile {
  name: string;
  contentType: string;
  /** base64 */
  content: string;
}

export interface TransactionSubmit {
  service: string;
  form: Record<string, unknown>;
  attachments?: GivenFile[];
  onBehalfOf?: string;
}

export interface TransactionAnswerGiven {
  outcome: 'accept' | 'missing-information' | 'refuse';
  reasons?: string[];
  missing?: string[];
  /** The document the unit answers with (a PDF, e.g. a residence attestation): sealed into the inbox. */
  document?: { title: string; content: string };
}

export interface TransactionDeps {
  db: Db;
  transactions: TransactionGateway;
  accessRequests: Pick<AccessRequestUseCases, 'mayActFor' | 'serviceFor'>;
  contractAllows: ContractGate;
  canton: CantonCode;
  transactionCodes?: Pick<TransactionCodeUseCases, 'require'>;
  /** Online payment (absent: fees are paid by QR-bill only). */
  payments?: PaymentProvider;
  /** Where the provider calls back and sends the user after paying (the API's and the portal's). */
  paymentUrls?: { webhook: string; success: string; cancel: string; error: string };
  now?: () => Date;
}

const MAX_ANSWER_PDF_BYTES = 10 * 1024 * 1024;

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** The files of a submission or of its completion, with their hash (the receipt states it). */
async function storeFiles(tx: Tx, transactionId: string, files: { name: string; contentType: string; bytes: Buffer }[], addedAt: Date): Promise<void> {
  for (const f of files)
    await tx.transactionAttachment.create({
      data: {
        id: randomUUID(),
        transactionId,
        name: f.name,
        contentType: f.contentType,
        sizeBytes: f.bytes.length,
        sha256: createHash('sha256').update(f.bytes).digest('hex'),
        content: new Uint8Array(f.bytes),
        addedAt,
      },
    });
}

export function transactionUseCases({
  db,
  transactions,
  accessRequests,
  contractAllows,
  canton,
  transactionCodes,
  payments,
  paymentUrls,
  now = () => new Date(),
}: TransactionDeps) {
  const profile = profiles[canton];
  const compiled = new Map<string, { at: number; validate: ValidateFunction }>();
  /** The service's form validator, compiled once per version of the service. */
  function validatorOf(serviceId: string, updatedAt: Date, schema: object): ValidateFunction {
    const hit = compiled.get(serviceId);
    if (hit && hit.at === updatedAt.getTime()) return hit.validate;
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    compiled.set(serviceId, { at: updatedAt.getTime(), validate });
    return validate;
  }

  function formIssues(svc: { id: string; updatedAt: Date; formSchema: unknown }, form: Record<string, unknown>) {
    if (!svc.formSchema) return Object.keys(form).length ? [{ path: 'form', issue: 'this service takes no form' }] : [];
    const validate = validatorOf(svc.id, svc.updatedAt, svc.formSchema as object);
    if (validate(form)) return [];
    return (validate.errors ?? []).map((e) => {
      const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const missing = e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : null;
      const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : null;
      const path = ['form', at, missing ?? extra].filter(Boolean).join('.');
      return { path, issue: missing ? 'required' : extra ? 'not a field of this form' : (e.message ?? 'invalid') };
    });
  }

  function decodeFiles(files: GivenFile[] | undefined, path = 'attachments') {
    const decoded = (files ?? []).map((f) => ({ name: f.name, contentType: f.contentType, bytes: Buffer.from(f.content, 'base64') }));
    const issues = attachmentIssues(decoded, profile.services.attachments, path);
    if (issues.length) throw new AppError(400, 'validation_failed', 'an attachment is not acceptable', issues);
    return decoded;
  }

  async function record(id: string): Promise<(Resource & { type: 'transaction' }) | null> {
    const row = await db.transaction.findUnique({ where: { id }, select: { citizenSub: true, filedBySub: true, unitId: true } });
    return row && { type: 'transaction', ...row };
  }

  /** From its workflow while it runs; from its record once closed (no replay of a finished case). */
  async function status(id: string): Promise<TransactionStatus> {
    const t = await db.transaction.findUnique({ where: { id } });
    if (!t) throw notFound('transaction');
    if (!t.closedAt) {
      const s = await transactions.status(id);
      if (s) return s;
    }
    return {
      transactionId: t.id,
      receiptNumber: t.receiptNumber,
      state: (t.closedAt ? t.status : t.status === 'received' ? 'recording' : t.status) as TransactionStatus['state'],
      serviceId: t.serviceId,
      unitId: t.unitId,
      submittedAt: t.submittedAt.toISOString(),
      payment: t.feeCents && t.paymentState ? { state: t.paymentState as 'pending', feeCents: t.feeCents, dueAt: null } : null,
      completionDueAt: t.completionDueAt?.toISOString() ?? null,
      rounds: 1,
      outcome: (t.outcome as TransactionStatus['outcome']) ?? null,
      taskId: null,
    };
  }

  /** The person (or entity) a transaction is for, and whoever acts: as for an access request. */
  async function readable(caller: Caller, id: string) {
    const r = await record(id);
    requireAccess(caller.principal, 'read', r, 'transaction');
    if (r!.citizenSub !== caller.principal.sub && (caller.principal.role === 'counsellor' || caller.principal.role === 'citizen')) {
      const { serviceId } = await db.transaction.findUniqueOrThrow({ where: { id }, select: { serviceId: true } });
      await accessRequests.mayActFor(caller, r!.citizenSub, serviceId);
    }
    return r!;
  }

  return {
    async submit(
      caller: Caller,
      input: TransactionSubmit,
      idempotencyKey: string | null,
      code: GivenTransactionCode | null = null,
    ): Promise<TransactionStatus> {
      const { principal } = caller;
      if (principal.role === 'counsellor' && !input.onBehalfOf)
        throw invalidField('onBehalfOf', 'required for a counsellor', 'a counsellor acts on behalf of a citizen');
      const citizenSub = input.onBehalfOf ?? principal.sub;
      if (citizenSub !== principal.sub) await accessRequests.mayActFor(caller, citizenSub, input.service);
      const svc = await accessRequests.serviceFor(caller, citizenSub, input, 'transaction');
      // Art. 14.2-14.3: a service on request takes transactions once access is granted, and not after a revocation.
      if (svc.access === 'on-request') {
        const access = await db.accessRequest.findFirst({
          where: { citizenSub, service: svc.id, status: { in: ['granted', 'revoked'] } },
          orderBy: { requestedAt: 'desc' },
        });
        if (!access) throw new AppError(403, 'no_access', 'this service is open on request: ask the unit for access first (Art. 14 al. 2)');
        if (access.status === 'revoked') throw new AppError(403, 'access_revoked', 'your access to this service was revoked (Art. 14 al. 3)');
      }
      const issues = formIssues(svc, input.form);
      if (issues.length) throw new AppError(400, 'validation_failed', "the form does not match the service's", issues);
      const files = decodeFiles(input.attachments);
      await contractAllows(citizenSub, 'transaction.submit');
      const id = requestIdFor(principal, idempotencyKey);
      const existing = await db.transaction.findUnique({ where: { id }, select: { id: true } });
      await transactionCodes?.require(caller, { action: 'transaction.submit', service: svc.id }, code, `transaction:${id}`);
      const submittedAt = now();
      let row = existing && (await db.transaction.findUniqueOrThrow({ where: { id } }));
      if (!row) {
        const [seq] = await db.$queryRaw<{ n: bigint }[]>`SELECT nextval('transaction_receipt_seq') AS n`;
        const n = seq!.n;
        const day = localDay(submittedAt, profile.timeZone);
        row = await db.$transaction(async (tx) => {
          const created = await tx.transaction.create({
            data: {
              id,
              receiptNumber: receiptNumber(canton, Number(day.slice(0, 4)), n),
              canton,
              serviceId: svc.id,
              unitId: svc.unitId,
              citizenSub,
              filedBySub: principal.sub,
              status: 'received',
              form: input.form as object,
              feeCents: svc.feeCents,
              paymentState: svc.feeCents ? 'pending' : null,
              submittedAt,
              // Art. 18.1 c, 19: an "other transaction", counted from its day.
              retentionEventDay: day,
            },
          });
          await storeFiles(tx, id, files, submittedAt);
          return created;
        });
      }
      const wf: TransactionInput = {
        transactionId: id,
        receiptNumber: row.receiptNumber,
        canton,
        serviceId: row.serviceId,
        unitId: row.unitId,
        feeCents: row.feeCents,
        submittedAt: row.submittedAt.toISOString(),
      };
      if (await transactions.start(wf))
        await writeAudit(db, {
          ...actorOf(caller),
          onBehalfOf: citizenSub !== principal.sub ? citizenSub : undefined,
          action: 'transaction.submitted',
          recordType: 'transaction',
          recordId: id,
          workflowId: transactionWorkflowId(id),
        });
      return status(id);
    },

    async get(
      caller: Caller,
      id: string,
    ): Promise<TransactionStatus & { form?: unknown; attachments?: unknown[]; missingInformation?: string[]; reasons?: string[] }> {
      await readable(caller, id);
      const [s, t, files] = await Promise.all([
        status(id),
        db.transaction.findUniqueOrThrow({ where: { id } }),
        db.transactionAttachment.findMany({
          where: { transactionId: id },
          select: { id: true, name: true, contentType: true, sizeBytes: true, sha256: true, addedAt: true },
          orderBy: { addedAt: 'asc' },
        }),
      ]);
      const documents = await db.inboxDocument.findMany({
        where: { transactionId: id },
        select: { id: true, kind: true, title: true, sealed: true, createdAt: true },
        orderBy: { createdAt: 'asc' },
      });
      return {
        ...s,
        // The user's documents of this transaction (read with GET /v1/me/inbox/:id); not the unit's to read.
        ...(caller.principal.role === 'unit' ? {} : { documents: documents.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })) }),
        form: t.form,
        attachments: files.map((f) => ({ ...f, addedAt: f.addedAt.toISOString() })),
        ...(t.missingInformation && s.state === 'awaiting-information' ? { missingInformation: t.missingInformation.split('\n') } : {}),
        ...(t.reasons.length ? { reasons: t.reasons } : {}),
      };
    },

    async mine(caller: Caller) {
      const rows = await db.transaction.findMany({ where: { citizenSub: caller.principal.sub }, orderBy: { submittedAt: 'desc' }, take: 200 });
      return rows.map((t) => ({
        transactionId: t.id,
        receiptNumber: t.receiptNumber,
        serviceId: t.serviceId,
        state: t.status,
        submittedAt: t.submittedAt.toISOString(),
      }));
    },

    /** Art. 15.2: the owning unit accepts (with a document, sealed into the inbox), asks for what is missing, or refuses with reasons. */
    async answer(caller: Caller, id: string, a: TransactionAnswerGiven): Promise<TransactionStatus> {
      requireAccess(caller.principal, 'act-as-authority', await record(id), 'transaction');
      const current = await transactions.status(id);
      if (!current || current.state !== 'awaiting-unit')
        throw new AppError(409, 'NotAwaitingUnit', `the unit's answer is not awaited now (the transaction is ${current?.state ?? 'closed'})`);
      if (a.document) {
        const pdf = Buffer.from(a.document.content, 'base64');
        if (a.outcome !== 'accept') throw invalidField('document', 'only an acceptance comes with a document');
        if (sniffContentType(pdf) !== 'application/pdf') throw invalidField('document.content', 'must be a PDF');
        if (pdf.length > MAX_ANSWER_PDF_BYTES) throw invalidField('document.content', 'larger than 10 MiB');
        // The engine seals it: one it cannot read (encrypted, damaged, pageless, signed already) is refused now.
        await enclosablePages(pdf).catch((err: Error) => {
          throw invalidField('document.content', err.message);
        });
        if (/\/ByteRange\s*\[/.test(pdf.toString('latin1')))
          throw invalidField('document.content', 'is signed already: give the unsigned document, the engine seals it');
        await db.transaction.update({ where: { id }, data: { answerDocument: new Uint8Array(pdf), answerDocumentTitle: a.document.title } });
      }
      const by = caller.principal.sub;
      const at = now().toISOString();
      const answer =
        a.outcome === 'accept'
          ? { outcome: 'accept' as const, by, at, document: !!a.document }
          : a.outcome === 'refuse'
            ? { outcome: 'refuse' as const, by, at, reasons: a.reasons ?? [] }
            : { outcome: 'missing-information' as const, by, at, missing: a.missing ?? [] };
      const s = await transactions.answer(id, personalData('transaction', id, answer));
      await writeAudit(db, {
        ...actorOf(caller),
        action: `transaction.answered.${a.outcome}`,
        recordType: 'transaction',
        recordId: id,
        workflowId: transactionWorkflowId(id),
      });
      return s;
    },

    /** Art. 15.2: the user gives what was missing (a new form, more files) by the day. */
    async complete(caller: Caller, id: string, input: { form?: Record<string, unknown>; attachments?: GivenFile[] }): Promise<TransactionStatus> {
      const r = await readable(caller, id);
      if (caller.principal.role === 'unit' || caller.principal.role === 'chancellery')
        throw new AppError(403, 'forbidden', 'the user completes his transaction');
      const current = await transactions.status(id);
      if (!current || current.state !== 'awaiting-information')
        throw new AppError(409, 'NotAwaitingInformation', `no information is awaited (the transaction is ${current?.state ?? 'closed'})`);
      const t = await db.transaction.findUniqueOrThrow({ where: { id } });
      const svc = await db.service.findUniqueOrThrow({ where: { id: t.serviceId } });
      if (input.form) {
        const issues = formIssues(svc, input.form);
        if (issues.length) throw new AppError(400, 'validation_failed', "the form does not match the service's", issues);
      }
      const before = await db.transactionAttachment.count({ where: { transactionId: id } });
      const files = decodeFiles(input.attachments);
      if (before + files.length > profile.services.attachments.maxCount)
        throw invalidField('attachments', `at most ${profile.services.attachments.maxCount} files in all`);
      const at = now();
      await db.$transaction(async (tx) => {
        if (input.form) await tx.transaction.update({ where: { id }, data: { form: input.form as object } });
        await storeFiles(tx, id, files, at);
      });
      const s = await transactions.complete(id, { by: caller.principal.sub, at: at.toISOString() });
      await writeAudit(db, {
        ...actorOf(caller),
        onBehalfOf: r.citizenSub !== caller.principal.sub ? r.citizenSub : undefined,
        action: 'transaction.completed',
        recordType: 'transaction',
        recordId: id,
        workflowId: transactionWorkflowId(id),
      });
      return s;
    },

    /** Online payment: the provider's page for this fee (the same one again while it is open). */
    async pay(caller: Caller, id: string): Promise<{ paymentUrl: string; providerTransactionId: string }> {
      await readable(caller, id);
      if (!payments || !paymentUrls)
        throw new AppError(503, 'payments_unavailable', 'online payment is not available here: pay with the QR-bill in your inbox');
      const current = await transactions.status(id);
      if (!current || current.state !== 'awaiting-payment')
        throw new AppError(409, 'not_awaiting_payment', `no payment is awaited (the transaction is ${current?.state ?? 'closed'})`);
      const t = await db.transaction.findUniqueOrThrow({ where: { id } });
      const refno = t.receiptNumber.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
      const opened = await payments.init({
        refno,
        amountCents: t.feeCents!,
        webhookUrl: paymentUrls.webhook,
        successUrl: paymentUrls.success,
        cancelUrl: paymentUrls.cancel,
        errorUrl: paymentUrls.error,
      });
      await db.transaction.update({ where: { id }, data: { providerTransactionId: opened.transactionId } });
      await writeAudit(db, { ...actorOf(caller), action: 'transaction.payment-opened', recordType: 'transaction', recordId: id });
      return { paymentUrl: opened.paymentUrl, providerTransactionId: opened.transactionId };
    },

    /** The provider's callback: believed only when its signature is ours; its transaction's process is told. */
    async paymentEvent(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<void> {
      const event = payments?.verifyWebhook(headers, rawBody);
      if (!event) throw new AppError(401, 'unauthenticated', 'not a payment event signed by our provider');
      const t = await db.transaction.findUnique({ where: { providerTransactionId: event.transactionId } });
      if (!t) return; // not one of ours (or destroyed since): acknowledged, so the provider stops
      if (event.state === 'paid' && t.feeCents !== null && event.amountCents !== t.feeCents) {
        await writeAudit(db, {
          actorRole: 'system',
          actorSub: 'payment-provider',
          action: 'transaction.payment-amount-mismatch',
          recordType: 'transaction',
          recordId: t.id,
        });
        return;
      }
      if (event.state === 'paid' || event.state === 'failed' || event.state === 'canceled' || event.state === 'refunded') {
        if (event.state === 'paid' && t.paymentState === 'pending') await db.transaction.update({ where: { id: t.id }, data: { paymentState: 'paid' } });
        if (!t.closedAt)
          await transactions.payment(t.id, { state: event.state, providerTransactionId: event.transactionId }).catch((err: unknown) => {
            // A process that ended since (lapsed) takes no payment: the unit refunds by hand, audited.
            if (!(err instanceof WorkflowGoneError)) throw err;
          });
      }
    },

    /** The case's timeline for its unit and the Chancellery: events, the periods that run, what is due (no personal data). */
    async timeline(caller: Caller, id: string): Promise<CaseTimeline> {
      const r = await record(id);
      requireAccess(caller.principal, 'read', r, 'transaction');
      if (caller.principal.role !== 'unit' && caller.principal.role !== 'chancellery') throw notFound('transaction');
      const t = await db.transaction.findUniqueOrThrow({ where: { id } });
      const tasks = await db.task.findMany({ where: { transactionId: id }, orderBy: { createdAt: 'asc' } });
      const history = await db.auditLog.findMany({ where: { recordType: 'transaction', recordId: id }, orderBy: { at: 'asc' }, take: 500 });
      const p = profiles[t.canton as CantonCode];
      return transactionTimeline(
        {
          id,
          canton: t.canton,
          status: t.status,
          submittedAt: t.submittedAt,
          closedAt: t.closedAt,
          paymentDueAt: t.feeCents ? endOfLocalDay(addDays(localDay(t.submittedAt, p.timeZone), p.services.paymentDays), p.timeZone) : null,
          completionDueAt: t.completionDueAt,
          tasks,
          history: history.map((a) => ({
            at: a.at.toISOString(),
            action: a.action,
            actorRole: a.actorRole,
            actorSub: a.actorRole === 'citizen' || a.actorRole === 'counsellor' ? null : a.actorSub,
          })),
        },
        now(),
        p,
      );
    },

    /** The user's counter inbox: receipts, QR-bills, the units' documents. */
    async inbox(caller: Caller) {
      const docs = await db.inboxDocument.findMany({
        where: { ownerSub: caller.principal.sub },
        orderBy: { createdAt: 'desc' },
        select: { id: true, transactionId: true, kind: true, title: true, sealed: true, sha256: true, createdAt: true },
        take: 500,
      });
      return docs.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() }));
    },

    /** One document: its owner's, or (for a transaction's) whoever may act for him in it now (a representative, a counsellor in session). */
    async inboxDocument(caller: Caller, id: string): Promise<{ title: string; content: Buffer }> {
      const d = await db.inboxDocument.findUnique({ where: { id } });
      if (!d) throw notFound('document');
      if (d.ownerSub !== caller.principal.sub) {
        if (!d.transactionId) throw notFound('document');
        await readable(caller, d.transactionId).catch((err: unknown) => {
          throw err instanceof AppError && err.status === 403 ? err : notFound('document');
        });
      }
      return { title: d.title, content: Buffer.from(d.content) };
    },
  };
}

export type TransactionUseCases = ReturnType<typeof transactionUseCases>;
