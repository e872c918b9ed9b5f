// Runs `routing …` directly (until the main CLI registers it): node --import tsx routing/run-cli.ts train
import { runRoutingCli } from './cli';

runRoutingCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => {
  process.exitCode = code;
});
