/*
 * fuzzyd benchmark load generator (compiled by test/bench/loadgen.ts with `cc -O2`).
 *
 * Drives one fuzzy UDP server from one socket (or --sockets N) with many tags in flight, the way rspamd's client does,
 * and prints one JSON object on stdout. A generator in C, not Node, so the generator does not saturate before the
 * server does: the two share the machine's cores.
 *
 *   loadgen --port P --requests FILE [--host 127.0.0.1] [--mode closed|open] [--inflight 64] [--rate R]
 *           [--duration S] [--warmup S] [--count N] [--warmup-count N] [--timeout-ms 1000]
 *           [--unique-seed SEED] [--version V] [--sockets 1]
 *
 * FILE: "FZLG", u32 LE record count, then per record: u16 LE length, u8 expectation, u8 0, the datagram. The tag
 * field (bytes 8..11) is overwritten per send: low 16 bits = slot, high 16 bits = generation, so a late reply to a
 * request given up as lost is never taken for the reply of the next request in that slot.
 * Expectations: 0 miss, 1 exact hit, 2 shingle-only hit, 3 update acknowledged, 255 not checked.
 * --unique-seed: every send gets a fresh digest (bytes 12..19) and, when the datagram has a shingle block, 32 fresh
 * shingles, derived from (seed, sequence number): WRITEs that are all inserts, without a file of every datagram.
 * --version: the version byte every request is sent with (default: as in FILE, 4). With 0x14 or 5, a 4.x client's,
 * replies are the 144-byte multi-flag form.
 * --sockets N: N connected UDP sockets (N source ports) instead of one, the way N clients would be. A server that
 * spreads one port over several SO_REUSEPORT sockets (fuzzyd's UDP threads, rspamd's `count = N` fuzzy workers) gets
 * each client's datagrams on the socket the kernel picks by hashing the source address and port, so from one socket
 * all load lands on one thread. Request slot i always goes out on socket i % N; sends are batched per socket
 * (sendmmsg), and every socket with replies waiting is read (recvmmsg). --inflight stays the total over all sockets.
 * No retransmits: a request without a reply after --timeout-ms is lost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT_BITS 16
#define SLOT_COUNT (1u << SLOT_BITS)
#define RING_SIZE (1u << 22)
#define BATCH 64
#define REPLY_BYTES 96
#define MULTI_FLAG_REPLY_BYTES 144
#define MAX_DGRAM 1024
#define MAX_SOCKETS 1024

enum { EXPECT_MISS = 0, EXPECT_EXACT = 1, EXPECT_FUZZY = 2, EXPECT_ACK = 3, EXPECT_ANY = 255 };

struct request {
  const uint8_t *bytes;
  uint16_t len;
  uint8_t expect;
};

struct slot {
  uint64_t sent_ns;
  uint32_t tag;
  uint32_t req;
  uint8_t active;
  uint8_t recorded;
  uint8_t buf[MAX_DGRAM];
  uint16_t len;
};

static struct request *requests;
static uint32_t request_count;
static struct slot *slots;
static uint32_t *ring;
static uint32_t ring_head, ring_tail;
/* Free slots, first in first out: slots (and with them sockets, slot % N) take turns even when few are in flight. */
static uint32_t *free_slots;
static uint32_t free_head, free_tail;
static uint16_t generation[SLOT_COUNT];

static uint32_t *lat_ns;
static size_t lat_len, lat_cap;

static struct {
  uint64_t sent, recorded_sent, replies, lost, stray, bad_len, unexpected, saturated;
  uint64_t exact, fuzzy, miss, ack, refused;
  uint64_t expect_exact, expect_fuzzy, expect_miss, expect_ack;
  uint64_t max_gap_ns, last_reply_ns, last_recorded_reply_ns;
} st;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static void die(const char *msg) {
  fprintf(stderr, "loadgen: %s: %s\n", msg, strerror(errno));
  exit(2);
}

static void load_requests(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) die(path);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc((size_t)size);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) die("read requests");
  fclose(f);
  if (size < 8 || memcmp(data, "FZLG", 4) != 0) {
    fprintf(stderr, "loadgen: %s is not a request file\n", path);
    exit(2);
  }
  memcpy(&request_count, data + 4, 4);
  requests = calloc(request_count, sizeof *requests);
  size_t off = 8;
  for (uint32_t i = 0; i < request_count; i++) {
    uint16_t len;
    memcpy(&len, data + off, 2);
    requests[i].len = len;
    requests[i].expect = data[off + 2];
    requests[i].bytes = data + off + 4;
    off += 4 + len;
    if (off > (size_t)size || len < 76 || len > MAX_DGRAM) {
      fprintf(stderr, "loadgen: record %u is malformed\n", i);
      exit(2);
    }
  }
  if (request_count == 0) {
    fprintf(stderr, "loadgen: no requests\n");
    exit(2);
  }
}

