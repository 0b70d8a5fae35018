import type { AuditContext } from '../audit/audit-row.js';
import { Inject, Injectable } from '@nestjs/common';
import type { ImportMode, ImportReject, ImportResult } from '../../../shared/api/api-types.js';
import { ApiError, PayloadTooLargeError } from '../common/api-error.js';
import type { Logger } from '../common/logger.js';
import { FlagsService } from '../flags/flags.service.js';
import { FUZZY_BACKEND, type FuzzyBackend, StoreOverloadedError, type UpdateOp, type UpdateResult } from '../fuzzy/fuzzy-backend.js';
import { LOGGER } from '../runtime.js';
import { type ImportInput, readImportLine } from './hash-input.js';
import { HashesService } from './hashes.service.js';
import { type JsonLine, JsonLinesSplitter } from './json-lines.js';
import { UpdateWindow } from './update-window.js';

/**
 * ImportMode (shared/api/hashes.ts) — `add`: rspamd 4.x's WRITE per slot of the line (weights of flags the hash holds
 * add up, other flags take slots). `replace`: an existing hash takes the line's slots (`flags`), or its primary flag
 * and weight (a line without `flags`). Either way a hash the import creates gets the line's slots as listed.
 */

export const IMPORT_LIMITS = {
  /** The whole body; far above 100k lines with shingles (~80 MB). */
  maxBytes: 1024 * 1024 * 1024,
  /** One line: a digest and 32 shingles take under 1 KiB. */
  maxLineBytes: 16 * 1024,
  /**
   * Longest stretch of parsing before the import yields to the event loop. Buffered chunks and committed batches
   * resume it through promise callbacks only, which never let timers or the UDP socket run in between.
   */
  sliceMs: 4,
  /** Rejects listed in the answer (all are counted). */
  maxRejectsListed: 1000,
  /**
   * Updates in flight: twice the group commit's largest batch, so the next batch is queued while one commits (the
   * writer never waits for the parser) and each transaction is as large as the writer takes.
   */
  window: 8192,
};

/**
 * JSON Lines import, streamed: lines are parsed as the body arrives and sent to the store with bounded concurrency,
 * so memory stays flat however long the file is, and back-pressure pauses the upload while the store catches up.
 */
@Injectable()
export class HashImportService {
  constructor(
    @Inject(FUZZY_BACKEND) private readonly backend: FuzzyBackend,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly hashes: HashesService,
    private readonly flags: FlagsService,
  ) {}

  async import(body: AsyncIterable<Buffer | string>, mode: ImportMode, audit?: AuditContext): Promise<ImportResult> {
    this.hashes.assertWritable();
    const result: ImportResult = { added: 0, updated: 0, rejected: 0, rejects: [], lines: 0 };
    const reject = (line: number, error: string): void => {
      result.rejected++;
      if (result.rejects.length < IMPORT_LIMITS.maxRejectsListed) result.rejects.push({ line, error });
    };
    const window = new UpdateWindow(IMPORT_LIMITS.window);
    const splitter = new JsonLinesSplitter(IMPORT_LIMITS.maxLineBytes);
    const started = performance.now();

    const handle = async (line: JsonLine): Promise<void> => {
      if (line.tooLong) return reject(line.number, `line: longer than ${IMPORT_LIMITS.maxLineBytes} bytes`);
      const text = line.text.trim();
      if (!text) return;
      result.lines++;
      let input: ImportInput;
      try {
        input = readImportLine(JSON.parse(text));
      } catch (err) {
        return reject(line.number, err instanceof SyntaxError ? `line: invalid JSON (${err.message})` : (err as Error).message);
      }
      await window.run(async () => {
        try {
          const status = await this.apply(input, mode, audit);
          if (status === 'added') result.added++;
          else result.updated++;
        } catch (err) {
          reject(line.number, `store: ${(err as Error).message}`);
        }
      });
    };

    let bytes = 0;
    let sliceStart = performance.now();
    const yieldIfLong = async (): Promise<void> => {
      if (performance.now() - sliceStart < IMPORT_LIMITS.sliceMs) return;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    };
    let cut: Error | undefined;
    try {
      for await (const chunk of body) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        bytes += buf.length;
        if (bytes > IMPORT_LIMITS.maxBytes) {
          throw new PayloadTooLargeError(
            `body: larger than ${IMPORT_LIMITS.maxBytes} bytes; lines up to ${result.lines} were imported, split the file`,
          );
        }
        for (const line of splitter.push(buf)) {
          await handle(line);
          await yieldIfLong();
        }
      }
      for (const line of splitter.end()) await handle(line);
    } catch (err) {
      cut = err as Error;
      throw err;
    } finally {
      await window.drain();
      // Lines before a cut (client gone, body too large) are committed: the log says how many, either way.
      const counts = { added: result.added, updated: result.updated, rejected: result.rejected, bytes, ms: Math.round(performance.now() - started) };
      if (cut) this.logger.warn({ ...counts, reason: cut.message }, 'hash import ended early; lines before it were imported');
      else this.logger.info(counts, 'hashes imported');
    }
    // Store failures are recorded as their commits finish, possibly out of line order.
    result.rejects.sort((a: ImportReject, b: ImportReject) => a.line - b.line);
    return result;
  }

  /**
   * The store refuses updates while its write queue is full (a UDP write flood): an import waits for room instead of
   * rejecting its lines, for as long as its body may take anyway.
   */
  private async update(op: UpdateOp, audit: AuditContext | undefined): Promise<UpdateResult> {
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      try {
        return await this.backend.update(op, audit ? { audit: { ...audit, detail: 'import' } } : {});
      } catch (err) {
        if (!(err instanceof StoreOverloadedError)) throw err;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async apply(input: ImportInput, mode: ImportMode, audit: AuditContext | undefined): Promise<'added' | 'updated'> {
    const { digest, flags } = input;
    const set = (): Promise<UpdateResult> =>
      this.update(flags ? { kind: 'set', digest, flags } : { kind: 'set', digest, flag: input.flag, value: input.value }, audit);
    // Set first, so a hash that exists never shows a summed weight, even for a moment.
    if (mode === 'replace' && (await set()).status !== 'not-found') return 'updated';
    const written = await this.update({ kind: 'write', rule: 'multi', digest, flag: input.flag, value: input.value, shingles: input.shingles }, audit);
    if (written.status === 'deleted' || written.status === 'not-found') throw new ApiError(500, `unexpected ${written.status}`);
    const added = written.status === 'added';
    if (mode === 'replace' || added) {
      // A new hash takes the slots as listed: writing them one by one would move the highest value into the primary
      // slot, and a hash whose primary is not its highest (re-flagged by a 3.x client, or edited) would come back
      // with another primary flag. Until this second step commits, CHECK sees the primary slot alone. In replace
      // mode a hash created by someone else since the set above is set as well.
      if ((flags && flags.length > 1) || (mode === 'replace' && !added)) await set();
      return added ? 'added' : 'updated';
    }
    for (const slot of flags?.slice(1) ?? []) {
      await this.update({ kind: 'write', rule: 'multi', digest, flag: slot.flag, value: slot.value, shingles: null }, audit);
    }
    return 'updated';
  }
}
