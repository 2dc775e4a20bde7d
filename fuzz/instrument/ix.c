/*
 * ix.c - the runtime of the __tsan_* entry points (see ix.h).
 *
 * Everything here runs in the thread of the simulator (one context at a
 * time per thread, mt_sim_active()).  Outside a run the hooks only check
 * and perform the access, so instrumented code also works in plain unit
 * tests and (without schedule points) under real threads.
 */
/* This file defines poll() (a yield on a VCPU): glibc's fortified inline
 * poll() (-c opt sets _FORTIFY_SOURCE) would be a second definition. */
#undef _FORTIFY_SOURCE
#include "fuzz/instrument/ix.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/engine/sim.h"
#include "fuzz/format/input.h"
#include "fuzz/instrument/blind.h"
#include "fuzz/instrument/ix_atomic128.h"
#include "lib/mt_access.h"

#if defined(__SANITIZE_ADDRESS__) || defined(MT_ASAN_RUNTIME)
#define IX_ASAN 1              /* MT_ASAN_RUNTIME: built uninstrumented into an ASan binary */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IX_ASAN 1
#endif
#endif

#ifdef IX_ASAN
void *__asan_region_is_poisoned(void *beg, size_t size);
void __asan_report_load_n(void *addr, size_t size);
void __asan_report_store_n(void *addr, size_t size);
#endif

enum { IX_R = MT_SK_R, IX_W = MT_SK_W, IX_RW = MT_SK_RW };

/* ---- sites ---- */

#define IX_SPARE 256u            /* slots for hooks called from unscanned code */

static struct mt_site *ix_sites;          /* sorted by name; then spares */
static uintptr_t *ix_pc_sorted;           /* scanned return addresses, ascending */
static unsigned *ix_pc_site;              /* ... and their site index */
static unsigned ix_found, ix_spare_used;  /* sites (sorted by name); spare slots used */
static unsigned ix_nr_calls;              /* hook calls found (several per site: copies) */
static uintptr_t ix_spare_pc[IX_SPARE];
static uint64_t ix_build;
static char ix_problem[160];
static struct mt_ix_stats ix_stats;
static uintptr_t load_bias;

static struct mt_site_table ix_table = { .name = "instrumented", .count = 0, .sites = NULL };
const struct mt_site_table *const mt_ix_site_tables[] = { &ix_table, NULL };

unsigned mt_ix_nr_found(void) { return ix_found; }
uint64_t mt_ix_build_id(void) { return ix_build; }
const char *mt_ix_problem(void) { return ix_problem; }
const struct mt_ix_stats *mt_ix_stats(void) { return &ix_stats; }

