// Who holds a contract: a person of the user register, or a legal entity (Art. 11). Mail
// and letters about the contract go to the holder's current address (Art. 7.3).

/** The `include` that brings a contract's holder, whichever it is. */
export const HOLDER = {
  user: { select: { sub: true, firstName: true, lastName: true, email: true } },
  entity: { select: { sub: true, name: true, email: true } },
} as const;

export interface Holder {
  sub: string;
  /** Empty for an entity: its name stands alone in greetings */
  firstName: string;
  lastName: string;
  email: string;
}

type WithHolder = {
  id: string;
  user: { sub: string; firstName: string; lastName: string; email: string } | null;
  entity: { sub: string; name: string; email: string } | null;
};

export function holderOf(c: WithHolder): Holder {
  if (c.user) return { sub: c.user.sub, firstName: c.user.firstName, lastName: c.user.lastName, email: c.user.email };
  if (c.entity) return { sub: c.entity.sub, firstName: '', lastName: c.entity.name, email: c.entity.email };
  throw new Error(`contract ${c.id} has no holder`);
}
