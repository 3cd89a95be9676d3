// The Express app, apart from `listen`, so tests drive it over real HTTP with supertest.
import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import { createApplication, type Application } from '../app';
import { MAX_TERMS_PDF_BYTES } from '../app/contracts';
import { createGateways } from '../app/gateways';
import { newestRuleSet, ruleSetById } from '../domain/rule-sets';
import type { AssurancePolicy } from '../domain/assurance';
import type { CantonCode } from '../domain/profiles';
import type { AesGcmCodec } from '../infra/codec';
import type { DataKeyStore } from '../infra/data-keys';
import type { Db } from '../infra/db';
import type { EidVerifier } from '../infra/eid/verifier-client';
import type { Logger } from '../infra/logger';
import type { SignatureVerifier } from '../app/signatures';
import type { Verifier } from './auth';
import { errorHandler, unknownRoute } from './errors';
import type { TaskFeed } from './task-feed';
import { Api } from './http';
import { accessRequestRoutes } from './routes/access-requests';
import { accessRightsRoutes } from './routes/access-rights';
import { caseRoutes } from './routes/cases';
import { codecRoutes } from './routes/codec';
import { contractRoutes } from './routes/contracts';
import { decisionRoutes, MAX_DECISION_PDF_BYTES } from './routes/decisions';
import { healthRoutes } from './routes/health';
import { legalHoldRoutes } from './routes/legal-holds';
import { assistedSessionRoutes } from './routes/assisted-sessions';
import { proxyRoutes } from './routes/proxies';
import { entityRoutes } from './routes/entities';
import { representationRoutes } from './routes/representations';
import { identityRoutes } from './routes/identity';
import { onboardingRoutes } from './routes/onboarding';
import { staffRoutes, type StaffOptions } from './routes/staff';
import { taskRoutes } from './routes/tasks';
import { transparencyRoutes } from './routes/transparency';
import { formalDecisionRoutes } from './routes/formal-decisions';
import { viewRoutes } from './routes/views';
import { transactionCodeRoutes } from './routes/transaction-codes';
import { signInRoutes } from './routes/sign-in';
import { serviceRoutes } from './routes/services';
import { transactionRoutes } from './routes/transactions';
import type { PaymentProvider } from '../infra/payments';
import type { PhoneDirectory, SmsSender } from '../app/transaction-codes';

