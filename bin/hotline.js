#!/usr/bin/env node
// CLI entry: loads the TypeScript sources through tsx, so no build step is needed.
require('tsx/cjs');
const { runCli } = require('../server/cli/main.ts');
runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) })
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
