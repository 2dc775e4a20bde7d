/*
 * naive.c - the baseline a user would write first: real threads doing
 * random get/put against one implementation, and a check at the end.
 *
 * What it deliberately does NOT have (that is the point of the baseline):
 *   - no schedule hook tricks: mt_sched_point()/mt_sched_blocked() are
 *     no-ops here, so the library runs at full speed with whatever
 *     interleavings the OS scheduler happens to produce;
 *   - no per-operation oracle: results are not checked as they come back
 *     (only counted); the table is checked once per round, at the end.
 *
 * One round:
 *   create a table -> N threads (thread i is VCPU i) each do --round-ops
 *   random operations: get, put one of its own handles, hand a handle to
 *   another thread (which puts it later from its own VCPU: a remote put),
 *   the odd explicit grow -> join -> end check:
 *     1. no handle is held twice (conservation: held handles are distinct);
 *     2. every handle below the limit is in use iff some thread holds it
 *        (handles out + handles free == limit), none held beyond the limit;
 *     3. no put of a held handle was refused during the round;
 *     4. mt_verify() is clean;
 *     5. every held handle puts back cleanly, and mt_verify() is clean again.
 * Rounds repeat (fresh table, next seed) until --seconds or --rounds runs
 * out: what a user does with a stress test in a loop.  A crash (SIGSEGV...)
 * or a round that hangs (--hang-seconds) counts as a detection too: the
 * user's test would have failed.
 *
 * Exit: 0 clean, 1 detected (end check failed, crash or hang), 2 bad flags.
 * Last line: SUMMARY engine=naive impl=... detected=0|1 ...
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/maptrack.h"
#include "lib/mt_access.h"
#include "lib/variants/zoo.h"

/* The schedule hook of //lib:maptrack_hooked: nothing at all. */
void mt_sched_point(const struct mt_site *site, const void *addr, unsigned acc)
{
	(void)acc;
	(void)site;
	(void)addr;
}

void mt_sched_blocked(const struct mt_site *site, const void *lock)
{
	(void)site;
	(void)lock;
}

/* Real memory is the only memory here: nothing to record after an access. */
void mt_sched_after(const void *addr, unsigned acc, void *val)
{
	(void)addr;
	(void)acc;
	(void)val;
}

/* Harness bugs (not findings): never compiled out. */
#define NAIVE_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: naive: harness check failed: %s\n", __FILE__, __LINE__, #cond); \
	_exit(3); } } while (0)

#define NAIVE_MAX_THREADS 64u
#define NAIVE_MAILBOX 16u

struct opts {
	const char *impl;
	unsigned threads, per_page, max_frames, hold;
	uint64_t round_ops;     /* per thread */
	uint64_t rounds;        /* 0 = until --seconds */
	double seconds;         /* 0 = until --rounds */
	uint64_t seed;
	unsigned hang_seconds;
	double progress;
};

struct thread {
	struct round *r;
	unsigned id;
	pthread_t tid;
	uint64_t rng;
	mt_handle_t *held;
	unsigned nheld, cap;
	_Atomic uint32_t mailbox[NAIVE_MAILBOX];  /* h + 1 or 0: handed to this thread */
	uint64_t ops, gets, puts, put_refused, nospace, passed;
};

