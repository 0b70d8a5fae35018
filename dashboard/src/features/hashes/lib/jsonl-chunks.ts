import type { ImportResult } from '../../../lib/api-types';

/** The server lists at most 1000 rejects per request; the merged list keeps as many. */
export const MAX_REJECTS_KEPT = 1000;

/**
 * Where a chunk that starts at a line boundary should end: just after its last newline, so no line is split between
 * two requests (the server would reject both halves). At the end of the file the rest is the last line. Returns 0
 * when the window holds no complete line yet (the caller widens it).
 */
export function nextChunkEnd(bytes: Uint8Array, atEndOfFile: boolean): number {
  if (atEndOfFile) return bytes.length;
  const lastNewline = bytes.lastIndexOf(0x0a);
  return lastNewline + 1;
}

export function emptyImportResult(): ImportResult {
  return { added: 0, updated: 0, rejected: 0, rejects: [], lines: 0 };
}

/** Adds one chunk's answer to the running totals; its reject line numbers are shifted by the lines before it. */
export function mergeImportResult(total: ImportResult, chunk: ImportResult, linesBefore: number): ImportResult {
  const room = Math.max(0, MAX_REJECTS_KEPT - total.rejects.length);
  return {
    added: total.added + chunk.added,
    updated: total.updated + chunk.updated,
    rejected: total.rejected + chunk.rejected,
    lines: total.lines + (chunk.lines ?? 0),
    rejects: [...total.rejects, ...chunk.rejects.slice(0, room).map((r) => ({ line: r.line + linesBefore, error: r.error }))],
  };
}
