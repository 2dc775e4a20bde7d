/*
 * stress_adapter_main.c - a free list of your own under real threads and
 * clang's own ThreadSanitizer: <suite>_stress of freelist_fuzz_suite
 * (stress_defs.bzl).  tools/stress --impl ADAPTER runs it.
 *
 *   <suite>_stress --impl NAME [--vcpus N] [--ops N] [--seconds S] [--seed N] ...
 *   <suite>_stress --list | --help
 *
 * The adapter (MT_FL_REGISTER) and the user's sources are compiled again,
 * with -fsanitize=thread and clang's runtime (not the toolkit's ix.c): the
 * same code the simulator runs as cooperative VCPUs, here on one pthread
 * per VCPU (thread i is VCPU i).  Each thread runs a seeded random mix:
 * get, put from its own VCPU, a handle passed to another thread that puts
 * it (a remote put, when the adapter declares remote_put), grow (when the
 * adapter has one), and, when it declares bad_puts_refused, hostile puts
 * (out of range, a free handle) that must be refused.
 *
 * What is checked (docs/bring-your-own.md, "What is checked" and "Real
 * threads"), as each operation returns:
 *   C6 a get returns a handle below handle_limit();
 *   C1 a get returns a handle no thread holds (the book `holder`);
 *   C2 a put of a held handle is accepted;
 *   C3 a hostile put is refused (a free-handle probe runs under the write
 *      side of a guard whose read side every get holds until it has
 *      booked its handle: "nobody holds h" is then exact);
 * and at every check (every --check-every operations while the run goes
 * on, the workers parked between two operations; at the end; after the
 * drain):
 *   C5 gets on every VCPU in turn hand out exactly handle_limit() minus
 *      the kept entries minus the handles the threads hold (when
 *      capacity_exact), none twice and none held; each is put back by the
 *      VCPU that got it (C2).
 * A ThreadSanitizer report is a finding too (stress/stress_race.c: the
 * first one ends the run unless --keep-going).
 *
 * The book adds no happens-before between the list's users: `holder` is
 * read and written with relaxed atomics only, so ThreadSanitizer judges
 * the list's own synchronisation.  (A handle passed to another thread goes
 * through a release/acquire inbox, as any program hands a pointer over.)
 *
 * Exit codes and the SUMMARY line are tools/stress's (stress/stress_common.h,
 * STRESS_EXIT_*): 3 crash, 1 violation (C1-C6, watchdog), 66 ThreadSanitizer
 * report, 0 clean, 2 bad flags (before any work).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/checkers/contract.h"
#include "stress/stress_common.h"

#define DEFAULT_VCPUS 4u
#define DEFAULT_CHECK_EVERY 20000u
#define MAX_VCPUS 256u
#define MAX_HANDLES (1u << 22)
#define INBOX 64u
#define PUTTING 0x80000000u          /* or-ed into holder[h] while its put is in flight */
#define WATCHDOG_GRACE 60.0
#define MAX_PRINTED 20

struct thr {
	unsigned id;
	pthread_t tid;
	uint64_t rng, budget, done;          /* budget: operations this thread may do */
	_Atomic uint64_t ops;                /* read by the progress line */
	uint32_t *held;                      /* handles this thread holds */
	unsigned nheld, cap;
	_Atomic uint32_t inbox[INBOX];       /* h + 1, or 0: handles passed to us */
	/* owner-only until join */
	uint64_t gets, empty, puts, passed, remote_puts, grows, probes, yields;
};

