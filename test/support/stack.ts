// One test file's view of the stack: its own keyring, token issuer, worker and API app,
// on the shared dev server and database started by global-setup.
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type LogEntry, makeTelemetryFilterString, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createApp, type AppDeps } from '../../api/app';
import { createRateLimits, type RateLimitSettings } from '../../api/rate-limits';
import { createVerifier } from '../../api/auth';
import { TaskFeed } from '../../api/task-feed';
import { AesGcmCodec, dataConverter } from '../../infra/codec';
import { createDb, type Db } from '../../infra/db';
import { createDbDataKeyStore, type DataKeyStore } from '../../infra/data-keys';
import { LocalIssuer, type TokenRequest } from '../../infra/local-issuer';
import { createLogger } from '../../infra/logger';
import { freePort } from '../../scripts/lib/ports';
import { migrateDeploy } from '../../scripts/lib/migrate';
import type { CantonCode } from '../../domain/profiles';
import type { Mailer } from '../../activities/ports';
import { createTemporalContractEngine } from '../../app/gateways';
import { newestRuleSet, ruleSetById } from '../../domain/rule-sets';
import { DEFAULT_ASSURANCE, legalEffectAcrOf } from '../../domain/assurance';
import { seedUnits } from './units';
import { createTemporalRetentionEngine } from '../../app/gateways';
import { createTemporalAccessRights, createTemporalProxyEngine } from '../../app/gateways';
import { createSmtpMailer } from '../../activities/mailer';
import { createHttpPostalGateway } from '../../activities/postal';
import { createHttpCommercialRegister } from '../../activities/commercial-register';
import { createHttpRegisters } from '../../activities/registers';
import { startFakePostal, type FakePostal } from '../../fakes/postal/server';
import { startFakeRegisters, type FakeRegisters } from '../../fakes/registers/server';
import {
  DEMO_CREDENTIALS as COMMERCIAL_REGISTER_CREDENTIALS,
  startFakeCommercialRegister,
  type FakeCommercialRegister,
} from '../../fakes/commercial-register/server';
import { testPeople } from './applications';
import { startTestEid, startTestQes, type TestEid, type TestQes } from './eid';
import { listenOn } from '../../fakes/http';
import { keepIdleConnections } from '../../api/server';
import { logFile } from './pii-scan';
import { startSmtpCatcher, type SmtpCatcher } from './smtp-catcher';
import { BUNDLE_OPTIONS, createWorkers } from '../../worker/worker';
import { startFakePayments, type FakePaymentsProvider } from '../../fakes/payments/server';
import { datatransProvider, loadPaymentConfig } from '../../infra/payments';
import { makeDemoSealKey, type SealKey } from '../../infra/seal';
import { DEMO_CREDENTIALS as SMS_CREDENTIALS, DEMO_SENDER as SMS_SENDER, startFakeSms, type FakeSmsGateway } from '../../fakes/sms/server';
import { createHttpSmsGateway } from '../../infra/sms';
import type { PhoneDirectory } from '../../app/transaction-codes';

/** One line of JSON; errors with their message, stack and cause (which could carry personal data). */
function sdkLogLine(entry: LogEntry): string {
  const errors = (_k: string, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause } : typeof v === 'bigint' ? String(v) : v;
  try {
    return JSON.stringify({ level: entry.level, message: entry.message, meta: entry.meta }, errors);
  } catch {
    return JSON.stringify({ level: entry.level, message: entry.message, meta: String(entry.meta) });
  }
}

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Core's warnings about the test servers' capabilities are noise here; errors still show.
  // The SDK's log (workflows', activities' and the worker's messages) from INFO also goes to
  // the run's log directory, which global-teardown searches for personal data in clear.
  const file = logFile('worker');
  const toStderr = new DefaultLogger('ERROR');
  // `npm run bench` (section 7) starts this stack in a process whose runtime it installed itself.
  if (process.env.BENCH_RUNTIME_INSTALLED) return;
  Runtime.install({
    logger: file
      ? new DefaultLogger('INFO', (entry) => {
          appendFileSync(file, `${sdkLogLine(entry)}\n`);
          if (entry.level === 'ERROR') toStderr.log(entry.level, entry.message, entry.meta);
        })
      : toStderr,
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
  });
}

export function testKeyring(): { keys: Map<string, Buffer>; activeKeyId: string } {
  return { keys: new Map([['test-1', randomBytes(32)]]), activeKeyId: 'test-1' };
}