static void record_latency(uint64_t ns) {
  if (lat_len == lat_cap) {
    lat_cap = lat_cap ? lat_cap * 2 : 1 << 20;
    lat_ns = realloc(lat_ns, lat_cap * sizeof *lat_ns);
    if (!lat_ns) die("realloc");
  }
  lat_ns[lat_len++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double pct_us(double p) {
  if (lat_len == 0) return 0;
  size_t idx = (size_t)(p * (double)(lat_len - 1) + 0.5);
  return lat_ns[idx] / 1000.0;
}

/* Judges one reply against what the request expected; the counts let a reader sanity-check the mix. */
static void classify(const struct slot *s, const uint8_t *reply) {
  int32_t value;
  float prob;
  memcpy(&value, reply, 4);
  memcpy(&prob, reply + 12, 4);
  uint8_t expect = requests[s->req].expect;
  int same_digest = memcmp(reply + 16, s->buf + 12, 64) == 0;
  int ok;
  if (value == 401 || value == 403 || value == 415 || value == 500 || value == 503) {
    st.refused++;
    ok = 0;
  } else if (expect == EXPECT_ACK) {
    st.expect_ack++;
    ok = value == 0 && prob == 1.0f;
    if (ok) st.ack++;
  } else if (prob > 0.5f) {
    if (same_digest && prob == 1.0f) st.exact++;
    else st.fuzzy++;
    ok = expect == EXPECT_ANY || (expect == EXPECT_EXACT && same_digest && prob == 1.0f) ||
         (expect == EXPECT_FUZZY && !same_digest);
  } else {
    st.miss++;
    ok = expect == EXPECT_ANY || expect == EXPECT_MISS;
  }
  if (expect == EXPECT_EXACT) st.expect_exact++;
  if (expect == EXPECT_FUZZY) st.expect_fuzzy++;
  if (expect == EXPECT_MISS) st.expect_miss++;
  if (!ok) st.unexpected++;
}

static struct {
  const char *host, *path;
  int port, inflight, open_loop, unique, version, reply_bytes, sockets;
  double rate, duration, warmup, timeout_ms;
  uint64_t count, warmup_count, unique_seed;
} cfg = {.host = "127.0.0.1", .inflight = 64, .timeout_ms = 1000, .version = -1, .reply_bytes = REPLY_BYTES, .sockets = 1};

static int socks[MAX_SOCKETS];
static uint64_t start_ns, measure_start_ns, send_end_ns, total_to_send, timeout_ns;
static uint64_t next_req, outstanding, first_recorded_send;
static int sending = 1;
static uint8_t last_digest[64];
static int have_last_digest;

static struct mmsghdr out_msgs[BATCH], in_msgs[BATCH];
static struct iovec out_iov[BATCH], in_iov[BATCH];
static uint8_t in_buf[BATCH][MAX_DGRAM];
/* The batch waiting to go out on each socket, and how many sockets have one. */
static uint32_t (*out_slot)[BATCH];
static int *out_n;
static int out_pending;

static int socket_of(uint32_t sidx) { return (int)(sidx % (uint32_t)cfg.sockets); }

static void flush_socket(int k) {
  int done = 0, n = out_n[k];
  if (n == 0) return;
  for (int i = 0; i < n; i++) {
    struct slot *s = &slots[out_slot[k][i]];
    out_iov[i].iov_base = s->buf;
    out_iov[i].iov_len = s->len;
    memset(&out_msgs[i], 0, sizeof out_msgs[i]);
    out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
    out_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  while (done < n) {
    uint64_t t = now_ns();
    for (int i = done; i < n; i++) slots[out_slot[k][i]].sent_ns = t;
    int r = sendmmsg(socks[k], out_msgs + done, (unsigned)(n - done), 0);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) continue;
      die("sendmmsg");
    }
    done += r;
  }
  out_n[k] = 0;
  out_pending--;
}

static void flush(void) {
  for (int k = 0; k < cfg.sockets && out_pending > 0; k++) flush_socket(k);
}

/* Puts the next request into a free slot and queues it for sending; 0 when there is nothing (more) to send. */
static int prepare(void) {
  uint64_t t = now_ns();
  if (next_req >= total_to_send || t >= send_end_ns) {
    sending = 0;
    return 0;
  }
  if (free_head == free_tail) {
    st.saturated++;
    return 0;
  }
  uint64_t seq = next_req++;
  uint32_t idx = (uint32_t)(seq % request_count);
  if (!cfg.unique && seq >= request_count && requests[idx].expect == EXPECT_ACK) {
    /* Replaying a WRITE file would turn inserts into updates: refuse rather than measure something else. */
    fprintf(stderr, "loadgen: WRITE request file exhausted; use --unique-seed\n");
    exit(2);
  }
  uint32_t sidx = free_slots[free_head++ & (SLOT_COUNT - 1)];
  struct slot *s = &slots[sidx];
  const struct request *rq = &requests[idx];
  memcpy(s->buf, rq->bytes, rq->len);
  s->len = rq->len;
  s->req = idx;
  uint16_t gen = ++generation[sidx];
  s->tag = ((uint32_t)gen << SLOT_BITS) | sidx;
  memcpy(s->buf + 8, &s->tag, 4);
  if (cfg.version >= 0) s->buf[0] = (uint8_t)cfg.version;
  if (cfg.unique) {
    uint64_t d = splitmix64(cfg.unique_seed * 0x100000001b3ull + seq);
    memcpy(s->buf + 12, &d, 8);
    if (s->buf[2] != 0 && s->len >= 332)
      for (int i = 0; i < 32; i++) {
        uint64_t sh = splitmix64((cfg.unique_seed << 40) ^ (seq * 32 + (uint64_t)i) ^ 0x5bd1e995ull);
        memcpy(s->buf + 76 + 8 * i, &sh, 8);
      }
  }
  s->active = 1;
  /* flush() stamps the real send time; until then the slot must not look as old as its previous request */
  s->sent_ns = t;
  s->recorded = cfg.count > 0 ? seq >= cfg.warmup_count : t >= measure_start_ns;
  if (s->recorded) {
    st.recorded_sent++;
    if (!first_recorded_send) first_recorded_send = t;
    memcpy(last_digest, s->buf + 12, 64);
    have_last_digest = 1;
  }
  st.sent++;
  outstanding++;
  ring[ring_tail++ & (RING_SIZE - 1)] = s->tag;
  if (ring_tail - ring_head > RING_SIZE) {
    fprintf(stderr, "loadgen: timeout ring overflow\n");
    exit(2);
  }
  int k = socket_of(sidx);
  if (out_n[k] == 0) out_pending++;
  out_slot[k][out_n[k]++] = sidx;
  if (out_n[k] == BATCH) flush_socket(k);
  return 1;
}

static void release(uint32_t sidx) {
  slots[sidx].active = 0;
  free_slots[free_tail++ & (SLOT_COUNT - 1)] = sidx;
  outstanding--;
}

static void parse_args(int argc, char **argv) {
  const char *mode = "closed";
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf(stderr, "loadgen: %s needs a value\n", a);
      exit(2);
    }
    if (!strcmp(a, "--host")) cfg.host = v;
    else if (!strcmp(a, "--port")) cfg.port = atoi(v);
    else if (!strcmp(a, "--requests")) cfg.path = v;
    else if (!strcmp(a, "--mode")) mode = v;
    else if (!strcmp(a, "--inflight")) cfg.inflight = atoi(v);
    else if (!strcmp(a, "--rate")) cfg.rate = atof(v);
    else if (!strcmp(a, "--duration")) cfg.duration = atof(v);
    else if (!strcmp(a, "--warmup")) cfg.warmup = atof(v);
    else if (!strcmp(a, "--count")) cfg.count = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--warmup-count")) cfg.warmup_count = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--timeout-ms")) cfg.timeout_ms = atof(v);
    else if (!strcmp(a, "--unique-seed")) cfg.unique_seed = strtoull(v, NULL, 10), cfg.unique = 1;
    else if (!strcmp(a, "--version")) cfg.version = (int)strtol(v, NULL, 0);
    else if (!strcmp(a, "--sockets")) cfg.sockets = atoi(v);
    else {
      fprintf(stderr, "loadgen: unknown option %s\n", a);
      exit(2);
    }
  }
  cfg.open_loop = !strcmp(mode, "open");
  if (cfg.version >= 0 && ((cfg.version & 0x0f) >= 5 || (cfg.version & 0x10)))
    cfg.reply_bytes = MULTI_FLAG_REPLY_BYTES;
  if (!cfg.path || !cfg.port || (cfg.open_loop && cfg.rate <= 0) ||
      (!cfg.open_loop && (cfg.inflight < 1 || cfg.inflight > 4096)) || (cfg.duration <= 0 && cfg.count == 0)) {
    fprintf(stderr, "loadgen: need --port, --requests, --duration or --count, and --rate for --mode open\n");
    exit(2);
  }
  if (cfg.sockets < 1 || cfg.sockets > MAX_SOCKETS) {
    fprintf(stderr, "loadgen: --sockets must be 1..%d\n", MAX_SOCKETS);
    exit(2);
  }
}

