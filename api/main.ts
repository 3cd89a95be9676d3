// The API process: validated config, one Temporal client, listen, graceful shutdown.
import { createVerifier } from './auth';
import { Pool } from 'pg';
import { createApp } from './app';
import { createRateLimits } from './rate-limits';
import { TaskFeed } from './task-feed';
import { assuranceOf, deploymentRuleSetId, loadConfigOrExit } from '../infra/config';
import { loadEidVerifierConfig } from '../infra/eid/config';
import { createEidVerifier } from '../infra/eid/verifier-client';
import { createQesVerifier, loadQesConfig } from '../infra/qes/verify';
import { AesGcmCodec } from '../infra/codec';
import { createDb } from '../infra/db';
import { createDbDataKeyStore } from '../infra/data-keys';
import { createLogger } from '../infra/logger';
import { connectClient } from '../infra/temporal';
import { createHttpSmsGateway } from '../infra/sms';
import { sealCertificateFrom } from '../infra/seal-files';
import { paymentProviderFrom } from '../infra/payment-config';
import type { Config } from '../infra/config';
import { transactionCodeKeyFrom } from '../app/transaction-codes';
import { keepIdleConnections } from './server';

/** Online payment of fees, where a provider is configured: it calls back at the API's public URL. */
function paymentsOf(config: Config) {
  const provider = paymentProviderFrom(config);
  if (!provider) return null;
  const api = config.PUBLIC_API_URL!.replace(/\/$/, '');
  const portal = (config.PORTAL_URL ?? config.PUBLIC_API_URL!).replace(/\/$/, '');
  return {
    provider,
    urls: { webhook: `${api}/v1/payment-events`, success: `${portal}/payment/success`, cancel: `${portal}/payment/cancel`, error: `${portal}/payment/error` },
  };
}

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  const db = createDb(config.DATABASE_URL);
  const dataKeys = createDbDataKeyStore(db, config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID);
  const { client, connection } = await connectClient(config, dataKeys);
  // Live inbox: listens in the background (and keeps trying) so the API starts without it.
  const taskFeed = new TaskFeed(config.DATABASE_URL, logger);
  // Art. 3: the canton's e-ID verifier (its settings checked now: a bad one stops the API here).
  const eidConfig = config.EID_VERIFIER_URL ? loadEidVerifierConfig() : null;
  if (!eidConfig) logger.warn('no e-ID verifier configured (EID_VERIFIER_URL): onboarding answers 503');
  if (!config.QES_TRUSTED_CA_FILES) logger.warn('no qualified certification authorities configured (QES_TRUSTED_CA_FILES): signatures answer 503');
  if (!config.SMS_GATEWAY_URL && config.CANTON === 'NE') logger.warn('no SMS provider configured (SMS_GATEWAY_URL): transaction codes answer 503');
  void taskFeed.start();
  const limitsPool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  // An idle connection the server drops (PostgreSQL restarted, a failover) is replaced at the next
  // use; unhandled, its 'error' would end the process (seen with PostgreSQL stopped for 30 s).
  limitsPool.on('error', (err) => logger.warn({ err: err.message }, 'rate limits: an idle database connection was closed'));
  const app = createApp({
    client,
    connection,
    db,
    verify: createVerifier({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      jwksUrl: config.AUTH_JWKS_URL,
      maxLifetimeSeconds: config.AUTH_MAX_TOKEN_LIFETIME_S,
    }),
    codec: new AesGcmCodec(config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID),
    dataKeys,
    logger,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    canton: config.CANTON,
    ruleSetId: deploymentRuleSetId(config, logger),
    bodyLimit: config.BODY_LIMIT,
    metricsToken: config.METRICS_TOKEN,
    // Counted in PostgreSQL, so every replica sees the same calls.
    rateLimits: createRateLimits(limitsPool, {
      writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
      anonymousPerMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      signInsPerLoginPerMinute: config.RATE_LIMIT_SIGN_INS_PER_LOGIN_PER_MINUTE,
    }),
    codecCorsOrigins: config.CODEC_CORS_ORIGINS,
    production: config.NODE_ENV === 'production',
    staff: { issuer: config.AUTH_ISSUER, clientId: config.STAFF_CLIENT_ID },
    taskFeed,
    assurance: assuranceOf(config),
    eid: eidConfig && { verifier: createEidVerifier(eidConfig, { logger }), proofValidityMs: eidConfig.proofValidityMs },
    signatures: config.QES_TRUSTED_CA_FILES ? createQesVerifier(loadQesConfig()) : null,
    // NE 4.5: transaction codes by SMS (the adapter the worker's sign-in codes use too). The
    // users' mobile numbers: the lead wires the credential store's PhoneDirectory here.
    transactionCodes: {
      sms: config.SMS_GATEWAY_URL
        ? createHttpSmsGateway({
            url: config.SMS_GATEWAY_URL,
            accountId: config.SMS_GATEWAY_ACCOUNT_ID,
            user: config.SMS_GATEWAY_USER!,
            password: config.SMS_GATEWAY_PASSWORD!,
            sender: config.SMS_SENDER!,
            timeoutMs: config.SMS_TIMEOUT_MS,
          })
        : null,
      // Every API instance derives the same key from the active payload key.
      key: transactionCodeKeyFrom(config.PAYLOAD_KEYS.get(config.PAYLOAD_ACTIVE_KEY_ID)!),
    },
    payments: paymentsOf(config),
    sealCertificatePem: sealCertificateFrom(config),
  });
  const server = keepIdleConnections(app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening')));
  const stop = (signal: string) => {
    logger.info({ signal }, 'api stopping');
    void taskFeed.close(); // ends the open event streams, which would hold close() open
    server.close(async () => {
      await db.$disconnect();
      await limitsPool.end();
      await connection.close();
      logger.info('api stopped');
      process.exit(0); // a JWKS or metrics timer must not hold a stopped API open
    });
    server.closeIdleConnections(); // keep-alive sockets would hold close() open
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`api failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
