// `npm run pki -- <dir> [--owner UID[:GID]]`: a development CA and the cluster's certificates in
// <dir> (what docker-compose.yml mounts as TEMPORAL_PKI_DIR; `npm run start:cluster` makes its
// own in .data-cluster/pki). Existing files are kept. A canton uses its own CA with the same
// subjects: the OU is the role (engine, operator, system; deploy/temporal-server/authz.go).
// The keys are 0600 in a 0700 directory: the images run as uid 1000, so run this as that user,
// or as root with `--owner 1000`, which gives them the directory, the certificates and their
// keys — never the CA's key, which stays the invoker's and unreadable in the containers.
import { chownSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLUSTER_IDENTITIES, ensureClusterPki, type ClusterIdentity } from './lib/pki';

const USAGE = 'usage: npm run pki -- <directory> [--owner UID[:GID]]';

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { owner: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new Error(USAGE);
  let owner: { uid: number; gid: number } | null = null;
  if (values.owner !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(values.owner);
    if (!m) throw new Error(`--owner is a numeric UID[:GID], e.g. 1000\n${USAGE}`);
    owner = { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
  }
  const pki = await ensureClusterPki(resolve(dir));
  process.stdout.write(`CA ${pki.caFile}; server name ${pki.serverName}\n`);
  for (const [id, role] of Object.entries(CLUSTER_IDENTITIES)) process.stdout.write(`  ${id} (OU=${role}): ${pki.files(id as ClusterIdentity).cert}\n`);
  if (owner) {
    const files = [pki.dir, pki.caFile, ...Object.keys(CLUSTER_IDENTITIES).flatMap((id) => Object.values(pki.files(id as ClusterIdentity)))];
    for (const f of files) chownSync(f, owner.uid, owner.gid);
    process.stdout.write(`owned by ${owner.uid}:${owner.gid} (the CA's key excepted)\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