static int open_socket(void) {
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) die("socket");
  int bufsize = 16 << 20;
  /* The FORCE variants pass net.core.*mem_max when we may (root); the plain ones are the fallback. */
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof bufsize) < 0)
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
  if (setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &bufsize, sizeof bufsize) < 0)
    setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
  if (inet_pton(AF_INET, cfg.host, &addr.sin_addr) != 1) die("host");
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  return sock;
}

static void open_sockets(void) {
  for (int k = 0; k < cfg.sockets; k++) socks[k] = open_socket();
  out_slot = calloc((size_t)cfg.sockets, sizeof *out_slot);
  out_n = calloc((size_t)cfg.sockets, sizeof *out_n);
  if (!out_slot || !out_n) die("malloc");
  for (int i = 0; i < BATCH; i++) {
    in_iov[i].iov_base = in_buf[i];
    in_iov[i].iov_len = MAX_DGRAM;
    in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
    in_msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

static void receive_replies(int sock) {
  for (;;) {
    int n = recvmmsg(sock, in_msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      if (errno == ECONNREFUSED) continue; /* ICMP from a server that went away: its requests time out */
      die("recvmmsg");
    }
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++) {
      unsigned len = in_msgs[i].msg_len;
      if (len < 12) {
        st.bad_len++;
        continue;
      }
      uint32_t tag;
      memcpy(&tag, in_buf[i] + 8, 4);
      uint32_t sidx = tag & (SLOT_COUNT - 1);
      struct slot *s = &slots[sidx];
      if (!s->active || s->tag != tag) {
        st.stray++;
        continue;
      }
      if (len != cfg.reply_bytes) {
        st.bad_len++;
      } else if (s->recorded) {
        st.replies++;
        record_latency(t - s->sent_ns);
        classify(s, in_buf[i]);
        if (st.last_reply_ns && t - st.last_reply_ns > st.max_gap_ns) st.max_gap_ns = t - st.last_reply_ns;
        st.last_reply_ns = t;
        st.last_recorded_reply_ns = t;
      }
      release(sidx);
      if (!cfg.open_loop && sending) prepare();
    }
    if (n < BATCH) return;
  }
}

/* Requests older than the timeout are lost (no retransmits); the ring holds tags in send order. */
static void expire_lost(void) {
  uint64_t t = now_ns();
  while (ring_head != ring_tail) {
    uint32_t tag = ring[ring_head & (RING_SIZE - 1)];
    uint32_t sidx = tag & (SLOT_COUNT - 1);
    struct slot *s = &slots[sidx];
    if (s->active && s->tag == tag) {
      /* not t - sent_ns: a request prepared during this scan was stamped after t */
      if (s->sent_ns + timeout_ns > t) return;
      if (s->recorded) st.lost++;
      release(sidx);
      if (!cfg.open_loop && sending) prepare();
    }
    ring_head++;
  }
}

static void print_result(void) {
  qsort(lat_ns, lat_len, sizeof *lat_ns, cmp_u32);
  double window_s = st.last_recorded_reply_ns > first_recorded_send
                        ? (double)(st.last_recorded_reply_ns - first_recorded_send) / 1e9
                        : 0;
  double sum = 0;
  for (size_t i = 0; i < lat_len; i++) sum += lat_ns[i];
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  char hex[129] = "";
  if (have_last_digest)
    for (int i = 0; i < 64; i++) sprintf(hex + 2 * i, "%02x", last_digest[i]);
  printf("{\"mode\":\"%s\",\"inflight\":%d,\"offeredRps\":%.0f,\"sent\":%llu,\"recordedSent\":%llu,"
         "\"replies\":%llu,\"lost\":%llu,\"stray\":%llu,\"badLength\":%llu,\"unexpected\":%llu,\"saturated\":%llu,"
         "\"durationS\":%.3f,\"rps\":%.0f,"
         "\"latencyUs\":{\"mean\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
         "\"maxGapMs\":%.2f,\"cpuMs\":%.1f,"
         "\"outcomes\":{\"exact\":%llu,\"fuzzy\":%llu,\"miss\":%llu,\"ack\":%llu,\"refused\":%llu},"
         "\"expected\":{\"exact\":%llu,\"fuzzy\":%llu,\"miss\":%llu,\"ack\":%llu},\"lastDigest\":\"%s\"}\n",
         cfg.open_loop ? "open" : "closed", cfg.open_loop ? 0 : cfg.inflight, cfg.open_loop ? cfg.rate : 0,
         (unsigned long long)st.sent, (unsigned long long)st.recorded_sent, (unsigned long long)st.replies,
         (unsigned long long)st.lost, (unsigned long long)st.stray, (unsigned long long)st.bad_len,
         (unsigned long long)st.unexpected, (unsigned long long)st.saturated, window_s,
         window_s > 0 ? (double)st.replies / window_s : 0, lat_len ? sum / (double)lat_len / 1000.0 : 0,
         pct_us(0.50), pct_us(0.90), pct_us(0.99), pct_us(0.999), lat_len ? lat_ns[lat_len - 1] / 1000.0 : 0,
         (double)st.max_gap_ns / 1e6, cpu_ms, (unsigned long long)st.exact, (unsigned long long)st.fuzzy,
         (unsigned long long)st.miss, (unsigned long long)st.ack, (unsigned long long)st.refused,
         (unsigned long long)st.expect_exact, (unsigned long long)st.expect_fuzzy,
         (unsigned long long)st.expect_miss, (unsigned long long)st.expect_ack, hex);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  load_requests(cfg.path);
  slots = calloc(SLOT_COUNT, sizeof *slots);
  ring = malloc(RING_SIZE * sizeof *ring);
  free_slots = malloc(SLOT_COUNT * sizeof *free_slots);
  if (!slots || !ring || !free_slots) die("malloc");
  /* Closed loop hands out only `inflight` slots; open loop may have up to SLOT_COUNT requests outstanding. */
  uint32_t usable = cfg.open_loop ? SLOT_COUNT : (uint32_t)cfg.inflight;
  for (uint32_t i = 0; i < usable; i++) free_slots[free_tail++ & (SLOT_COUNT - 1)] = i;
  open_sockets();
  struct pollfd *pfds = calloc((size_t)cfg.sockets, sizeof *pfds);
  if (!pfds) die("malloc");
  for (int k = 0; k < cfg.sockets; k++) pfds[k] = (struct pollfd){.fd = socks[k], .events = POLLIN};

  timeout_ns = (uint64_t)(cfg.timeout_ms * 1e6);
  start_ns = now_ns();
  measure_start_ns = start_ns + (uint64_t)(cfg.warmup * 1e9);
  send_end_ns = cfg.duration > 0 ? measure_start_ns + (uint64_t)(cfg.duration * 1e9) : UINT64_MAX;
  total_to_send = cfg.count > 0 ? cfg.warmup_count + cfg.count : UINT64_MAX;
  const double interval_ns = cfg.open_loop ? 1e9 / cfg.rate : 0;
  uint64_t open_sent = 0;

  if (!cfg.open_loop) {
    while (free_head != free_tail && prepare()) {
    }
    flush();
  }
  for (;;) {
    uint64_t now = now_ns();
    if (sending && (now >= send_end_ns || next_req >= total_to_send)) sending = 0;
    if (cfg.open_loop && sending) {
      /* Offered load follows the clock, not the replies: a stalled server gets the requests anyway. */
      uint64_t due = (uint64_t)((double)(now - start_ns) / interval_ns) + 1;
      while (open_sent < due && prepare()) open_sent++;
      flush();
    }
    if (!sending && outstanding == 0) break;

    int wait_ms = 10;
    if (cfg.open_loop && sending) {
      double ms = ((double)start_ns + (double)open_sent * interval_ns - (double)now_ns()) / 1e6;
      wait_ms = ms <= 0 ? 0 : ms < 1 ? 1 : (int)ms;
    }
    int ready = poll(pfds, (nfds_t)cfg.sockets, wait_ms);
    if (ready < 0 && errno != EINTR) die("poll");
    for (int k = 0; k < cfg.sockets && ready > 0; k++) {
      if (pfds[k].revents == 0) continue;
      ready--;
      /* POLLERR too: recvmmsg takes the pending error (ICMP unreachable) off the socket */
      receive_replies(socks[k]);
    }
    expire_lost();
    if (out_pending > 0) flush();
  }
  print_result();
  for (int k = 0; k < cfg.sockets; k++) close(socks[k]);
  return 0;
}
