// Art. 7.3: the user keeps his contact data current — the e-mail address the counter's alerts
// go to and the postal address its registered letters go to. Alerts and letters read the
// register entry when they are sent, so a change applies to the next one. Each change is
// kept with what it replaced (evidence of the contract), audited without the values.
import { randomUUID } from 'node:crypto';
import type { Db } from '../infra/db';
import { writeAudit } from '../records/audit';
import { actorOf, type Caller } from './caller';
import { invalidField } from './errors';
import { requireAccess } from './policy';

export interface ContactData {
  email: string;
  address: { street: string; postCode: string; locality: string };
  commune: string;
}

export function contactUseCases({ db }: { db: Db }) {
  async function me(caller: Caller) {
    const u = await db.registeredUser.findUnique({ where: { sub: caller.principal.sub } });
    requireAccess(caller.principal, 'act-as-person', u && { type: 'contract', userSub: u.sub }, 'user');
    return u!;
  }
  const view = (u: { email: string; street: string; postCode: string; locality: string; commune: string }): ContactData => ({
    email: u.email,
    address: { street: u.street, postCode: u.postCode, locality: u.locality },
    commune: u.commune,
  });

  return {
    async get(caller: Caller): Promise<ContactData> {
      return view(await me(caller));
    },

    /** Replaces what is given; what is not given stays. The same data again changes nothing. */
    async update(caller: Caller, input: Partial<ContactData>): Promise<ContactData> {
      if (!input.email && !input.address && !input.commune) throw invalidField('(root)', 'give email, address or commune', 'nothing to change');
      const u = await me(caller);
      const previous = view(u);
      const current: ContactData = {
        email: input.email ?? previous.email,
        address: input.address ?? previous.address,
        commune: input.commune ?? previous.commune,
      };
      if (JSON.stringify(current) === JSON.stringify(previous)) return previous;
      await db.$transaction(async (tx) => {
        await tx.registeredUser.update({
          where: { id: u.id },
          data: {
            email: current.email,
            street: current.address.street,
            postCode: current.address.postCode,
            locality: current.address.locality,
            commune: current.commune,
          },
        });
        const change = await tx.contactChange.create({
          data: {
            id: randomUUID(),
            userId: u.id,
            changedBy: caller.principal.sub,
            requestId: caller.requestId,
            previous: { ...previous },
            current: { ...current },
          },
        });
        const what = (['email', 'address', 'commune'] as const).filter((k) => JSON.stringify(current[k]) !== JSON.stringify(previous[k])).join('+');
        await writeAudit(tx, { ...actorOf(caller), action: `contact.changed.${what}`, recordType: 'contact-change', recordId: change.id });
      });
      return current;
    },
  };
}
