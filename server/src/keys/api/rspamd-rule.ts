/**
 * A `fuzzy_check` rule for the scanners that use a new key, ready for rspamd's `local.d/fuzzy_check.conf`: the
 * storage's address, the key's public half as `encryption_key` (what makes the client encrypt to it, fuzzy-protocol.md
 * §9), and `read_only` when the key may not write, so the scanner does not offer learns the storage refuses. The
 * flags are rspamd's stock `fuzzy_map` (1 spam, 2 probable spam, 3 whitelist). `html_shingles = false` is rspamd's
 * default spelled out: 4.1.5 spins at start-up on a named rule with an `encryption_key` that leaves it unset.
 */
export interface RuleParts {
  /** The key's name, for the rule's. */
  name: string;
  pubkey: string;
  /** `host:port` of fuzzyd's UDP (and TCP) port as the scanners reach it. */
  server: string;
  mayWrite: boolean;
}

export function rspamdRule(p: RuleParts): string {
  const ruleName = `fuzzyd-${p.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'key'}`;
  return [
    '# local.d/fuzzy_check.conf on each scanner that uses this key',
    `rule "${ruleName}" {`,
    `  servers = "${p.server}";`,
    `  encryption_key = "${p.pubkey}";`,
    '  algorithm = "mumhash";',
    `  read_only = ${p.mayWrite ? 'false' : 'true'};`,
    '  html_shingles = false;',
    '  symbol = "FUZZY_UNKNOWN";',
    '  max_score = 20.0;',
    '  fuzzy_map = {',
    '    FUZZY_DENIED { max_score = 20.0; flag = 1; }',
    '    FUZZY_PROB { max_score = 10.0; flag = 2; }',
    '    FUZZY_WHITE { max_score = 2.0; flag = 3; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Where scanners send: the UDP bind when it names one address, else the host the admin reached the API on (a
 * wildcard bind answers on every address), with the UDP port. IPv6 in brackets, as rspamd's `servers` wants it.
 */
export function fuzzyServerAddress(bound: { host: string; port: number } | undefined, httpHost: string | undefined): string {
  const port = bound?.port ?? 11335;
  const wildcard = !bound || bound.host === '0.0.0.0' || bound.host === '::';
  let host = wildcard ? hostOf(httpHost) : bound.host;
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `${host}:${port}`;
}

function hostOf(header: string | undefined): string {
  const text = (header ?? '').trim();
  const bracketed = /^(\[[^\]]+\])(?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1];
  const plain = /^([A-Za-z0-9.-]+)(?::\d+)?$/.exec(text);
  return plain ? plain[1] : 'fuzzyd.example.net';
}
