// Inbox views saved on the server per staff member: named filters that follow a person from
// one workstation to the next (a browser-only setting would not).
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { isUniqueViolation } from '../records/unique';
import type { Caller } from './caller';
import { AppError } from './errors';
import { requireAccess } from './policy';
import type { InboxFilters } from './tasks';

export const MAX_VIEWS_PER_USER = 50;

type Row = Prisma.SavedViewGetPayload<object>;
const view = (v: Row) => ({
  id: v.id,
  name: v.name,
  filters: v.filters as unknown as InboxFilters,
  createdAt: v.createdAt.toISOString(),
  updatedAt: v.updatedAt.toISOString(),
});

/** A write under the (owner, name) unique key: a name already taken is a 409 on `name`. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError(409, 'conflict', `you already have a view named "${name}"`, [{ path: 'name', issue: 'already used by another of your views' }]);
    throw err;
  }
}

export function viewUseCases({ db }: { db: Db }) {
  /** Another person's view is not there for you. */
  const mine = async (caller: Caller, id: string) => {
    const v = await db.savedView.findUnique({ where: { id } });
    requireAccess(caller.principal, 'act-as-person', v && { type: 'own', ownerSub: v.ownerSub }, 'view');
  };

  return {
    async list(caller: Caller) {
      return (await db.savedView.findMany({ where: { ownerSub: caller.principal.sub }, orderBy: { name: 'asc' } })).map(view);
    },
    async create(caller: Caller, input: { name: string; filters: InboxFilters }) {
      if ((await db.savedView.count({ where: { ownerSub: caller.principal.sub } })) >= MAX_VIEWS_PER_USER)
        throw new AppError(422, 'unprocessable', `at most ${MAX_VIEWS_PER_USER} views per person; delete one first`);
      return view(
        await uniqueName(input.name, () =>
          db.savedView.create({ data: { id: randomUUID(), ownerSub: caller.principal.sub, name: input.name, filters: { ...input.filters } } }),
        ),
      );
    },
    async update(caller: Caller, id: string, input: { name: string; filters: InboxFilters }) {
      await mine(caller, id);
      return view(await uniqueName(input.name, () => db.savedView.update({ where: { id }, data: { name: input.name, filters: { ...input.filters } } })));
    },
    async remove(caller: Caller, id: string) {
      await mine(caller, id);
      await db.savedView.delete({ where: { id } });
    },
  };
}
