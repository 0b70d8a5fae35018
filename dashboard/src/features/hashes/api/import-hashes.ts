import { api } from '../../../lib/api';
import type { ImportResult } from '../../../lib/api-types';
import { MAX_REJECTS_KEPT, emptyImportResult, mergeImportResult, nextChunkEnd } from '../lib/jsonl-chunks';

export type ImportMode = 'add' | 'replace';

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  /** Totals of the chunks the server has answered so far. */
  result: ImportResult;
}

export interface ImportOptions {
  mode: ImportMode;
  /** Bytes per request; each request is one server-side import of whole lines. */
  chunkBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** Sends one chunk (default: `POST /hashes/import`); tests replace it. */
  send?: (chunk: Blob, mode: ImportMode, signal?: AbortSignal) => Promise<ImportResult>;
}

export const DEFAULT_CHUNK_BYTES = 512 * 1024;

function postChunk(chunk: Blob, mode: ImportMode, signal?: AbortSignal): Promise<ImportResult> {
  return api.request<ImportResult>('POST', '/hashes/import', { query: { mode }, body: chunk, contentType: 'application/x-ndjson', signal });
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === 'function') return new Uint8Array(await blob.arrayBuffer());
  return new Uint8Array(await new Response(blob).arrayBuffer());
}

/**
 * Imports a JSON Lines file in chunks of whole lines, one request each, so the progress bar follows what the server
 * has actually stored (an upload-progress bar would reach 100 % long before the last line is written) and a failure
 * leaves a known prefix imported. Rejected line numbers are renumbered to the whole file.
 */
export async function importJsonl(file: Blob, options: ImportOptions): Promise<ImportResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const send = options.send ?? postChunk;
  let total = emptyImportResult();
  let offset = 0;
  let linesBefore = 0;
  options.onProgress?.({ bytesDone: 0, bytesTotal: file.size, result: total });
  while (offset < file.size) {
    options.signal?.throwIfAborted();
    // Grow the window until it holds a line end (a line is at most 16 KiB on the server, so this stays small).
    let window = chunkBytes;
    let end = -1;
    let bytes: Uint8Array = new Uint8Array(0);
    for (;;) {
      const stop = Math.min(file.size, offset + window);
      bytes = await bytesOf(file.slice(offset, stop));
      end = nextChunkEnd(bytes, stop === file.size);
      if (end > 0 || stop === file.size) break;
      window *= 2;
    }
    const chunk = bytes.subarray(0, end);
    const lines = countLines(chunk);
    const result = await send(file.slice(offset, offset + end), options.mode, options.signal);
    total = mergeImportResult(total, result, linesBefore);
    linesBefore += lines;
    offset += end;
    options.onProgress?.({ bytesDone: offset, bytesTotal: file.size, result: total });
  }
  if (total.rejects.length > MAX_REJECTS_KEPT) total = { ...total, rejects: total.rejects.slice(0, MAX_REJECTS_KEPT) };
  return total;
}

/** Lines in a chunk as the server numbers them: every newline ends one; a last line without newline counts too. */
export function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) n++;
  return n;
}
