// docker-compose.yml and the Dockerfile describe the topology `npm run start:cluster` runs (no
// container engine runs here, so the scripts' side is what the cluster's tests prove): the same
// Temporal server configuration template and Web UI template, every variable they read set on
// both sides, the same identities and certificates, the same entry point settings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { HAPROXY_BACKEND, HAPROXY_DEFAULTS } from '../../scripts/lib/cluster';
import { CLUSTER_IDENTITIES, type ClusterPki } from '../../scripts/lib/pki';
import { serverEnv, uiEnv } from '../../scripts/lib/temporal-server';

const root = join(__dirname, '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
interface Service {
  image?: string;
  build?: { target?: string };
  environment?: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
  volumes?: string[];
  deploy?: { replicas?: string | number };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const svc = (name: string) => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

const pki: ClusterPki = {
  dir: '/pki',
  caFile: '/pki/ca.pem',
  serverName: 'temporal.guichet.local',
  files: (id) => ({ cert: `/pki/${id}.pem`, key: `/pki/${id}.key` }),
};
const serverOpts = { bin: 'x', dir: '/d', pki, postgres: { host: 'h', port: 5432, user: 'u', password: 'p' }, frontendPort: 7233 };

/** The variables a server template reads (sprig `env "X"`), and those it reads without a default. */
function templateVariables(text: string) {
  const all = new Set([...text.matchAll(/env "([A-Z0-9_]+)"/g)].map((m) => m[1]!));
  const defaulted = new Set([...text.matchAll(/default "[^"]*" \(env "([A-Z0-9_]+)"\)/g)].map((m) => m[1]!));
  return { all, required: [...all].filter((v) => !defaulted.has(v)) };
}

describe('docker-compose.yml and the scripts', () => {
  const template = read('deploy/temporal-server/config/production.yaml');

  it('run the Temporal server from the same configuration template, each setting every variable it needs', () => {
    expect(template.split('\n')[0]).toBe('# enable-template'); // rendered by the server itself
    const { all, required } = templateVariables(template);
    expect(required.sort()).toEqual([
      'DYNAMIC_CONFIG_FILE',
      'SQL_HOST',
      'SQL_PASSWORD',
      'SQL_USER',
      'TLS_CA',
      'TLS_SERVER_CERT',
      'TLS_SERVER_KEY',
      'TLS_SERVER_NAME',
    ]);
    // The scripts set all of them (every port, loopback); compose the required ones and its own choices.
    const scripts = serverEnv(serverOpts, { main: 'temporal', visibility: 'temporal_visibility' }, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const v of all) expect(Object.keys(scripts)).toContain(v);
    const temporal = svc('temporal');
    const composeSets = new Set([
      ...Object.keys(temporal.environment ?? {}),
      ...(temporal.entrypoint?.join(' ').includes('BROADCAST_ADDRESS=') ? ['BROADCAST_ADDRESS'] : []),
    ]);
    for (const v of required) expect([...composeSets]).toContain(v);
    for (const v of composeSets) expect([...all]).toContain(v); // nothing the template ignores
    // The same directory, mounted where the command reads it.
    expect(temporal.volumes).toContain('./deploy/temporal-server/config:/etc/temporal/config:ro');
    expect(temporal.entrypoint?.join(' ')).toContain('guichet-temporal start --config /etc/temporal/config --env production');
    expect(temporal.environment?.DYNAMIC_CONFIG_FILE).toBe('/etc/temporal/config/dynamicconfig.yaml');
    expect(scripts.DYNAMIC_CONFIG_FILE).toBe(join(root, 'deploy/temporal-server/config/dynamicconfig.yaml'));
    // mTLS with the server's certificate (OU=system) on both.
    expect(temporal.environment?.TLS_SERVER_CERT).toMatch(/\/temporal-server\.pem$/);
    expect(scripts.TLS_SERVER_CERT).toMatch(/\/temporal-server\.pem$/);
    expect(temporal.environment?.TLS_SERVER_NAME).toBe(pki.serverName);
    expect(template).toContain('requireClientAuth: true');
  });

  it('build the server, its schema tool and the Web UI from deploy/temporal-server (the Dockerfile target the three services use)', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/FROM golang:1\.25-bookworm AS temporal-build/);
    expect(dockerfile).toContain('COPY deploy/temporal-server/go.mod deploy/temporal-server/go.sum ./');
    expect(dockerfile).toMatch(/FROM debian:bookworm-slim AS temporal\n/);
    expect(svc('temporal-schema').build?.target).toBe('temporal');
    for (const name of ['temporal-schema', 'temporal', 'temporal-ui']) expect(svc(name).image).toBe(svc('temporal-schema').image);
    const schema = svc('temporal-schema').command!.join('\n');
    for (const s of ['postgresql/v12/temporal', 'postgresql/v12/visibility']) expect(schema).toContain(`update-schema --schema-name ${s}`);
  });

  it('run the Web UI from the same template, behind the identity provider, with the operator certificate', () => {
    const uiTemplate = read('deploy/temporal-server/config/ui.yaml');
    const vars = new Set([...uiTemplate.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!));
    const scripts = uiEnv({
      bin: 'x',
      dir: '/d',
      pki,
      port: 8233,
      frontend: '127.0.0.1:7233',
      codecEndpoint: 'http://127.0.0.1:3000/codec',
      auth: { issuer: 'http://127.0.0.1:3001', clientId: 'temporal-ui', clientSecret: 's' },
    });
    const ui = svc('temporal-ui');
    for (const v of vars) {
      expect(Object.keys(scripts)).toContain(v);
      expect(Object.keys(ui.environment ?? {})).toContain(v);
    }
    expect(uiTemplate).toMatch(/auth:\n {2}enabled: true/);
    for (const off of ['startWorkflowDisabled', 'workflowSignalDisabled', 'workflowUpdateDisabled']) expect(uiTemplate).toContain(`${off}: true`);
    expect(ui.environment?.UI_TLS_CERT).toMatch(/\/operator\.pem$/);
    expect(scripts.UI_TLS_CERT).toMatch(/\/operator\.pem$/);
    expect(ui.command).toEqual(['ui', '--config', '/etc/temporal/config/ui.yaml']);
  });

  it('give the API and the workers their own certificates (OU=engine), two replicas each behind HAProxy with the same settings', () => {
    expect(CLUSTER_IDENTITIES).toMatchObject({ 'guichet-api': 'engine', 'guichet-worker': 'engine', operator: 'operator', 'temporal-server': 'system' });
    for (const [name, id] of [
      ['api', 'guichet-api'],
      ['worker', 'guichet-worker'],
    ] as const) {
      const env = svc(name).environment ?? {};
      expect(env.TEMPORAL_TLS_CERT_FILE).toBe(`/etc/guichet/temporal/${id}.pem`);
      expect(env.TEMPORAL_TLS_KEY_FILE).toBe(`/etc/guichet/temporal/${id}.key`);
      expect(env.TEMPORAL_TLS_SERVER_NAME).toBe(pki.serverName);
      expect(env.TEMPORAL_TLS_CA_FILE).toBe('/etc/guichet/temporal/ca.pem');
      expect(String(svc(name).deploy?.replicas)).toMatch(/^\$\{[A-Z_]+:-2\}$/);
    }
    expect(svc('temporal-setup').environment?.TEMPORAL_TLS_CERT_FILE).toBe('/etc/guichet/temporal/operator.pem');
    const cfg = read('deploy/haproxy/haproxy.cfg');
    for (const line of [...HAPROXY_DEFAULTS, ...HAPROXY_BACKEND]) expect(cfg).toContain(`\n  ${line}\n`);
    expect(svc('haproxy').volumes).toContain('./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
  });
});

describe("the image's build", () => {
  it('compiles from what the Dockerfile copies into its build stage: every file the build imports is there', () => {
    const dockerfile = read('Dockerfile');
    const stage = (name: string) => dockerfile.slice(dockerfile.indexOf(` AS ${name}\n`)).split(/\nFROM /)[0]!;
    const copied = [...`${stage('deps')}\n${stage('build')}`.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    // `npx prisma generate` writes generated/ in the deps stage.
    const present = [...copied, 'generated'];
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
    const ours = program
      .getSourceFiles()
      .map((f) => relative(root, f.fileName))
      .filter((f) => !f.startsWith('node_modules/') && !f.startsWith('..'));
    expect(ours).toEqual(expect.arrayContaining(['api/main.ts', 'worker/main.ts', 'scripts/temporal-setup.ts', 'scripts/rekey.ts']));
    const missing = ours.filter((f) => !present.some((p) => f === p || f.startsWith(`${p.replace(/\/$/, '')}/`)));
    expect(missing).toEqual([]);
  });
});

describe('npm run pki', () => {
  it("gives the images' user the certificates and their keys with --owner, never the CA's key", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pki-'));
    const me = process.getuid!();
    const owner = me === 0 ? 1000 : me; // root gives them away; anyone else may only name themselves
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/pki.ts', join(dir, 'set'), '--owner', String(owner)], { cwd: root }).toString();
    expect(out).toContain(`owned by ${owner}:${owner}`);
    const set = join(dir, 'set');
    expect(statSync(set).uid).toBe(owner);
    for (const id of Object.keys(CLUSTER_IDENTITIES)) {
      expect(statSync(join(set, `${id}.key`))).toMatchObject({ uid: owner, mode: expect.any(Number) });
      expect(statSync(join(set, `${id}.key`)).mode & 0o777).toBe(0o600);
      expect(statSync(join(set, `${id}.pem`)).uid).toBe(owner);
    }
    expect(statSync(join(set, 'ca.key')).uid).toBe(me);
    expect(() =>
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/pki.ts', join(dir, 'x'), '--owner', 'node'], { cwd: root, stdio: 'pipe' }),
    ).toThrow(/--owner is a numeric UID/);
  });
});
