// `hotline user …`: the administrator's account work on the server itself (the first
// administrator's forgotten password included), through the same service as the API.
//   user list
//   user add --username op33 --name 接线员33 --role operator --unit center [--extension 1033]
//   user reset-password USERNAME
//   user disable USERNAME | user enable USERNAME
//   user unlock USERNAME   (lift a login lock after too many failed logins)
import { Knex } from 'knex';
import { AccountService } from '../services/accounts';
import { findUserByUsername, User } from '../../storage/directory';
import { InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import type { CliIo } from './main';

export const USER_USAGE = '用户账号：hotline user list | add --username 名 --name 姓名 --role 角色 --unit 单位 [--extension 分机] | reset-password 用户名 | disable 用户名 | enable 用户名 | unlock 用户名（解除登录锁定）';

type Options = (args: string[], known: string[], io: CliIo) => Record<string, string> | null;

export async function runUserCli(args: string[], io: CliIo, withDb: <T>(fn: (db: Knex) => Promise<T>) => Promise<T>, options: Options): Promise<number> {
  const [verb, ...rest] = args;
  const byName = async (db: Knex): Promise<User> => {
    if (rest.length !== 1) throw new InvalidInput(`用法：hotline user ${verb} 用户名`);
    const u = await findUserByUsername(db, rest[0]);
    if (!u) throw new NotFound(`没有用户 ${rest[0]}`);
    return u;
  };
  const showPassword = (u: User, password: string) => {
    io.out(`${u.username}（${u.displayName}）的一次性密码，只显示这一次，请当面或电话交给本人；本人登录后请改为自己的密码：`);
    io.out(password);
  };
  try {
    return await withDb(async (db) => {
      const accounts = new AccountService({ db, now: () => new Date() });
      switch (verb) {
        case 'list': {
          for (const u of await accounts.list()) {
            io.out([u.username, u.displayName, u.role, u.unit, u.extension ?? '-', u.active ? '启用' : '停用', u.initialPassword ? '初始密码' : ''].join('\t').trimEnd());
          }
          return 0;
        }
        case 'add': {
          const o = options(rest, ['username', 'name', 'role', 'unit', 'extension'], io);
          if (!o) return 2;
          const { user, password } = await accounts.create({ username: o.username, displayName: o.name, role: o.role, unit: o.unit, extension: o.extension }, null);
          io.out(`已新建用户 ${user.username}（${user.displayName}）`);
          showPassword(user, password);
          return 0;
        }
        case 'reset-password': {
          const { user, password } = await accounts.resetPassword((await byName(db)).id, null);
          showPassword(user, password);
          return 0;
        }
        case 'disable':
        case 'enable': {
          const { user } = await accounts.update((await byName(db)).id, { active: verb === 'enable' }, null);
          io.out(`${user.username}（${user.displayName}）已${user.active ? '启用' : '停用'}`);
          return 0;
        }
        case 'unlock': {
          const user = await accounts.unlock((await byName(db)).id, null);
          io.out(`${user.username}（${user.displayName}）的登录锁定已解除`);
          return 0;
        }
        default:
          io.err(USER_USAGE);
          return 2;
      }
    });
  } catch (e) {
    if (e instanceof InvalidInput || e instanceof TransitionRefused || e instanceof NotFound) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
