// Runs the fake commercial register on its own: `node --import tsx fakes/commercial-register/main.ts`.
// COMMERCIAL_REGISTER_FIXTURE: the entities file (default: the demo entities beside this file);
// COMMERCIAL_REGISTER_PORT: the port (default 4060);
// COMMERCIAL_REGISTER_USER / COMMERCIAL_REGISTER_PASSWORD: the Basic credentials it accepts
// (default the demo ones, DEMO_CREDENTIALS in server.ts).
import { join, resolve } from 'node:path';
import { DEMO_CREDENTIALS, FixtureError, startFakeCommercialRegister } from './server';

const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const env = process.env;
  const fixturePath = env.COMMERCIAL_REGISTER_FIXTURE
    ? resolve(env.COMMERCIAL_REGISTER_FIXTURE)
    : join(repoRoot, 'fakes', 'commercial-register', 'demo-entities.json');
  const port = Number(env.COMMERCIAL_REGISTER_PORT ?? 4060);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`COMMERCIAL_REGISTER_PORT must be a port number, got ${env.COMMERCIAL_REGISTER_PORT}`);
  const credentials = {
    user: env.COMMERCIAL_REGISTER_USER || DEMO_CREDENTIALS.user,
    password: env.COMMERCIAL_REGISTER_PASSWORD || DEMO_CREDENTIALS.password,
  };

  const register = await startFakeCommercialRegister({ port, fixturePath, credentials });
  process.stdout.write(
    `fake commercial register on ${register.url}\n` +
      `  company by UID: ${register.url}/api/v1/company/uid/{uid}          (Zefix PublicREST)\n` +
      `  its persons:    ${register.url}/api/v1/company/uid/{uid}/persons  (extension)\n` +
      `  control:        ${register.url}/_control\n` +
      `  Basic user:     ${credentials.user}\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    register.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // A bad fixture says which entry and field; anything else (port in use...) its message.
  process.stderr.write(`fake commercial register: ${err instanceof FixtureError ? err.message : String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
