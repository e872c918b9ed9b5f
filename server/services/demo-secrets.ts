// Reads which demo secrets are still active (the rules of what that means for the start-up
// and the desk: server/security-mode.ts). An account is on a demo password while it has not
// changed the one the demo seed gave it (users.password_origin 'demo'); for accounts from
// before that column (null) the stored hash is verified against the demo passwords (the seed
// gave all its users one hash: one verification per distinct hash, remembered). A demo
// Open311 key is found by its hash.
import { Knex } from 'knex';
import { verify } from '@node-rs/argon2';
import { sha256 } from '../../storage/directory';
import { DemoSecrets } from '../security-mode';

/** The demo password when HOTLINE_DEMO_PASSWORD is not set (README, config.ts). */
export const DEFAULT_DEMO_PASSWORD = 'hotline-demo';

/** How many verifications run at once (argon2 runs on libuv's thread pool). */
const PARALLEL = 4;

export class DemoSecretsProbe {
  private readonly demoHash = new Map<string, Promise<boolean>>();
  private readonly keysByHash: Map<string, string>;

  constructor(private readonly db: Knex, private readonly passwords: string[], demoKeys: string[]) {
    this.keysByHash = new Map(demoKeys.map((k) => [sha256(k), k]));
  }

  private isDemoHash(passwordHash: string): Promise<boolean> {
    let known = this.demoHash.get(passwordHash);
    if (!known) {
      known = (async () => {
        for (const p of this.passwords) if (await verify(passwordHash, p).catch(() => false)) return true;
        return false;
      })();
      this.demoHash.set(passwordHash, known);
    }
    return known;
  }

  async read(): Promise<DemoSecrets> {
    const users = await this.db('users').where({ active: true }).whereNull('password_changed_at').orderBy('id').select('username', 'password_hash', 'password_origin');
    // The demo seed's password is known by its origin; rows from before migration 101 by verifying their hash.
    const unknown = [...new Set(users.filter((u) => u.password_origin == null).map((u) => u.password_hash as string))];
    for (let i = 0; i < unknown.length; i += PARALLEL) await Promise.all(unknown.slice(i, i + PARALLEL).map((h) => this.isDemoHash(h)));
    const passwordUsers: string[] = [];
    for (const u of users) {
      if (u.password_origin === 'demo' || (u.password_origin == null && (await this.isDemoHash(u.password_hash)))) passwordUsers.push(u.username);
    }
    const keys = this.keysByHash.size
      ? await this.db('api_clients').where({ active: true }).whereIn('key_hash', [...this.keysByHash.keys()]).orderBy('id').select('key_hash')
      : [];
    return { passwordUsers, apiKeys: keys.map((k) => this.keysByHash.get(k.key_hash)!) };
  }
}
