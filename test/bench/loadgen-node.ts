/**
 * The load generator in Node, for machines without a C compiler: same options, same request file, same JSON as
 * loadgen.c (read that file's header for the semantics). It costs several microseconds of CPU per request, so on a
 * small machine it saturates before the server: prefer the C one.
 *
 *   node dist/test/bench/loadgen-node.js --port P --requests FILE [--mode closed|open] ...
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

const SLOT_BITS = 16;
const SLOT_COUNT = 1 << SLOT_BITS;
const EXPECT = { miss: 0, exact: 1, fuzzy: 2, ack: 3 } as const;

interface Req {
  bytes: Buffer;
  expect: number;
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

function loadRequests(path: string): Req[] {
  const data = readFileSync(path);
  if (data.toString('ascii', 0, 4) !== 'FZLG') throw new Error(`${path} is not a request file`);
  const n = data.readUInt32LE(4);
  const out: Req[] = [];
  let off = 8;
  for (let i = 0; i < n; i++) {
    const len = data.readUInt16LE(off);
    out.push({ expect: data[off + 2], bytes: data.subarray(off + 4, off + 4 + len) });
    off += 4 + len;
  }
  return out;
}

function splitmix64(x: bigint): bigint {
  const M = (1n << 64n) - 1n;
  x = (x + 0x9e3779b97f4a7c15n) & M;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M;
  return x ^ (x >> 31n);
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const open = a.mode === 'open';
  const inflight = Number(a.inflight ?? 64);
  const rate = Number(a.rate ?? 0);
  const duration = Number(a.duration ?? 0);
  const warmup = Number(a.warmup ?? 0);
  const count = Number(a.count ?? 0);
  const warmupCount = Number(a['warmup-count'] ?? 0);
  const timeoutNs = BigInt(Math.round(Number(a['timeout-ms'] ?? 1000) * 1e6));
  const unique = a['unique-seed'] !== undefined;
  const seed = BigInt(a['unique-seed'] ?? 0);
  const version = a.version === undefined ? null : Number(a.version);
  const replyBytes = version !== null && ((version & 0x0f) >= 5 || (version & 0x10) !== 0) ? 144 : 96;
  const requests = loadRequests(a.requests);
  const now = (): bigint => process.hrtime.bigint();

  const start = now();
  const measureStart = start + BigInt(Math.round(warmup * 1e9));
  const sendEnd = duration > 0 ? measureStart + BigInt(Math.round(duration * 1e9)) : null;
  const total = count > 0 ? warmupCount + count : Infinity;
  const active = new Map<number, { sent: bigint; req: Req; buf: Buffer; recorded: boolean }>();
  const generation = new Uint16Array(SLOT_COUNT);
  // free slots, first in first out (a ring: SLOT_COUNT is a power of two and never more are free)
  const freeRing = new Uint32Array(SLOT_COUNT);
  let freeHead = 0;
  let freeTail = 0;
  const free = {
    get length(): number {
      return freeTail - freeHead;
    },
    push(slot: number): void {
      freeRing[freeTail++ & (SLOT_COUNT - 1)] = slot;
    },
    shift(): number | undefined {
      return freeHead === freeTail ? undefined : freeRing[freeHead++ & (SLOT_COUNT - 1)];
    },
  };
  for (let i = 0; i < (open ? SLOT_COUNT : inflight); i++) free.push(i);
  const lat: number[] = [];
  const st = { sent: 0, recordedSent: 0, replies: 0, lost: 0, stray: 0, badLength: 0, unexpected: 0, saturated: 0 };
  const outcomes = { exact: 0, fuzzy: 0, miss: 0, ack: 0, refused: 0 };
  const expected = { exact: 0, fuzzy: 0, miss: 0, ack: 0 };
  let next = 0;
  let sending = true;
  let firstRecorded = 0n;
  let lastReply = 0n;
  let maxGap = 0n;
  let lastDigest = '';
  // --sockets N: request slot i goes out on socket i % N (see loadgen.c); free slots are reused first in, first out
  const sockets = Array.from({ length: Math.max(1, Number(a.sockets ?? 1)) }, () => createSocket('udp4'));

  const send = (): boolean => {
    const t = now();
    if (next >= total || (sendEnd !== null && t >= sendEnd)) {
      sending = false;
      return false;
    }
    const slot = free.shift();
    if (slot === undefined) {
      st.saturated++;
      return false;
    }
    const seq = next++;
    const req = requests[seq % requests.length];
    const buf = Buffer.from(req.bytes);
    generation[slot] = (generation[slot] + 1) & 0xffff;
    const tag = ((generation[slot] << SLOT_BITS) | slot) >>> 0;
    buf.writeUInt32LE(tag, 8);
    if (version !== null) buf[0] = version;
    if (unique) {
      buf.writeBigUInt64LE(splitmix64(seed * 0x100000001b3n + BigInt(seq)) & ((1n << 64n) - 1n), 12);
      if (buf[2] !== 0 && buf.length >= 332) {
        for (let i = 0; i < 32; i++) {
          const v = splitmix64((seed << 40n) ^ (BigInt(seq) * 32n + BigInt(i)) ^ 0x5bd1e995n) & ((1n << 64n) - 1n);
          buf.writeBigUInt64LE(v, 76 + 8 * i);
        }
      }
    }
    const recorded = count > 0 ? seq >= warmupCount : t >= measureStart;
    if (recorded) {
      st.recordedSent++;
      if (firstRecorded === 0n) firstRecorded = t;
      lastDigest = buf.toString('hex', 12, 76);
    }
    st.sent++;
    active.set(tag, { sent: now(), req, buf, recorded });
    sockets[slot % sockets.length].send(buf);
    return true;
  };

  const release = (tag: number): void => {
    active.delete(tag);
    free.push(tag & (SLOT_COUNT - 1));
    if (!open && sending) send();
  };

  const classify = (req: Req, buf: Buffer, reply: Buffer): void => {
    const value = reply.readInt32LE(0);
    const prob = reply.readFloatLE(12);
    const same = reply.subarray(16, 80).equals(buf.subarray(12, 76));
    let ok: boolean;
    if (value === 401 || value === 403 || value === 415 || value === 500 || value === 503) {
      outcomes.refused++;
      ok = false;
    } else if (req.expect === EXPECT.ack) {
      expected.ack++;
      ok = value === 0 && prob === 1;
      if (ok) outcomes.ack++;
    } else if (prob > 0.5) {
      if (same && prob === 1) outcomes.exact++;
      else outcomes.fuzzy++;
      ok = req.expect === 255 || (req.expect === EXPECT.exact && same && prob === 1) || (req.expect === EXPECT.fuzzy && !same);
    } else {
      outcomes.miss++;
      ok = req.expect === 255 || req.expect === EXPECT.miss;
    }
    if (req.expect === EXPECT.exact) expected.exact++;
    if (req.expect === EXPECT.fuzzy) expected.fuzzy++;
    if (req.expect === EXPECT.miss) expected.miss++;
    if (!ok) st.unexpected++;
  };

  const onMessage = (reply: Buffer): void => {
    const t = now();
    if (reply.length < 12) {
      st.badLength++;
      return;
    }
    const tag = reply.readUInt32LE(8);
    const e = active.get(tag);
    if (!e) {
      st.stray++;
      return;
    }
    if (reply.length !== replyBytes) st.badLength++;
    else if (e.recorded) {
      st.replies++;
      lat.push(Number(t - e.sent));
      classify(e.req, e.buf, reply);
      if (lastReply !== 0n && t - lastReply > maxGap) maxGap = t - lastReply;
      lastReply = t;
    }
    release(tag);
  };
  for (const socket of sockets) socket.on('message', onMessage);

  const tick = (): void => {
    const t = now();
    for (const [tag, e] of active) {
      if (t - e.sent < timeoutNs) break; // Map iteration is insertion (send) order
      if (e.recorded) st.lost++;
      release(tag);
    }
    if (open && sending) {
      const due = Math.floor((Number(t - start) / 1e9) * rate) + 1;
      while (st.sent < due && send()) {
        // keep up with the clock
      }
    }
    if (sending && sendEnd !== null && t >= sendEnd) sending = false;
    if (!sending && active.size === 0) return finish();
    setTimeout(tick, open ? 1 : 10);
  };

  const finish = (): void => {
    for (const socket of sockets) socket.close();
    lat.sort((x, y) => x - y);
    const pct = (p: number): number => (lat.length ? lat[Math.round(p * (lat.length - 1))] / 1000 : 0);
    const windowS = lastReply > firstRecorded ? Number(lastReply - firstRecorded) / 1e9 : 0;
    const mean = lat.length ? lat.reduce((s, v) => s + v, 0) / lat.length / 1000 : 0;
    const result = {
      mode: open ? 'open' : 'closed',
      inflight: open ? 0 : inflight,
      offeredRps: open ? rate : 0,
      ...st,
      durationS: windowS,
      rps: windowS > 0 ? Math.round(st.replies / windowS) : 0,
      latencyUs: { mean, p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), p999: pct(0.999), max: pct(1) },
      maxGapMs: Number(maxGap) / 1e6,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      outcomes,
      expected,
      lastDigest,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  };

  let connected = 0;
  for (const socket of sockets) {
    socket.connect(Number(a.port), a.host ?? '127.0.0.1', () => {
      if (++connected < sockets.length) return;
      if (!open) while (free.length > 0 && send()) {
        // fill the window
      }
      tick();
    });
  }
}

main();
