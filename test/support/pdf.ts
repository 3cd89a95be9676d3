// Text of a PDF, as a reader would extract it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

// unpdf (PDF.js) loads its engine with a dynamic import(), which jest's module VM refuses
// without --experimental-vm-modules: the text is extracted by a plain Node child process.
const EXTRACT = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const doc = await getDocumentProxy(new Uint8Array(Buffer.concat(chunks)));
  const { totalPages, text } = await extractText(doc, { mergePages: true });
  const { text: pageTexts } = await extractText(doc, { mergePages: false });
  const files = (await doc.getAttachments()) ?? {};
  const attachments = Object.values(files).map((a) => ({ filename: a.filename, sha256: require('node:crypto').createHash('sha256').update(a.content).digest('hex'), bytes: a.content.length }));
  process.stdout.write(JSON.stringify({ pages: totalPages, text, pageTexts, attachments }));
});`;

export interface PdfContent {
  /** The page texts joined, whitespace collapsed */
  text: string;
  pages: number;
  /** Each page's text, whitespace collapsed */
  pageTexts: string[];
  /** Files embedded in the PDF, by their SHA-256 */
  attachments: { filename: string; sha256: string; bytes: number }[];
}

/** The page texts joined, whitespace collapsed (a PDF has no notion of lines or words). */
export function pdfText(pdf: Buffer): Promise<PdfContent> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', EXTRACT], { cwd: join(__dirname, '..', '..'), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`PDF text extraction failed: ${stderr || err.message}`));
      const out = JSON.parse(stdout) as PdfContent;
      const flat = (t: string) => t.replace(/\s+/g, ' ');
      resolve({ ...out, text: flat(out.text), pageTexts: out.pageTexts.map(flat) });
    });
    child.stdin?.end(pdf);
  });
}

export async function extractPdfText(pdf: Buffer): Promise<string> {
  return (await pdfText(pdf)).text;
}
