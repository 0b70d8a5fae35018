import type { AuditContext } from './audit-row.js';

/**
 * The audit contexts of a batch of updates, as they cross to the writer thread: each distinct context once (a flood
 * from one MTA is one context) and a Uint16Array naming each op's (0: none), so the batch message stays a few strings
 * and one transferable buffer however many ops it holds.
 */
export interface AuditBatch {
  contexts: AuditContext[];
  index: Uint16Array;
}

const MAX_CONTEXTS = 0xffff;

export function packAuditContexts(contexts: readonly (AuditContext | undefined)[]): AuditBatch | undefined {
  if (contexts.every((c) => c === undefined)) return undefined;
  const distinct: AuditContext[] = [];
  const seen = new Map<string, number>();
  const index = new Uint16Array(contexts.length);
  contexts.forEach((c, i) => {
    if (!c) return;
    const key = `${c.via}\0${c.actor}\0${c.source ?? ''}\0${c.detail ?? ''}`;
    let n = seen.get(key);
    if (n === undefined && distinct.length < MAX_CONTEXTS) {
      distinct.push(c);
      n = distinct.length;
      seen.set(key, n);
    }
    index[i] = n ?? 0;
  });
  return { contexts: distinct, index };
}

export function auditContextAt(batch: AuditBatch | undefined, i: number): AuditContext | undefined {
  const n = batch?.index[i] ?? 0;
  return n === 0 ? undefined : batch!.contexts[n - 1];
}