static const struct mt_site *site_of(uintptr_t pc)
{
	unsigned lo = 0, hi = ix_nr_calls;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (ix_pc_sorted[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix_nr_calls && ix_pc_sorted[lo] == pc)
		return &ix_sites[ix_pc_site[lo]];
	for (unsigned i = 0; i < ix_spare_used; i++)
		if (ix_spare_pc[i] == pc)
			return &ix_sites[ix_found + i];
	if (!ix_sites || ix_spare_used == IX_SPARE)
		return NULL;             /* the engine reports it: a site in no table */
	unsigned i = ix_spare_used++;
	ix_spare_pc[i] = pc;
	ix_stats.spare_sites++;
	char *text = malloc(256), *id = malloc(128);
	if (text && id) {
		mt_blind_describe(pc, load_bias, id, 128, text, 256);
		ix_sites[ix_found + i].text = text;
		ix_sites[ix_found + i].id = id;
	} else {
		free(text);
		free(id);
	}
	return &ix_sites[ix_found + i];
}

/* ---- per-VCPU spinning state ----
 *
 * When a VCPU is parked as spinning.  Each read is counted AFTER its
 * schedule point, with the value memory holds then: what the access reads
 * (nothing runs between the point and the access).  A read of an address
 * in the VCPU's ring (the last IX_RING addresses it read since its last
 * own write) that finds the value it read there last time is a re-read;
 * a new address or a changed value starts the count over (its own
 * progress through data, or another VCPU's progress).  Before the read
 * that would be its MT_IX_SPIN_READS-th re-read in a row, the VCPU is
 * parked, at that read's site, if
 *   - memory still holds the value it read last at that address, and
 *   - memory still holds, at every address it re-read in this run of
 *     re-reads, the value it read there
 * (checked right there, with no other VCPU running in between): no write
 * by another VCPU since its re-reads changed what it reads.  (A count
 * taken before the point went stale when the VCPU was switched out at the
 * point and another VCPU wrote: the VCPU then read the new value, went
 * on, and its next re-read of an unchanged address made the count, so it
 * parked waiting for a write that had already happened.)  It waits until
 * another VCPU writes one of the addresses in its ring (ix_wrote); the
 * wait is a guess for the engine (mt_sched_spin_wait), which re-checks it
 * before calling it a deadlock: resumed, the VCPU parks again only after
 * MT_IX_SPIN_RECHECK_READS re-reads, and its yields do not park. */

#define IX_RING 8u

struct ix_vcpu {
	const void *rd[IX_RING];     /* addresses read since the last own write */
	size_t rd_size[IX_RING];
	uint64_t rd_val[IX_RING];    /* ... and the value each held when read last (first 8 bytes) */
	unsigned nrd, next, rereads;
	unsigned run;                /* ring slots re-read in this run of re-reads (bits) */
	int parked;
	struct mt_lock wait;         /* held while parked: the engine waits for 0 */
};

static struct ix_vcpu ix_v[MT_IN_MAX_VCPUS];

static void forget_reads(struct ix_vcpu *c)
{
	c->nrd = c->next = c->rereads = c->run = 0;
}

/* The value at addr now (its first 8 bytes at most), read without ASan's
 * check: the callers check (the hook's access, or reads_changed).  In a
 * hook nothing runs between this and the access. */
__attribute__((no_sanitize("address")))
static inline uint64_t peek(const void *addr, size_t size)
{
	uint64_t v = 0;

	switch (size) {          /* one load for the common sizes */
	case 1: v = *(const volatile uint8_t *)addr; break;
	case 2: { uint16_t x; __builtin_memcpy(&x, (const void *)addr, 2); v = x; break; }
	case 4: { uint32_t x; __builtin_memcpy(&x, (const void *)addr, 4); v = x; break; }
	case 16: {               /* both halves: a {pointer, tag} whose tag moved changed */
		uint64_t x[2];
		__builtin_memcpy(x, (const void *)addr, 16);
		v = x[0] ^ (x[1] * 0x9e3779b97f4a7c15ull);
		break;
	}
	default:
		if (size >= 8) {
			__builtin_memcpy(&v, (const void *)addr, 8);
			break;
		}
		for (size_t i = 0; i < size; i++)
			v |= (uint64_t)((const volatile uint8_t *)addr)[i] << (8 * i);
	}
	return v;
}

static unsigned remember_read(struct ix_vcpu *c, const void *addr, size_t size, uint64_t val)
{
	unsigned i = c->next;

	c->rd[i] = addr;
	c->rd_size[i] = size;
	c->rd_val[i] = val;
	c->next = (i + 1) % IX_RING;
	if (c->nrd < IX_RING)
		c->nrd++;
	return i;
}

/* The ring slot of addr, or -1. */
static inline int slot_of(const struct ix_vcpu *c, const void *addr)
{
	for (unsigned i = 0; i < c->nrd; i++)
		if (c->rd[i] == addr)
			return (int)i;
	return -1;
}

/* c reads [addr, addr + size) now, after its schedule point: a re-read if
 * it finds the value it read there last time (counted), else the count
 * starts over with this read. */
static inline void count_read(struct ix_vcpu *c, const void *addr, size_t size)
{
	uint64_t now = peek(addr, size);
	int i = slot_of(c, addr);

	if (i >= 0 && now == c->rd_val[i]) {
		c->rereads++;
		c->run |= 1u << i;
		return;
	}
	if (i >= 0)
		c->rd_val[i] = now;
	else
		i = (int)remember_read(c, addr, size, now);
	c->rereads = 0;
	c->run = 1u << i;
}

/* The value at ring slot i differs from what c read there (or was freed). */
static int slot_changed(const struct ix_vcpu *c, unsigned i)
{
#ifdef IX_ASAN
	if (__asan_region_is_poisoned((void *)(uintptr_t)c->rd[i], c->rd_size[i]))
		return 1;            /* freed since: no value to wait on */
#endif
	return peek(c->rd[i], c->rd_size[i]) != c->rd_val[i];
}

/* Some value c read has changed since (a yield would wait for nothing). */
static int reads_changed(const struct ix_vcpu *c)
{
	for (unsigned i = 0; i < c->nrd; i++)
		if (slot_changed(c, i))
			return 1;
	return 0;
}

/* c is about to read [addr, addr + size), with MT_IX_SPIN_READS - 1
 * re-reads in a row behind it: 1 if that read is one more re-read and
 * nothing it re-read in the run changed (park it: see above).  If
 * something changed, the count starts over (an address it no longer
 * reads then leaves the run, and cannot keep it from parking for good). */
static int spinning(struct ix_vcpu *c, const void *addr)
{
	if (c->rereads + 1 < MT_IX_SPIN_RECHECK_READS && mt_sim_rechecking())
		return 0;
	int i = slot_of(c, addr);
	int changed = i < 0 || slot_changed(c, (unsigned)i);
	for (unsigned k = 0; k < c->nrd && !changed; k++)
		changed = (c->run >> k & 1u) && slot_changed(c, k);
	if (changed) {
		c->rereads = 0;
		c->run = 0;
	}
	return !changed;
}

/* c11: VCPU v's load of addr (counted with memory's newest value) read
 * val, an older store: that is what it saw, and the count starts over (a
 * later read of the newest value is a change, not a re-read). */
static void ix_read_older(int v, const void *addr, uint64_t val)
{
	struct ix_vcpu *c = &ix_v[v];
	int i = slot_of(c, addr);

	c->rereads = 0;
	c->run = 0;
	if (i >= 0) {
		c->rd_val[i] = val;
		c->run = 1u << i;
	}
}

/* Park VCPU v until another VCPU writes what it read (ix_wrote).  guess:
 * a spin or a yield (the engine re-checks it), else a lock found held. */
static void park(struct ix_vcpu *c, const struct mt_site *s, int guess)
{
	atomic_store_explicit(&c->wait.held, 1, memory_order_relaxed);
	c->parked = 1;
	if (guess)
		mt_sched_spin_wait(s, &c->wait);
	else
		mt_sched_blocked(s, &c->wait);
	c->parked = 0;
	forget_reads(c);
}

/* v wrote [addr, addr + size): wake every other VCPU parked on it. */
static void ix_wrote(int v, const void *addr, size_t size)
{
	uintptr_t a = (uintptr_t)addr;

	for (unsigned u = 0; u < MT_IN_MAX_VCPUS; u++) {
		struct ix_vcpu *c = &ix_v[u];
		if (!c->parked || (int)u == v)
			continue;
		for (unsigned i = 0; i < c->nrd; i++) {
			uintptr_t r = (uintptr_t)c->rd[i];
			if (a < r + c->rd_size[i] && r < a + size) {
				atomic_store_explicit(&c->wait.held, 0, memory_order_relaxed);
				ix_stats.wakes++;
				break;
			}
		}
	}
}

/* The VCPU of the run in progress, or -1 (no run, or the scheduler itself). */
static inline int ix_vcpu_now(struct mt_sim **simp)
{
	struct mt_sim *sim = mt_sim_active();

	*simp = sim;
	return sim ? mt_sim_current(sim) : -1;
}

static struct ix_vcpu *ix_enter(struct mt_sim *sim, int v)
{
	struct ix_vcpu *c = &ix_v[v];
	struct mt_sim_op *op = mt_sim_op_of(sim, (unsigned)v);

	if (op && op->points == 0 && !c->parked)
		forget_reads(c);         /* a new operation */
	return c;
}

static inline void ix_check(const void *addr, size_t size, unsigned kind)
{
#ifdef IX_ASAN
	if (__asan_region_is_poisoned((void *)(uintptr_t)addr, size)) {
		if (kind & IX_W)
			__asan_report_store_n((void *)(uintptr_t)addr, size);
		else
			__asan_report_load_n((void *)(uintptr_t)addr, size);
	}
#else
	(void)addr;
	(void)size;
	(void)kind;
#endif
}

/* ---- a volatile access's after-half (c11, volatile = "relaxed") ----
 *
 * clang calls __tsan_volatile_readN/writeN BEFORE the compiled code makes
 * the access, and calls nothing after it.  Under c11 the volatile hooks
 * still give the model both halves, the way the atomic hooks do:
 *
 * - a load: the hook decides it (schedule point, then mt_sched_after() on
 *   memory's value).  If the model chose an older store, the hook writes
 *   that value into memory, so the compiled load right after the hook
 *   reads it, and leaves a restore: memory's newest value, to write back.
 * - a store: announced with MT_ACC_DEFER; its mt_sched_after() (which
 *   takes the stored value from memory) is left for later, when the
 *   compiled store has happened.
 *
 * ix_settle() does what was left, and every hook of this file calls it
 * before anything else (before the ASan check, spin detection, site lookup
 * and the schedule point).  Why that is soon enough: other VCPUs, the
 * engine's checkers and the contract only run at a schedule point or
 * after the VCPU's operation returned.  Schedule points of instrumented
 * code are made only by the hooks here (nothing else in the binary calls
 * mt_sched_point() for it), and each hook settles before its point.  The
 * operation returns through the instrumented function that made the
 * access, and clang's ThreadSanitizer pass calls __tsan_func_exit() before
 * every return of a function with an instrumented access: it settles too,
 * so the adapter gets control with memory holding the newest store again.
 * (byo.c also settles when an operation returns, ahead of the checkers,
 * for code compiled without function entry/exit hooks.)  In between, only
 * the VCPU's own compiled code runs: the stale value is what it loaded.
 * Hence at most one access is unsettled at any time, whichever VCPU. */
enum { IX_SETTLED, IX_RESTORE, IX_STORE_AFTER };

static struct ix_after {
	int what;                    /* IX_SETTLED, IX_RESTORE, IX_STORE_AFTER */
	int v;                       /* the VCPU that made the access */
	struct mt_sim *sim;
	void *addr;
	unsigned size, acc;
	uint64_t stale, newest;      /* IX_RESTORE: what the load read; what memory held */
} ix_unsettled;

/* Writes what peek() reads: the hook's address passed ix_check(). */
__attribute__((no_sanitize("address")))
static void poke(void *addr, size_t size, uint64_t v)
{
	volatile uint8_t *b = addr;

	for (size_t i = 0; i < size && i < sizeof(v); i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void ix_settle_slow(void)
{
	int what = ix_unsettled.what;

	ix_unsettled.what = IX_SETTLED;
	if (what == IX_RESTORE) {
		/* Back to the newest store, unless memory no longer holds the
		 * stale value: then the VCPU itself wrote there since, with code
		 * that calls no hook (memset), and that write is the newest. */
#ifdef IX_ASAN
		if (__asan_region_is_poisoned(ix_unsettled.addr, ix_unsettled.size))
			return;          /* freed since (without a hook: not ours to touch) */
#endif
		if (peek(ix_unsettled.addr, ix_unsettled.size) == ix_unsettled.stale) {
			poke(ix_unsettled.addr, ix_unsettled.size, ix_unsettled.newest);
			ix_stats.restores++;
		}
		return;
	}
	/* IX_STORE_AFTER: the model takes the value from memory now.  Only on
	 * the VCPU that stored, in the same run: elsewhere (an operation that
	 * ended without __tsan_func_exit) the store stays what it was before
	 * this was built, a write the model does not see. */
	struct mt_sim *sim;
	if (ix_vcpu_now(&sim) == ix_unsettled.v && sim == ix_unsettled.sim)
		mt_sched_after(ix_unsettled.addr, ix_unsettled.acc, NULL);
}

static inline void ix_settle(void)
{
	if (__builtin_expect(ix_unsettled.what != IX_SETTLED, 0))
		ix_settle_slow();
}

void mt_ix_settle(void)
{
	ix_settle();
}

/*
 * The access of [addr, addr + size) at pc happens right after this
 * returns (the VCPU runs on until its next schedule point: nothing else
 * runs in between).  Returns the VCPU, or -1 outside a simulated VCPU.
 */
static int ix_point(uintptr_t pc, const void *addr, size_t size, unsigned kind, unsigned acc)
{
	struct mt_sim *sim;
	int v;

	ix_settle();
	ix_check(addr, size, kind);
	if ((v = ix_vcpu_now(&sim)) < 0)
		return -1;
	ix_stats.accesses++;
	const struct mt_site *s = site_of(pc);
	struct ix_vcpu *c = ix_enter(sim, v);
	if (kind & IX_W) {
		forget_reads(c);
	} else if (c->rereads + 1 >= MT_IX_SPIN_READS && s && spinning(c, addr)) {
		ix_stats.spin_parks++;
		park(c, s, 1);
	}
	ix_stats.points++;
	mt_sched_point(s, addr, acc);
	if (kind & IX_W)
		ix_wrote(v, addr, size);
	else
		count_read(c, addr, size);     /* after the point: what the access reads */
	return v;
}

/* What a plain access is for the engine's memory checkers (enum mt_acc).
 * 16 bytes say so: the model and the race detector take both halves. */
#define IX_PLAIN_ACC(kind) ((kind) == IX_W ? MT_ACC_STORE | MT_ACC_PLAIN : MT_ACC_LOAD | MT_ACC_PLAIN)
#define IX_PLAIN_ACC_N(kind, n) (IX_PLAIN_ACC(kind) | ((n) == 16 ? MT_ACC_SZ(16) : 0))

/* ThreadSanitizer's memory order argument (0 relaxed, 1 consume, 2 acquire,
 * 3 release, 4 acq_rel, 5 seq_cst) -> enum mt_acc's order: the atomic is
 * performed sequentially consistent here, but happens-before (the race
 * detector) follows the order the code asked for. */
static unsigned ix_order(int mo)
{
	switch (mo) {
	case 0:  return MT_ACC_RELAXED;
	case 1:
	case 2:  return MT_ACC_ACQUIRE;
	case 3:  return MT_ACC_RELEASE;
	case 4:  return MT_ACC_ACQ_REL;
	default: return MT_ACC_SEQ_CST;
	}
}

#define IX_PC() ((uintptr_t)__builtin_return_address(0))

/* ---- plain accesses ---- */

#define IX_PLAIN(name, n, kind) \
	void name(void *addr); \
	__attribute__((noinline)) void name(void *addr) { ix_point(IX_PC(), addr, n, kind, IX_PLAIN_ACC_N(kind, n)); }

#define IX_PLAIN_SIZES(X) \
	X(__tsan_read1, 1, IX_R) X(__tsan_read2, 2, IX_R) X(__tsan_read4, 4, IX_R) \
	X(__tsan_read8, 8, IX_R) X(__tsan_read16, 16, IX_R) \
	X(__tsan_write1, 1, IX_W) X(__tsan_write2, 2, IX_W) X(__tsan_write4, 4, IX_W) \
	X(__tsan_write8, 8, IX_W) X(__tsan_write16, 16, IX_W) \
	X(__tsan_unaligned_read2, 2, IX_R) X(__tsan_unaligned_read4, 4, IX_R) \
	X(__tsan_unaligned_read8, 8, IX_R) X(__tsan_unaligned_read16, 16, IX_R) \
	X(__tsan_unaligned_write2, 2, IX_W) X(__tsan_unaligned_write4, 4, IX_W) \
	X(__tsan_unaligned_write8, 8, IX_W) X(__tsan_unaligned_write16, 16, IX_W)

IX_PLAIN_SIZES(IX_PLAIN)

/* ---- volatile accesses: relaxed atomics ----
 *
 * clang calls these only for code compiled with -mllvm
 * -tsan-distinguish-volatile=1 (instrumented_library(volatile =
 * "relaxed"), fuzz/instrument/defs.bzl); without it a volatile access is
 * a plain __tsan_readN/writeN like any other (volatile = "plain", the
 * default).  Kernel-style READ_ONCE/WRITE_ONCE and Xen's read_atomic are
 * volatile accesses meant as relaxed atomics: they count as such for the
 * engine (no data race, finding I12, between two of them; no ordering:
 * a relaxed access synchronizes with nothing).
 *
 * The compiled code performs the access itself after the hook returns.
 * Under sc that changes nothing: the model decides at the schedule point.
 * Under c11 (1, 2, 4 or 8 bytes) the hooks split the access the way the
 * atomic hooks do, with the after-half settled later (ix_settle() above):
 * a load may read an older store (the hook puts its value in memory for
 * the compiled load, and the newest is written back at the VCPU's next
 * hook), and a store is recorded with its value.  16 bytes: relaxed for
 * the race detector, decided at the point (both halves, newest only, as
 * the 16-byte atomics of ix_atomic128.c). */
#define IX_VOLATILE_ACC(kind, n) \
	(((kind) == IX_W ? MT_ACC_STORE : MT_ACC_LOAD) | MT_ACC_RELAXED | MT_ACC_SZ(n))

/* A run under the c11 model in progress? */
static inline int ix_c11(void)
{
	struct mt_sim *sim = mt_sim_active();

	return sim && mt_sim_program(sim)->model == MT_MODEL_C11;
}

/* A volatile access of n bytes at addr (kind IX_R or IX_W); ix_point()
 * settles what an earlier one left first. */
static void ix_volatile(uintptr_t pc, void *addr, unsigned n, unsigned kind)
{
	unsigned acc = IX_VOLATILE_ACC(kind, n);

	if (!ix_c11()) {
		ix_point(pc, addr, n, kind, acc);
		return;
	}
	acc |= MT_ACC_DEFER;
	int v = ix_point(pc, addr, n, kind, acc);
	if (v < 0)
		return;
	struct mt_sim *sim;
	(void)ix_vcpu_now(&sim);
	struct ix_after after = { .v = v, .sim = sim, .addr = addr, .size = n, .acc = acc };
	if (kind == IX_W) {
		/* The store happens after the return: the model reads its value
		 * at the VCPU's next hook. */
		after.what = IX_STORE_AFTER;
		ix_unsettled = after;
		return;
	}
	/* The load, decided now: nothing runs between here and the compiled
	 * load but the return from this hook. */
	uint64_t newest = peek(addr, n), val = newest;
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } got = { .u64 = 0 };
	switch (n) {
	case 1: got.u8 = (uint8_t)val; mt_sched_after(addr, acc, &got.u8); val = got.u8; break;
	case 2: got.u16 = (uint16_t)val; mt_sched_after(addr, acc, &got.u16); val = got.u16; break;
	case 4: got.u32 = (uint32_t)val; mt_sched_after(addr, acc, &got.u32); val = got.u32; break;
	default: got.u64 = val; mt_sched_after(addr, acc, &got.u64); val = got.u64; break;
	}
	if (val == newest)
		return;
	/* An older store: memory holds its value until this VCPU's next hook. */
	ix_read_older(v, addr, val);
	poke(addr, n, val);
	ix_stats.stale_volatile++;
	after.what = IX_RESTORE;
	after.stale = val;
	after.newest = newest;
	ix_unsettled = after;
}

#define IX_VOLATILE_RW(name, n, kind) \
	void name(void *addr); \
	__attribute__((noinline)) void name(void *addr) \
	{ ix_volatile(IX_PC(), addr, n, kind); }
#define IX_VOLATILE_16(name, n, kind) \
	void name(void *addr); \
	__attribute__((noinline)) void name(void *addr) { ix_point(IX_PC(), addr, n, kind, IX_VOLATILE_ACC(kind, n)); }

#define IX_VOLATILE_SIZES_RW(X) \
	X(__tsan_volatile_read1, 1, IX_R) X(__tsan_volatile_read2, 2, IX_R) \
	X(__tsan_volatile_read4, 4, IX_R) X(__tsan_volatile_read8, 8, IX_R) \
	X(__tsan_volatile_write1, 1, IX_W) X(__tsan_volatile_write2, 2, IX_W) \
	X(__tsan_volatile_write4, 4, IX_W) X(__tsan_volatile_write8, 8, IX_W)
#define IX_VOLATILE_SIZES_16(X) \
	X(__tsan_volatile_read16, 16, IX_R) X(__tsan_volatile_write16, 16, IX_W)
#define IX_VOLATILE_SIZES(X) IX_VOLATILE_SIZES_RW(X) IX_VOLATILE_SIZES_16(X)

IX_VOLATILE_SIZES_RW(IX_VOLATILE_RW)
IX_VOLATILE_SIZES_16(IX_VOLATILE_16)

void __tsan_read_range(void *addr, unsigned long size);
__attribute__((noinline)) void __tsan_read_range(void *addr, unsigned long size)
{
	ix_point(IX_PC(), addr, size ? size : 1, IX_R, MT_ACC_LOAD | MT_ACC_PLAIN);
}

void __tsan_write_range(void *addr, unsigned long size);
__attribute__((noinline)) void __tsan_write_range(void *addr, unsigned long size)
{
	ix_point(IX_PC(), addr, size ? size : 1, IX_W, MT_ACC_STORE | MT_ACC_PLAIN);
}

/* ---- atomics: performed here, sequentially consistent (the simulator
 * runs one access at a time; outside it SC is a valid strengthening of
 * whatever order the code asked for) ----
 *
 * The memory model (fuzz/engine/memory.h) decides each atomic as the
 * accessors of lib/mt_access.h let it: the schedule point announces the
 * access with its size and MT_ACC_DEFER, the access happens, then
 * mt_sched_after() tells the model what it did.  Under c11 a load returns
 * the value the model chose (an older store it allows); a store or an
 * RMW records its value (RMWs read the newest store: atomicity).  Under
 * sc the model decides at the schedule point and mt_sched_after() changes
 * nothing.  (Every atomic here is 1, 2, 4 or 8 bytes; the 16-byte ones
 * are in ix_atomic128.c.) */

#define SC __ATOMIC_SEQ_CST

/* enum mt_acc of an atomic of n bytes whose model decision is deferred. */
#define IX_ATOMIC_ACC(op, mo, n) ((op) | ix_order(mo) | MT_ACC_SZ(n) | MT_ACC_DEFER)

#define IX_RMW(N, T, op) IX_RMW_AS(N, T, op, __atomic_##op)
#define IX_RMW_AS(N, T, op, builtin) \
	T __tsan_atomic##N##_##op(volatile T *a, T v, int mo); \
	__attribute__((noinline)) T __tsan_atomic##N##_##op(volatile T *a, T v, int mo) \
	{ unsigned acc = IX_ATOMIC_ACC(MT_ACC_RMW, mo, sizeof(T)); \
	  int w = ix_point(IX_PC(), (const void *)a, sizeof(T), IX_RW, acc); \
	  T old = builtin((T *)a, v, SC); \
	  if (w >= 0) \
		mt_sched_after((const void *)a, acc, NULL); \
	  return old; }

#define IX_ATOMICS(N, T) \
	T __tsan_atomic##N##_load(const volatile T *a, int mo); \
	__attribute__((noinline)) T __tsan_atomic##N##_load(const volatile T *a, int mo) \
	{ unsigned acc = IX_ATOMIC_ACC(MT_ACC_LOAD, mo, sizeof(T)); \
	  int w = ix_point(IX_PC(), (const void *)a, sizeof(T), IX_R, acc); \
	  T val = __atomic_load_n((const T *)a, SC), newest = val; \
	  if (w >= 0) { \
		mt_sched_after((const void *)a, acc, &val);   /* c11: maybe an older store's */ \
		if (val != newest) \
			ix_read_older(w, (const void *)a, val); \
	  } \
	  return val; } \
	void __tsan_atomic##N##_store(volatile T *a, T v, int mo); \
	__attribute__((noinline)) void __tsan_atomic##N##_store(volatile T *a, T v, int mo) \
	{ unsigned acc = IX_ATOMIC_ACC(MT_ACC_STORE, mo, sizeof(T)); \
	  int w = ix_point(IX_PC(), (const void *)a, sizeof(T), IX_W, acc); \
	  __atomic_store_n((T *)a, v, SC); \
	  if (w >= 0) \
		mt_sched_after((const void *)a, acc, NULL); } \
	IX_RMW_AS(N, T, exchange, __atomic_exchange_n) \
	IX_RMW(N, T, fetch_add) IX_RMW(N, T, fetch_sub) IX_RMW(N, T, fetch_and) \
	IX_RMW(N, T, fetch_or) IX_RMW(N, T, fetch_xor) IX_RMW(N, T, fetch_nand) \
	int __tsan_atomic##N##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int fmo); \
	__attribute__((noinline)) int __tsan_atomic##N##_compare_exchange_strong(volatile T *a, T *c, \
		T v, int mo, int fmo) \
	{ return ix_cas##N(IX_PC(), a, c, v, mo, fmo); } \
	int __tsan_atomic##N##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo); \
	__attribute__((noinline)) int __tsan_atomic##N##_compare_exchange_weak(volatile T *a, T *c, \
		T v, int mo, int fmo) \
	{ return ix_cas##N(IX_PC(), a, c, v, mo, fmo); } \
	T __tsan_atomic##N##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo); \
	__attribute__((noinline)) T __tsan_atomic##N##_compare_exchange_val(volatile T *a, T c, T v, \
		int mo, int fmo) \
	{ ix_cas##N(IX_PC(), a, &c, v, mo, fmo); return c; }

/* A compare-and-swap is a read, and a write when it succeeds: only then
 * does it wake VCPUs spinning on the location.  A failed one counts as a
 * re-read of the value it found (spinning only if that did not change).
 * For the model (MT_ACC_CAS: decided after the access, under sc and c11)
 * a successful CAS is an RMW with the success order, and a failed one a
 * load with the failure order (fmo): relaxed, it synchronizes with
 * nothing; it writes no store, so it neither continues a release sequence
 * nor releases.  One reading stays stronger than C11: a failed CAS reads
 * the newest store.  C11 lets it read an older one, but the value it
 * returns must differ from the expected one, which the model cannot be
 * asked for: a stale choice equal to it would leave the code with the
 * newest value and the model's clocks with the older store's (a false
 * finding).  This can hide a bug, never invent one
 * (docs/bring-your-own.md, "What a failed compare-and-swap is"). */
#define IX_CAS(N, T) \
	static int ix_cas##N(uintptr_t pc, volatile T *a, T *c, T v, int mo, int fmo) \
	{ \
		struct mt_sim *sim; \
		ix_settle(); \
		int w = ix_vcpu_now(&sim); \
		unsigned acc = IX_ATOMIC_ACC(MT_ACC_RMW, mo, sizeof(T)) | MT_ACC_CAS; \
		ix_check((const void *)a, sizeof(T), IX_RW); \
		if (w >= 0) { \
			ix_stats.accesses++; \
			const struct mt_site *s = site_of(pc); \
			struct ix_vcpu *cv = ix_enter(sim, w); \
			if (cv->rereads + 1 >= MT_IX_SPIN_READS && s && spinning(cv, (const void *)a)) { \
				ix_stats.spin_parks++; \
				park(cv, s, 1); \
			} \
			ix_stats.points++; \
			mt_sched_point(s, (const void *)a, acc); \
			count_read(cv, (const void *)a, sizeof(T)); \
		} \
		int ok = __atomic_compare_exchange_n((T *)a, c, v, 0, SC, SC); \
		if (w >= 0) { \
			struct ix_vcpu *cv = &ix_v[w]; \
			mt_sched_after((const void *)a, ok ? acc : \
			               IX_ATOMIC_ACC(MT_ACC_LOAD, fmo, sizeof(T)) | MT_ACC_CAS, NULL); \
			if (ok) { \
				forget_reads(cv); \
				ix_wrote(w, (const void *)a, sizeof(T)); \
			} \
		} \
		return ok; \
	}

IX_CAS(8, uint8_t)
IX_CAS(16, uint16_t)
IX_CAS(32, uint32_t)
IX_CAS(64, uint64_t)
IX_ATOMICS(8, uint8_t)
IX_ATOMICS(16, uint16_t)
IX_ATOMICS(32, uint32_t)
IX_ATOMICS(64, uint64_t)

/* ---- for the runtime's other hook files (ix_atomic128.h) ---- */

int mt_ix_point(uintptr_t pc, const void *addr, size_t size, unsigned kind, unsigned acc)
{
	return ix_point(pc, addr, size, kind, acc);
}

int mt_ix_cas_point(uintptr_t pc, const void *addr, size_t size, unsigned acc)
{
	ix_settle();
	ix_check(addr, size, IX_RW);
	return ix_point(pc, addr, size, IX_R, acc);
}

void mt_ix_cas_done(int v, const void *addr, size_t size, int ok)
{
	if (ok) {
		forget_reads(&ix_v[v]);
		ix_wrote(v, addr, size);
	}
}

unsigned mt_ix_order(int mo)
{
	return ix_order(mo);
}

/* Fences: every access is sequentially consistent already. */
void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_thread_fence(int mo)
{
	/* Happens-before follows the fence the code asked for (an acquire
	 * fence takes what the relaxed loads before it read, a release fence
	 * lends its clock to the relaxed stores after it; __sync_synchronize()
	 * is a seq_cst fence): fuzz/engine/memory.h. */
	ix_settle();
	struct mt_sim *sim = mt_sim_active();
	if (sim && mo != 0)
		mt_sim_fence(sim, ix_order(mo));
	__atomic_thread_fence(SC);
}

void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo)
{
	(void)mo;
	ix_settle();
}

void __tsan_func_entry(void *pc);
void __tsan_func_entry(void *pc)
{
	(void)pc;
	ix_settle();
}

/* Called before every return of an instrumented function that made an
 * access: the last point where a volatile load's restore is due before
 * the operation can return to the adapter (ix_settle()). */
void __tsan_func_exit(void);
void __tsan_func_exit(void)
{
	ix_settle();
}

void __tsan_init(void);
void __tsan_init(void)
{
}

/* ---- yields and locks ---- */

/* The C library's function called name: what the wrappers below call
 * outside a simulated VCPU. */
static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "ix: cannot find the C library's %s\n", name);
		abort();
	}
	return f;
}

