// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { ImportResult } from '../../../lib/api-types';
import { countLines, type ImportMode, type ImportProgress, importJsonl } from './import-hashes';
import { mergeImportResult, nextChunkEnd } from '../lib/jsonl-chunks';

const line = (i: number): string => JSON.stringify({ digest: i.toString(16).padStart(128, '0'), flag: 1, value: i });
const blobText = async (b: Blob): Promise<string> => new TextDecoder().decode(await b.arrayBuffer());

/** A fake server: counts the lines of each chunk, rejects lines containing "bad" (numbered within the chunk). */
function fakeServer() {
  const chunks: string[] = [];
  const send = vi.fn(async (chunk: Blob, _mode?: ImportMode): Promise<ImportResult> => {
    const text = await blobText(chunk);
    chunks.push(text);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const rejects = lines.flatMap((l, i) => (l.includes('bad') ? [{ line: i + 1, error: 'line: invalid JSON' }] : []));
    const good = lines.filter((l) => l.trim() && !l.includes('bad')).length;
    return { added: good, updated: 0, rejected: rejects.length, rejects, lines: lines.filter((l) => l.trim()).length };
  });
  return { chunks, send };
}

describe('importJsonl', () => {
  it('sends whole lines only, in order, and the chunks add up to the file', async () => {
    const text = Array.from({ length: 200 }, (_, i) => line(i)).join('\n') + '\n';
    const server = fakeServer();
    const result = await importJsonl(new Blob([text]), { mode: 'add', chunkBytes: 1000, send: server.send });
    expect(server.chunks.length).toBeGreaterThan(10);
    expect(server.chunks.join('')).toBe(text);
    for (const c of server.chunks) expect(c.endsWith('\n')).toBe(true);
    expect(result).toMatchObject({ added: 200, rejected: 0, lines: 200 });
  });

  it('reports progress in bytes the server has answered, ending at the file size', async () => {
    const text = Array.from({ length: 50 }, (_, i) => line(i)).join('\n');
    const progress: ImportProgress[] = [];
    await importJsonl(new Blob([text]), { mode: 'add', chunkBytes: 700, send: fakeServer().send, onProgress: (p) => progress.push(p) });
    const done = progress.map((p) => p.bytesDone);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(text.length);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    expect(progress.at(-1)!.result.added).toBe(50);
  });

  it('renumbers rejected lines to the whole file (blank lines count, as on the server)', async () => {
    const lines = [line(1), 'bad 2', '', line(4), line(5), 'bad 6', line(7), 'bad 8'];
    const server = fakeServer();
    const result = await importJsonl(new Blob([lines.join('\n') + '\n']), { mode: 'replace', chunkBytes: 150, send: server.send });
    expect(server.send.mock.calls.length).toBeGreaterThan(2);
    expect(result.rejects.map((r) => r.line)).toEqual([2, 6, 8]);
    expect(result).toMatchObject({ added: 4, rejected: 3 });
    expect(server.send.mock.calls[0][1]).toBe('replace');
  });

  it('widens the window for a line longer than the chunk size instead of splitting it', async () => {
    const long = JSON.stringify({ digest: 'a'.repeat(128), flag: 1, value: 1, shingles: Array.from({ length: 32 }, (_, i) => String(2n ** 63n + BigInt(i))) });
    const server = fakeServer();
    await importJsonl(new Blob([`${long}\n${line(2)}\n`]), { mode: 'add', chunkBytes: 64, send: server.send });
    expect(server.chunks[0]).toBe(`${long}\n`);
  });

  it('stops when aborted and does not send further chunks', async () => {
    const controller = new AbortController();
    const server = fakeServer();
    const send = vi.fn(async (chunk: Blob) => {
      controller.abort();
      return server.send(chunk);
    });
    const text = Array.from({ length: 40 }, (_, i) => line(i)).join('\n');
    await expect(importJsonl(new Blob([text]), { mode: 'add', chunkBytes: 500, send, signal: controller.signal })).rejects.toThrow();
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('chunk helpers', () => {
  it('nextChunkEnd cuts after the last newline, or takes everything at the end of the file', () => {
    const bytes = new TextEncoder().encode('ab\ncd\nef');
    expect(nextChunkEnd(bytes, false)).toBe(6);
    expect(nextChunkEnd(bytes, true)).toBe(8);
    expect(nextChunkEnd(new TextEncoder().encode('abc'), false)).toBe(0);
  });

  it('countLines counts a last line without newline', () => {
    expect(countLines(new TextEncoder().encode('a\nb\n'))).toBe(2);
    expect(countLines(new TextEncoder().encode('a\n\nb'))).toBe(3);
    expect(countLines(new Uint8Array(0))).toBe(0);
  });

  it('mergeImportResult keeps at most 1000 rejects while counting all', () => {
    const many: ImportResult = { added: 0, updated: 0, rejected: 1500, lines: 1500, rejects: Array.from({ length: 1000 }, (_, i) => ({ line: i + 1, error: 'x' })) };
    const merged = mergeImportResult(mergeImportResult({ added: 0, updated: 0, rejected: 0, lines: 0, rejects: [] }, many, 0), many, 1500);
    expect(merged.rejected).toBe(3000);
    expect(merged.rejects).toHaveLength(1000);
  });
});
