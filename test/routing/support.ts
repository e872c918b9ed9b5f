// Shared fixtures for the routing tests: the committed engine (loaded once) and
// the real appeals in ../shared/data, read at test time and never copied here.
import fs from 'node:fs';
import path from 'node:path';
import { engineOf, loadRouting, type Routing } from '../../routing/index';

export { engineOf };

export const repoRoot = path.resolve(__dirname, '../..');
export const sharedData = path.resolve(repoRoot, '../shared/data');
export const hasSharedData = fs.existsSync(path.join(sharedData, 'appeals-labelled.csv'));

let routing: Routing | null = null;
export function committedRouting(): Routing {
  if (!routing) routing = loadRouting();
  return routing;
}

export function readJsonFile(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, rel), 'utf8'));
}

/** Skip the calling suite with a clear message when ../shared/data is absent. */
export function requireSharedData(ctx: Mocha.Context): void {
  if (!hasSharedData) {
    console.log(`    (skipped: real appeals not found at ${sharedData})`);
    ctx.skip();
  }
}
