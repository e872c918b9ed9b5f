// Writes the operators' phone directory for FreeSWITCH to stdout.
//   HOTLINE_SIP_SECRET=… node --import tsx ivr/freeswitch/generate-directory.ts            (demo templates)
//   HOTLINE_SIP_SECRET=… node --import tsx ivr/freeswitch/generate-directory.ts --db URL   (users table)
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../../storage/db';
import { PhoneUser, directoryXml, usersFromTemplates } from './directory';

async function main(): Promise<void> {
  const secret = process.env.HOTLINE_SIP_SECRET ?? '';
  const at = process.argv.indexOf('--db');
  let users: PhoneUser[];
  if (at > 0) {
    const db = await openDb({ url: process.argv[at + 1], migrate: false });
    try {
      const rows = await db('users').whereIn('role', ['operator', 'supervisor']).whereNotNull('extension').where({ active: true })
        .select('extension', 'display_name', 'role').orderBy('extension');
      users = rows.map((r) => ({ extension: String(r.extension), displayName: String(r.display_name), role: r.role }));
    } finally {
      await db.destroy();
    }
  } else {
    const doc = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../city/demo/users.json'), 'utf8'));
    users = usersFromTemplates(doc);
  }
  process.stdout.write(directoryXml(users, secret));
  console.error(`已生成 ${users.length} 个分机`);
}

main().catch((err) => {
  console.error(`生成分机目录失败：${(err as Error).message}`);
  process.exit(1);
});