struct round {
	const struct opts *o;
	const struct mt_ops *ops;
	struct mt_table *t;
	struct thread th[NAIVE_MAX_THREADS];
	_Atomic int go;
};

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rnd(struct thread *th)
{
	uint64_t x = th->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	th->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned below(struct thread *th, unsigned n)
{
	return n ? (unsigned)((rnd(th) >> 32) % n) : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- crash and hang reporting (async-signal-safe) ---- */

static char crash_summary[256];   /* prepared before each round */
static size_t crash_summary_len;

static void on_signal(int sig)
{
	const char *what = sig == SIGALRM ? "NAIVE detected: hang (a round did not finish)\n"
	                 : "NAIVE detected: crash (fatal signal in the implementation)\n";
	if (write(STDOUT_FILENO, what, strlen(what)) < 0 ||
	    write(STDOUT_FILENO, crash_summary, crash_summary_len) < 0)
		_exit(1);
	_exit(1);
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- the worker ---- */

static void hold(struct thread *th, mt_handle_t h)
{
	if (th->nheld == th->cap) {
		unsigned cap = th->cap ? th->cap * 2 : 64;
		mt_handle_t *n = realloc(th->held, cap * sizeof(*n));
		NAIVE_CHECK(n);
		th->held = n;
		th->cap = cap;
	}
	th->held[th->nheld++] = h;
}

static mt_handle_t unhold(struct thread *th, unsigned i)
{
	mt_handle_t h = th->held[i];
	th->held[i] = th->held[--th->nheld];
	return h;
}

static void put_one(struct thread *th, mt_handle_t h)
{
	th->puts++;
	if (mt_put(th->r->t, th->id, h) != MT_OK)
		th->put_refused++;      /* looked at only at the end of the round */
}

static void receive(struct thread *th)
{
	for (unsigned i = 0; i < NAIVE_MAILBOX; i++) {
		uint32_t v = atomic_exchange_explicit(&th->mailbox[i], 0, memory_order_acquire);
		if (v)
			put_one(th, v - 1);  /* a remote put: the handle came from another VCPU */
	}
}

static void *worker(void *arg)
{
	struct thread *th = arg;
	struct round *r = th->r;
	const struct opts *o = r->o;

	while (!atomic_load_explicit(&r->go, memory_order_acquire))
		;
	for (uint64_t n = 0; n < o->round_ops; n++) {
		unsigned dice = below(th, 100);
		th->ops++;
		if (dice < 45) {
			if (th->nheld < o->hold) {
				mt_handle_t h;
				th->gets++;
				if (mt_get(r->t, th->id, &h) == MT_OK)
					hold(th, h);
				else
					th->nospace++;
			}
		} else if (dice < 80) {
			if (th->nheld)
				put_one(th, unhold(th, below(th, th->nheld)));
		} else if (dice < 92) {
			if (th->nheld && o->threads > 1) {
				unsigned to = below(th, o->threads - 1);
				to += to >= th->id;
				struct thread *dst = &r->th[to];
				unsigned slot = below(th, NAIVE_MAILBOX);
				uint32_t empty = 0;
				mt_handle_t h = th->held[th->nheld - 1];
				/* Release pairs with the acquire exchange in receive(). */
				if (atomic_compare_exchange_strong_explicit(&dst->mailbox[slot], &empty, h + 1,
						memory_order_release, memory_order_relaxed)) {
					th->nheld--;
					th->passed++;
				}
			}
		} else if (dice < 98) {
			receive(th);
		} else {
			mt_grow(r->t, th->id);   /* MT_ERR_LIMIT / NOMEM are fine */
		}
	}
	return NULL;
}

/* ---- the end-of-round check ---- */

struct verdict {
	int bad;
	char why[256];
};

static void fail(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct verdict *v, const char *fmt, ...)
{
	if (v->bad++)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void verify(struct round *r, struct verdict *v, const char *when)
{
	struct mt_report rep;
	memset(&rep, 0, sizeof(rep));
	int err = mt_verify(r->t, &rep);
	if (err != MT_OK)
		fail(v, "mt_verify %s: %s (list %d, handle %d) %s", when, mt_strerror(err),
		     (int)rep.list, (int)rep.handle, rep.detail);
}

static void end_check(struct round *r, struct verdict *v)
{
	const struct opts *o = r->o;
	struct mt_view view;
	uint64_t refused = 0;

	/* Handles still in mailboxes belong to their receiver now. */
	for (unsigned i = 0; i < o->threads; i++) {
		struct thread *th = &r->th[i];
		for (unsigned s = 0; s < NAIVE_MAILBOX; s++) {
			uint32_t h = atomic_load_explicit(&th->mailbox[s], memory_order_relaxed);
			if (h) {
				hold(th, h - 1);
				atomic_store_explicit(&th->mailbox[s], 0, memory_order_relaxed);
			}
		}
		refused += th->put_refused;
	}
	if (refused)
		fail(v, "%" PRIu64 " put(s) of held handles refused", refused);

	r->ops->view(r->t, &view);
	uint32_t limit = view.limit;
	uint8_t *seen = calloc(limit ? limit : 1, 1);
	NAIVE_CHECK(seen);
	uint64_t out = 0;
	for (unsigned i = 0; i < o->threads; i++) {
		struct thread *th = &r->th[i];
		for (unsigned k = 0; k < th->nheld; k++) {
			mt_handle_t h = th->held[k];
			if (h >= limit) {
				fail(v, "conservation: handle %" PRIu32 " held beyond the limit %" PRIu32, h, limit);
				continue;
			}
			if (seen[h]++)
				fail(v, "conservation: handle %" PRIu32 " held twice", h);
			out++;
		}
	}
	uint64_t in_use = 0;
	for (uint32_t h = 0; h < limit; h++) {
		struct mt_entry_view e;
		if (r->ops->entry(r->t, h, &e) != MT_OK) {
			fail(v, "conservation: entry %" PRIu32 " below the limit unreadable", h);
			continue;
		}
		in_use += e.in_use != 0;
		if (!e.in_use != !seen[h])
			fail(v, "conservation: handle %" PRIu32 " %s", h,
			     e.in_use ? "in use but held by no thread (lost)" : "held but free in the table");
	}
	free(seen);
	if (!v->bad && in_use != out)
		fail(v, "conservation: %" PRIu64 " in use, %" PRIu64 " held", in_use, out);
	verify(r, v, "after the run");

	/* Drain: every held handle goes back from its holder's VCPU. */
	for (unsigned i = 0; i < o->threads && !v->bad; i++) {
		struct thread *th = &r->th[i];
		while (th->nheld) {
			mt_handle_t h = unhold(th, th->nheld - 1);
			int err = mt_put(r->t, th->id, h);
			if (err != MT_OK) {
				fail(v, "drain: put of held handle %" PRIu32 " refused: %s", h, mt_strerror(err));
				break;
			}
		}
	}
	if (!v->bad)
		verify(r, v, "after the drain");
}

/* ---- flags ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: naive [--impl NAME] [--threads N] [--seconds S] [--rounds N] [--round-ops N]\n"
		"             [--seed N] [--per-page N] [--max-frames N] [--hold N] [--hang-seconds N]\n"
		"             [--progress S]\n"
		"       naive --list-variants | --help\n"
		"  --impl NAME       implementation (default production; builtins and the bug zoo)\n"
		"  --threads N       threads = VCPUs, 1..%u (default 4)\n"
		"  --seconds S       run rounds until S seconds have passed (default 10; 0 = --rounds only)\n"
		"  --rounds N        at most N rounds (default 0 = until --seconds)\n"
		"  --round-ops N     random operations per thread per round (default 20000)\n"
		"  --seed N          seed of the operation choices (default 1; round k uses seed+k)\n"
		"  --per-page N      entries per page (default 8)\n"
		"  --max-frames N    frame limit (default 16)\n"
		"  --hold N          most handles one thread holds (default: 2 * capacity / threads)\n"
		"  --hang-seconds N  a round longer than this is reported as a hang (default 10)\n"
		"  --progress S      progress line on stderr every S seconds (default 2; 0 = none)\n"
		"  --list-variants   name, sequential, detected_by, origin, stress scenarios (\"-\": all)\n"
		"                    of each implementation (tab-separated)\n"
		"Exit: 0 clean, 1 detected (end check, crash or hang), 2 bad flags.\n",
		NAIVE_MAX_THREADS);
}

static int bad_flag(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "naive: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n(naive --help for usage)\n");
	return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 1e9)
		return false;
	*out = v;
	return true;
}

static void list_variants(void)
{
	/* fifth column: stress scenarios (space-separated), "-" = every one */
	printf("production\t0\t-\tthe production library (lib/maptrack.c): must never be flagged\t-\n");
	const struct mt_variant_info *i;
	for (unsigned k = 0; (i = mt_zoo_at(k)) != NULL; k++)
		printf("%s\t%d\t%s\t%s\t%s\n", i->ops->name, i->sequential, i->detected_by, i->origin,
		       i->stress_scenarios[0] ? i->stress_scenarios : "-");
}

int main(int argc, char **argv)
{
	struct opts o = {
		.impl = "production", .threads = 4, .per_page = 8, .max_frames = 16,
		.round_ops = 20000, .seconds = 10, .seed = 1, .hang_seconds = 10, .progress = 2,
	};
	uint64_t hold_flag = 0;

	for (int i = 1; i < argc; i++) {
		const char *f = argv[i];
		if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(f, "--list-variants")) {
			list_variants();
			return 0;
		}
		if (strncmp(f, "--", 2))
			return bad_flag("unexpected argument '%s'%s", f, "");
		if (i + 1 >= argc)
			return bad_flag("%s needs a value%s", f, "");
		const char *val = argv[++i];
		uint64_t u = 0;
		double d = 0;
		bool ok = true;
		if (!strcmp(f, "--impl"))
			o.impl = val;
		else if (!strcmp(f, "--threads"))
			ok = parse_u64(val, &u) && u >= 1 && u <= NAIVE_MAX_THREADS && (o.threads = (unsigned)u);
		else if (!strcmp(f, "--seconds"))
			ok = parse_double(val, &d) && ((o.seconds = d), true);
		else if (!strcmp(f, "--rounds"))
			ok = parse_u64(val, &u) && ((o.rounds = u), true);
		else if (!strcmp(f, "--round-ops"))
			ok = parse_u64(val, &u) && u >= 1 && ((o.round_ops = u), true);
		else if (!strcmp(f, "--seed"))
			ok = parse_u64(val, &u) && ((o.seed = u), true);
		else if (!strcmp(f, "--per-page"))
			ok = parse_u64(val, &u) && u >= MT_MIN_PER_PAGE && u <= MT_MAX_PER_PAGE &&
			     (o.per_page = (unsigned)u);
		else if (!strcmp(f, "--max-frames"))
			ok = parse_u64(val, &u) && u >= 1 && u <= 65536 && (o.max_frames = (unsigned)u);
		else if (!strcmp(f, "--hold"))
			ok = parse_u64(val, &u) && u >= 1 && u <= (1u << 20) && ((hold_flag = u), true);
		else if (!strcmp(f, "--hang-seconds"))
			ok = parse_u64(val, &u) && u >= 1 && u <= 3600 && (o.hang_seconds = (unsigned)u);
		else if (!strcmp(f, "--progress"))
			ok = parse_double(val, &d) && ((o.progress = d), true);
		else
			return bad_flag("unknown flag '%s'%s", f, "");
		if (!ok)
			return bad_flag("bad value for %s: '%s'", f, val);
	}
	if (o.seconds == 0 && o.rounds == 0)
		return bad_flag("%s%s", "--seconds 0 needs --rounds N (the run must end)", "");
	if ((uint64_t)o.per_page * o.max_frames > (1u << 22))
		return bad_flag("%s%s", "--per-page * --max-frames must be at most 4194304", "");
	const struct mt_ops *ops = mt_impl_find(o.impl);
	if (!ops)
		return bad_flag("unknown implementation '%s'%s (naive --list-variants)", o.impl, "");
	uint64_t capacity = (uint64_t)o.per_page * o.max_frames;
	o.hold = hold_flag ? (unsigned)hold_flag
	                   : (unsigned)(2 * capacity / o.threads > 0 ? 2 * capacity / o.threads : 1);

	catch_signals();
	double t0 = now(), last_progress = t0;
	uint64_t rounds = 0, total_ops = 0;
	struct verdict v = { 0, "" };
	static struct round r;

	while ((o.rounds == 0 || rounds < o.rounds) && (o.seconds == 0 || now() - t0 < o.seconds)) {
		/* What a crash or hang in this round reports. */
		int n = snprintf(crash_summary, sizeof(crash_summary),
		                 "SUMMARY engine=naive impl=%s threads=%u detected=1 reason=%s round=%" PRIu64
		                 " ops=%" PRIu64 " seed=%" PRIu64 "\n",
		                 ops->name, o.threads, "crash-or-hang", rounds + 1, total_ops, o.seed);
		crash_summary_len = n > 0 && (size_t)n < sizeof(crash_summary) ? (size_t)n : 0;
		alarm(o.hang_seconds);

		memset(&r, 0, sizeof(r));
		r.o = &o;
		r.ops = ops;
		struct mt_config cfg = { .nr_vcpus = o.threads, .per_page = o.per_page,
		                         .max_frames = o.max_frames };
		int err = mt_create(ops, &cfg, &r.t);
		if (err != MT_OK) {
			fprintf(stderr, "naive: create failed: %s\n", mt_strerror(err));
			return 2;
		}
		for (unsigned i = 0; i < o.threads; i++) {
			struct thread *th = &r.th[i];
			th->r = &r;
			th->id = i;
			th->rng = splitmix(splitmix(o.seed + rounds) + i) | 1;
			NAIVE_CHECK(pthread_create(&th->tid, NULL, worker, th) == 0);
		}
		atomic_store_explicit(&r.go, 1, memory_order_release);
		for (unsigned i = 0; i < o.threads; i++) {
			NAIVE_CHECK(pthread_join(r.th[i].tid, NULL) == 0);
			total_ops += r.th[i].ops;
		}
		rounds++;
		end_check(&r, &v);
		alarm(0);
		for (unsigned i = 0; i < o.threads; i++)
			free(r.th[i].held);
		if (!v.bad)
			mt_destroy(r.t);   /* a corrupt table is not torn down */
		if (v.bad)
			break;
		double t = now();
		if (o.progress > 0 && t - last_progress >= o.progress) {
			fprintf(stderr, "naive: impl=%s rounds=%" PRIu64 " ops=%" PRIu64 " elapsed=%.1fs clean so far\n",
			        ops->name, rounds, total_ops, t - t0);
			last_progress = t;
		}
	}
	double elapsed = now() - t0;
	if (v.bad)
		printf("NAIVE detected: %s (round %" PRIu64 ", %d problem(s))\n", v.why, rounds, v.bad);
	printf("SUMMARY engine=naive impl=%s threads=%u detected=%d reason=%s rounds=%" PRIu64
	       " ops=%" PRIu64 " seconds=%.3f seed=%" PRIu64 "\n",
	       ops->name, o.threads, v.bad ? 1 : 0, v.bad ? "end-check" : "none", rounds, total_ops,
	       elapsed, o.seed);
	return v.bad ? 1 : 0;
}
