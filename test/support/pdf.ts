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
  process.stdout.write(JSON.stringify({ pages: totalPages, text }));
});`;

/** The page texts joined, whitespace collapsed (a PDF has no notion of lines or words). */
export function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', EXTRACT], { cwd: join(__dirname, '..', '..'), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`PDF text extraction failed: ${stderr || err.message}`));
      const { pages, text } = JSON.parse(stdout) as { pages: number; text: string };
      resolve({ pages, text: text.replace(/\s+/g, ' ') });
    });
    child.stdin?.end(pdf);
  });
}


export async function extractPdfText(pdf: Buffer): Promise<string> {
  return (await pdfText(pdf)).text;
}
