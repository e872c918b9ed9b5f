#!/usr/bin/env node
// CLI entry: loads the TypeScript sources through tsx, so no build step is needed.
require('tsx/cjs');
require('../server/cli/main.ts');
