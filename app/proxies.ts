// Proxies (Art. 9.1-9.3): a user grants another identified user a proxy for named services,
// optionally until a day; the representative accepts it with his own identity; the
// represented person revokes it at any time, with immediate effect. Every act on behalf
// checks the proxy's row at that moment (no cached grant survives a revocation).
import { randomUUID } from 'node:crypto';
import { localDay } from '../domain/days';
import { profiles, type CantonCode } from '../domain/profiles';
import { needsWrittenProxy } from '../domain/representation';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import type { ProxyForm, ProxyStatus } from '../workflows/proxy/types';
import { actorOf, type Caller } from './caller';
import { AppError, invalidField, notFound } from './errors';
import type { ProxyGateway } from './gateways/proxy';

export interface ProxyView {
  proxyId: string;
  grantorSub: string;
  representativeSub: string;
  /** Empty: every delegable service. */
  services: string[];
  /** Whether he may read her decisions and take cognizance of them (Art. 16.4 applies to him). */
  decisions: boolean;
  until?: string;
  status: ProxyStatus;
  /** electronic (Art. 9.2); written-legalised (NE unrestricted, LGSU Art. 22 al. 3); legal-representation (9.5); written-contract (9.4) */
  form: ProxyForm;
  /** Revoked by a written request the Chancellery recorded (LGSU Art. 22 al. 4) */
  writtenRevocation?: { receivedOn: string; from: 'grantor' | 'representative' };
  offeredAt: string;
  acceptedAt?: string;
  endedAt?: string;
}

type Row = Awaited<ReturnType<Db['proxy']['findUniqueOrThrow']>>;

export const proxyView = (r: Row): ProxyView => ({
  proxyId: r.id,
  grantorSub: r.grantorSub,
  representativeSub: r.representativeSub,
  services: r.services,
  decisions: r.decisions,
  until: r.until ?? undefined,
  status: r.status as ProxyStatus,
  form: r.form as ProxyForm,
  writtenRevocation: r.writtenRevocation
    ? (({ receivedOn, from }) => ({ receivedOn, from }))(r.writtenRevocation as { receivedOn: string; from: 'grantor' | 'representative' })
    : undefined,
  offeredAt: r.offeredAt.toISOString(),
  acceptedAt: r.acceptedAt?.toISOString(),
  endedAt: r.endedAt?.toISOString(),
});