#define REAL(var, name) (var ? var : (*(void **)&var = real(name), var))

/* A yield on a VCPU (sched_yield, or a sleep: no time passes in a
 * simulated run): it waits for something it read to change.  Parked (a
 * guess the engine re-checks: then it does not park) if it read something
 * since its last own write and none of it changed; else it returns at
 * once to look again.  0 outside a simulated VCPU: the caller makes the
 * real call. */
static int ix_yield(uintptr_t pc)
{
	struct mt_sim *sim;
	ix_settle();
	int v = ix_vcpu_now(&sim);

	if (v < 0)
		return 0;
	struct ix_vcpu *c = ix_enter(sim, v);
	const struct mt_site *s = site_of(pc);
	if (!c->nrd || !s || reads_changed(c)) {
		forget_reads(c);         /* something changed: look again */
	} else if (!mt_sim_rechecking()) {
		ix_stats.yield_parks++;
		park(c, s, 1);
	}
	return 1;
}

__attribute__((noinline)) int sched_yield(void)
{
	return ix_yield(IX_PC()) ? 0 : (int)syscall(SYS_sched_yield);
}

static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_usleep)(useconds_t);
static int (*real_nanosleep)(const struct timespec *, struct timespec *);
static unsigned (*real_sleep)(unsigned);

