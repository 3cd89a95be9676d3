// A person's representation, for the Chancellery on their case (Art. 9, 12): the proxies the
// person gave and received, and the legal entities the person acts for, with the role and
// services of each. Read across records, each read written to the access log.
import type { Db } from '../infra/db';
import { writeAccessLog } from '../records/access-log';
import { readerOf, type Caller } from './caller';
import type { MemberRole } from './entities';
import { requireAccess } from './policy';
import { proxyView, type ProxyView } from './proxies';

export interface RepresentedEntity {
  uid: string;
  name: string;
  role: MemberRole;
  /** An employee's services (signatories and the administrator act for every service) */
  services: string[];
  status: 'active' | 'blocked';
}

export interface Representation {
  /** Given and received, newest first */
  proxies: ProxyView[];
  entities: RepresentedEntity[];
}

const LIMIT = 100;

export function personRepresentationUseCases({ db }: { db: Db }) {
  return {
    async of(caller: Caller, sub: string): Promise<Representation> {
      requireAccess(caller.principal, 'read-personal-data', { type: 'representation', sub }, 'person');
      const [proxies, members] = await Promise.all([
        db.proxy.findMany({ where: { OR: [{ grantorSub: sub }, { representativeSub: sub }] }, orderBy: { offeredAt: 'desc' }, take: LIMIT }),
        db.entityMember.findMany({
          where: { sub },
          include: { entity: { select: { uid: true, name: true } } },
          orderBy: { addedAt: 'asc' },
          take: LIMIT,
        }),
      ]);
      await writeAccessLog(db, {
        ...readerOf(caller),
        action: 'read.representation',
        recordType: 'person',
        recordId: sub,
        purpose: 'the Chancellery sees whom the person represents and who represents them, on their case (Art. 9, 12)',
      });
      return {
        proxies: proxies.map(proxyView),
        entities: members.map((m) => ({
          uid: m.entity.uid,
          name: m.entity.name,
          role: m.role as MemberRole,
          services: m.services,
          status: m.status as 'active' | 'blocked',
        })),
      };
    },
  };
}

export type PersonRepresentationUseCases = ReturnType<typeof personRepresentationUseCases>;