/** The workflow bundle global-setup built once for the run (bundling takes seconds). */
export async function bundle(): Promise<{ code: string }> {
  const file = process.env.TEST_WORKFLOW_BUNDLE;
  if (file) return { code: readFileSync(file, 'utf8') };
  return bundleWorkflowCode({ ...BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
}

export const STAFF_INBOX = 'chancellerie@test.local';
export const AUTHORITY_INBOX = 'apea@test.local';

export const REFUSED_ADDRESS = 'mailbox-gone@refused.example';

const COMMERCIAL_REGISTER_FIXTURE = join(__dirname, '..', '..', 'fakes', 'commercial-register', 'demo-entities.json');

/** The systems we cannot run here, as small real services, and the adapters that talk to them. */
export async function startAdapters(fixturePath = testPeople().fixturePath) {
  const registers = await startFakeRegisters({ port: await freePort(), fixturePath });
  // The demo entities (fakes/commercial-register/README.md): their signatories are the demo people.
  const commercialRegister = await startFakeCommercialRegister({ port: await freePort(), fixturePath: COMMERCIAL_REGISTER_FIXTURE });
  // An address the relay refuses for good (550), for the tests of what a refused address must not stop.
  const mail = await startSmtpCatcher({ rejectRecipients: [REFUSED_ADDRESS] });
  const mailer = createSmtpMailer({ smtpUrl: mail.url, from: 'Guichet virtuel <guichet@test.local>' });
  const post = await startFakePostal({ port: await freePort() });
  return {
    registers,
    commercialRegister,
    mail,
    mailer,
    post,
    adapters: {
      registers: createHttpRegisters({ residentUrl: registers.residentUrl, protectionUrl: registers.protectionUrl, timeoutMs: 2000 }),
      commercialRegister: createHttpCommercialRegister({ url: commercialRegister.url, ...COMMERCIAL_REGISTER_CREDENTIALS, timeoutMs: 2000 }),
      mailer,
      notify: { chancellery: STAFF_INBOX, authority: AUTHORITY_INBOX },
      postal: createHttpPostalGateway({ url: post.url, timeoutMs: 5000 }),
    },
    async close() {
      await post.close();
      mailer.close();
      await mail.close();
      await registers.close();
      await commercialRegister.close();
    },
  };
}

export interface Stack {
  registers: FakeRegisters;
  commercialRegister: FakeCommercialRegister;
  mail: SmtpCatcher;
  post: FakePostal;
  /** The fake SMS provider the API sends transaction codes through (NE 4.5). */
  sms: FakeSmsGateway;
  /** With `services`: the fake payment provider and the seal the worker seals with. */
  payments: FakePaymentsProvider | null;
  seal: SealKey | null;
  /** The API's own address, when it listens on a port (`eidWebhook`, `services`). */
  apiUrl: string | null;
  app: ReturnType<typeof createApp>;
  /** Another API on the same stack, with these limits (counted in the same database). */
  appWithRateLimits(limits: RateLimitSettings): ReturnType<typeof createApp>;
  client: Client;
  db: Db;
  issuer: LocalIssuer;
  eid: TestEid;
  qes: TestQes;
  token(req: Partial<TokenRequest> & Pick<TokenRequest, 'role'>): Promise<string>;
  taskQueue: string;
  keys: Map<string, Buffer>;
  activeKeyId: string;
  dataKeys: DataKeyStore;
  /** Stops this stack's workers (the API stays up): what then needs a worker waits for one. */
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A database of its own on the test server, migrated: for a suite whose actions reach every
 * record of a kind (a terms rollout notifies every contract), so other suites' rows stay out.
 */
export async function createTestDatabase(): Promise<string> {
  const shared = process.env.TEST_DATABASE_URL;
  if (!shared) throw new Error('the stack tests run through jest (global-setup starts the servers)');
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: shared });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(shared);
  url.pathname = `/${name}`;
  await migrateDeploy(url.toString(), join(__dirname, '..', '..'));
  await seedUnits(url.toString());
  return url.toString();
}

/** Prometheus's bearer token for /metrics in the stack tests. */
export const TEST_METRICS_TOKEN = 'test-metrics-scraper-token-0123456789';

export interface StackOptions {
  fixturePath?: string;
  /** The canton the API serves (default JU). */
  canton?: CantonCode;
  /** Use a database of its own (see createTestDatabase). */
  ownDatabase?: boolean;
  /** Terms rollouts in small batches, to see several. */
  rollout?: { batchSize?: number; batchesPerRun?: number };
  /** Tokens from this identity provider (test/support/identity.ts), its JWKS found by discovery. */
  identityProvider?: { issuer: string; keyFile: string };
  /** Tests wrap the real mailer, e.g. to fail a send once. */
  wrapMailer?: (mailer: Mailer) => Mailer;
  /** The API listens on a port, and the fake e-ID verifier posts its webhook to it. */
  eidWebhook?: boolean;
  /** The e-ID verifier's TTL and the engine's deadline for one attempt. */
  eid?: { verificationTtlSec?: number; attemptDeadlineMs?: number; proofValidityMs?: number; statusListSize?: number };
  /** Where the API finds users' mobile numbers for transaction codes (default: none known). */
  phones?: PhoneDirectory;
  /** The use cases' clock (default the real one). */
  now?: () => Date;
  /**
   * Fees and issued documents (Art. 15): a fake payment provider (Datatrans's API) calling back
   * the API, which then listens on a port, and a demo seal for the worker and the API.
   */
  services?: boolean;
  /** Another Temporal server than the suite's dev server (the production server, test/stack/temporal-server.api.test.ts), with each process's mTLS identity. */
  temporal?: { address: string; tls: { api: TLSConfig; worker: TLSConfig } };
  /** The payload keyring (default a fresh one of its own), and the task queue (default a fresh one): a later stack takes over an earlier one's processes. */
  keyring?: { keys: Map<string, Buffer>; activeKeyId: string };
  taskQueue?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const address = opts.temporal?.address ?? process.env.TEST_TEMPORAL_ADDRESS;
  const databaseUrl = opts.ownDatabase ? await createTestDatabase() : process.env.TEST_DATABASE_URL;
  if (!address || !databaseUrl) throw new Error('the stack tests run through jest (global-setup starts the servers)');
  quietRuntime();
  const { keys, activeKeyId } = opts.keyring ?? testKeyring();
  const taskQueue = opts.taskQueue ?? `test-${randomUUID()}`;

  // The tokens' issuer: a LocalIssuer serving its JWKS, or the real identity provider's key.
  const idp = opts.identityProvider;
  const issuer = idp
    ? await LocalIssuer.persistent(idp.keyFile, idp.issuer, 'guichet-api')
    : await LocalIssuer.create(`http://127.0.0.1:${await freePort()}`, 'guichet-api');
  const server = idp ? null : await issuer.listen(Number(new URL(issuer.issuer).port));

  const db = createDb(databaseUrl);
  const started = await startAdapters(opts.fixturePath);
  const apiPort = opts.eidWebhook || opts.services ? await freePort() : null;
  const payments = opts.services ? await startFakePayments({ port: 0 }) : null;
  const seal = opts.services ? await makeDemoSealKey({ canton: opts.canton ?? 'JU', organisation: 'Chancellerie de test' }) : null;
  const paymentProvider = payments
    ? datatransProvider(
        loadPaymentConfig({
          PAYMENT_PROVIDER_URL: payments.url,
          PAYMENT_MERCHANT_ID: payments.credentials.merchantId,
          PAYMENT_PASSWORD: payments.credentials.password,
          PAYMENT_SIGN_KEY: payments.credentials.signKeyHex,
        }),
      )
    : null;
  const eid = await startTestEid({ ...opts.eid, webhookUrl: apiPort ? `http://127.0.0.1:${apiPort}/v1/eid/verifier-events` : undefined });
  const qes = await startTestQes();
  const sms = await startFakeSms({ port: 0 });
  const { registers, commercialRegister, mail, post, adapters } = started;
  // As a deployment does: its processes pinned to the canton's rule set (RULE_SET's default).
  const ruleSetId = newestRuleSet(opts.canton ?? 'JU').ruleSet.id;
  const connection = await Connection.connect({ address, tls: opts.temporal?.tls.api });
  const dataKeys = createDbDataKeyStore(db, keys, activeKeyId);
  const client = new Client({ connection, dataConverter: dataConverter(keys, activeKeyId, dataKeys) });
  const nativeConnection = await NativeConnection.connect({ address, tls: opts.temporal?.tls.worker });
  const [worker, rolloutWorker]: Worker[] = await createWorkers({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    keys,
    activeKeyId,
    dataKeys,
    deps: {
      db,
      dataKeys,
      ...adapters,
      ...(opts.wrapMailer ? { mailer: opts.wrapMailer(adapters.mailer) } : {}),
      contracts: createTemporalContractEngine(client, taskQueue, ruleSetId),
      retention: createTemporalRetentionEngine(client, taskQueue, ruleSetId),
      proxies: createTemporalProxyEngine(client, taskQueue, ruleSetId),
      accessRights: createTemporalAccessRights(client, taskQueue, ruleSetId),
      seal: seal ?? undefined,
      payments: paymentProvider ?? undefined,
    },
    workflowBundle: await bundle(),
  });
  const running = Promise.all([worker.run(), rolloutWorker!.run()]);
  const stopWorkers = async () => {
    for (const w of [worker, rolloutWorker!]) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  };

  const apiLogFile = logFile('api');
  // Into the run's log directory, which global-teardown searches for personal data in clear.
  const logger = apiLogFile ? createLogger({ name: 'test-api', level: 'info', destination: apiLogFile }) : createLogger({ name: 'test-api', level: 'silent' });
  const taskFeed = new TaskFeed(databaseUrl, logger);
  await taskFeed.start();
  const limitsPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const appDeps: AppDeps = {
    client,
    connection,
    db,
    verify: createVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: idp ? undefined : `${issuer.issuer}/.well-known/jwks.json` }),
    codec: new AesGcmCodec(keys, activeKeyId),
    dataKeys,
    logger,
    taskFeed,
    namespace: 'default',
    taskQueue,
    canton: opts.canton ?? 'JU',
    bodyLimit: '100kb',
    metricsToken: TEST_METRICS_TOKEN,
    // Counted in the shared test database, as replicas do; high, since suites share subjects and 127.0.0.1.
    rateLimits: createRateLimits(limitsPool, { writesPerMinute: 100_000, anonymousPerMinute: 100_000, signInsPerLoginPerMinute: 100_000 }),
    codecCorsOrigins: ['http://127.0.0.1:8233'],
    production: false,
    rollout: opts.rollout,
    staff: { issuer: issuer.issuer, clientId: 'guichet-staff' },
    eid: { verifier: eid.adapter, proofValidityMs: opts.eid?.proofValidityMs },
    signatures: qes.verifier,
    transactionCodes: {
      sms: createHttpSmsGateway({ url: sms.url, user: SMS_CREDENTIALS.user, password: SMS_CREDENTIALS.password, sender: SMS_SENDER, timeoutMs: 5000 }),
      phones: opts.phones,
    },
    // As config.ts does: where the rule set has access rights of its own, their two factors have legal effect (NE 4.4).
    assurance: { ...DEFAULT_ASSURANCE, legalEffect: legalEffectAcrOf(ruleSetById(ruleSetId)) },
    now: opts.now,
    payments: paymentProvider && {
      provider: paymentProvider,
      urls: {
        webhook: `http://127.0.0.1:${apiPort}/v1/payment-events`,
        success: 'http://127.0.0.1/portal/payment/success',
        cancel: 'http://127.0.0.1/portal/payment/cancel',
        error: 'http://127.0.0.1/portal/payment/error',
      },
    },
    sealCertificatePem: seal?.certificatePem ?? null,
  };
  const app = createApp(appDeps);
  const listening = apiPort ? await listenOn(app, apiPort, '127.0.0.1') : null;
  if (listening) keepIdleConnections(listening.server);

  return {
    registers,
    commercialRegister,
    mail,
    post,
    sms,
    payments,
    seal,
    apiUrl: apiPort ? `http://127.0.0.1:${apiPort}` : null,
    app,
    appWithRateLimits: (limits) => createApp({ ...appDeps, rateLimits: createRateLimits(limitsPool, limits) }),
    client,
    db,
    issuer,
    eid,
    qes,
    taskQueue,
    keys,
    activeKeyId,
    dataKeys,
    token: (req) => issuer.sign({ sub: req.sub ?? `sub-${randomUUID()}`, ...req }),
    stopWorkers,
    async stop() {
      await taskFeed.close();
      await stopWorkers();
      await nativeConnection.close();
      await connection.close();
      await db.$disconnect();
      await limitsPool.end();
      await started.close();
      await listening?.close();
      await eid.close();
      await qes.close();
      await sms.close();
      await payments?.close();
      if (server) await new Promise((r) => server.close(r));
    },
  };
}

/** Waits for a state instead of sleeping: polls `probe` until `done` holds. */
export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