/* On a VCPU: no sleep (liburcu's wfstack backs off with poll(NULL, 0,
 * 10)).  Descriptors that are ready are real: poll() looks at them
 * without waiting first. */
static int ix_poll(uintptr_t pc, struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct mt_sim *sim;

	ix_settle();
	if (ix_vcpu_now(&sim) < 0)
		return REAL(real_poll, "poll")(fds, nfds, timeout);
	int rc = nfds ? REAL(real_poll, "poll")(fds, nfds, 0) : 0;
	if (rc != 0 || timeout == 0)
		return rc;
	ix_stats.sleeps++;
	ix_yield(pc);
	return 0;
}

__attribute__((noinline)) int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return ix_poll(IX_PC(), fds, nfds, timeout);
}

/* glibc's fortified poll() (_FORTIFY_SOURCE with optimisation, an array
 * of known size, a count not known at compile time) calls __poll_chk
 * instead of poll when gcc builds it (clang 14 with glibc 2.36 does not:
 * its object size does not reach into the inline): without this hook
 * such a poll on a VCPU slept for real and was no yield.  The bound check is glibc's: a count past the array
 * ends the process (__chk_fail). */
extern void __chk_fail(void) __attribute__((noreturn));
int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
__attribute__((noinline)) int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < nfds)
		__chk_fail();
	return ix_poll(IX_PC(), fds, nfds, timeout);
}

