#!/usr/bin/env node
/** fuzzyd-cli: rspamc-style fuzzy commands against a fuzzyd or rspamd fuzzy storage. See cli-args.ts for usage. */
import { runCli } from './cli-run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});
