// A consistent copy of the SQLite database while the hotline runs (SQLite's online backup,
// through better-sqlite3): the copy is checked before it is reported, and the oldest
// copies beyond `keep` are removed. PostgreSQL is backed up with its own tools (pg_dump).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface BackupResult { file: string; bytes: number; removed: string[] }

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

export async function backupSqlite(source: string, dir: string, o: { now?: Date; keep?: number } = {}): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new Error(`数据库文件不存在：${source}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `hotline-${stamp(o.now ?? new Date())}.db`);
  if (fs.existsSync(file)) throw new Error(`备份文件已存在：${file}`);
  const part = `${file}.part`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(part);
  } finally {
    db.close();
  }
  const copy = new Database(part);
  try {
    // One self-contained file: the copy leaves WAL mode (no -wal/-shm files beside it).
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`备份校验失败：${String(check)}`);
  } catch (e) {
    copy.close();
    for (const f of [part, `${part}-wal`, `${part}-shm`]) fs.rmSync(f, { force: true });
    throw e;
  }
  copy.close();
  // Only a checked copy gets the name that says it is a backup.
  fs.renameSync(part, file);
  const removed: string[] = [];
  const keep = o.keep ?? 14;
  const copies = fs.readdirSync(dir).filter((f) => /^hotline-\d{8}-\d{6}\.db$/.test(f)).sort();
  for (const old of copies.slice(0, Math.max(0, copies.length - keep))) {
    fs.rmSync(path.join(dir, old));
    removed.push(old);
  }
  return { file, bytes: fs.statSync(file).size, removed };
}
