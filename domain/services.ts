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