static struct {
	struct stress_opts o;   /* .scenario unused: one mix */
	const struct mt_fl_adapter *a;
	void *fl;
	struct mt_config cfg;
	unsigned n, limit;                   /* threads (= VCPUs), handle_limit() */
	bool hostile;                        /* bad_puts_refused: probes run */
	struct thr *t;
	_Atomic uint32_t *holder;            /* [limit]: 0 free, t + 1 held by thread t (| PUTTING) */
	uint8_t *seen;                       /* [limit]: the checks' gets */
	uint32_t *got;                       /* [limit]: handles the checks' gets took */
	unsigned *got_vcpu;
	pthread_rwlock_t guard;              /* hostile: gets read, free-handle probes write */
	_Atomic int go, stop;
	_Atomic unsigned finished;
	_Atomic uint64_t violations, checks;
	pthread_mutex_t pause_mu;
	pthread_cond_t pause_workers, pause_checker;
	_Atomic int pause_req;
	unsigned npaused;
	_Atomic unsigned printed;
} g;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void violation(const char *clause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(const char *clause, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	atomic_fetch_add_explicit(&g.violations, 1, memory_order_relaxed);
	atomic_store_explicit(&g.stop, 1, memory_order_relaxed);
	if (atomic_fetch_add_explicit(&g.printed, 1, memory_order_relaxed) >= MAX_PRINTED)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "VIOLATION %s: adapter '%s': %s\n", clause, g.a->name, buf);
}

static bool stopping(void)
{
	return atomic_load_explicit(&g.stop, memory_order_relaxed) != 0;
}

