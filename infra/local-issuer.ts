// The embedded default's signing key: an ES256 key pair kept in .data/secrets, tokens signed
// for any role (`npm run token`, the tests) and, in the tests, a minimal JWKS server. The
// embedded identity provider (infra/identity-provider) signs with the same key. Production
// points AUTH_ISSUER at the canton's identity provider instead.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { defaultAcrFor } from '../domain/assurance';
import type { Role } from '../domain/roles';

const ALG = 'ES256';

export interface TokenRequest {
  role: Role;
  sub: string;
  unit?: string;
  domains?: string[];
  /** e.g. '8h', '15m' */
  ttl?: string;
  /** How strongly the person signed in; default by role (domain/assurance.ts defaultAcrFor). */
  acr?: string;
}

export class LocalIssuer {
  private constructor(
    readonly issuer: string,
    readonly audience: string,
    private readonly privateJwk: JWK,
    private readonly publicJwk: JWK,
  ) {}

  static async create(issuer: string, audience: string): Promise<LocalIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    return new LocalIssuer(issuer, audience, privateJwk, publicJwk);
  }

  /** Loads the key pair kept in `file`, or makes and keeps one; tokens survive restarts. */
  static async persistent(file: string, issuer: string, audience: string): Promise<LocalIssuer> {
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
      return new LocalIssuer(issuer, audience, saved.privateJwk, saved.publicJwk);
    }
    const created = await LocalIssuer.create(issuer, audience);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ issuer, audience, privateJwk: created.privateJwk, publicJwk: created.publicJwk }), { mode: 0o600 });
    return created;
  }

  jwks() {
    return { keys: [this.publicJwk] };
  }

  /** The private key, for the identity provider that signs with it too (never logged). */
  signingJwk(): JWK {
    return { ...this.privateJwk };
  }

  async sign(req: TokenRequest): Promise<string> {
    const key = await importJWK(this.privateJwk, ALG);
    return new SignJWT({ role: req.role, unit: req.unit, domains: req.domains ?? [], acr: req.acr ?? defaultAcrFor(req.role) })
      .setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(req.sub)
      .setIssuedAt()
      .setExpirationTime(req.ttl ?? '1h')
      .sign(key);
  }

  /** Signs any claims with this issuer's key, as an attacker holding a token could not: for tests of what the API refuses. */
  async signClaims(claims: Record<string, unknown>, header: { typ?: string } = { typ: 'at+jwt' }): Promise<string> {
    const key = await importJWK(this.privateJwk, ALG);
    return new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid, ...header }).sign(key);
  }

  /** Serves the JWKS (and a minimal discovery document) on host:port. */
  listen(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      const body =
        req.url === '/.well-known/jwks.json'
          ? this.jwks()
          : req.url === '/.well-known/openid-configuration'
            ? { issuer: this.issuer, jwks_uri: `${this.issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: [ALG] }
            : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: 'not found' }));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