export interface AppDeps {
  client: Client;
  /** The use cases; built from `client`, `db` and `canton` when not given (tests pass their own). */
  application?: Application;
  connection: Connection;
  db: Db;
  verify: Verifier;
  codec: AesGcmCodec;
  /** The records' data keys: the codec server opens a record's personal data with them, or says it was destroyed. */
  dataKeys?: DataKeyStore | null;
  logger: Logger;
  namespace: string;
  taskQueue: string;
  canton: CantonCode;
  /** The deployment's rule set (RULE_SET; default the canton's newest): every process started carries it. */
  ruleSetId?: string;
  bodyLimit: string;
  codecCorsOrigins: string[];
  production: boolean;
  /** Terms rollouts: contracts per batch and batches per run (the workflow's defaults otherwise). */
  rollout?: { batchSize?: number; batchesPerRun?: number };
  /** Live inbox changes for /v1/tasks/events (PostgreSQL LISTEN); without it the route answers 503. */
  taskFeed?: TaskFeed | null;
  /** The Chancellery's workspace at /staff (web/): its sign-in client at the identity provider. */
  staff?: StaffOptions;
  /** The canton's e-ID verifier and how long its proofs serve (null or absent: the e-ID routes answer 503). */
  eid?: { verifier: EidVerifier; proofValidityMs?: number } | null;
  /** The qualified-signature verifier (null or absent: signatures answer 503). */
  signatures?: SignatureVerifier | null;
  /** The sign-in strength each kind of act needs (default: domain/assurance.ts). */
  assurance?: AssurancePolicy;
  /** NE 4.5: the SMS provider, where users' mobile numbers are, and the codes' HMAC key (app/transaction-codes.ts). */
  transactionCodes?: { sms?: SmsSender | null; phones?: PhoneDirectory; key?: Buffer };
  /** Online payment of fees (absent: QR-bills only). */
  payments?: { provider: PaymentProvider; urls: { webhook: string; success: string; cancel: string; error: string } } | null;
  /** The seal's certificate (PEM), served to anyone who verifies a sealed document. */
  sealCertificatePem?: string | null;
  /** The use cases' clock (tests move it). */
  now?: () => Date;
}

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // Only method, path and status: never bodies, query strings or tokens.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(helmet());
  app.use((req, res, next) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  // A decision or a terms version carries its PDF: those routes alone take larger bodies.
  app.use('/v1/decisions', express.json({ limit: Math.ceil((MAX_DECISION_PDF_BYTES * 4) / 3) + 64 * 1024 }));
  app.use('/v1/terms-versions', express.json({ limit: Math.ceil((MAX_TERMS_PDF_BYTES * 4) / 3) + 64 * 1024 }));
  // A submission carries its files (each at most 10 MiB); the provider's events are checked over their raw bytes.
  app.use('/v1/transactions', express.json({ limit: '32mb' }));
  app.use('/v1/payment-events', express.raw({ type: 'application/json', limit: '256kb' }));
  app.use(express.json({ limit: deps.bodyLimit }));

  const application =
    deps.application ??
    createApplication({
      db: deps.db,
      canton: deps.canton,
      gateways: createGateways(
        { client: deps.client, taskQueue: deps.taskQueue, ruleSetId: deps.ruleSetId ?? newestRuleSet(deps.canton).ruleSet.id },
        deps.rollout,
      ),
      eid: deps.eid?.verifier ?? null,
      eidProofValidityMs: deps.eid?.proofValidityMs,
      signatures: deps.signatures ?? null,
      ruleSetId: deps.ruleSetId,
      transactionCodes: deps.transactionCodes,
      payments: deps.payments ?? null,
      sealCertificatePem: deps.sealCertificatePem ?? null,
      now: deps.now,
    });
  const api = new Api(deps.verify, deps.assurance);
  const routes = { application, taskFeed: deps.taskFeed };
  app.use(healthRoutes(api, deps));
  for (const make of [
    accessRequestRoutes,
    identityRoutes,
    assistedSessionRoutes,
    proxyRoutes,
    entityRoutes,
    representationRoutes,
    onboardingRoutes,
    taskRoutes,
    viewRoutes,
    caseRoutes,
    decisionRoutes,
    contractRoutes,
    legalHoldRoutes,
    transparencyRoutes,
    formalDecisionRoutes,
    accessRightsRoutes,
    transactionCodeRoutes,
    signInRoutes,
    serviceRoutes,
    transactionRoutes,
  ])
    app.use(make(api, routes));
  app.use(
    codecRoutes({
      codec: deps.codec,
      dataKeys: deps.dataKeys ?? null,
      db: deps.db,
      verify: deps.verify,
      corsOrigins: deps.codecCorsOrigins,
      secureCookie: deps.production,
    }),
  );

  const openapi = new OpenApiGeneratorV3(api.registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Guichet engine API',
      version: '0.1.0',
      description: 'Processes of the secure virtual counter. Every error has the shape { error: { code, message, details: [{ path, issue }] } }.',
    },
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  if (deps.staff) {
    const { ruleSet } = ruleSetById(deps.ruleSetId ?? newestRuleSet(deps.canton).ruleSet.id);
    const counter = { canton: deps.canton, ruleSet: { id: ruleSet.id, effectiveFrom: ruleSet.effectiveFrom, effectiveTo: ruleSet.effectiveTo } };
    app.use(staffRoutes({ ...deps.staff, counter }));
  }

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
