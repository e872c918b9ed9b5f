// User accounts: an administrator creates users, changes their role, unit or extension,
// disables them and resets forgotten passwords; every user chooses their own password.
// Used by the HTTP API (/api/me/password, /api/admin/users) and by `hotline user`.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { z } from 'zod';
import { hash, verify } from '@node-rs/argon2';
import * as dir from '../../storage/directory';
import { isUniqueViolation } from '../../storage/db';
import { parseOrThrow } from '../../workflow/intake';
import { InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import type { Role } from '../../workflow/types';
import { LoginLimits } from './login-limits';
import { guessablePassword } from '../common-passwords';
import { DEFAULT_DEMO_PASSWORD } from './demo-secrets';
import { limitKey } from '../login-rules';

/** A user as the administrator sees them: with the end of their account's login lock, if locked. */
export type AdminUser = dir.User & { loginLockedUntil: string | null };

/** The roles a person can have ('system' is the server itself). */
export const ACCOUNT_ROLES = ['operator', 'supervisor', 'unit_handler', 'leader', 'admin'] as const satisfies readonly Role[];

/** Which kind of unit each role belongs to (city/demo/units.json). */
const UNIT_KINDS: Record<(typeof ACCOUNT_ROLES)[number], string[]> = {
  operator: ['center'], supervisor: ['center'], admin: ['center'], leader: ['leader'], unit_handler: ['department', 'town'],
};
const ROLE_NAMES: Record<string, string> = { operator: '接线员', supervisor: '值班长', admin: '系统管理员', leader: '市领导', unit_handler: '承办单位' };

export const PASSWORD_MIN_LENGTH = 8;

/**
 * What is wrong with a password a person chose (empty: acceptable): at least 8 characters
 * of at least three kinds (lower case, upper case, digits, other signs), as the MLPS 2.0
 * (等保 2.0) baseline asks, not containing the user name, and not one people guess first
 * (a common or leaked password, the demo password, this system's name, the user's own name in
 * pinyin: common-passwords.ts).
 */
export function passwordProblems(password: string, username: string, demoPasswords: string[] = [DEFAULT_DEMO_PASSWORD], displayName = ''): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`至少 ${PASSWORD_MIN_LENGTH} 个字符`);
  if (password.length > 200) problems.push('不超过 200 个字符');
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) problems.push('须含小写字母、大写字母、数字、符号中的至少三种');
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('不能包含用户名');
  const guessable = guessablePassword(password, demoPasswords, displayName);
  if (guessable) problems.push(guessable);
  return problems;
}

const READABLE = { lower: 'abcdefghijkmnpqrstuvwxyz', upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ', digit: '23456789' };

/** A one-time password an administrator hands over: 3 groups of 4 readable characters, e.g. "k7Rm-Xa3q-9Pzt". */
export function oneTimePassword(random: (n: number) => number = crypto.randomInt): string {
  const all = READABLE.lower + READABLE.upper + READABLE.digit;
  for (;;) {
    const groups = [0, 1, 2].map(() => Array.from({ length: 4 }, () => all[random(all.length)]).join(''));
    const p = groups.join('-');
    if (/[a-z]/.test(p) && /[A-Z]/.test(p) && /[0-9]/.test(p)) return p;
  }
}

const username = z.string().trim().regex(/^[a-z][a-z0-9_.-]{1,59}$/, '以小写字母开头，只含小写字母、数字和 _ . -，2–60 位');
const displayName = z.string().trim().min(1, '不能为空').max(100);
const extension = z.string().trim().regex(/^\d{2,10}$/, '分机号为 2–10 位数字').nullable();

export const newUserBody = z
  .object({ username, displayName, role: z.enum(ACCOUNT_ROLES), unit: z.string().trim().min(1).max(40), extension: extension.optional() })
  .strict();

export const userPatchBody = z
  .object({ displayName: displayName.optional(), role: z.enum(ACCOUNT_ROLES).optional(), unit: z.string().trim().min(1).max(40).optional(), extension: extension.optional(), active: z.boolean().optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, '没有要修改的内容');

export const passwordChangeBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().max(200) }).strict();

export class AccountService {
  private readonly limits: LoginLimits;

  /** `demoPasswords`: this installation's demo passwords, which nobody may choose (default: the default demo password). */
  constructor(private readonly o: { db: Knex; now: () => Date; demoPasswords?: string[] }) {
    this.limits = new LoginLimits(o.db);
  }

  async list(): Promise<AdminUser[]> {
    const users = await dir.listUsers(this.o.db);
    const locked = await this.limits.lockedUntil(users.map((u) => limitKey.account(u.username)), this.o.now().getTime());
    return users.map((u) => this.withLock(u, locked));
  }

  private withLock(u: dir.User, locked: Map<string, number>): AdminUser {
    const until = locked.get(limitKey.account(u.username));
    return { ...u, loginLockedUntil: until ? new Date(until).toISOString() : null };
  }

  /**
   * An administrator lifts a user's login locks at once (their account's and their browsers'):
   * the user asked by phone, the administrator knows them — no CAPTCHA. Audited.
   */
  async unlock(id: number, actorId: number | null): Promise<AdminUser> {
    const user = await this.get(id);
    const keys = [limitKey.account(user.username), ...(await dir.devicesOf(this.o.db, id)).map(limitKey.device)];
    const at = this.o.now();
    const was = await this.limits.lockedUntil(keys, at.getTime());
    await this.o.db.transaction(async (trx) => {
      await trx('login_limits').whereIn('key', keys).delete();
      await dir.recordUnlock(trx, id, actorId, { wasLocked: was.size > 0 }, at);
    });
    return { ...user, loginLockedUntil: null };
  }

