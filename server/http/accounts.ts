// Accounts over HTTP: every user changes their own password; administrators manage users.
import { Router } from 'express';
import { Knex } from 'knex';
import { AccountService } from '../services/accounts';
import { actorOf, forgetUserSessions, requireRole } from './auth';
import { InvalidInput } from '../../workflow/errors';
import { idParam } from '../../workflow/intake';
import type { User } from '../../storage/directory';

const idOf = (raw: string | string[]): number => {
  const r = idParam.safeParse(raw);
  if (!r.success) throw new InvalidInput(`用户编号「${String(raw).slice(0, 40)}」无效`, [{ field: 'id', message: '须为正整数' }]);
  return r.data;
};

/**
 * `onUserChanged`: after a user was created (`before` null) or changed, e.g. so that their
 * extension joins or leaves the switch's queue. `onAccountChanged`: after anything about a user
 * changed (role, unit, extension, active, password), so that every server reads them again
 * (their sessions here at once; their push sockets: agent-desk/hub.ts).
 */
export function accountRoutes(
  db: Knex, now: () => Date,
  onUserChanged: (after: User, before: User | null) => void = () => undefined,
  onAccountChanged: (userId: number) => void = () => undefined,
  demoPasswords?: string[],
): Router {
  const accounts = new AccountService({ db, now, demoPasswords });
  const r = Router();
  const changed = (id: number) => {
    forgetUserSessions(id);
    onAccountChanged(id);
  };

  r.put('/me/password', requireRole(), async (req, res) => {
    await accounts.changeOwnPassword(req.user!, req.body, req.sessionToken);
    changed(req.user!.id);
    res.status(204).end();
  });

  const admin = requireRole('admin');
  r.get('/admin/users', admin, async (_req, res) => {
    res.json({ users: await accounts.list() });
  });
  r.post('/admin/users', admin, async (req, res) => {
    const out = await accounts.create(req.body, actorOf(req).id);
    onUserChanged(out.user, null);
    res.status(201).json(out);
  });
  r.patch('/admin/users/:id', admin, async (req, res) => {
    const id = idOf(req.params.id);
    const { before, user } = await accounts.update(id, req.body, actorOf(req).id);
    changed(id);
    onUserChanged(user, before);
    res.json({ user });
  });
  r.post('/admin/users/:id/password-reset', admin, async (req, res) => {
    const id = idOf(req.params.id);
    const out = await accounts.resetPassword(id, actorOf(req).id);
    changed(id);
    res.json(out);
  });
  r.post('/admin/users/:id/unlock', admin, async (req, res) => {
    res.json({ user: await accounts.unlock(idOf(req.params.id), actorOf(req).id) });
  });
  r.get('/admin/users/:id/events', admin, async (req, res) => {
    const id = idOf(req.params.id);
    await accounts.get(id);
    res.json({ events: await accounts.events(id) });
  });
  return r;
}
