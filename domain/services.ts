// The counter's catalogue of services (Art. 14-15): what a service is, as the engine knows it.
// Pure types and rules; the records are app/services.ts's.

/** Art. 14.1-14.2: a free service is open to every user at once; the others on request, decided by the owning unit. */
export const SERVICE_ACCESS = ['free', 'on-request'] as const;
export type ServiceAccess = (typeof SERVICE_ACCESS)[number];

/** A service's id: lower-case words joined by dashes ("extrait-casier-judiciaire"), no personal data. */
export const SERVICE_ID = /^[a-z0-9]+(?:-[a-z0-9]+){0,7}$/;

export interface ServiceEntry {
  id: string;
  /** The owning unit (a cantonal unit, or a commune as a unit of its own). */
  unitId: string;
  domain: string;
  title: { fr: string; de: string };
  access: ServiceAccess;
  /** Whether a representative may act in it (Art. 9). */
  delegable: boolean;
  adultsOnly: boolean;
  /** The fee in francs, to the centime (null: free of charge). */
  feeChf: number | null;
  /** NE 4.5: its transactions need a single-use transaction code. */
  sensitive: boolean;
  /** The JSON Schema (2020-12) its submissions' forms are validated against; null: it takes no form. */
  formSchema: Record<string, unknown> | null;
  updatedAt: string;
}

/** Francs to centimes and back, without floating-point drift (12.30 → 1230). */
export const toCents = (chf: number): number => Math.round(chf * 100);
export const toChf = (cents: number): number => cents / 100;

/** A transaction's receipt number: canton, year and a counter, e.g. "JU-2026-000042" (no personal data). */
export const receiptNumber = (canton: string, year: number, n: number | bigint): string => `${canton}-${year}-${String(n).padStart(6, '0')}`;

/**
 * What a file really is, from its first bytes (its declared type is the sender's word only):
 * PDF, PNG or JPEG; null for anything else.
 */
export function sniffContentType(bytes: Uint8Array): 'application/pdf' | 'image/png' | 'image/jpeg' | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return null;
}

export interface AttachmentRules {
  maxCount: number;
  maxBytes: number;
  contentTypes: readonly string[];
}

/** Each file's problems as the API's details (path attachments.N.…); empty: all acceptable. */
export function attachmentIssues(
  files: readonly { name: string; contentType: string; bytes: Uint8Array }[],
  rules: AttachmentRules,
  path = 'attachments',
): { path: string; issue: string }[] {
  const issues: { path: string; issue: string }[] = [];
  if (files.length > rules.maxCount) issues.push({ path, issue: `at most ${rules.maxCount} files` });
  files.forEach((f, i) => {
    if (!rules.contentTypes.includes(f.contentType))
      issues.push({ path: `${path}.${i}.contentType`, issue: `must be one of ${rules.contentTypes.join(', ')}` });
    if (f.bytes.length === 0) issues.push({ path: `${path}.${i}.content`, issue: 'the file is empty' });
    else if (f.bytes.length > rules.maxBytes)
      issues.push({ path: `${path}.${i}.content`, issue: `larger than ${Math.floor(rules.maxBytes / 1024 / 1024)} MiB` });
    else {
      const real = sniffContentType(f.bytes);
      if (real !== f.contentType) issues.push({ path: `${path}.${i}.content`, issue: `is not a ${f.contentType} file${real ? ` (it is ${real})` : ''}` });
    }
  });
  return issues;
}