  async get(id: number): Promise<dir.User> {
    const u = await dir.getUser(this.o.db, id);
    if (!u) throw new NotFound(`用户 ${id} 不存在`);
    return u;
  }

  events(id: number): Promise<dir.UserEvent[]> {
    return dir.listUserEvents(this.o.db, id);
  }

  /** A user changes their own password; their other sessions end, `keepSession` (the one in use) stays. */
  async changeOwnPassword(user: dir.User, body: unknown, keepSession?: string): Promise<void> {
    const { currentPassword, newPassword } = parseOrThrow(passwordChangeBody, body, '修改密码');
    const stored = await dir.findUserForLogin(this.o.db, user.username);
    if (!stored || !(await verify(stored.passwordHash, currentPassword))) {
      throw new InvalidInput('当前密码不正确', [{ field: 'currentPassword', message: '当前密码不正确' }]);
    }
    const problems = passwordProblems(newPassword, user.username, this.o.demoPasswords, user.displayName);
    if (newPassword === currentPassword) problems.push('不能与当前密码相同');
    if (problems.length) throw new InvalidInput(`新密码${problems.join('；')}`, problems.map((message) => ({ field: 'newPassword', message })));
    const passwordHash = await hash(newPassword);
    await this.o.db.transaction((trx) => dir.setPassword(trx, user.id, passwordHash, this.o.now(), { chosenByUser: true, actorId: user.id, keepSession }));
  }

  /** A new user with a one-time password (returned once, never stored in clear). */
  async create(body: unknown, actorId: number | null): Promise<{ user: dir.User; password: string }> {
    const input = parseOrThrow(newUserBody, body, '新用户');
    const u: dir.NewUser = { ...input, extension: input.extension ?? null };
    await this.checkPlacement(u.role, u.unit);
    if (await dir.findUserByUsername(this.o.db, u.username)) throw new TransitionRefused(`用户名 ${u.username} 已被使用`, 'username_taken');
    if (u.extension) await this.checkExtension(u.extension, null);
    const password = oneTimePassword();
    const passwordHash = await hash(password);
    try {
      const user = await this.o.db.transaction((trx) => dir.insertUser(trx, u, passwordHash, this.o.now(), actorId));
      return { user, password };
    } catch (e) {
      // Two administrators created the same user name at the same moment.
      if (isUniqueViolation(e)) throw new TransitionRefused(`用户名 ${u.username} 已被使用`, 'username_taken');
      throw e;
    }
  }

  /** Change a user's name, role, unit, extension or active flag; returns the user before and after. An administrator cannot lock themselves out. */
  async update(id: number, body: unknown, actorId: number | null): Promise<{ before: dir.User; user: dir.User }> {
    const patch = parseOrThrow(userPatchBody, body, '用户信息');
    const before = await this.get(id);
    if (actorId === id && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
      throw new TransitionRefused('不能停用自己的账号或取消自己的管理员角色（请另一位管理员操作）', 'self_lockout');
    }
    const role = patch.role ?? before.role;
    const unit = patch.unit ?? before.unit;
    if (patch.role || patch.unit) await this.checkPlacement(role, unit);
    const ext = patch.extension === undefined ? before.extension : patch.extension;
    if (ext && (patch.extension !== undefined || patch.active === true)) await this.checkExtension(ext, id);
    const user = await this.o.db.transaction((trx) => dir.updateUser(trx, before, patch, this.o.now(), actorId));
    return { before, user };
  }

  /** A forgotten password: a new one-time password; the user's sessions end and the desk asks them to choose their own. */
  async resetPassword(id: number, actorId: number | null): Promise<{ user: dir.User; password: string }> {
    await this.get(id); // 404 for an unknown user, before anything is written
    const password = oneTimePassword();
    const passwordHash = await hash(password);
    await this.o.db.transaction((trx) => dir.setPassword(trx, id, passwordHash, this.o.now(), { chosenByUser: false, actorId }));
    return { user: await this.get(id), password };
  }

  private async checkPlacement(role: Role, unitCode: string): Promise<void> {
    const unit = (await dir.listUnits(this.o.db)).find((x) => x.code === unitCode);
    if (!unit || !unit.active) throw new InvalidInput(`单位「${unitCode}」不存在或已停用`, [{ field: 'unit', message: '不存在的单位' }]);
    const kinds = UNIT_KINDS[role as keyof typeof UNIT_KINDS];
    if (kinds && !kinds.includes(unit.kind)) {
      throw new InvalidInput(`${ROLE_NAMES[role] ?? role}不能属于「${unit.name}」`, [{ field: 'unit', message: '角色与单位不符' }]);
    }
  }

  private async checkExtension(extension: string, exceptId: number | null): Promise<void> {
    const other = await dir.userWithExtension(this.o.db, extension, exceptId);
    if (other) throw new TransitionRefused(`分机号 ${extension} 已分配给 ${other.displayName}（${other.username}）`, 'extension_taken');
  }
}
