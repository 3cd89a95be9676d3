// Runs the fake registers on their own: `node --import tsx fakes/registers/main.ts`.
// REGISTER_FIXTURE: the people file (default: the demo people beside this file);
// REGISTER_PORT: the port (default 4010).
import { join, resolve } from 'node:path';
import { FixtureError, startFakeRegisters } from './server';

const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const fixturePath = process.env.REGISTER_FIXTURE ? resolve(process.env.REGISTER_FIXTURE) : join(repoRoot, 'fakes', 'registers', 'demo-people.json');
  const port = Number(process.env.REGISTER_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`REGISTER_PORT must be a port number, got ${process.env.REGISTER_PORT}`);

  const registers = await startFakeRegisters({ port, fixturePath });
  process.stdout.write(
    `fake registers on ${registers.url}\n` +
      `  resident register:   ${registers.residentUrl}\n` +
      `  protection register: ${registers.protectionUrl}\n` +
      `  control:             ${registers.url}/_control\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    registers.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // A bad fixture says which entry and field; anything else (port in use...) its message.
  process.stderr.write(`fake registers: ${err instanceof FixtureError ? err.message : String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
