// `npm run verify-seal -- <document.pdf> <certificate.pem>`: checks the engine's seal on an
// issued document (a commune's attestation) as anyone may, with the certificate the counter
// publishes at /v1/seal/certificate. Prints the verdict as JSON; exits 1 when it is not valid.
import { readFileSync } from 'node:fs';
import { verifySealedPdf } from '../infra/seal';

async function main() {
  const [pdf, cert] = process.argv.slice(2);
  if (!pdf || !cert) {
    process.stderr.write('usage: npm run verify-seal -- <document.pdf> <certificate.pem>\n');
    process.exit(2);
  }
  const verdict = await verifySealedPdf(readFileSync(pdf), readFileSync(cert, 'utf8'));
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  process.exit(verdict.valid ? 0 : 1);
}

void main();
