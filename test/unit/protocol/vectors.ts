/**
 * Loader for the captured rspamd 3.4 datagrams in shared/vectors/*.hex (see that folder's README). Shared by the
 * codec tests and the replay tests: each file becomes its datagrams in capture order, each with the '#' annotation
 * lines that describe it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type VectorDirection = 'C->S' | 'S->C';

export interface VectorDatagram {
  dir: VectorDirection;
  bytes: Buffer;
  /** The annotation lines of this datagram (without '#' and surrounding blanks), joined with '\n'. */
  note: string;
}

export interface VectorFile {
  /** File name without `.hex`, e.g. `04-check-hit`. */
  name: string;
  /** The scenario's free-text header lines. */
  description: string;
  datagrams: VectorDatagram[];
}

/**
 * The team's shared/vectors (../shared/vectors from the repo root) when it is there, so new captures are picked up;
 * otherwise the copy in test/fixtures/rspamd-vectors, so a clone on its own still runs every test. Walks up from
 * this file so the loader works from the TS sources and from dist/ alike. FUZZYD_VECTORS_DIR overrides.
 */
export function vectorsDir(): string {
  const override = process.env.FUZZYD_VECTORS_DIR;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  let fixture: string | null = null;
  for (;;) {
    const shared = join(dir, 'shared', 'vectors');
    if (existsSync(join(shared, 'README.md'))) return shared;
    const copy = join(dir, 'test', 'fixtures', 'rspamd-vectors');
    if (!fixture && existsSync(join(copy, 'README.md'))) fixture = copy;
    const parent = dirname(dir);
    if (parent === dir) {
      if (fixture) return fixture;
      throw new Error('neither ../shared/vectors nor test/fixtures/rspamd-vectors found above ' + fileURLToPath(import.meta.url));
    }
    dir = parent;
  }
}

export function parseVectorFile(name: string, text: string): VectorFile {
  const datagrams: VectorDatagram[] = [];
  const header: string[] = [];
  let current: { dir: VectorDirection; note: string[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const body = line.replace(/^#\s?/, '');
      const dir = /^(C->S|S->C)\b/.exec(body);
      if (dir) current = { dir: dir[1] as VectorDirection, note: [body.trim()] };
      else if (current) current.note.push(body.trim());
      else header.push(body.trim());
      continue;
    }
    if (!/^[0-9a-f]+$/.test(line) || line.length % 2 !== 0) throw new Error(`${name}: bad hex line '${line.slice(0, 40)}…'`);
    if (!current) throw new Error(`${name}: datagram without a C->S / S->C annotation`);
    datagrams.push({ dir: current.dir, bytes: Buffer.from(line, 'hex'), note: current.note.join('\n') });
    current = null;
  }
  return { name, description: header.filter((l) => l !== '' && !l.startsWith('Lines below')).join('\n'), datagrams };
}

export function loadVectors(dir: string = vectorsDir()): VectorFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => parseVectorFile(f.slice(0, -'.hex'.length), readFileSync(join(dir, f), 'utf8')));
}
