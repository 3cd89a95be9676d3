// The Chancellery's formal decision after a refused application (Art. 4.8): a PDF, served
// like any decision (Art. 16-17) by the decisionService process.
import PDFDocument from 'pdfkit';
import type { CantonProfile } from '../domain/profiles';
import { winAnsiText } from './letter-pdf';
import { formatSwissDate } from './mail-templates';

export const CHANCELLERY_UNIT = {
  id: 'CHA',
  name: "Chancellerie d'Etat",
  address: ["Chancellerie d'Etat", 'Rue de l’Hôpital 2', '2800 Delémont'],
  domains: ['guichet'],
};

export function formalDecisionRemedy(profile: CantonProfile) {
  const kind = profile.remedies.defaultKind;
  const days = profile.remedies.defaultDays;
  const text =
    kind === 'opposition'
      ? `Opposition dans les ${days} jours dès la notification, par écrit et motivée, auprès de la Chancellerie d'Etat, Rue de l'Hôpital 2, 2800 Delémont (Code de procédure administrative, art. 94 ss). Elle ne peut pas être déposée par le guichet virtuel (art. 17).`
      : `Recours dans les ${days} jours dès la notification, par écrit et motivé, auprès de l'autorité de recours indiquée par la loi. Il ne peut pas être déposé par le guichet virtuel.`;
  return { kind, days, text };
}

export async function renderFormalDecision(input: {
  applicant: { firstName: string; lastName: string; street: string; postCode: string; locality: string };
  applicationId: string;
  reasons: string[];
  decidedOn: string;
  remedyText: string;
}): Promise<Buffer> {
  const t = winAnsiText;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 62, right: 56 },
    lang: 'fr-CH',
    info: { Title: t('Décision formelle'), Author: t(CHANCELLERY_UNIT.name), CreationDate: new Date(`${input.decidedOn}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.font('Helvetica-Bold').fontSize(11).text(t(CHANCELLERY_UNIT.name));
  doc.font('Helvetica').text(CHANCELLERY_UNIT.address.slice(1).map(t).join('\n'));
  doc
    .moveDown(2)
    .text(t(`${input.applicant.firstName} ${input.applicant.lastName}\n${input.applicant.street}\n${input.applicant.postCode} ${input.applicant.locality}`), {
      align: 'right',
    });
  doc.moveDown(2).text(t(`Delémont, le ${formatSwissDate(input.decidedOn)}`));
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(13)
    .text(t(`Décision formelle — accès au guichet virtuel sécurisé (réf. ${input.applicationId})`));
  doc.moveDown().font('Helvetica').fontSize(11);
  doc.text(
    t(
      "Vu la demande de contrat d'utilisation du guichet virtuel sécurisé, le refus communiqué et la demande de décision formelle (art. 4 al. 8 de l'ordonnance concernant le guichet virtuel sécurisé),",
    ),
  );
  doc.moveDown().font('Helvetica-Bold').text(t('la Chancellerie d’Etat décide :'));
  doc.font('Helvetica').text(t("1. L'accès au guichet virtuel sécurisé est refusé."));
  doc.moveDown().font('Helvetica-Bold').text(t('Motifs'));
  doc.font('Helvetica');
  for (const r of input.reasons) doc.text(t(`– ${r}`));
  doc.moveDown().font('Helvetica-Bold').text(t('Voies de droit'));
  doc.font('Helvetica').text(t(input.remedyText));
  doc.end();
  return done;
}
