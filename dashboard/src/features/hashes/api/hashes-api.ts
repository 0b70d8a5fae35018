import { api } from '../../../lib/api';
import type { HashCreate, HashDetail, HashItem, HashPage, HashPatch, HashWriteResult } from '../../../lib/api-types';

export interface HashFilter {
  flag: number | null;
  /** Lowercase hex, possibly empty. */
  prefix: string;
}

export interface HashListQuery extends HashFilter {
  limit: number;
  cursor: string | null;
}

export function listHashes(q: HashListQuery, signal?: AbortSignal): Promise<HashPage> {
  return api.get<HashPage>('/hashes', { query: { flag: q.flag, prefix: q.prefix, limit: q.limit, cursor: q.cursor }, signal });
}

export function getHash(digest: string, signal?: AbortSignal): Promise<HashDetail> {
  return api.get<HashDetail>(`/hashes/${encodeURIComponent(digest)}`, { signal });
}

export function createHash(body: HashCreate): Promise<HashWriteResult> {
  return api.post<HashWriteResult>('/hashes', body);
}

export function patchHash(digest: string, patch: HashPatch): Promise<HashItem> {
  return api.patch<HashItem>(`/hashes/${encodeURIComponent(digest)}`, patch);
}

export function deleteHash(digest: string): Promise<void> {
  return api.delete(`/hashes/${encodeURIComponent(digest)}`);
}

/**
 * Reads `GET /hashes/export` for the filter and hands each chunk to `sink` as it arrives. The route needs the bearer
 * token, so a plain download link cannot do it.
 */
export async function streamExport(
  filter: HashFilter,
  sink: (chunk: Uint8Array<ArrayBuffer>) => void | Promise<void>,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await api.raw('GET', '/hashes/export', { query: { flag: filter.flag, prefix: filter.prefix }, signal });
  const reader = response.body?.getReader();
  if (!reader) {
    const all = new Uint8Array(await response.arrayBuffer());
    await sink(all);
    onBytes(all.byteLength);
    return;
  }
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await sink(value as Uint8Array<ArrayBuffer>);
    bytes += value.byteLength;
    onBytes(bytes);
  }
}