static uint64_t rnd(struct thr *t)
{
	uint64_t x = t->rng;         /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned below(struct thr *t, unsigned n)
{
	return n ? (unsigned)((rnd(t) >> 32) % n) : 0;
}

static void held_push(struct thr *t, uint32_t h)
{
	if (t->nheld == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 64;
		uint32_t *p = realloc(t->held, cap * sizeof(*p));
		STRESS_CHECK(p != NULL);
		t->held = p;
		t->cap = cap;
	}
	t->held[t->nheld++] = h;
}

static uint32_t held_remove(struct thr *t, unsigned i)
{
	STRESS_CHECK(i < t->nheld);
	uint32_t h = t->held[i];
	t->held[i] = t->held[--t->nheld];
	return h;
}

/* ---- checked operations ---- */

/* A get on t's VCPU returned h: book it, unless somebody holds it (C1). */
static void claim(struct thr *t, uint32_t h)
{
	if (h >= g.limit) {
		violation("C6", "get on VCPU %u returned handle %u, not below its handle limit %u "
		          "(garbage handle)", t->id, h, g.limit);
		return;
	}
	for (;;) {
		uint32_t v = 0;
		if (atomic_compare_exchange_strong_explicit(&g.holder[h], &v, t->id + 1,
		                                            memory_order_relaxed, memory_order_relaxed)) {
			held_push(t, h);
			return;
		}
		if (!(v & PUTTING)) {
			violation("C1", "get on VCPU %u handed out handle %u, which thread %u holds "
			          "(handed out twice)", t->id, h, v - 1);
			return;
		}
		/* Its put took effect before it returned: wait for the putter
		 * to clear the mark (then h is ours), unless the run stops. */
		if (stopping())
			return;
		sched_yield();
	}
}

static void do_get(struct thr *t)
{
	uint32_t h = UINT32_MAX;

	if (g.hostile)
		STRESS_CHECK(pthread_rwlock_rdlock(&g.guard) == 0);
	int ok = g.a->get(g.fl, t->id, &h);
	if (ok)
		claim(t, h);
	if (g.hostile)
		STRESS_CHECK(pthread_rwlock_unlock(&g.guard) == 0);
	t->gets++;
	if (!ok) {
		/* Empty: let the threads that hold handles run and put them back. */
		t->empty++;
		sched_yield();
	}
}

/* Put t->held[i] back from t's VCPU (a remote put if another VCPU got it). */
static void put_at(struct thr *t, unsigned i, bool remote)
{
	uint32_t h = t->held[i];

	atomic_store_explicit(&g.holder[h], (t->id + 1) | PUTTING, memory_order_relaxed);
	int rc = g.a->put(g.fl, t->id, h);
	if (rc != 0) {
		atomic_store_explicit(&g.holder[h], t->id + 1, memory_order_relaxed);
		violation("C2", "%sput of handle %u on VCPU %u (held by it) was refused (%d)",
		          remote ? "remote " : "", h, t->id, rc);
		return;
	}
	held_remove(t, i);
	atomic_store_explicit(&g.holder[h], 0, memory_order_relaxed);
	t->puts++;
	t->remote_puts += remote;
}

/* Handles passed to us, put back from our VCPU at once (remote puts). */
static void receive(struct thr *t)
{
	for (unsigned k = 0; k < INBOX && !stopping(); k++) {
		if (!atomic_load_explicit(&t->inbox[k], memory_order_relaxed))
			continue;
		/* Acquire pairs with the sender's release store. */
		uint32_t v = atomic_exchange_explicit(&t->inbox[k], 0, memory_order_acquire);
		if (!v)
			continue;
		held_push(t, v - 1);
		put_at(t, t->nheld - 1, true);
	}
}

static void pass(struct thr *t, unsigned i)
{
	unsigned to = (t->id + 1 + below(t, g.n - 1)) % g.n;
	struct thr *r = &g.t[to];
	unsigned k = below(t, INBOX);
	uint32_t h = t->held[i];

	uint32_t empty = 0;

	/* The receiver's book entry first: once in the inbox, h may be put. */
	atomic_store_explicit(&g.holder[h], to + 1, memory_order_relaxed);
	/* Other senders may aim at the same slot.  Release pairs with the
	 * receiver's acquire exchange. */
	if (!atomic_compare_exchange_strong_explicit(&r->inbox[k], &empty, h + 1, memory_order_release,
	                                             memory_order_relaxed)) {
		atomic_store_explicit(&g.holder[h], t->id + 1, memory_order_relaxed);
		put_at(t, i, false);             /* that slot is taken: put it ourselves */
		return;
	}
	held_remove(t, i);
	t->passed++;
}

/* A hostile put that must be refused (C3). */
static void probe(struct thr *t)
{
	uint32_t h = g.limit + below(t, 4);
	const char *what = "out of range";

	t->probes++;
	if (below(t, 2)) {
		/* A free handle: no get in flight (write side), nobody holds it. */
		STRESS_CHECK(pthread_rwlock_wrlock(&g.guard) == 0);
		for (unsigned k = 0; k < 8; k++) {
			uint32_t c = below(t, g.limit);
			if (!atomic_load_explicit(&g.holder[c], memory_order_relaxed)) {
				h = c;
				what = "free: nobody holds it";
				break;
			}
		}
		if (h < g.limit && g.a->put(g.fl, t->id, h) == 0)
			violation("C3", "hostile put of handle %u (%s) on VCPU %u was accepted", h, what, t->id);
		STRESS_CHECK(pthread_rwlock_unlock(&g.guard) == 0);
		if (h < g.limit)
			return;
	}
	if (g.a->put(g.fl, t->id, h) == 0)
		violation("C3", "hostile put of handle %u (%s) on VCPU %u was accepted", h, what, t->id);
}

/* ---- workers and the in-run checks ---- */

static void pause_point(void)
{
	if (!atomic_load_explicit(&g.pause_req, memory_order_relaxed))
		return;
	STRESS_CHECK(pthread_mutex_lock(&g.pause_mu) == 0);
	if (atomic_load_explicit(&g.pause_req, memory_order_relaxed)) {
		g.npaused++;
		pthread_cond_signal(&g.pause_checker);
		while (atomic_load_explicit(&g.pause_req, memory_order_relaxed))
			pthread_cond_wait(&g.pause_workers, &g.pause_mu);
		g.npaused--;
	}
	STRESS_CHECK(pthread_mutex_unlock(&g.pause_mu) == 0);
}

static void step(struct thr *t)
{
	unsigned r = below(t, 100);

	receive(t);
	if (t->nheld == 0 || r < 45)
		do_get(t);
	else if (r < 75)
		put_at(t, below(t, t->nheld), false);
	else if (r < 92 && g.a->remote_put && g.n > 1)
		pass(t, below(t, t->nheld));
	else if (r < 95 && g.a->grow) {
		g.a->grow(g.fl, t->id);      /* 0 or "at its limit": both fine */
		t->grows++;
	} else if (g.hostile)
		probe(t);
	else
		put_at(t, below(t, t->nheld), false);
	if (g.o.yield_rate > 0 && (rnd(t) >> 11) * 0x1.0p-53 < g.o.yield_rate) {
		sched_yield();
		t->yields++;
	}
}

static void *worker(void *arg)
{
	struct thr *t = arg;

	/* The start gate: acquire pairs with the release store in main(). */
	while (!atomic_load_explicit(&g.go, memory_order_acquire))
		sched_yield();
	for (;;) {
		pause_point();
		if (stopping() || t->done >= t->budget)
			break;
		step(t);
		t->done++;
		atomic_store_explicit(&t->ops, t->done, memory_order_relaxed);
	}
	STRESS_CHECK(pthread_mutex_lock(&g.pause_mu) == 0);
	atomic_fetch_add_explicit(&g.finished, 1, memory_order_release);
	pthread_cond_signal(&g.pause_checker);
	STRESS_CHECK(pthread_mutex_unlock(&g.pause_mu) == 0);
	return NULL;
}

/* Quiescent (no worker inside an operation): gets on every VCPU in turn
 * until none hands anything out, then every handle put back by the VCPU
 * that got it.  C1/C5/C6 on what the gets hand out, C2 on the puts. */
static void check(const char *when)
{
	uint64_t before = atomic_load_explicit(&g.violations, memory_order_relaxed);
	unsigned got = 0, bound = g.limit + 64, held = 0;

	atomic_fetch_add_explicit(&g.checks, 1, memory_order_relaxed);
	/* Handles passed but not yet received are held too (by the sender's
	 * book entry: holder[h] names the receiver). */
	for (unsigned i = 0; i < g.n; i++) {
		held += g.t[i].nheld;
		for (unsigned k = 0; k < INBOX; k++)
			held += atomic_load_explicit(&g.t[i].inbox[k], memory_order_relaxed) != 0;
	}
	memset(g.seen, 0, g.limit);
	for (int progress = 1; progress && got < bound;) {
		progress = 0;
		for (unsigned v = 0; v < g.n && got < bound; v++) {
			uint32_t h;
			while (got < bound && g.a->get(g.fl, v, &h)) {
				progress = 1;
				if (h >= g.limit) {
					violation("C6", "%s: get on VCPU %u returned handle %u, not below its handle "
					          "limit %u", when, v, h, g.limit);
					goto put_back;
				}
				uint32_t by = atomic_load_explicit(&g.holder[h], memory_order_relaxed);
				if (by) {
					violation("C1", "%s: get on VCPU %u handed out handle %u, which thread %u "
					          "holds (handed out twice)", when, v, h, (by & ~PUTTING) - 1);
					goto put_back;
				}
				if (g.seen[h]++) {
					violation("C5", "%s: gets handed out handle %u twice (the list holds it "
					          "twice)", when, h);
					goto put_back;
				}
				g.got[got] = h;
				g.got_vcpu[got++] = v;
			}
		}
	}
	unsigned lists = g.a->lists_initialised ? g.a->lists_initialised(g.fl) : g.n;
	unsigned kept = g.a->kept_per_list * lists;
	unsigned want = g.limit > kept + held ? g.limit - kept - held : 0;
	if (g.a->capacity_exact && got != want) {
		unsigned lost = UINT32_MAX;
		for (unsigned h = 0; h < g.limit && lost == UINT32_MAX; h++)
			if (!g.seen[h] && !atomic_load_explicit(&g.holder[h], memory_order_relaxed))
				lost = h;
		char first[48] = "";
		if (got < want && lost != UINT32_MAX)
			snprintf(first, sizeof(first), "; handle %u is lost", lost);
		violation("C5", "%s: gets handed out %u handles, want %u (limit %u, %u held by the threads, "
		          "%u kept by %u lists)%s", when, got, want, g.limit, held, kept, lists, first);
	}
put_back:
	for (unsigned i = 0; i < got; i++)
		if (g.a->put(g.fl, g.got_vcpu[i], g.got[i]) != 0)
			violation("C2", "%s: put of handle %u on VCPU %u (its getter) was refused", when,
			          g.got[i], g.got_vcpu[i]);
	if (atomic_load_explicit(&g.violations, memory_order_relaxed) > before)
		fprintf(stderr, "(at the %s)\n", when);
}

static void inrun_check(uint64_t ops)
{
	char when[80];

	STRESS_CHECK(pthread_mutex_lock(&g.pause_mu) == 0);
	atomic_store_explicit(&g.pause_req, 1, memory_order_relaxed);
	while (g.npaused + atomic_load_explicit(&g.finished, memory_order_acquire) < g.n)
		pthread_cond_wait(&g.pause_checker, &g.pause_mu);
	snprintf(when, sizeof(when), "in-run check %" PRIu64 " (after ~%" PRIu64 " ops)",
	         atomic_load_explicit(&g.checks, memory_order_relaxed) + 1, ops);
	check(when);
	atomic_store_explicit(&g.pause_req, 0, memory_order_relaxed);
	pthread_cond_broadcast(&g.pause_workers);
	STRESS_CHECK(pthread_mutex_unlock(&g.pause_mu) == 0);
}

/* ---- the end of a run that cannot return: crash, race (async-signal-safe) ---- */

/* Operations so far, read without the runtime (plain volatile loads in an
 * uninstrumented function: a runtime call may wait for a lock the
 * reporting thread holds). */
STRESS_NO_TSAN static uint64_t ops_unlocked(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; g.t && i < g.n; i++)
		n += *(volatile uint64_t *)&g.t[i].ops;
	return n;
}

