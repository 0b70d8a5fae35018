/** The CLI's body, separated from process globals so tests can run it in-process. */
import { KeyFormatError } from '../protocol/errors.js';
import type { DecodedReply } from '../protocol/reply-codec.js';
import { ClientInputError, TimeoutError } from './client-errors.js';
import { CliUsageError, parseCliArgs, USAGE, type CliCommand } from './cli-args.js';
import { formatHuman, formatJson, isRefusal, verdictOf } from './cli-format.js';
import { FuzzyClient } from './fuzzy-client.js';
import { formatServerAddress } from './server-address.js';

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_NO_ANSWER = 2;
export const EXIT_REFUSED = 3;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.err(`fuzzyd-cli: ${err.message}`);
    io.err(`run 'fuzzyd-cli --help' for usage`);
    return EXIT_BAD_INPUT;
  }
  const { command, options } = parsed;
  if (command.kind === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  const server = formatServerAddress(options.server);
  let client: FuzzyClient;
  try {
    client = new FuzzyClient({
      host: options.server.host,
      port: options.server.port,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      version: options.version,
      encryptionKey: options.key,
    });
  } catch (err) {
    if (!(err instanceof KeyFormatError)) throw err;
    io.err(`fuzzyd-cli: --key: ${err.message}`);
    return EXIT_BAD_INPUT;
  }
  try {
    const started = process.hrtime.bigint();
    const reply = await send(client, command);
    const rttMs = Number(process.hrtime.bigint() - started) / 1e6;
    io.out(options.json ? formatJson(command, server, reply, rttMs) : formatHuman(command, reply, rttMs));
    return isRefusal(verdictOf(command.kind, reply)) ? EXIT_REFUSED : EXIT_OK;
  } catch (err) {
    if (err instanceof TimeoutError) {
      io.err(`fuzzyd-cli: ${server}: ${err.message}`);
      return EXIT_NO_ANSWER;
    }
    if (err instanceof ClientInputError) {
      io.err(`fuzzyd-cli: ${err.message}`);
      return EXIT_BAD_INPUT;
    }
    // A host name that does not resolve or a socket that cannot open (system errors carry a code): no answer either.
    if (err instanceof Error && 'code' in err) {
      io.err(`fuzzyd-cli: ${server}: ${err.message}`);
      return EXIT_NO_ANSWER;
    }
    throw err;
  } finally {
    await client.close();
  }
}

function send(client: FuzzyClient, cmd: Exclude<CliCommand, { kind: 'help' }>): Promise<DecodedReply> {
  switch (cmd.kind) {
    case 'check':
      return client.check(cmd.digest, cmd.shingles);
    case 'add':
      return client.write(cmd.digest, cmd.flag, cmd.weight, cmd.shingles);
    case 'del':
      return client.del(cmd.digest, cmd.flag);
    case 'stat':
      return client.stat();
    case 'ping':
      return client.ping(cmd.value);
  }
}
