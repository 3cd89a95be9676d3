// Test users, units and decisions, written as the API would write them.
import { upsertTestService } from './units';
import { createHash, randomUUID } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Db } from '../../infra/db';
import { freshAvs } from './applications';

/** A small but real PDF (one page, one line of text). */
export function samplePdf(text = 'Décision de test'): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A decision of several pages, as a unit's own software makes it (pdf-lib), each page naming itself. */
export async function multiPagePdf(title: string, pages = 2): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) doc.addPage([595, 842]).drawText(`${title} - page ${n} de ${pages}`, { x: 72, y: 720, size: 14, font });
  return Buffer.from(await doc.save());
}

/** A PDF that claims to be encrypted (a Standard security handler in its trailer). */
export function encryptedPdf(): Buffer {
  const pdf = samplePdf().toString('latin1');
  return Buffer.from(
    pdf.replace(
      'trailer\n<< /Size',
      'trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >> /Size',
    ),
    'latin1',
  );
}

export async function insertUser(db: Db, sub = `user-${randomUUID()}`, email = `${sub}@example.ch`) {
  const id = randomUUID();
  await db.registeredUser.create({
    data: {
      id,
      sub,
      avsNumber: freshAvs(),
      lastName: 'Destinataire',
      firstName: 'Jeanne',
      email,
      street: 'Rue de la Préfecture 2',
      postCode: '2800',
      locality: 'Delémont',
      commune: 'Delémont',
      birthDate: '1980-04-04',
      canton: 'JU',
      applicationId: `app-${id}`,
    },
  });
  return { sub, email };
}

export async function insertUnit(db: Db, opts: { webhookUrl?: string; webhookSecret?: string; domains?: string[] } = {}) {
  const id = `U${randomUUID().slice(0, 8)}`;
  await db.unit.create({
    data: {
      id,
      name: 'Service de test',
      address: ['Service de test', 'Rue du 24-Septembre 1', '2800 Delémont'],
      domains: opts.domains ?? ['population'],
      webhookUrl: opts.webhookUrl,
      webhookSecret: opts.webhookSecret,
    },
  });
  return id;
}

/** A service of the catalogue at the unit (on request unless said): its id. */
export async function insertService(db: Db, unitId: string, opts: Omit<Parameters<typeof upsertTestService>[1], 'id' | 'unitId'> = {}): Promise<string> {
  return upsertTestService(db, { id: `svc-${randomUUID().slice(0, 8)}`, unitId, ...opts });
}

export async function grantConsent(db: Db, userSub: string, unitId: string, domain = 'population') {
  await db.serviceConsent.create({ data: { id: randomUUID(), userSub, unitId, domain, grantedAt: new Date(), evidence: { test: true } } });
}

export async function insertDecision(
  db: Db,
  p: { unitId: string; recipientSub: string; canton?: 'JU' | 'NE'; remedyDays?: number; provisionalMeasure?: boolean },
) {
  const id = randomUUID();
  const pdf = samplePdf();
  await db.decision.create({
    data: {
      id,
      canton: p.canton ?? 'JU',
      unitId: p.unitId,
      domain: 'population',
      reference: `REF-${id.slice(0, 8)}`,
      recipientSub: p.recipientSub,
      title: 'Décision relative au permis de séjour',
      document: new Uint8Array(pdf),
      documentSha256: createHash('sha256').update(pdf).digest('hex'),
      remedyKind: 'opposition',
      remedyDays: p.remedyDays ?? 30,
      provisionalMeasure: p.provisionalMeasure ?? false,
      legalRemediesText:
        'Opposition dans les 30 jours auprès du Service de la population, Rue du 24-Septembre 1, 2800 Delémont, par écrit et motivée (CPA art. 94).',
      channel: 'pending',
      state: 'checking-consent',
    },
  });
  return id;
}