__attribute__((noinline)) int usleep(useconds_t usec)
{
	struct mt_sim *sim;

	ix_settle();
	if (ix_vcpu_now(&sim) < 0)
		return REAL(real_usleep, "usleep")(usec);
	ix_stats.sleeps++;
	ix_yield(IX_PC());
	return 0;
}

__attribute__((noinline)) int nanosleep(const struct timespec *req, struct timespec *rem)
{
	struct mt_sim *sim;

	ix_settle();
	if (ix_vcpu_now(&sim) < 0)
		return REAL(real_nanosleep, "nanosleep")(req, rem);
	if (!req || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) {
		errno = req ? EINVAL : EFAULT;
		return -1;
	}
	ix_stats.sleeps++;
	ix_yield(IX_PC());
	return 0;
}

__attribute__((noinline)) unsigned sleep(unsigned seconds)
{
	struct mt_sim *sim;

	ix_settle();
	if (ix_vcpu_now(&sim) < 0)
		return REAL(real_sleep, "sleep")(seconds);
	ix_stats.sleeps++;
	ix_yield(IX_PC());
	return 0;
}

static int (*real_mutex_trylock)(pthread_mutex_t *);
static int (*real_mutex_lock)(pthread_mutex_t *);
static int (*real_mutex_unlock)(pthread_mutex_t *);
static int (*real_spin_trylock)(pthread_spinlock_t *);
static int (*real_spin_lock)(pthread_spinlock_t *);
static int (*real_spin_unlock)(pthread_spinlock_t *);

/* Locks VCPUs hold now (taken on a VCPU, not yet unlocked).  After a
 * finding, VCPUs are abandoned where they stopped, some holding locks;
 * the engine then calls the adapter's destroy, whose
 * pthread_mutex_destroy() would fail with EBUSY (liburcu's
 * cds_lfs_destroy() asserts it does not).  So a destroy called outside
 * any VCPU on a lock a VCPU still holds releases it first. */
#define IX_HELD 64u
static void *ix_held[IX_HELD];

static void held_add(void *lock)
{
	for (unsigned i = 0; i < IX_HELD; i++)
		if (!ix_held[i]) {
			ix_held[i] = lock;
			return;
		}
}

/* 1 if lock was in the table (now removed). */
static int held_remove(void *lock)
{
	for (unsigned i = 0; i < IX_HELD; i++)
		if (ix_held[i] == lock) {
			ix_held[i] = NULL;
			return 1;
		}
	return 0;
}

/* On a VCPU: try; while held, park until the holder unlocks (a write to
 * the lock).  Each attempt is a schedule point at the caller's site. */
static int ix_lock(uintptr_t pc, void *lock, size_t size, int (*try)(void *), int *handled)
{
	struct mt_sim *sim;
	ix_settle();
	int v = ix_vcpu_now(&sim);

	*handled = v >= 0;
	if (v < 0)
		return 0;
	struct ix_vcpu *c = ix_enter(sim, v);
	const struct mt_site *s = site_of(pc);
	for (;;) {
		ix_stats.points++;
		mt_sched_point(s, lock, MT_ACC_RMW | MT_ACC_ACQUIRE);
		int rc = try(lock);
		if (rc != EBUSY) {
			forget_reads(c);
			if (rc == 0)
				held_add(lock);
			return rc;
		}
		forget_reads(c);
		remember_read(c, lock, size, peek(lock, size));
		ix_stats.lock_parks++;
		if (!s)
			return EDEADLK;
		park(c, s, 0);
	}
}

static int try_mutex(void *m) { return REAL(real_mutex_trylock, "pthread_mutex_trylock")(m); }
static int try_spin(void *l) { return REAL(real_spin_trylock, "pthread_spin_trylock")(l); }

/* An unlock: the schedule point (a release, for happens-before) comes
 * before the real unlock, so no VCPU can take the lock between the two;
 * VCPUs parked on it wake after it. */
static int ix_unlock(uintptr_t pc, void *lock, size_t size, int (*unlock)(void *))
{
	struct mt_sim *sim;
	ix_settle();
	int v = ix_vcpu_now(&sim);

	if (v >= 0) {
		ix_stats.points++;
		mt_sched_point(site_of(pc), lock, MT_ACC_STORE | MT_ACC_RELEASE);
	}
	held_remove(lock);
	int rc = unlock(lock);
	if (v >= 0)
		ix_wrote(v, lock, size);
	return rc;
}

__attribute__((noinline)) int pthread_mutex_lock(pthread_mutex_t *m)
{
	int handled, rc = ix_lock(IX_PC(), m, sizeof(*m), try_mutex, &handled);
	return handled ? rc : REAL(real_mutex_lock, "pthread_mutex_lock")(m);
}

__attribute__((noinline)) int pthread_mutex_trylock(pthread_mutex_t *m)
{
	struct mt_sim *sim;
	int v;

	ix_settle();
	if ((v = ix_vcpu_now(&sim)) >= 0) {
		ix_stats.points++;
		mt_sched_point(site_of(IX_PC()), m, MT_ACC_RMW | MT_ACC_ACQUIRE);
	}
	int rc = REAL(real_mutex_trylock, "pthread_mutex_trylock")(m);
	if (rc == 0 && v >= 0)
		held_add(m);
	return rc;
}

static int (*real_mutex_destroy)(pthread_mutex_t *);
static int (*real_spin_destroy)(pthread_spinlock_t *);

/* Outside a VCPU, a lock an abandoned VCPU holds is released first (see
 * ix_held).  Tried first: unlocked only if it is locked indeed. */
__attribute__((noinline)) int pthread_mutex_destroy(pthread_mutex_t *m)
{
	struct mt_sim *sim;

	if (ix_vcpu_now(&sim) < 0 && held_remove(m)) {
		(void)REAL(real_mutex_trylock, "pthread_mutex_trylock")(m);
		REAL(real_mutex_unlock, "pthread_mutex_unlock")(m);
		ix_stats.abandoned_locks++;
	}
	return REAL(real_mutex_destroy, "pthread_mutex_destroy")(m);
}

__attribute__((noinline)) int pthread_spin_destroy(pthread_spinlock_t *l)
{
	struct mt_sim *sim;

	if (ix_vcpu_now(&sim) < 0 && held_remove((void *)l)) {
		REAL(real_spin_unlock, "pthread_spin_unlock")(l);
		ix_stats.abandoned_locks++;
	}
	return REAL(real_spin_destroy, "pthread_spin_destroy")(l);
}

static int real_unlock_mutex(void *m) { return REAL(real_mutex_unlock, "pthread_mutex_unlock")(m); }
static int real_unlock_spin(void *l) { return REAL(real_spin_unlock, "pthread_spin_unlock")(l); }

__attribute__((noinline)) int pthread_mutex_unlock(pthread_mutex_t *m)
{
	return ix_unlock(IX_PC(), m, sizeof(*m), real_unlock_mutex);
}

__attribute__((noinline)) int pthread_spin_lock(pthread_spinlock_t *l)
{
	int handled, rc = ix_lock(IX_PC(), (void *)l, sizeof(*l), try_spin, &handled);
	return handled ? rc : REAL(real_spin_lock, "pthread_spin_lock")(l);
}

__attribute__((noinline)) int pthread_spin_trylock(pthread_spinlock_t *l)
{
	struct mt_sim *sim;

	ix_settle();
	if (ix_vcpu_now(&sim) >= 0) {
		ix_stats.points++;
		mt_sched_point(site_of(IX_PC()), (const void *)l, MT_ACC_RMW | MT_ACC_ACQUIRE);
	}
	int rc = REAL(real_spin_trylock, "pthread_spin_trylock")(l);
	if (rc == 0 && ix_vcpu_now(&sim) >= 0)
		held_add((void *)l);
	return rc;
}

__attribute__((noinline)) int pthread_spin_unlock(pthread_spinlock_t *l)
{
	int rc = ix_unlock(IX_PC(), (void *)l, sizeof(*l), real_unlock_spin);
	return rc;
}

/* ---- copies and fills ----
 *
 * clang's ThreadSanitizer pass turns every memcpy, memmove and memset it
 * does not inline (a size the optimizer does not know, or a large one)
 * into a call of the C library's function, which real TSan intercepts.
 * So do these, for calls the scan found in instrumented code (named
 * sites, file.line.column.memcpy): a copy is a plain read of the source
 * range at one schedule point, then a plain write of the destination
 * range at a second one (through a buffer: the bytes read are those at
 * the first point); a fill is one write.  A call from anywhere else (the
 * engine, libFuzzer, the adapter) is the plain function, checked by ASan.
 * They replace ASan's interceptors (weak symbols) for the whole process;
 * __asan_memcpy & co. do the copy and ASan's check (also before ASan is
 * initialised: the entry points themselves are not ASan-instrumented). */
