/** "host:port" parsing in the forms rspamd's `servers` option takes, IPv6 in brackets (spec §1: default port 11335). */
import { isIPv6 } from 'node:net';
import { ClientInputError } from './client-errors.js';

export const DEFAULT_FUZZY_PORT = 11335;

export interface ServerAddress {
  /** Without brackets: "::1", "127.0.0.1", "fuzzy.example". */
  host: string;
  port: number;
}

/** Accepts host, host:port, [v6], [v6]:port, and a bare IPv6 literal (which then has no port). */
export function parseServerAddress(text: string, defaultPort = DEFAULT_FUZZY_PORT): ServerAddress {
  const s = text.trim();
  if (s === '') throw new ClientInputError('server address is empty');
  let host: string;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new ClientInputError(`server address '${text}': missing ']'`);
    host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new ClientInputError(`server address '${text}': junk after ']'`);
    portText = rest === '' ? undefined : rest.slice(1);
    if (!isIPv6(host)) throw new ClientInputError(`server address '${text}': '${host}' is not an IPv6 address`);
  } else if (s.indexOf(':') !== s.lastIndexOf(':')) {
    if (!isIPv6(s)) throw new ClientInputError(`server address '${text}': write IPv6 with a port as [addr]:port`);
    host = s;
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    portText = colon < 0 ? undefined : s.slice(colon + 1);
  }
  if (host === '' || /[\s/\[\]]/.test(host)) throw new ClientInputError(`server address '${text}': bad host '${host}'`);
  return { host, port: portText === undefined ? defaultPort : parsePort(portText, text) };
}

function parsePort(p: string, text: string): number {
  const port = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new ClientInputError(`server address '${text}': port must be 1..65535`);
  return port;
}

/** The inverse, for messages: brackets around IPv6. */
export function formatServerAddress(a: ServerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
