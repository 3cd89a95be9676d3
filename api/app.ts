// The Express app, apart from `listen`, so tests drive it over real HTTP with supertest.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import { createApplication, type Application } from '../app';
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
import { bearerToken, type Verifier } from './auth';
import { ApiError, errorHandler, unknownRoute } from './errors';
import type { TaskFeed } from './task-feed';
import { Api } from './http';
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limits';
import { accessRequestRoutes } from './routes/access-requests';
import { accessRightsRoutes } from './routes/access-rights';
import { caseRoutes } from './routes/cases';
import { codecRoutes } from './routes/codec';
import { contractRoutes } from './routes/contracts';
import { decisionRoutes } from './routes/decisions';
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
  /** Per subject and per address (api/rate-limits.ts); default: counted in this process, RATE_LIMIT_* defaults. */
  rateLimits?: RateLimits;
  /** METRICS_TOKEN: Prometheus's bearer token for /metrics (operators' tokens do too). */
  metricsToken?: string;
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

/** An operator's token, or the scraper's static one (compared in constant time). */
function operatorOrScraper(verify: Verifier, scraperToken: string | undefined): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token && scraperToken) {
      const [a, b] = [createHash('sha256').update(token).digest(), createHash('sha256').update(scraperToken).digest()];
      if (timingSafeEqual(a, b)) return next();
    }
    if (token) {
      try {
        if ((await verify(token)).role === 'operator') return next();
        return next(new ApiError(403, 'forbidden', 'only operators and the metrics scraper read the metrics'));
      } catch {
        // answered below
      }
    }
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(new ApiError(401, 'unauthorized', 'the metrics need an operator token or METRICS_TOKEN'));
  };
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
  // What the API answers is personal data, or may be: no cache (a browser's, a proxy's) keeps it.
  // The workspace's files and the docs may be cached; their routes set their own.
  app.use(['/v1', '/codec', '/staff/auth'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use((req, res, next) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });
  // Bodies are read by each route after its token is checked (api/http.ts `maxBody`): only the
  // routes that take a PDF or files read more than BODY_LIMIT.

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
  const limits = deps.rateLimits ?? createRateLimits(null, DEFAULT_RATE_LIMITS);
  const api = new Api(deps.verify, deps.assurance, deps.bodyLimit, limits.perSubject, limits.perLogin);
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
      bodyLimit: deps.bodyLimit,
      perAddress: limits.perAddress,
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
  // Not public: the metrics tell how busy each route is and what the process runs.
  app.get('/metrics', operatorOrScraper(deps.verify, deps.metricsToken), async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  if (deps.staff) {
    const { ruleSet } = ruleSetById(deps.ruleSetId ?? newestRuleSet(deps.canton).ruleSet.id);
    const counter = { canton: deps.canton, ruleSet: { id: ruleSet.id, effectiveFrom: ruleSet.effectiveFrom, effectiveTo: ruleSet.effectiveTo } };
    app.use(staffRoutes({ ...deps.staff, counter, perAddress: limits.perAddress }));
  }

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
