/**
 * Reads the decoded fields back out of a vector annotation (the capture tool's own decode), so tests can compare
 * our decoder against an independent one rather than against itself.
 */

export interface Annotation {
  kind: 'request' | 'reply' | 'short';
  fields: Record<string, string>;
  /** `d(domain)` and `4(ipv4)` / `6(ipv6)` entries of the "extensions:" line; null when it says "none" or is absent. */
  extensions: { domain?: string; clientIp?: string; bad?: boolean } | null;
  /** The hex shown for the first shingles (big-endian u64 text), if listed. */
  shinglePrefix: string[];
}

export function parseAnnotation(note: string): Annotation {
  const lines = note.split('\n').slice(1);
  const head = lines[0] ?? '';
  const kind: Annotation['kind'] = head.startsWith('short') ? 'short' : head.startsWith('reply') ? 'reply' : 'request';
  const fields: Record<string, string> = {};
  let extensions: Annotation['extensions'] = null;
  let shinglePrefix: string[] = [];
  for (const line of lines) {
    if (line.startsWith('extensions:')) {
      extensions = parseExtensionsLine(line.slice('extensions:'.length).trim());
      continue;
    }
    const sh = /^shingles\[(\d+)\]=([0-9a-f,]+)/.exec(line);
    if (sh) {
      fields.shingles_listed = sh[1];
      shinglePrefix = sh[2].split(',');
      continue;
    }
    for (const m of line.matchAll(/(\w+)=([^\s(]+)/g)) fields[m[1]] = m[2];
  }
  return { kind, fields, extensions, shinglePrefix };
}

function parseExtensionsLine(text: string): Annotation['extensions'] {
  if (text === 'none') return null;
  const out: NonNullable<Annotation['extensions']> = {};
  for (const part of text.split(/,\s*/)) {
    const d = /^d\(domain\)='(.*)'$/.exec(part);
    const ip = /^[46]\(ipv[46]\)=(\S+)$/.exec(part);
    if (d) out.domain = d[1];
    else if (ip) out.clientIp = ip[1];
    else out.bad = true;
  }
  return out;
}