export function proxyUseCases({ db, proxies, canton, now = () => new Date() }: { db: Db; proxies: ProxyGateway; canton: CantonCode; now?: () => Date }) {
  const today = () => localDay(now(), profiles[canton].timeZone);

  async function mine(caller: Caller, proxyId: string, side: 'grantorSub' | 'representativeSub'): Promise<Row> {
    const row = await db.proxy.findUnique({ where: { id: proxyId } });
    if (!row || row[side] !== caller.principal.sub) throw notFound('proxy');
    return row;
  }

  return {
    /** Art. 9.1: offer a proxy to another user of the counter. */
    async grant(caller: Caller, input: { representativeSub: string; services: string[]; decisions?: boolean; until?: string }): Promise<ProxyView> {
      const grantor = caller.principal.sub;
      if (input.representativeSub === grantor) throw invalidField('representativeSub', 'a proxy is given to someone else');
      if (input.until && input.until < today()) throw invalidField('until', 'must be today or later');
      const users = await db.registeredUser.findMany({ where: { sub: { in: [grantor, input.representativeSub] } }, select: { sub: true } });
      if (!users.some((u) => u.sub === grantor)) throw new AppError(403, 'no_contract', 'a proxy is given by a user of the counter');
      if (!users.some((u) => u.sub === input.representativeSub))
        throw new AppError(422, 'unprocessable', 'the representative must be an identified user of the counter', [
          { path: 'representativeSub', issue: 'not a user of the counter' },
        ]);
      const id = randomUUID();
      const services = [...new Set(input.services)].sort();
      // NE 3.2 (LGSU Art. 22 al. 3): unrestricted, it is in force only once the written, legalised proxy is recorded.
      const inWriting = needsWrittenProxy(profiles[canton], services);
      const row = await db.proxy.create({
        data: {
          id,
          canton,
          grantorSub: grantor,
          representativeSub: input.representativeSub,
          services,
          decisions: input.decisions ?? false,
          until: input.until,
          status: 'offered',
          offeredAt: now(),
          form: inWriting ? 'written-legalised' : 'electronic',
        },
      });
      try {
        await proxies.start({ proxyId: id, canton, offeredAt: row.offeredAt.toISOString(), until: input.until, unrestricted: services.length === 0 });
      } catch (err) {
        await db.proxy.delete({ where: { id } }); // nothing half-written: without its process, no proxy
        throw err;
      }
      await writeAudit(db, { ...actorOf(caller), action: 'proxy.offered', recordType: 'proxy', recordId: id });
      return proxyView(row);
    },

    /** The representative accepts it, with his own identity (his own token). */
    async accept(caller: Caller, proxyId: string): Promise<ProxyView> {
      await mine(caller, proxyId, 'representativeSub');
      await proxies.accept(proxyId, caller.principal.sub);
      return proxyView(await db.proxy.findUniqueOrThrow({ where: { id: proxyId } }));
    },

    /** Art. 9.3: the represented person revokes it; the row says so before this answers. */
    async revoke(caller: Caller, proxyId: string): Promise<ProxyView> {
      await mine(caller, proxyId, 'grantorSub');
      await proxies.revoke(proxyId, caller.principal.sub);
      return proxyView(await db.proxy.findUniqueOrThrow({ where: { id: proxyId } }));
    },

    /**
     * LGSU Art. 22 al. 4: the Chancellery records a written request of either party to revoke a
     * proxy (any proxy; for an NE unrestricted one, the only way), with immediate effect.
     */
    async revokeInWriting(caller: Caller, proxyId: string, input: { receivedOn: string; from: 'grantor' | 'representative' }): Promise<ProxyView> {
      const row = await db.proxy.findUnique({ where: { id: proxyId }, select: { id: true } });
      if (!row) throw notFound('proxy');
      if (input.receivedOn > today()) throw invalidField('receivedOn', 'in the future: the day the written request arrived');
      await proxies.revokeInWriting(proxyId, { by: caller.principal.sub, ...input });
      await writeAudit(db, { ...actorOf(caller), action: `proxy.written-revocation.${input.from}`, recordType: 'proxy', recordId: proxyId });
      return proxyView(await db.proxy.findUniqueOrThrow({ where: { id: proxyId } }));
    },

    /** Proxies I gave and proxies given to me. */
    async list(caller: Caller): Promise<ProxyView[]> {
      const sub = caller.principal.sub;
      const rows = await db.proxy.findMany({ where: { OR: [{ grantorSub: sub }, { representativeSub: sub }] }, orderBy: { offeredAt: 'desc' }, take: 100 });
      return rows.map(proxyView);
    },

    /**
     * An act of `caller` for `grantorSub` on `service`, allowed now only by an active proxy that
     * covers it and has not passed its last day: 403 with the reason otherwise.
     */
    async requireProxy(caller: Caller, grantorSub: string, service: string | { decisions: true }): Promise<void> {
      const rows = await db.proxy.findMany({ where: { grantorSub, representativeSub: caller.principal.sub }, orderBy: { offeredAt: 'desc' } });
      const day = today();
      const covers = (r: Row) => (typeof service === 'string' ? r.services.length === 0 || r.services.includes(service) : r.decisions);
      if (rows.some((r) => r.status === 'active' && covers(r) && (!r.until || r.until >= day))) return;
      const latest = rows.find(covers) ?? rows[0];
      const reason = !latest
        ? 'this person has given you no proxy'
        : !covers(latest)
          ? typeof service === 'string'
            ? `your proxy does not cover the service ${service}`
            : "your proxy does not cover the person's decisions"
          : latest.status === 'awaiting-written-proxy'
            ? 'your proxy is in force once the Chancellery has recorded the written proxy with a legalised signature (LGSU Art. 22 al. 3)'
            : latest.status === 'active' || latest.status === 'expired'
              ? `your proxy expired (its last day was ${latest.until})`
              : latest.status === 'offered'
                ? 'you have not accepted this proxy yet'
                : `your proxy was ${latest.status}${latest.endedAt ? ` on ${latest.endedAt.toISOString()}` : ''}`;
      throw new AppError(403, 'no_proxy', `you may not act for this person: ${reason}`);
    },
  };
}

export type ProxyUseCases = ReturnType<typeof proxyUseCases>;