/* A line on stderr, the SUMMARY on stdout, exit_group(code); the first
 * caller wins, any other waits for the exit. */
STRESS_NO_TSAN static void halt_now(int code, const char *why, int sig)
{
	char buf[640];
	size_t n = 0, cap = sizeof(buf);

	if (stress_halting_claim())
		for (;;)
			syscall(SYS_ppoll, NULL, 0, NULL, NULL);
	if (code == STRESS_EXIT_CRASH) {
		n = stress_put_str(buf, n, cap, "VIOLATION crash: ");
		if (sig) {
			n = stress_put_str(buf, n, cap, "signal ");
			n = stress_put_u64(buf, n, cap, (uint64_t)sig);
			n = stress_put_str(buf, n, cap, " inside the adapter or the free list\n");
		} else {
			n = stress_put_str(buf, n, cap, why);
			n = stress_put_str(buf, n, cap, "\n");
		}
	} else {
		n = stress_put_str(buf, n, cap, "RACE: the run stops at a ");
		n = stress_put_str(buf, n, cap, why);
		n = stress_put_str(buf, n, cap, "\n");
	}
	stress_raw_write(STDERR_FILENO, buf, n);
	n = stress_put_str(buf, 0, cap, "SUMMARY scenario=mix impl=");
	n = stress_put_str(buf, n, cap, g.o.impl);
	n = stress_put_str(buf, n, cap, " vcpus=");
	n = stress_put_u64(buf, n, cap, g.n);
	n = stress_put_str(buf, n, cap, " ops=");
	n = stress_put_u64(buf, n, cap, ops_unlocked());
	stress_halt_summary_end(buf, n, cap, g.o.seed, sig, code);
}

