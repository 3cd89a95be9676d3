// The catalogue of services (Art. 14-15): listed for everyone signed in, managed by the
// Chancellery and by each service's owning unit. A service's form is a JSON Schema, checked
// when it is stored (it must compile) so that a submission is never validated against a
// broken one. An unknown unit is 422, never a service nobody serves.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Prisma } from '../generated/prisma/client';
import { toCents, toChf, type ServiceAccess, type ServiceEntry } from '../domain/services';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { AppError, forbidden, notFound } from './errors';
import type { SensitiveServices } from './transaction-codes';

/** What the Chancellery or the unit gives: the entry without its id and time. */
export type ServiceInput = Omit<ServiceEntry, 'id' | 'updatedAt'>;

type Row = NonNullable<Awaited<ReturnType<Db['service']['findUnique']>>>;

const view = (r: Row): ServiceEntry => ({
  id: r.id,
  unitId: r.unitId,
  domain: r.domain,
  title: { fr: r.titleFr, de: r.titleDe },
  access: r.access as ServiceAccess,
  delegable: r.delegable,
  adultsOnly: r.adultsOnly,
  feeChf: r.feeCents === null ? null : toChf(r.feeCents),
  sensitive: r.sensitive,
  formSchema: (r.formSchema as Record<string, unknown> | null) ?? null,
  updatedAt: r.updatedAt.toISOString(),
});

/** The schema's problems as the API's details (path formSchema…); empty: it compiles. */
export function formSchemaIssues(schema: Record<string, unknown>): { path: string; issue: string }[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  try {
    ajv.compile(schema);
    return [];
  } catch (err) {
    return [{ path: 'formSchema', issue: `not a valid JSON Schema (2020-12): ${(err as Error).message.slice(0, 300)}` }];
  }
}

export function serviceUseCases({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
  /** The Chancellery manages every service; a unit its own, in its own domains. */
  function mayManage(caller: Caller, unitId: string, domain: string): void {
    const p = caller.principal;
    if (p.role === 'chancellery') return;
    if (p.role === 'unit' && p.unitId === unitId && p.domains.includes(domain)) return;
    throw forbidden(p.role === 'unit' ? 'a unit manages its own services, in its own domains' : 'the Chancellery or the owning unit manages a service');
  }

  return {
    async list(q: { unitId?: string; domain?: string }): Promise<ServiceEntry[]> {
      const rows = await db.service.findMany({ where: { unitId: q.unitId, domain: q.domain }, orderBy: { id: 'asc' } });
      return rows.map(view);
    },

    async get(id: string): Promise<ServiceEntry> {
      const row = await db.service.findUnique({ where: { id } });
      if (!row) throw notFound('service');
      return view(row);
    },

    /** Creates or replaces the service (201: created, 200: replaced). A unit may not hand its service to another. */
    async put(caller: Caller, id: string, input: ServiceInput): Promise<{ created: boolean; service: ServiceEntry }> {
      mayManage(caller, input.unitId, input.domain);
      const unit = await db.unit.findUnique({ where: { id: input.unitId }, select: { id: true } });
      if (!unit) throw new AppError(422, 'unknown_unit', 'no such unit: a service needs a unit that serves it', [{ path: 'unitId', issue: 'unknown unit' }]);
      if (input.formSchema) {
        const issues = formSchemaIssues(input.formSchema);
        if (issues.length) throw new AppError(400, 'validation_failed', 'the form is not a valid JSON Schema', issues);
      }
      const before = await db.service.findUnique({ where: { id } });
      if (before) mayManage(caller, before.unitId, before.domain);
      const data = {
        unitId: input.unitId,
        domain: input.domain,
        titleFr: input.title.fr,
        titleDe: input.title.de,
        access: input.access,
        delegable: input.delegable,
        adultsOnly: input.adultsOnly,
        feeCents: input.feeChf === null ? null : toCents(input.feeChf),
        sensitive: input.sensitive,
        formSchema: input.formSchema ? (input.formSchema as Prisma.InputJsonObject) : Prisma.DbNull,
        updatedAt: now(),
        updatedBy: caller.principal.sub,
      };
      const row = await db.service.upsert({ where: { id }, create: { id, ...data }, update: data });
      await writeAudit(db, { ...actorOf(caller), action: before ? 'service.replaced' : 'service.created', recordType: 'service', recordId: id });
      return { created: !before, service: view(row) };
    },

    /** The catalogue's `sensitive` flag (NE 4.5) for the transaction codes; undefined: not in the catalogue. */
    sensitive: (async (service) => (await db.service.findUnique({ where: { id: service }, select: { sensitive: true } }))?.sensitive) as SensitiveServices,
  };
}

export type ServiceUseCases = ReturnType<typeof serviceUseCases>;
