// The worker process: runs every workflow and activity until SIGINT/SIGTERM, then drains
// (in-flight activities finish or are handed back) and closes its connections.
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createTemporalContractEngine, createTemporalOnboardings } from '../app/gateways';
import { createTemporalAccessRights, createTemporalProxyEngine } from '../app/gateways';
import { createTemporalRetentionEngine } from '../app/gateways';
import { createSmtpMailer } from '../activities/mailer';
import { createHttpPostalGateway } from '../activities/postal';
import { createHttpCommercialRegister } from '../activities/commercial-register';
import { createHttpRegisters } from '../activities/registers';
import { dataConverter } from '../infra/codec';
import { deploymentRuleSetId, loadConfigOrExit } from '../infra/config';
import { createDb } from '../infra/db';
import { createDbDataKeyStore } from '../infra/data-keys';
import { createLogger } from '../infra/logger';
import { sealUnitSecrets } from '../records/units';
import { createWorkers } from './worker';
import { startUnstartedApplications } from '../app/onboarding';
import { temporalTls } from '../infra/temporal';
import { rolloutTaskQueue } from '../workflows/terms-rollout/definitions';
import { sealKeyFrom } from '../infra/seal-files';
import { paymentProviderFrom } from '../infra/payment-config';

async function main() {
  const config = loadConfigOrExit();
  const log = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  const ruleSetId = deploymentRuleSetId(config, log);
  // The SDK's own messages at WARN and above (its INFO includes the whole webpack report).
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } } });
  const db = createDb(config.DATABASE_URL);
  // Webhook secrets stored in clear (by SQL, `npm start`'s demo units, or before sealing) are sealed now.
  const sealedSecrets = await sealUnitSecrets(db, { keys: config.PAYLOAD_KEYS, activeKeyId: config.PAYLOAD_ACTIVE_KEY_ID });
  if (sealedSecrets) log.info({ units: sealedSecrets }, 'webhook secrets stored in clear are sealed');
  const dataKeys = createDbDataKeyStore(db, config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID);
  const mailer = createSmtpMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  const tls = temporalTls(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, tls });
  // The activities' own client (contract hand-off, terms rollouts), encrypting like the rest.
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, tls });
  const client = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config.PAYLOAD_KEYS, config.PAYLOAD_ACTIVE_KEY_ID, dataKeys),
  });
  const [worker, rollouts] = await createWorkers({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    keys: config.PAYLOAD_KEYS,
    activeKeyId: config.PAYLOAD_ACTIVE_KEY_ID,
    dataKeys,
    deps: {
      db,
      dataKeys,
      registers: createHttpRegisters({
        residentUrl: config.RESIDENT_REGISTER_URL,
        protectionUrl: config.PROTECTION_REGISTER_URL,
        timeoutMs: config.REGISTER_TIMEOUT_MS,
      }),
      // Optional in development (config.ts requires it in production).
      commercialRegister: config.COMMERCIAL_REGISTER_URL
        ? createHttpCommercialRegister({
            url: config.COMMERCIAL_REGISTER_URL,
            user: config.COMMERCIAL_REGISTER_USER,
            password: config.COMMERCIAL_REGISTER_PASSWORD,
            timeoutMs: config.REGISTER_TIMEOUT_MS,
          })
        : undefined,
      mailer,
      notify: { chancellery: config.CHANCELLERY_MAIL, authority: config.AUTHORITY_MAIL },
      postal: createHttpPostalGateway({ url: config.POSTAL_GATEWAY_URL, timeoutMs: config.POSTAL_TIMEOUT_MS }),
      contracts: createTemporalContractEngine(client, config.TEMPORAL_TASK_QUEUE, ruleSetId),
      retention: createTemporalRetentionEngine(client, config.TEMPORAL_TASK_QUEUE, ruleSetId),
      proxies: createTemporalProxyEngine(client, config.TEMPORAL_TASK_QUEUE, ruleSetId),
      accessRights: createTemporalAccessRights(client, config.TEMPORAL_TASK_QUEUE, ruleSetId),
      // Art. 15: issued documents sealed; refunds of fees paid online.
      seal: await sealKeyFrom(config),
      // Outside development the units' webhooks reach no internal address but the canton's networks.
      webhookAddresses: config.NODE_ENV === 'production' ? { allowedNetworks: config.WEBHOOK_ALLOWED_NETWORKS } : undefined,
      payments: paymentProviderFrom(config) ?? undefined,
    },
    // Production runs the bundle `npm run build` made (dist/workflow-bundle.js beside the
    // compiled dist/worker/); development bundles the current source at start.
    options: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH ?? (config.NODE_ENV === 'production' ? join(__dirname, '..', 'workflow-bundle.js') : undefined),
  });
  // Applications an API process stored and died before starting (no client retry): started here.
  const onboardings = createTemporalOnboardings(client, config.TEMPORAL_TASK_QUEUE, ruleSetId);
  const sweep = setInterval(() => {
    startUnstartedApplications({ db, onboarding: onboardings, canton: config.CANTON }).then(
      (n) => n && log.warn({ started: n }, 'applications stored without their workflow: started now'),
      (err: unknown) => log.warn({ err: (err as Error).message }, 'sweep of applications without a workflow failed; next in a minute'),
    );
  }, 60_000);
  sweep.unref();
  log.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, rollouts: rolloutTaskQueue(config.TEMPORAL_TASK_QUEUE), namespace: config.TEMPORAL_NAMESPACE },
    'worker running',
  );
  try {
    await Promise.all([worker.run(), rollouts.run()]); // resolve after a shutdown signal, once in-flight work is done
  } finally {
    clearInterval(sweep);
    await db.$disconnect();
    mailer.close();
    await clientConnection.close();
    await connection.close();
    log.info('worker stopped');
  }
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
