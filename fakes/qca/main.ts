// Runs the test qualified CA on its own: `node --import tsx fakes/qca/main.ts`.
// QCA_PORT (default 4050: the port is in the certificates' CRL URL), QCA_DIR (default: memory only).
import { resolve } from 'node:path';
import { startFakeQca } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.QCA_PORT || '4050');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('QCA_PORT must be a port number');
  const dir = process.env.QCA_DIR ? resolve(process.env.QCA_DIR) : undefined;
  const qca = await startFakeQca({ port, dir });
  process.stdout.write(
    `fake qualified CA on ${qca.url}\n` +
      `  CRL:        ${qca.crlUrl}\n` +
      `  CA cert:    ${qca.caFile} (QES_TRUSTED_CA_FILES), ${qca.url}/_control/ca.pem\n` +
      `  revoke:     POST ${qca.url}/_control/revoke {"serialNumber":"<hex>"}\n` +
      `  state:      ${dir ?? 'in memory (set QCA_DIR to keep it)'}\n`,
  );
  const stop = () => {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    qca.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake qualified CA: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
