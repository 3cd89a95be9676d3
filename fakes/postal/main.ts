// Runs the fake postal gateway on its own: `node --import tsx fakes/postal/main.ts`.
// POSTAL_PORT: the port (default 4020; 0 = any free port).
import { startFakePostal } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.POSTAL_PORT ?? 4020);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`POSTAL_PORT must be a port number, got ${process.env.POSTAL_PORT}`);

  const post = await startFakePostal({ port });
  process.stdout.write(
    `fake postal gateway on ${post.url}\n` +
      `  registered letters: ${post.url}/v1/registered-letters\n` +
      `  control:            ${post.url}/_control (letters: ${post.url}/_control/letters)\n`,
  );

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    post.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake postal gateway: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