static void halt_hook(int code, const char *why)
{
	halt_now(code, why, 0);
}

STRESS_NO_TSAN static void on_crash(int sig)
{
	halt_now(STRESS_EXIT_CRASH, NULL, sig);
}

/* ---- flags ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: STRESS --impl NAME [flags]   (a suite's <name>_stress; tools/stress --impl NAME)\n"
		"  --impl NAME       an adapter this binary registers (--list)\n"
		"  --vcpus N         VCPUs = threads (default %u)\n"
		"  --per-page N      passed to the adapter's create (0: its own default)\n"
		"  --max-frames N    passed to the adapter's create (0: its own default)\n"
		"  --ops N           total operations over all threads; 0 = no bound (default 200000)\n"
		"  --seconds S       time bound; 0 = no bound (default 0)\n"
		"  --seed N          seeds the operation choices (default 1)\n"
		"  --yield-rate R    sched_yield after an operation with probability R (default 0)\n"
		"  --progress S      progress line on stderr every S seconds; 0 = none (default 5)\n"
		"  --check-every N   park the workers and check C5 every N operations; 0 = at the\n"
		"                    end only (default %u)\n"
		"  --suppress FILE   ThreadSanitizer suppressions, passed on in TSAN_OPTIONS\n"
		"  --keep-going      a ThreadSanitizer report does not stop the run\n"
		"  --list            the adapters of this binary\n"
		"Exit: 3 crash, 1 violation (C1, C2, C3, C5, C6, watchdog), 66 ThreadSanitizer\n"
		"report, 0 clean; 2 bad flags, before any work.\n"
		"Last line: SUMMARY scenario=mix impl=NAME ... result=clean|violation|race|crash\n",
		DEFAULT_VCPUS, DEFAULT_CHECK_EVERY);
}

static const struct mt_fl_adapter *adapter_at(unsigned k)
{
	const struct mt_registration *r = mt_ops_at(k);
	return r ? mt_fl_adapter_of(r->ops) : NULL;
}

static void list_adapters(FILE *f)
{
	for (unsigned k = 0; mt_ops_at(k); k++)
		if (adapter_at(k))
			fprintf(f, "  %-28s %s\n", adapter_at(k)->name, adapter_at(k)->summary);
}

static void list_all(void)
{
	printf("adapters:\n");
	list_adapters(stdout);
}

static const struct stress_cli cli = {
	.hint = "(--help for the flags, --list for the adapters)",
	.max_vcpus = MAX_VCPUS, .max_per_page = MAX_HANDLES, .max_frames = MAX_HANDLES,
	.usage = usage, .list = list_all,
};

static void parse(int argc, char **argv, struct stress_opts *o)
{
	*o = (struct stress_opts){ .ops = 200000, .seed = 1, .progress = 5, .vcpus = DEFAULT_VCPUS,
	                           .check_every = DEFAULT_CHECK_EVERY };
	stress_parse_args(argc, argv, &cli, o);
	if (!o->impl)
		stress_die_usage(&cli, "%s", "--impl NAME is required");
	if (!o->vcpus)
		stress_die_usage(&cli, "%s", "--vcpus must be at least 1");
	if (o->suppress && (access(o->suppress, R_OK) != 0 || strpbrk(o->suppress, ": \t\"'")))
		stress_die_usage(&cli, "--suppress %s: no such readable file, or a path with ':', blanks or quotes",
		                 o->suppress);
}

/* The adapter's allocator (cfg->alloc): plain calloc, never failing on purpose. */
static void *alloc_page(void *ctx, size_t bytes)
{
	(void)ctx;
	return calloc(1, bytes);
}