#ifdef IX_ASAN
void *__asan_memcpy(void *d, const void *s, size_t n);
void *__asan_memmove(void *d, const void *s, size_t n);
void *__asan_memset(void *d, int c, size_t n);
#define IX_MEMCPY(d, s, n) __asan_memcpy(d, s, n)
#define IX_MEMMOVE(d, s, n) __asan_memmove(d, s, n)
#define IX_MEMSET(d, c, n) __asan_memset(d, c, n)
#else
static void *(*real_memcpy)(void *, const void *, size_t);
static void *(*real_memmove)(void *, const void *, size_t);
static void *(*real_memset)(void *, int, size_t);
#define IX_MEMCPY(d, s, n) REAL(real_memcpy, "memcpy")(d, s, n)
#define IX_MEMMOVE(d, s, n) REAL(real_memmove, "memmove")(d, s, n)
#define IX_MEMSET(d, c, n) REAL(real_memset, "memset")(d, c, n)
#endif

/* A call from a site the scan found, on a simulated VCPU? */
static inline int ix_scanned_call(uintptr_t pc)
{
	struct mt_sim *sim;

	if (!ix_nr_calls || ix_vcpu_now(&sim) < 0)
		return 0;
	unsigned lo = 0, hi = ix_nr_calls;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (ix_pc_sorted[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix_nr_calls && ix_pc_sorted[lo] == pc;
}

/* The executable's read-only segments (constants: the scan records them). */
#define IX_RO 8u
static uintptr_t ix_ro_lo[IX_RO], ix_ro_hi[IX_RO];
static unsigned ix_nr_ro;

/* Memory no other VCPU writes, which is no schedule point (as
 * ThreadSanitizer's pass skips constants and locals that do not escape):
 * the executable's constants (an initializer copied from .rodata), and
 * the calling function's own frame, [frame, caller's frame) (a local
 * struct filled by a copy).  Frame pointers: -fno-omit-frame-pointer in
 * the instrumented code (defs.bzl) and here (the asan configs). */
static int ix_private(const void *addr, uintptr_t frame, uintptr_t caller_frame)
{
	uintptr_t a = (uintptr_t)addr;

	for (unsigned i = 0; i < ix_nr_ro; i++)
		if (a >= ix_ro_lo[i] && a < ix_ro_hi[i])
			return 1;
	return caller_frame > frame && caller_frame - frame < (1u << 20) && a >= frame && a < caller_frame;
}

static void ix_copy(uintptr_t pc, void *d, const void *s, size_t n, uintptr_t frame, uintptr_t caller)
{
	uint8_t small[256], *buf = n <= sizeof(small) ? small : malloc(n);

	if (!buf) {
		fprintf(stderr, "ix: out of memory copying %zu bytes\n", n);
		abort();
	}
	if (!ix_private(s, frame, caller))
		ix_point(pc, s, n, IX_R, MT_ACC_LOAD | MT_ACC_PLAIN);
	IX_MEMCPY(buf, s, n);
	if (!ix_private(d, frame, caller))
		ix_point(pc, d, n, IX_W, MT_ACC_STORE | MT_ACC_PLAIN);
	IX_MEMCPY(d, buf, n);
	if (buf != small)
		free(buf);
}

/* This hook's frame and its caller's (the saved frame pointer). */
#define IX_FRAMES (uintptr_t)__builtin_frame_address(0), *(const uintptr_t *)__builtin_frame_address(0)

__attribute__((noinline, no_sanitize("address"))) void *memcpy(void *d, const void *s, size_t n)
{
	uintptr_t pc = IX_PC();

	if (n && ix_scanned_call(pc)) {
		ix_copy(pc, d, s, n, IX_FRAMES);
		return d;
	}
	return IX_MEMCPY(d, s, n);
}

__attribute__((noinline, no_sanitize("address"))) void *memmove(void *d, const void *s, size_t n)
{
	uintptr_t pc = IX_PC();

	if (n && ix_scanned_call(pc)) {
		ix_copy(pc, d, s, n, IX_FRAMES);
		return d;
	}
	return IX_MEMMOVE(d, s, n);
}

__attribute__((noinline, no_sanitize("address"))) void *memset(void *d, int c, size_t n)
{
	uintptr_t pc = IX_PC();

	if (n && ix_scanned_call(pc) && !ix_private(d, IX_FRAMES))
		ix_point(pc, d, n, IX_W, MT_ACC_STORE | MT_ACC_PLAIN);
	return IX_MEMSET(d, c, n);
}

/* ---- the start-up scan ---- */

struct ix_hook {
	void *fn;
	unsigned kind;
	const char *what;
};

#define IX_HOOK_PLAIN(name, n, kind) { (void *)name, kind, &#name[7] },
#define IX_HOOK_ATOMIC(N) \
	{ (void *)__tsan_atomic##N##_load, IX_R, "load" #N }, \
	{ (void *)__tsan_atomic##N##_store, IX_W, "store" #N }, \
	{ (void *)__tsan_atomic##N##_exchange, IX_RW, "xchg" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_add, IX_RW, "add" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_sub, IX_RW, "sub" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_and, IX_RW, "and" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_or, IX_RW, "or" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_xor, IX_RW, "xor" #N }, \
	{ (void *)__tsan_atomic##N##_fetch_nand, IX_RW, "nand" #N }, \
	{ (void *)__tsan_atomic##N##_compare_exchange_strong, IX_RW, "cas" #N }, \
	{ (void *)__tsan_atomic##N##_compare_exchange_weak, IX_RW, "cas" #N }, \
	{ (void *)__tsan_atomic##N##_compare_exchange_val, IX_RW, "cas" #N },

static const struct ix_hook ix_hooks[] = {
	IX_PLAIN_SIZES(IX_HOOK_PLAIN)
	IX_VOLATILE_SIZES(IX_HOOK_PLAIN)
	{ (void *)__tsan_read_range, IX_R, "read_range" },
	{ (void *)__tsan_write_range, IX_W, "write_range" },
	IX_HOOK_ATOMIC(8) IX_HOOK_ATOMIC(16) IX_HOOK_ATOMIC(32) IX_HOOK_ATOMIC(64)
	IX_HOOK_ATOMIC(128)          /* ix_atomic128.c: load128, cas128, ... */
	{ (void *)sched_yield, IX_R, "sched_yield" },
	{ (void *)poll, IX_R, "poll" },
	{ (void *)__poll_chk, IX_R, "poll_chk" },
	{ (void *)usleep, IX_R, "usleep" },
	{ (void *)nanosleep, IX_R, "nanosleep" },
	{ (void *)sleep, IX_R, "sleep" },
	{ (void *)pthread_mutex_lock, IX_RW, "mutex_lock" },
	{ (void *)pthread_mutex_trylock, IX_RW, "mutex_trylock" },
	{ (void *)pthread_mutex_unlock, IX_W, "mutex_unlock" },
	{ (void *)pthread_spin_lock, IX_RW, "spin_lock" },
	{ (void *)pthread_spin_trylock, IX_RW, "spin_trylock" },
	{ (void *)pthread_spin_unlock, IX_W, "spin_unlock" },
	{ (void *)memcpy, IX_RW, "memcpy" },
	{ (void *)memmove, IX_RW, "memmove" },
	{ (void *)memset, IX_W, "memset" },
};
#define IX_NR_HOOKS (sizeof(ix_hooks) / sizeof(ix_hooks[0]))
/* Hooks from here on are not accesses of instrumented code by themselves:
 * their call sites count only in machine functions that call an access
 * hook or __tsan_func_entry (IX_MARK: instrumented code). */
#define IX_FIRST_LIBCALL (IX_NR_HOOKS - 15u)

/* One call of a hook found by the scan, and where the symbolizer puts it. */
struct ix_found_site {
	uintptr_t pc;
	unsigned hook;           /* index in ix_hooks, or IX_MARK */
	char *fn;                /* the innermost function (inlined frames included) */
	char *file;              /* ... its file (base name), line and column */
	unsigned line, col;
	char *outer;             /* the machine function: outermost frame, "function@file" */
	char *name;              /* the site's identifier (ix_site_name) */
	int runtime;             /* in the runtime's own code: a byte pattern, no call */
};

/* A call of __tsan_func_entry: not a site, it marks its machine function
 * as instrumented (ThreadSanitizer's pass emits it in every function with
 * an access or a call), so a lock or yield call there is a site even when
 * the function makes no access itself (a lock() wrapper at -O0). */
#define IX_MARK ((unsigned)IX_NR_HOOKS)

static struct ix_found_site *fs;
static size_t nfs, capfs;
static unsigned ix_unnamed;              /* sites without a line table entry */
static char ix_symbolizer_problem[200];

static int hook_index(uintptr_t target)
{
	if (target == (uintptr_t)__tsan_func_entry)
		return (int)IX_MARK;
	for (unsigned i = 0; i < IX_NR_HOOKS; i++)
		if ((uintptr_t)ix_hooks[i].fn == target)
			return (int)i;
	return -1;
}

/* Reads code and read-only data ASan may poison (global redzones in a
 * segment the linker made executable): not checked. */
__attribute__((no_sanitize("address")))
static int scan_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	uintptr_t lo = (uintptr_t)__tsan_func_entry, hi = lo;
	for (unsigned i = 0; i < IX_NR_HOOKS; i++) {
		uintptr_t a = (uintptr_t)ix_hooks[i].fn;
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	load_bias = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W) && ix_nr_ro < IX_RO) {
			ix_ro_lo[ix_nr_ro] = info->dlpi_addr + ph->p_vaddr;
			ix_ro_hi[ix_nr_ro++] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		}
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		const uint8_t *b = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		for (size_t k = 0; k + 5 <= ph->p_memsz; k++) {
			if (b[k] != 0xe8)
				continue;
			int32_t rel = (int32_t)((uint32_t)b[k + 1] | (uint32_t)b[k + 2] << 8 |
			                        (uint32_t)b[k + 3] << 16 | (uint32_t)b[k + 4] << 24);
			uintptr_t ret = (uintptr_t)(b + k + 5), target = ret + (intptr_t)rel;
			if (target < lo || target > hi)
				continue;
			int h = hook_index(target);
			if (h == -1)
				continue;
			if (nfs == capfs) {
				capfs = capfs ? capfs * 2 : 256;
				fs = realloc(fs, capfs * sizeof(*fs));
				if (!fs)
					abort();
			}
			fs[nfs++] = (struct ix_found_site){ .pc = ret, .hook = (unsigned)h };
		}
	}
	return 1;                /* the executable only (the first object) */
}

/* The LLVM symbolizer: MT_IX_SYMBOLIZER, else LLVM 14's (tools/setup
 * installs llvm-14), else one on PATH. */
static const char *symbolizer_path(void)
{
	static const char *const known[] = {
		"/usr/bin/llvm-symbolizer-14", "/usr/lib/llvm-14/bin/llvm-symbolizer",
	};
	const char *env = getenv("MT_IX_SYMBOLIZER");

	if (env && *env)
		return env;
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (access(known[i], X_OK) == 0)
			return known[i];
	return "llvm-symbolizer";
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* "file:line:column" -> its parts (the file's base name); 0 if no line. */
static int parse_location(const char *loc, char **file, unsigned *line, unsigned *col)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", loc);
	char *c2 = strrchr(buf, ':');
	if (!c2)
		return 0;
	*c2 = '\0';
	char *c1 = strrchr(buf, ':');
	if (!c1)
		return 0;
	*c1 = '\0';
	*line = (unsigned)strtoul(c1 + 1, NULL, 10);
	*col = (unsigned)strtoul(c2 + 1, NULL, 10);
	const char *base = strrchr(buf, '/');
	*file = xstrdup(base ? base + 1 : buf);
	return *line != 0 && strcmp(buf, "??");
}

/* The runtime's own sources: an e8 byte found in their code is part of
 * another instruction (`mov -0x18(%rbp),%rdi; mov $0x10,%edx` reads as a
 * call of a hook 0x10ba bytes on), never a call from instrumented code. */
static int in_runtime(const char *loc)
{
	static const char *const files[] = { "fuzz/instrument/ix.c:", "fuzz/instrument/ix_atomic128.c:" };

	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *at = strstr(loc, files[i]);
		if (at && (at == loc || at[-1] == '/'))
			return 1;
	}
	return 0;
}

/* Every frame of every found call, inlined frames included: one
 * symbolizer run for all of them (LLVM output style: for each address,
 * "function\nfile:line:column\n" per frame, innermost first, then an
 * empty line). */
static void symbolize(void)
{
	char exe[4096], tmpl[4200], cmd[9000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return;
	exe[n] = '\0';
	const char *tmp = getenv("TEST_TMPDIR");
	if (!tmp)
		tmp = getenv("TMPDIR");
	snprintf(tmpl, sizeof(tmpl), "%s/ix-sites-XXXXXX", tmp ? tmp : "/tmp");
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	for (size_t i = 0; f && i < nfs; i++)
		fprintf(f, "%#lx\n", (unsigned long)(fs[i].pc - 1 - load_bias));
	if (f)
		fclose(f);
	const char *sym = symbolizer_path();
	snprintf(cmd, sizeof(cmd), "'%s' --obj='%s' --inlines --functions=linkage --output-style=LLVM "
	         "< '%s' 2>/dev/null", sym, exe, tmpl);
	FILE *p = popen(cmd, "r");
	char *fn = NULL, *loc = NULL, outer_fn[512] = "", outer_loc[1024] = "";
	size_t i = 0, fncap = 0, loccap = 0;
	int frame = 0;
	/* Whole lines of any length (C++ names in the sanitizer runtimes run
	 * long; a split line would shift every later address's frames). */
	while (p && i < nfs && getline(&fn, &fncap, p) >= 0) {
		fn[strcspn(fn, "\n")] = '\0';
		if (!fn[0]) {                /* end of this address */
			if (frame) {
				char *ofile = NULL;
				unsigned ol = 0, oc = 0;
				parse_location(outer_loc, &ofile, &ol, &oc);
				size_t len = strlen(outer_fn) + strlen(ofile ? ofile : "?") + 2;
				fs[i].outer = malloc(len);
				if (!fs[i].outer)
					abort();
				snprintf(fs[i].outer, len, "%s@%s", outer_fn, ofile ? ofile : "?");
				fs[i].runtime = in_runtime(outer_loc);
				free(ofile);
				i++;
			}
			frame = 0;
			continue;
		}
		if (getline(&loc, &loccap, p) < 0)
			break;
		loc[strcspn(loc, "\n")] = '\0';
		if (frame++ == 0) {
			char *file = NULL;
			unsigned line = 0, col = 0;
			if (strcmp(fn, "??"))
				fs[i].fn = xstrdup(fn);
			if (parse_location(loc, &file, &line, &col)) {
				fs[i].file = file;
				fs[i].line = line;
				fs[i].col = col;
			} else {
				free(file);
			}
		}
		snprintf(outer_fn, sizeof(outer_fn), "%s", fn);
		snprintf(outer_loc, sizeof(outer_loc), "%s", loc);
	}
	free(fn);
	free(loc);
	int rc = p ? pclose(p) : -1;
	rc = rc > 0 && WIFEXITED(rc) ? WEXITSTATUS(rc) : rc;
	unlink(tmpl);
	if (i < nfs)
		snprintf(ix_symbolizer_problem, sizeof(ix_symbolizer_problem),
		         "%s symbolized %zu of %zu calls (exit %d): install llvm-14 (tools/setup) or set "
		         "MT_IX_SYMBOLIZER", sym, i, nfs, rc);
}

/* A site's identifier: file.line.column.kind of the innermost frame
 * ("treiber.c.41.9.cas64"), in the characters a finding signature allows
 * (fuzz/known/known.h: [A-Za-z0-9_.-]).  Code the compiler gave line 0
 * (merged from several lines): function.0.0.kind, one site per function
 * and kind.  No line table entry at all: "pc_<offset>.<kind>", which
 * changes with every build (--sites says so). */
static char *ix_site_name(const struct ix_found_site *f, const char *kind)
{
	char buf[512];

	if (f->file)
		snprintf(buf, sizeof(buf), "%s.%u.%u.%s", f->file, f->line, f->col, kind);
	else if (f->fn)
		snprintf(buf, sizeof(buf), "%s.0.0.%s", f->fn, kind);
	else
		snprintf(buf, sizeof(buf), "pc_%lx.%s", (unsigned long)(f->pc - load_bias), kind);
	for (char *c = buf; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			*c = '_';
	return xstrdup(buf);
}

static int by_outer(const void *a, const void *b)
{
	const struct ix_found_site *x = a, *y = b;
	int c = strcmp(x->outer, y->outer);

	return c ? c : (x->pc > y->pc) - (x->pc < y->pc);
}

static int by_name_pc(const void *a, const void *b)
{
	const struct ix_found_site *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->pc > y->pc) - (x->pc < y->pc);
}

static int by_pc(const void *a, const void *b)
{
	const uintptr_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static void found_free(struct ix_found_site *f)
{
	free(f->fn);
	free(f->file);
	free(f->outer);
	free(f->name);
}

static uint64_t fnv64(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

__attribute__((constructor(102))) static void ix_scan(void)
{
	dl_iterate_phdr(scan_phdr, NULL);
	/* Inline assembly in the machine functions that call an access hook
	 * or __tsan_func_entry (blind.h; by address, from the symbol table). */
	uintptr_t *instr = malloc((nfs + 1) * sizeof(*instr));
	size_t ninstr = 0;
	if (!instr)
		abort();
	for (size_t i = 0; i < nfs; i++)
		if (fs[i].hook == IX_MARK || fs[i].hook < IX_FIRST_LIBCALL)
			instr[ninstr++] = fs[i].pc;
	mt_blind_scan(instr, ninstr, load_bias);
	free(instr);
	symbolize();
	for (size_t i = 0; i < nfs; i++) {
		if (!fs[i].outer) {
			char buf[40];
			snprintf(buf, sizeof(buf), "pc_%lx", (unsigned long)(fs[i].pc - load_bias));
			fs[i].outer = xstrdup(buf);
		}
	}
	/* Drop library calls (locks, yields) in machine functions with no
	 * access hook and no __tsan_func_entry: the uninstrumented rest of the
	 * binary (libFuzzer, the engine); and drop the marks. */
	qsort(fs, nfs, sizeof(*fs), by_outer);
	size_t kept = 0;
	for (size_t i = 0, j; i < nfs; i = j) {
		int instrumented = 0;
		for (j = i; j < nfs && !strcmp(fs[j].outer, fs[i].outer); j++)
			instrumented |= fs[j].hook == IX_MARK || fs[j].hook < IX_FIRST_LIBCALL;
		for (size_t k = i; k < j; k++) {
			if (instrumented && fs[k].hook != IX_MARK && !fs[k].runtime)
				fs[kept++] = fs[k];
			else
				found_free(&fs[k]);
		}
	}
	nfs = kept;
	/* Name each call by its source; calls with one name (copies of one
	 * access the compiler made by inlining, unrolling, ...) are one site. */
	for (size_t i = 0; i < nfs; i++)
		fs[i].name = ix_site_name(&fs[i], ix_hooks[fs[i].hook].what);
	qsort(fs, nfs, sizeof(*fs), by_name_pc);
	unsigned nsites = 0;
	for (size_t i = 0; i < nfs; i++)
		nsites += !i || strcmp(fs[i].name, fs[i - 1].name);
	ix_found = nsites;
	ix_sites = calloc(nsites + IX_SPARE, sizeof(*ix_sites));
	ix_pc_sorted = calloc(nfs + 1, sizeof(*ix_pc_sorted));
	ix_pc_site = calloc(nfs + 1, sizeof(*ix_pc_site));
	unsigned *site_of_found = calloc(nfs + 1, sizeof(*site_of_found));
	if (!ix_sites || !ix_pc_sorted || !ix_pc_site || !site_of_found)
		abort();
	uint64_t h = 1469598103934665603ull;           /* FNV-1a over the names */
	for (size_t i = 0, s = 0; i < nfs; i++) {
		ix_pc_sorted[i] = fs[i].pc;
		if (s && !strcmp(fs[i].name, ix_sites[s - 1].id)) {
			site_of_found[i] = (unsigned)(s - 1);   /* another copy of the last site */
			free(fs[i].name);
			continue;
		}
		const char *what = ix_hooks[fs[i].hook].what;
		size_t textl = strlen(fs[i].name) + (fs[i].fn ? strlen(fs[i].fn) : 0) +
		               (fs[i].file ? strlen(fs[i].file) : 0) + strlen(what) + 64;
		char *text = malloc(textl);
		if (!text)
			abort();
		if (fs[i].file)
			snprintf(text, textl, "%s %s:%u:%u %s", fs[i].fn ? fs[i].fn : "?", fs[i].file,
			         fs[i].line, fs[i].col, what);
		else if (fs[i].fn)
			snprintf(text, textl, "%s %s (line 0: code merged from several lines)", fs[i].fn, what);
		else
			snprintf(text, textl, "%s %s (no line table: %s)", fs[i].name, what, fs[i].outer);
		ix_unnamed += !fs[i].fn;
		ix_sites[s] = (struct mt_site){ fs[i].name, ix_hooks[fs[i].hook].kind, text };
		h = fnv64(h, ix_sites[s].id);
		site_of_found[i] = (unsigned)s++;
	}
	qsort(ix_pc_sorted, nfs, sizeof(*ix_pc_sorted), by_pc);
	for (size_t i = 0; i < nfs; i++) {
		size_t lo = 0, hi = nfs;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (ix_pc_sorted[mid] < fs[i].pc)
				lo = mid + 1;
			else
				hi = mid;
		}
		ix_pc_site[lo] = site_of_found[i];
	}
	for (unsigned i = 0; i < IX_SPARE; i++)
		ix_sites[nsites + i] = (struct mt_site){ "IX_SPARE", IX_RW, "unscanned access (spare slot)" };
	ix_build = h ^ nsites;
	ix_nr_calls = (unsigned)nfs;
	ix_table.sites = ix_sites;
	ix_table.count = nsites + IX_SPARE;
	mt_in_ids_by_name(&ix_table, nsites);
	free(site_of_found);
	for (size_t i = 0; i < nfs; i++) {
		free(fs[i].fn);
		free(fs[i].file);
		free(fs[i].outer);
	}
	free(fs);
	fs = NULL;
	nfs = capfs = 0;
	if (!nsites)
		snprintf(ix_problem, sizeof(ix_problem), "no calls of __tsan_* hooks found in the executable "
		         "(no instrumented code, or it is linked dynamically)");
	else if (ix_symbolizer_problem[0])
		fprintf(stderr, "ix: %s; sites are named by address, and inputs saved now will not "
		        "replay on another build\n", ix_symbolizer_problem);
	/* Inline assembly the hooks cannot see (blind.h: MT_IX_ASM). */
	const char *policy = getenv("MT_IX_ASM");
	if (mt_blind_nr() && !(policy && !strcmp(policy, "allow"))) {
		mt_blind_print(stderr, "ix: ");
		if (policy && !strcmp(policy, "fail")) {
			fprintf(stderr, "ix: MT_IX_ASM=fail: exit 2\n");
			exit(2);
		}
	}
}

/* The site named id, or NULL (ix_sites[0, ix_found) is sorted by name). */
static const struct mt_site *ix_site_named(const char *id)
{
	unsigned lo = 0, hi = ix_found;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = strcmp(ix_sites[mid].id, id);
		if (!c)
			return &ix_sites[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A token shaped like a site identifier of instrumented code:
 * "<file>.<line>.<column>.<kind>" with a kind of ix_hooks, or "pc_...". */
static int looks_like_site(const char *tok, size_t len)
{
	if (len > 3 && !strncmp(tok, "pc_", 3))
		return 1;
	const char *end = tok + len, *d3 = NULL, *d2 = NULL, *d1 = NULL;
	for (const char *c = end; c > tok; c--)
		if (c[-1] == '.') {
			if (!d3)
				d3 = c - 1;
			else if (!d2)
				d2 = c - 1;
			else {
				d1 = c - 1;
				break;
			}
		}
	if (!d1)
		return 0;
	for (const char *c = d1 + 1; c < d2; c++)
		if (!isdigit((unsigned char)*c))
			return 0;
	for (const char *c = d2 + 1; c < d3; c++)
		if (!isdigit((unsigned char)*c))
			return 0;
	for (unsigned i = 0; i < IX_NR_HOOKS; i++)
		if (strlen(ix_hooks[i].what) == (size_t)(end - d3 - 1) && !strncmp(ix_hooks[i].what, d3 + 1, (size_t)(end - d3 - 1)))
			return d2 > d1 + 1 && d3 > d2 + 1;
	return 0;
}

int mt_ix_check_build(const char *text, const char *what, char *err, size_t errcap)
{
	const size_t n = sizeof(MT_IX_BUILD_TAG) - 1;
	const char *tag = NULL;

	for (const char *p = text; p && *p && !tag; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, MT_IX_BUILD_TAG, n))
			tag = p + n;
	if (!tag)
		return 0;
	char *end;
	uint64_t want = strtoull(tag, &end, 16);
	if (end != tag && want == ix_build)
		return 0;
	int taglen = (int)strcspn(tag, " \t\r\n");
	/* Another build: refused only if it names a site this one lacks.
	 * Tokens outside comments, split at blanks, '=' and ':' (until=SITE
	 * in texts, INV:SITE:SITE in known files). */
	for (const char *p = text; *p;) {
		size_t line = strcspn(p, "\n"), code = strcspn(p, "#\n");
		for (size_t k = 0; k < code;) {
			size_t tl = strcspn(p + k, " \t\r=:#\n");
			if (tl > code - k)
				tl = code - k;
			if (tl && looks_like_site(p + k, tl)) {
				char id[256];
				snprintf(id, sizeof(id), "%.*s", (int)(tl < 255 ? tl : 255), p + k);
				if (!ix_site_named(id)) {
					snprintf(err, errcap, "%s names site %s, which this build does not have "
					         "(the text was made on ix-build %.*s, this binary is %#" PRIx64 "; "
					         "byo_replay --sites lists this build's sites): re-make it on this build",
					         what, id, taglen < 24 ? taglen : 24, tag, ix_build);
					return -1;
				}
			}
			k += tl ? tl : 1;
		}
		p += line;
		if (*p)
			p++;
	}
	return 0;
}

void mt_ix_print_sites(FILE *out)
{
	struct mt_in_sites s;

	mt_in_sites_init(&s, mt_ix_site_tables);
	for (unsigned i = 0; i < ix_found; i++)
		fprintf(out, "%u %s %s\n", mt_in_byte_id(&s, i), ix_sites[i].id, ix_sites[i].text);
	if (ix_unnamed)
		fprintf(out, "# %u site(s) have no line table entry (built without -g, stripped, or not symbolized): their "
		        "names (pc_...) change with every build\n", ix_unnamed);
	if (ix_symbolizer_problem[0])
		fprintf(out, "# %s\n", ix_symbolizer_problem);
	mt_blind_print(out, "# ");
	fprintf(out, "# inline-assembly scan: %lu us, %u function(s) with blind spots\n", mt_blind_scan_us(),
	        mt_blind_nr());
}
