// Building the desk's pages (agent-desk/web → agent-desk/dist) with Vite, when needed: the
// build is missing or older than its sources or the installed packages. `npm start` runs
// it before the server starts; the browser suites run it before they open Chromium.
//   node --import tsx agent-desk/build.ts            build if stale
//   node --import tsx agent-desk/build.ts --force    build anyway
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const DESK_DIST = path.resolve(__dirname, 'dist');
const WEB = path.resolve(__dirname, 'web');
const ROOT = path.resolve(__dirname, '..');
/** Source files outside web/ that the pages import (the deadline rule, the ticket type). */
const SHARED = [path.join(__dirname, 'deadlines.ts'), path.join(ROOT, 'workflow/types.ts'), path.join(ROOT, 'node_modules/.package-lock.json')];

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Why the desk must be built, or null when the build is current. */
export function staleReason(): string | null {
  const index = path.join(DESK_DIST, 'index.html');
  if (!fs.existsSync(index)) return '工作台页面尚未构建';
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(newest(WEB), ...SHARED.filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mtimeMs));
  return sources > built ? '工作台源码比构建结果新' : null;
}

/** Builds into a fresh folder and swaps it in, so a server serving the old build never sees half a new one. */
export function buildDesk(log: (line: string) => void = console.log): void {
  const tmp = `${DESK_DIST}.tmp-${process.pid}`;
  const started = Date.now();
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(WEB, 'vite.config.mts'), '--outDir', tmp, '--emptyOutDir'], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`工作台构建失败（vite 退出码 ${r.status ?? r.signal}）`);
  }
  const old = `${DESK_DIST}.old-${process.pid}`;
  if (fs.existsSync(DESK_DIST)) fs.renameSync(DESK_DIST, old);
  fs.renameSync(tmp, DESK_DIST);
  fs.rmSync(old, { recursive: true, force: true });
  log(`[desk] 工作台已构建（${((Date.now() - started) / 1000).toFixed(1)} 秒）→ ${path.relative(ROOT, DESK_DIST)}`);
}

export function ensureDeskBuilt(log: (line: string) => void = console.log): void {
  const why = staleReason();
  if (!why) return;
  log(`[desk] ${why}，正在构建…`);
  buildDesk(log);
}

if (require.main === module) {
  try {
    if (process.argv.includes('--force')) buildDesk();
    else ensureDeskBuilt();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
