// `npm run pki -- <dir>`: a development CA and the cluster's certificates in <dir> (what
// docker-compose.yml mounts as TEMPORAL_PKI_DIR; `npm run start:cluster` makes its own in
// .data-cluster/pki). Existing files are kept. A canton uses its own CA with the same subjects:
// the OU is the role (engine, operator, system; deploy/temporal-server/authz.go).
import { resolve } from 'node:path';
import { CLUSTER_IDENTITIES, ensureClusterPki } from './lib/pki';

async function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npm run pki -- <directory>');
  const pki = await ensureClusterPki(resolve(dir));
  process.stdout.write(`CA ${pki.caFile}; server name ${pki.serverName}\n`);
  for (const [id, role] of Object.entries(CLUSTER_IDENTITIES))
    process.stdout.write(`  ${id} (OU=${role}): ${pki.files(id as keyof typeof CLUSTER_IDENTITIES).cert}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