static void free_page(void *ctx, void *page)
{
	(void)ctx;
	free(page);
}

/* ---- main ---- */

static uint64_t total_ops(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < g.n; i++)
		n += atomic_load_explicit(&g.t[i].ops, memory_order_relaxed);
	return n;
}

static int outcome(void)
{
	if (atomic_load_explicit(&g.violations, memory_order_relaxed))
		return STRESS_EXIT_VIOLATION;
	if (stress_race_distinct())
		return STRESS_EXIT_RACE;
	return STRESS_EXIT_CLEAN;
}

static void summary(uint64_t ops, double elapsed, int code)
{
	uint64_t sum[8] = { 0 };

	for (unsigned i = 0; i < g.n; i++) {
		const struct thr *t = &g.t[i];
		const uint64_t v[8] = { t->gets, t->empty, t->puts, t->remote_puts, t->passed, t->grows,
		                        t->probes, t->yields };
		for (unsigned k = 0; k < 8; k++)
			sum[k] += v[k];
	}
	printf("SUMMARY scenario=mix impl=%s vcpus=%u ops=%" PRIu64 " ops_per_s=%.0f violations=%" PRIu64
	       " seed=%" PRIu64 " yield_rate=%g seconds=%.2f handles=%u gets=%" PRIu64 " empty=%" PRIu64
	       " puts=%" PRIu64 " remote_puts=%" PRIu64 " passed=%" PRIu64 " grows=%" PRIu64
	       " probes=%" PRIu64 " yields=%" PRIu64 " checks=%" PRIu64 " races=%" PRIu64
	       " races_suppressed=%" PRIu64 " races_repeated=%" PRIu64 " tsan=%d keep_going=%d"
	       " result=%s exit=%d\n",
	       g.o.impl, g.n, ops, elapsed > 0 ? ops / elapsed : 0.0,
	       atomic_load_explicit(&g.violations, memory_order_relaxed), g.o.seed, g.o.yield_rate,
	       elapsed, g.limit, sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7],
	       atomic_load_explicit(&g.checks, memory_order_relaxed), stress_race_distinct(),
	       stress_race_suppressed(), stress_race_repeats(), stress_race_tsan(), g.o.keep_going,
	       stress_result_name(code), code);
	fflush(stdout);
}

