import { statSync } from 'node:fs';

/**
 * What a polled map file looks like now (inode, size, mtime), or why it cannot be seen: two equal signatures mean
 * the file was not replaced or rewritten in between, so it need not be read again. Used by the map watchers
 * (keys/dynamic-keys-map.ts, keys/allow-update-keys.ts), which poll as rspamd's map machinery does for files.
 */
export function fileSignature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    return `missing:${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
}
