/**
 * The rspamd generations the interop suites run against: Debian bookworm's 3.4 on the host, trixie's 3.12.1 and sid's
 * 4.1.5 in chroots built by scripts/rspamd-chroot.sh (shared network, the host's /tmp bound over the chroot's, so a
 * test directory has one path inside and out). Every helper that starts rspamd takes a generation; the default is
 * the host's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutRoot } from './checkout-root.js';

export interface RspamdGeneration {
  /** The rspamd version, e.g. "4.1.5". */
  version: string;
  /** Debian suite it comes from. */
  suite: 'bookworm' | 'trixie' | 'sid';
  /** `/` for the host, else the chroot directory. */
  root: string;
  /** rspamd ≥ 4.0 sends the V2_CAP bit and reads multi-flag replies. */
  multiFlag: boolean;
  /** rspamd ≥ 3.14 can speak TCP to the storage. */
  tcp: boolean;
}

const CHROOT_ROOT = process.env.FUZZYD_CHROOT_ROOT ?? '/var/cache/fuzzyd-chroots';
const CHROOT_SCRIPT = join(checkoutRoot(import.meta.url), 'scripts/rspamd-chroot.sh');

export const HOST_RSPAMD: RspamdGeneration = { version: '3.4', suite: 'bookworm', root: '/', multiFlag: false, tcp: false };

export const RSPAMD_GENERATIONS: readonly RspamdGeneration[] = [
  HOST_RSPAMD,
  { version: '3.12.1', suite: 'trixie', root: join(CHROOT_ROOT, 'trixie'), multiFlag: false, tcp: false },
  { version: '4.1.5', suite: 'sid', root: join(CHROOT_ROOT, 'sid'), multiFlag: true, tcp: true },
];

export function generation(version: string): RspamdGeneration {
  const found = RSPAMD_GENERATIONS.find((g) => g.version === version);
  if (!found) throw new Error(`unknown rspamd generation ${version}`);
  return found;
}

function onHost(gen: RspamdGeneration, path: string): string {
  return gen.root === '/' ? path : join(gen.root, path);
}

const checked = new Map<string, string | null>();

/**
 * Why `gen` cannot run here, or null when it can. A built chroot whose mounts are gone (after a reboot) is mounted
 * again by the build script, which returns at once when the chroot exists.
 */
export function unavailableReason(gen: RspamdGeneration): string | null {
  const cached = checked.get(gen.version);
  if (cached !== undefined) return cached;
  let reason: string | null = null;
  if (!existsSync(onHost(gen, '/usr/bin/rspamd')) || !existsSync(onHost(gen, '/etc/rspamd/rspamd.conf'))) {
    reason =
      gen.root === '/'
        ? 'needs Debian rspamd on the host (apt-get install rspamd)'
        : `needs the ${gen.suite} chroot (scripts/rspamd-chroot.sh ${gen.suite})`;
  } else if (gen.root !== '/' && !sharesTmp(gen)) {
    try {
      execFileSync(CHROOT_SCRIPT, [gen.suite], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // reported below
    }
    if (!sharesTmp(gen)) reason = `the ${gen.suite} chroot is not mounted (run scripts/rspamd-chroot.sh ${gen.suite} as root)`;
  }
  checked.set(gen.version, reason);
  return reason;
}

function sharesTmp(gen: RspamdGeneration): boolean {
  try {
    const inside = statSync(join(gen.root, 'tmp'));
    const host = statSync('/tmp');
    return inside.dev === host.dev && inside.ino === host.ino && existsSync(join(gen.root, 'proc/self'));
  } catch {
    return false;
  }
}

/** The file and argument list that run `bin` (an absolute path inside the generation) with `args`. */
export function rspamdCommand(gen: RspamdGeneration, bin: string, args: readonly string[]): [string, string[]] {
  return gen.root === '/' ? [bin, [...args]] : ['/usr/sbin/chroot', [gen.root, bin, ...args]];
}

/** uid and gid of `_rspamd` as the generation's own /etc/passwd has them (a chroot's differ from the host's). */
export function rspamdUserIds(gen: RspamdGeneration): { uid: number; gid: number } | null {
  try {
    const line = readFileSync(onHost(gen, '/etc/passwd'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('_rspamd:'));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}
