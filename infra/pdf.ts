// PDFs the engine receives and sends, read and put together with pdf-lib: a decision's
// pages go into its registered letter as they are (copied, never redrawn), and a decision
// whose PDF cannot be read that way is refused when it is served, not found out at the post.
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { winAnsiText } from './win-ansi';

/** A PDF that cannot be enclosed: encrypted, damaged, or without a page. */
export class UnusablePdfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusablePdfError';
  }
}

async function load(pdf: Uint8Array): Promise<PDFDocument> {
  try {
    const doc = await PDFDocument.load(pdf, { throwOnInvalidObject: true, updateMetadata: false });
    if (doc.isEncrypted) throw new UnusablePdfError('the PDF is encrypted: it cannot be printed into a registered letter');
    // Reading every page (not only counting them) finds a page tree that is not there.
    if (doc.getPages().length === 0) throw new UnusablePdfError('the PDF has no page');
    return doc;
  } catch (err) {
    if (err instanceof UnusablePdfError) throw err;
    if ((err as Error).name === 'EncryptedPDFError') throw new UnusablePdfError('the PDF is encrypted: it cannot be printed into a registered letter');
    throw new UnusablePdfError(`the PDF cannot be read (${(err as Error).message.slice(0, 200)})`);
  }
}

/** Its page count, once it is known to be enclosable; UnusablePdfError otherwise. */
export async function enclosablePages(pdf: Uint8Array): Promise<number> {
  return (await load(pdf)).getPageCount();
}

/**
 * One PDF: the cover's pages, then every page of `enclosed` unchanged, with the enclosed
 * file itself attached byte for byte (its SHA-256 is the one stated on the cover). Dated
 * `at`, so the same input gives the same bytes.
 */
export async function encloseAfter(
  cover: Uint8Array,
  enclosed: { pdf: Uint8Array; fileName: string; description: string },
  at: Date,
): Promise<{ pdf: Buffer; pages: number }> {
  const out = await PDFDocument.create({ updateMetadata: false });
  const [front, back] = [await load(cover), await load(enclosed.pdf)];
  for (const page of await out.copyPages(front, front.getPageIndices())) out.addPage(page);
  for (const page of await out.copyPages(back, back.getPageIndices())) out.addPage(page);
  out.setTitle(front.getTitle() ?? 'Envoi recommandé');
  if (front.getAuthor()) out.setAuthor(front.getAuthor()!);
  if (front.getSubject()) out.setSubject(front.getSubject()!);
  out.setCreator('guichet virtuel sécurisé');
  out.setProducer('pdf-lib');
  out.setLanguage('fr-CH');
  out.setCreationDate(at);
  out.setModificationDate(at);
  await out.attach(enclosed.pdf, enclosed.fileName, { mimeType: 'application/pdf', description: enclosed.description, creationDate: at, modificationDate: at });
  return { pdf: Buffer.from(await out.save({ useObjectStreams: false })), pages: out.getPageCount() };
}

/** A plain, readable A4 document: a title, then headed sections of lines, wrapped and paged. */
export async function renderTextPdf(d: { title: string; subtitle?: string; sections: { heading: string; lines: string[] }[]; at: Date }): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const [regular, bold] = [await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold)];
  const size = { width: 595.28, height: 841.89 };
  const margin = 56;
  const width = size.width - 2 * margin;
  let page = doc.addPage([size.width, size.height]);
  let y = size.height - margin;
  const write = (text: string, font: PDFFont, fontSize: number, gap = 4) => {
    for (const line of wrap(winAnsiText(text), font, fontSize, width)) {
      if (y - fontSize < margin) {
        page = doc.addPage([size.width, size.height]);
        y = size.height - margin;
      }
      page.drawText(line, { x: margin, y: y - fontSize, size: fontSize, font });
      y -= fontSize + gap;
    }
  };
  write(d.title, bold, 16, 8);
  if (d.subtitle) write(d.subtitle, regular, 10, 10);
  for (const s of d.sections) {
    y -= 8;
    write(s.heading, bold, 12, 6);
    for (const l of s.lines.length ? s.lines : ['—']) write(l, regular, 9.5, 3);
  }
  doc.setTitle(winAnsiText(d.title));
  doc.setCreator('guichet virtuel sécurisé');
  doc.setProducer('pdf-lib');
  doc.setCreationDate(d.at);
  doc.setModificationDate(d.at);
  return Buffer.from(await doc.save());
}

function wrap(text: string, font: PDFFont, fontSize: number, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, fontSize) <= width || !line) line = next;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}
