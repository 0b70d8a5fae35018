/**
 * A setting fuzzyd cannot start with. The message begins with where the value came from — the variable
 * (`FUZZYD_TCP_TIMEOUT`) or the file key and file (`tcp_timeout in /etc/fuzzyd.json`) — so the admin knows what to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
  }
}