static void setup(void)
{
	g.n = g.o.vcpus;
	g.cfg = (struct mt_config){ .nr_vcpus = g.n, .per_page = g.o.per_page,
	                            .max_frames = g.o.max_frames,
	                            .alloc = { .alloc_page = alloc_page, .free_page = free_page } };
	g.fl = g.a->create(&g.cfg);
	if (!g.fl) {
		fprintf(stderr, "stress: adapter '%s': create failed (vcpus %u, per_page %u, max_frames %u)\n",
		        g.a->name, g.n, g.o.per_page, g.o.max_frames);
		exit(STRESS_EXIT_USAGE);
	}
	g.limit = g.a->handle_limit(g.fl);
	if (g.limit > MAX_HANDLES) {
		fprintf(stderr, "stress: adapter '%s': handle limit %u, more than the %u this driver "
		        "books (smaller --per-page / --max-frames)\n", g.a->name, g.limit, MAX_HANDLES);
		exit(STRESS_EXIT_USAGE);
	}
	g.hostile = g.a->bad_puts_refused;
	g.holder = calloc(g.limit + 1, sizeof(*g.holder));
	g.seen = calloc(g.limit + 1, 1);
	g.got = calloc(g.limit + 64, sizeof(*g.got));
	g.got_vcpu = calloc(g.limit + 64, sizeof(*g.got_vcpu));
	g.t = calloc(g.n, sizeof(*g.t));
	STRESS_CHECK(g.holder && g.seen && g.got && g.got_vcpu && g.t);
	for (unsigned h = 0; h <= g.limit; h++)
		atomic_init(&g.holder[h], 0);
	for (unsigned i = 0; i < g.n; i++) {
		struct thr *t = &g.t[i];
		t->id = i;
		t->rng = stress_mix(g.o.seed * 0x100000001b3ull + i) | 1;
		/* --ops split over the threads (some may get 0); none: unbounded. */
		t->budget = g.o.ops ? g.o.ops / g.n + (i < g.o.ops % g.n) : UINT64_MAX;
		atomic_init(&t->ops, 0);
		for (unsigned k = 0; k < INBOX; k++)
			atomic_init(&t->inbox[k], 0);
	}
	STRESS_CHECK(pthread_rwlock_init(&g.guard, NULL) == 0);
	STRESS_CHECK(pthread_mutex_init(&g.pause_mu, NULL) == 0);
	STRESS_CHECK(pthread_cond_init(&g.pause_workers, NULL) == 0);
	STRESS_CHECK(pthread_cond_init(&g.pause_checker, NULL) == 0);
}

