// `npm run token -- --role chancellery [--sub ID] [--unit ID] [--domains a,b] [--ttl 1h] [--acr VALUE]` (at most AUTH_MAX_TOKEN_LIFETIME_S;
// acr by default the e-ID level for citizens and counsellors, a second factor for staff: domain/assurance.ts)
// Prints a bearer token signed by the embedded default's local issuer (made by `npm start`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROLES } from '../api/auth';
import { LocalIssuer } from '../infra/local-issuer';

const args = z.object({
  role: z.enum(ROLES, { message: `--role must be one of: ${ROLES.join(', ')}` }),
  sub: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  domains: z.string().optional(),
  acr: z.string().min(1).optional(),
  ttl: z
    .string()
    .regex(/^\d+[smhd]$/, '--ttl is a duration such as 15m or 1h')
    .default('1h'),
});

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      unit: { type: 'string' },
      domains: { type: 'string' },
      ttl: { type: 'string' },
      acr: { type: 'string' },
    },
  });
  const parsed = args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`${parsed.error.issues.map((i) => i.message).join('\n')}\n`);
    process.exit(2);
  }
  const a = parsed.data;
  if (a.role === 'unit' && !a.unit) {
    process.stderr.write('--unit is required for a unit token (and --domains it may serve)\n');
    process.exit(2);
  }
  const dataDir = process.env.DATA_DIR ?? join(__dirname, '..', '.data');
  const file = join(dataDir, 'secrets', 'issuer.json');
  if (!existsSync(file)) {
    process.stderr.write(`no local issuer in ${file}: run \`npm start\` once first\n`);
    process.exit(1);
  }
  const issuer = await LocalIssuer.persistent(file, `http://127.0.0.1:${process.env.ISSUER_PORT ?? 3001}`, process.env.AUTH_AUDIENCE ?? 'guichet-api');
  const token = await issuer.sign({
    role: a.role,
    sub: a.sub ?? `demo-${a.role}`,
    unit: a.unit,
    domains: a.domains
      ?.split(',')
      .map((d) => d.trim())
      .filter(Boolean),
    ttl: a.ttl,
    acr: a.acr,
  });
  process.stdout.write(`${token}\n`);
}

void main();
