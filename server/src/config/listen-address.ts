import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';

export interface ListenAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

/** Parses `host:port`, `[v6]:port` or a bare port; `localhost` is taken as 127.0.0.1. */
export function parseListenAddress(text: string, name: string, defaultHost = '0.0.0.0'): ListenAddress {
  const trimmed = text.trim();
  let host = defaultHost;
  let portText = trimmed;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (trimmed.includes(':')) {
    const at = trimmed.lastIndexOf(':');
    host = trimmed.slice(0, at);
    portText = trimmed.slice(at + 1);
    if (host.includes(':')) throw new ConfigError(name, `write IPv6 addresses in brackets, e.g. [::1]:11335 (got '${text}')`);
  }
  if (host === 'localhost') host = '127.0.0.1';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) throw new ConfigError(name, `'${text}' has no valid port`);
  const family = isIP(host);
  if (family === 0) throw new ConfigError(name, `'${host}' is not an IP address`);
  return { host, port, family: family as 4 | 6 };
}

export function formatListenAddress(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