/* splitmix64 (stress_common.h declares it for the maptrack stress binary). */
uint64_t stress_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int main(int argc, char **argv)
{
	setvbuf(stderr, NULL, _IOLBF, 0);
	parse(argc, argv, &g.o);
	const struct mt_ops *ops = mt_ops_find(g.o.impl);
	g.a = ops ? mt_fl_adapter_of(ops) : NULL;
	if (!g.a) {
		fprintf(stderr, "stress: unknown adapter '%s'; this binary has:\n", g.o.impl);
		list_adapters(stderr);
		return STRESS_EXIT_USAGE;
	}
	if (!g.a->create || !g.a->destroy || !g.a->get || !g.a->put || !g.a->handle_limit)
		stress_die_usage(&cli, "adapter '%s' lacks create, destroy, get, put or handle_limit", g.a->name);
	stress_tsan_reexec(&g.o, argv);
	stress_race_config(g.o.keep_going, halt_hook);
	stress_catch_crashes(on_crash);
	setup();
	fprintf(stderr, "stress: %s on %u threads, %u handles, %s%s%sseed %" PRIu64 "\n", g.a->name, g.n,
	        g.limit, g.a->remote_put ? "remote puts, " : "", g.a->grow ? "grow, " : "",
	        g.hostile ? "hostile puts, " : "", g.o.seed);

	for (unsigned i = 0; i < g.n; i++)
		STRESS_CHECK(pthread_create(&g.t[i].tid, NULL, worker, &g.t[i]) == 0);
	double t0 = now(), next_progress = g.o.progress, stop_seen = 0;
	uint64_t next_check = g.o.check_every;
	/* Open the gate: release pairs with the acquire loads in worker(). */
	atomic_store_explicit(&g.go, 1, memory_order_release);
	while (atomic_load_explicit(&g.finished, memory_order_acquire) < g.n) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
		double el = now() - t0;
		if (g.o.seconds && el >= g.o.seconds)
			atomic_store_explicit(&g.stop, 1, memory_order_relaxed);
		if (g.o.check_every && !stopping()) {
			uint64_t n = total_ops();
			if (n >= next_check) {
				inrun_check(n);
				next_check = n + g.o.check_every;
			}
		}
		if (g.o.progress && el >= next_progress) {
			uint64_t n = total_ops();
			fprintf(stderr, "progress impl=%s t=%.0fs ops=%" PRIu64 " ops_per_s=%.0f checks=%" PRIu64
			        " violations=%" PRIu64 "\n", g.a->name, el, n, n / el,
			        atomic_load_explicit(&g.checks, memory_order_relaxed),
			        atomic_load_explicit(&g.violations, memory_order_relaxed));
			next_progress += g.o.progress;
		}
		if (!stop_seen && (stopping() || atomic_load_explicit(&g.finished, memory_order_relaxed)))
			stop_seen = el;
		if (stop_seen && el - stop_seen > WATCHDOG_GRACE) {
			violation("watchdog", "%u of %u threads still inside the list %.0f s after the first "
			          "stopped (deadlock or livelock)", g.n -
			          atomic_load_explicit(&g.finished, memory_order_relaxed), g.n, WATCHDOG_GRACE);
			summary(total_ops(), el, STRESS_EXIT_VIOLATION);
			_exit(STRESS_EXIT_VIOLATION);
		}
	}
	for (unsigned i = 0; i < g.n; i++)
		STRESS_CHECK(pthread_join(g.t[i].tid, NULL) == 0);
	double elapsed = now() - t0;
	uint64_t ops_done = total_ops();

	/* Quiescent: what is still in the inboxes is held by its receiver. */
	for (unsigned i = 0; i < g.n; i++)
		for (unsigned k = 0; k < INBOX; k++) {
			uint32_t v = atomic_exchange_explicit(&g.t[i].inbox[k], 0, memory_order_acquire);
			if (v)
				held_push(&g.t[i], v - 1);
		}
	check("end");
	if (!atomic_load_explicit(&g.violations, memory_order_relaxed)) {
		for (unsigned i = 0; i < g.n; i++)
			while (g.t[i].nheld)
				put_at(&g.t[i], g.t[i].nheld - 1, false);
		check("drained");
	}
	int code = outcome();
	stress_race_print(stderr);
	summary(ops_done, elapsed, code);
	if (!atomic_load_explicit(&g.violations, memory_order_relaxed))
		g.a->destroy(g.fl);
	fflush(NULL);
	/* _exit: TSan's exit hook would turn an earlier report into its own code. */
	_exit(code);
}
