// Loads a city's configuration (units, users from templates, Open311 clients) from
// data files such as city/demo/. Idempotent: running it twice changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import { z } from 'zod';
import { hash } from '@node-rs/argon2';
import { ROLES, CHANNELS } from '../workflow/types';
import { createApiClient, sha256 } from './directory';

export const DEMO_CITY_DIR = path.resolve(__dirname, '../city/demo');

const unitsFile = z.object({
  version: z.number(),
  city: z.object({ name: z.string(), province: z.string(), timeZone: z.string(), hotline: z.string() }),
  units: z.array(
    z.object({
      code: z.string().regex(/^[a-z][a-z0-9_]*$/),
      name: z.string().min(1),
      kind: z.enum(['center', 'leader', 'department', 'town']),
      duty: z.string().optional(),
      townKind: z.enum(['town', 'street']).optional(),
      phone: z.string().optional(),
    }),
  ),
});

const usersFile = z.object({
  version: z.number(),
  templates: z.array(
    z.object({
      role: z.enum(ROLES),
      unit: z.string().optional(),
      unitKinds: z.array(z.enum(['department', 'town'])).optional(),
      count: z.number().int().min(1),
      username: z.string(),
      displayName: z.string(),
    }),
  ),
  apiClients: z.array(z.object({ name: z.string(), channel: z.enum(CHANNELS), demoKey: z.string().min(8) })).default([]),
});

export type CityConfig = z.infer<typeof unitsFile>;

export function readCity(dir = DEMO_CITY_DIR): CityConfig {
  const file = path.join(dir, 'units.json');
  const parsed = unitsFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} 格式有误：${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('；')}`);
  const codes = new Set<string>();
  for (const u of parsed.data.units) {
    if (codes.has(u.code)) throw new Error(`${file}：单位代码重复 ${u.code}`);
    codes.add(u.code);
  }
  return parsed.data;
}

export interface SeedResult {
  units: number;
  usersCreated: number;
  apiClientsCreated: number;
  /** With `oneTimePassword`: each new user's own password, to hand over once. */
  oneTimePasswords: Array<{ username: string; password: string }>;
}

/** The demo Open311 keys a city's users.json lists (their text is public: the demo's and any city's copy of it). */
export function demoApiKeys(dir = DEMO_CITY_DIR): string[] {
  const file = path.join(dir, 'users.json');
  if (!fs.existsSync(file)) return [];
  const parsed = usersFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data.apiClients.map((c) => c.demoKey) : [];
}

export interface SeedOptions {
  dir?: string;
  /** The one password every new user gets (the demo), unless `oneTimePassword` is given. */
  password: string;
  /** Production: each new user gets a password of their own from this (returned once), and no demo key is created. */
  oneTimePassword?: () => string;
  now?: Date;
}

export async function seedCity(db: Knex, opts: SeedOptions): Promise<SeedResult> {
  const dir = opts.dir ?? DEMO_CITY_DIR;
  const now = (opts.now ?? new Date()).toISOString();
  const city = readCity(dir);
  const users = usersFile.parse(JSON.parse(fs.readFileSync(path.join(dir, 'users.json'), 'utf8')));
  const sharedHash = opts.oneTimePassword ? null : await hash(opts.password);
  let usersCreated = 0;
  let apiClientsCreated = 0;
  const oneTimePasswords: SeedResult['oneTimePasswords'] = [];
  // Who the templates make, before the transaction: one-time passwords are hashed outside it.
  const existing = new Set((await db('users').select('username')).map((r) => r.username));
  const planned: Array<Record<string, unknown>> = [];
  for (const tpl of users.templates) {
    const targets = tpl.unitKinds
      ? city.units.filter((u) => tpl.unitKinds!.includes(u.kind as 'department' | 'town'))
      : [city.units.find((u) => u.code === tpl.unit)];
    for (const unit of targets) {
      if (!unit) throw new Error(`users.json：模板 ${tpl.username} 的单位 ${tpl.unit} 不存在`);
      for (let i = 1; i <= tpl.count; i++) {
        const nn = String(i).padStart(2, '0');
        const fill = (s: string) => s.replace('{nn}', nn).replace('{unit}', unit.code).replace('{unitName}', unit.name);
        const username = fill(tpl.username);
        if (existing.has(username)) continue;
        existing.add(username);
        planned.push({
          username,
          display_name: fill(tpl.displayName),
          role: tpl.role,
          unit_code: unit.code,
          // Phones on the switch: operators 1001…, supervisors 2001… (transfers to a supervisor).
          extension: tpl.role === 'operator' ? String(1000 + i) : tpl.role === 'supervisor' ? String(2000 + i) : null,
          active: true,
          created_at: now,
        });
      }
    }
  }
  for (let i = 0; i < planned.length; i += 4) {
    await Promise.all(planned.slice(i, i + 4).map(async (u) => {
      u.password_origin = sharedHash ? 'demo' : 'one_time';
      if (sharedHash) return void (u.password_hash = sharedHash);
      const password = opts.oneTimePassword!();
      u.password_hash = await hash(password);
      oneTimePasswords.push({ username: u.username as string, password });
    }));
  }
  await db.transaction(async (trx) => {
    for (const u of city.units) {
      await trx('units')
        .insert({ code: u.code, name: u.name, kind: u.kind, duty: u.duty ?? null, phone: u.phone ?? null, active: true })
        .onConflict('code')
        .merge(['name', 'kind', 'duty', 'phone']);
    }
    for (const u of planned) {
      await trx('users').insert(u);
      usersCreated++;
    }
    if (opts.oneTimePassword) return; // production: no demo key
    for (const c of users.apiClients) {
      const known = await trx('api_clients').where({ key_hash: sha256(c.demoKey) }).first();
      if (known) continue;
      await createApiClient(trx, c.name, c.channel, new Date(now), c.demoKey);
      apiClientsCreated++;
    }
  });
  return { units: city.units.length, usersCreated, apiClientsCreated, oneTimePasswords };
}
