/*
 * depth_main.c - bug depth: the fewest preemptions, then the smallest
 * scenario, at which an implementation shows a violation.
 *
 *   maptrack_depth --impl NAME [--max-k K] [--max-ops N] [--max-vcpus M]
 *                  [--time S] [--out DIR] [--quiet]
 *
 * For K = 0, 1, ... max-k, and within K for scenarios in increasing size
 * (operations, then VCPUs, then geometry, then operation choice), every
 * scenario is explored at exactly K preemptions (fuzz/explore.h) until the
 * first violation.  Scenarios are drawn from a fixed alphabet: operations
 * get, put-own, put-other, grow, put-bad double; geometries 2-4 entries
 * per page, 1-2 frames, no allocation failure or every one after the first.
 * The first violating scenario is written to DIR/NAME.txt (tools/explore
 * reads it and saves the reproducer).
 * Before the search, the plan: each level (K, operations, VCPUs) with its
 * number of scenarios; before each level, an estimate of its schedules and
 * seconds, from a few of its scenarios explored first (deterministic
 * sample, each cut at SAMPLE_CAP schedules: then the estimate is a lower
 * bound, ">=").  --time S: stop after S seconds (SUMMARY stopped=time).
 * At K >= 1 (--reduce-from K) a scenario is first explored once without a
 * bound (the reduction of --preemptions all, at most --bound-free-budget
 * runs, default 10,000, stopping at its first violation); clean there, no
 * schedule at any K shows anything and it is skipped at this K and every
 * later one; otherwise it is explored at K as before (docs/explore.md "Bug
 * depth": why the answer is the same).  --no-reduction: every scenario at
 * every K; off for an adapter's free list (the reduction's dependences are
 * maptrack's).  --reduction-mutant (tests): every scenario taken as clean.
 * Exit 0: found; 1: not found within the bounds (or the time); 2: bad usage.
 *
 *   maptrack_depth --check-pruning --impl NAME [--max-k K] [--max-ops N] ...
 *
 * Soundness check of the pruning instead: every scenario within the bounds
 * is explored at exactly K twice, pruned with I11 on and unpruned with I11
 * off; a scenario where only the second finds a violation is UNSOUND
 * (exit 1).  Last line: SUMMARY impl=NAME check=pruning ... unpruned_only=N
 *
 *   maptrack_depth --check-dpor --impl NAME [--max-ops N] [--max-vcpus M]
 *                  [--max-naive S]
 *
 * Soundness check of the reduction of --preemptions all (explore.c,
 * dpor.h): every scenario within the bounds (default 2 operations on 2
 * VCPUs, the model of MT_MEMORY_MODEL) explored to the end reduced and
 * naive (every switch at every point, every reads-from choice, no
 * pruning), a crash of the library a verdict like any finding; a scenario
 * where the kinds of verdict found differ is UNSOUND (exit 1).  A naive
 * search longer than S schedules (default 2,000,000) is stopped there and
 * counted (naive_too_big): the kinds it found so far must be among the
 * reduced search's.  MT_DPOR_CHECK_VERBOSE=1 prints every scenario where
 * the naive search found something, with both sides' kinds.  Last line: SUMMARY impl=NAME check=dpor ...
 *
 * Last line: SUMMARY impl=NAME depth=K|none ops=N vcpus=N scenarios=N ...
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/explore/explore.h"

static const struct mt_xp_op alphabet[] = {
	{ MT_OP_GET, 0 },
	{ MT_OP_PUT_OWN, 0 },
	{ MT_OP_PUT_OTHER, 0 },
	{ MT_OP_GROW, 0 },
	{ MT_OP_PUT_BAD, MT_BAD_DOUBLE },
};
#define NR_ALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

static const struct { unsigned per_page, max_frames; uint8_t alloc_fail; } geometry[] = {
	{ 2, 1, 0x00 },
	{ 2, 2, 0x00 },
	{ 3, 1, 0x00 },
	{ 3, 2, 0x00 },
	{ 4, 1, 0x00 },
	{ 2, 2, 0xfe },          /* the first page, then every allocation fails */
};
#define NR_GEOM (sizeof(geometry) / sizeof(geometry[0]))

static struct {
	const char *impl, *out;
	const struct mt_ops *ops;
	struct mt_harness *h;
	unsigned k, n, m;
	uint64_t scenarios, schedules;
	double t0, last;
	int quiet;
	int no_i11;              /* I11 off (and so no pruning): state invariants only */
	int check;               /* --check-pruning: every scenario both ways, at max-k only */
	int strict;              /* --strict-boundaries (explore.h: strict_boundaries) */
	uint64_t schedules_plain, both, pruned_only, plain_only;
	char finding[512];
	int check_dpor;          /* --check-dpor: no bound, reduced against naive */
	int mutant;              /* --dpor-mutant: a broken reduction (tests: must be caught) */
	int boundaries;          /* --dpor-boundaries: no observers (boundaries ordered) */
	int lock_red;            /* --lock-reduction on|off (explore.h: lock_reduction) */
	struct mt_xp_check ck;   /* --check-dpor: the kinds of verdict, any scenario */
	uint64_t executions, differ, naive_cut;
	unsigned time_limit;     /* --time: seconds, 0 none */
	volatile int stop;       /* set when the time is up */
	int sampling;            /* exploring the sample of a level (not counted) */
	uint64_t sample_schedules;
	int sample_cut;          /* a sample hit SAMPLE_CAP */
	uint64_t spent_schedules; /* every schedule run, samples included (the rate) */
	/* The reduction (docs/explore.md "Bug depth"): before a scenario is
	 * explored at K >= reduce_from, it is explored once without a bound
	 * (--preemptions all, stopping at its first violation); clean there,
	 * it is skipped at this K and every later one. */
	int reduce;              /* on unless --no-reduction (or an adapter: no reduction) */
	unsigned reduce_from;    /* the first K that consults it (--reduce-from) */
	uint64_t bf_budget;      /* runs of one bound-free search (--bound-free-budget) */
	int bf_mutant;           /* tests only: every scenario taken as clean bound-free */
	uint64_t skipped, bf_scenarios, bf_runs, bf_clean, bf_violating, bf_fallback;
	double bf_seconds;
	/* Twins (twin_of()): a scenario the harness cannot tell from one
	 * earlier in the sweep is not explored. */
	int twins;               /* on unless --no-twins (or an adapter) */
	int check_twins;         /* --check-twins: explore both, compare */
	int twin_mutant;         /* tests only: every put-other taken as a put-own */
	uint64_t skipped_twins, twin_pairs, twin_differ;
} D;

/* Scenarios sampled per level for its estimate, and their bound. */
#define SAMPLES 3u
#define SAMPLE_CAP 20000u


static struct mt_xp_scenario sc;     /* the scenario being explored */

/* What the bound-free search said of each scenario, by level (operations,
 * VCPUs) and index in the level's order (sweep()). */
enum { BF_UNKNOWN, BF_CLEAN, BF_VIOLATION, BF_TOO_BIG };
static uint8_t *bf[MT_XP_MAX_OPS + 1][MT_IN_MAX_VCPUS + 1];
#define BF_MAX_LEVEL (1u << 24)          /* bigger levels: no reduction */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_found(const char *finding)
{
	char path[4096];

	printf("DEPTH impl=%s k=%u ops=%u vcpus=%u finding=%s\n", D.impl, D.k, D.n, D.m, finding);
	mt_xp_print_scenario(&sc, &D.h->sites, stdout);
	if (mkdir(D.out, 0777) && errno != EEXIST) {
		fprintf(stderr, "depth: cannot create %s: %s\n", D.out, strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s%s%s.txt", D.out, D.impl, D.no_i11 ? "-no-i11" : "",
	         D.strict ? "-strict" : "");
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "depth: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	const char *flags = D.no_i11 ? (D.strict ? " --no-i11 --strict-boundaries" : " --no-i11")
	                             : (D.strict ? " --strict-boundaries" : "");
	fprintf(f, "# tools/explore --depth%s: the smallest scenario (fewest preemptions first)\n"
	           "# in which %s shows a violation: K=%u, %u operations on %u VCPUs.\n"
	           "# tools/explore --impl %s --preemptions %u%s %s\n# finding: %s\n",
	        flags, D.impl, D.k, D.n, D.m, D.impl, D.k, flags, path, finding);
	mt_xp_print_scenario(&sc, &D.h->sites, f);
	fclose(f);
	printf("scenario: %s\n", path);
}

/* The reduction's counts (SUMMARY): scenarios skipped, explored without
 * a bound (clean, violating, too big: explored at K as before), their
 * runs and seconds. */
static void summary_reduction(void)
{
	printf(" twins=%s", D.twins ? "on" : "off");
	if (D.twins)
		printf(" skipped_twins=%llu", (unsigned long long)D.skipped_twins);
	printf(" reduction=%s", D.reduce ? "on" : "off");
	if (D.reduce)
		printf(" reduce_from=%u skipped_clean=%llu bound_free=%llu bound_free_clean=%llu "
		       "bound_free_violating=%llu fallback=%llu bound_free_runs=%llu bound_free_seconds=%.1f",
		       D.reduce_from, (unsigned long long)D.skipped, (unsigned long long)D.bf_scenarios,
		       (unsigned long long)D.bf_clean, (unsigned long long)D.bf_violating,
		       (unsigned long long)D.bf_fallback, (unsigned long long)D.bf_runs, D.bf_seconds);
}

static void summary(int found)
{
	if (found)
		printf("SUMMARY impl=%s i11=%s depth=%u ops=%u vcpus=%u scenarios=%llu schedules=%llu",
		       D.impl, D.no_i11 ? "off" : "on", D.k, D.n, D.m, (unsigned long long)D.scenarios,
		       (unsigned long long)D.schedules);
	else
		printf("SUMMARY impl=%s i11=%s depth=none max_k=%u max_ops=%u scenarios=%llu schedules=%llu",
		       D.impl, D.no_i11 ? "off" : "on", D.k, D.n, (unsigned long long)D.scenarios,
		       (unsigned long long)D.schedules);
	summary_reduction();
	printf(" seconds=%.1f%s\n", now() - D.t0, !found && D.stop ? " stopped=time" : "");
	fflush(stdout);
}

static void on_crash(int sig)
{
	char what[96];
	snprintf(what, sizeof(what), "crash: signal %d (%s)", sig, strsignal(sig));
	write_found(what);
	summary(1);
	_exit(0);
}

static int on_violation(void *ctx, const struct mt_program *ran, const char *finding)
{
	(void)ctx;
	(void)ran;
	snprintf(D.finding, sizeof(D.finding), "%s", finding);
	return 1;
}

static void progress(void)
{
	double t = now();
	if (D.quiet || t - D.last < 2.0)
		return;
	D.last = t;
	fprintf(stderr, "depth: %s K=%u, %u ops on %u VCPUs: %llu scenarios (%llu skipped: clean without "
	        "a bound), %llu schedules, %llu runs without a bound, %.0f s\n",
	        D.impl, D.k, D.n, D.m, (unsigned long long)D.scenarios, (unsigned long long)D.skipped,
	        (unsigned long long)D.schedules, (unsigned long long)D.bf_runs, t - D.t0);
}

/* --check-dpor: the scenario without a bound, reduced (dpor) and naive
 * (every switch at every point, every reads-from choice, no pruning), both
 * to the end; they must find the same kinds of verdict.  A naive search
 * longer than max_naive schedules is skipped (counted). */
static uint64_t max_naive = 2000000;

static int check_dpor(const struct mt_xp_config *cfg)
{
	struct mt_xp_config c = *cfg;
	c.dpor_mutant = D.mutant;
	c.dpor_boundaries = D.boundaries;
	c.lock_reduction = D.lock_red;
	if (mt_xp_check_dpor(&sc, &c, max_naive, &D.ck)) {
		fprintf(stderr, "depth: %s\n", D.ck.err);
		exit(2);
	}
	D.scenarios++;
	D.naive_cut += (uint64_t)!D.ck.naive_complete;
	D.schedules += D.ck.runs;
	D.executions += D.ck.executions;
	D.schedules_plain += D.ck.naive_schedules;
	int differ = mt_xp_check_differs(&D.ck);
	if (differ || (getenv("MT_DPOR_CHECK_VERBOSE") && D.ck.naive)) {
		printf("%s: reduced ", differ ? "UNSOUND: verdicts differ" : "compared");
		mt_xp_print_kinds(&D.ck, D.ck.reduced, stdout);
		printf(" (%llu executions), naive ", (unsigned long long)D.ck.executions);
		mt_xp_print_kinds(&D.ck, D.ck.naive, stdout);
		printf(" (%llu schedules; quiescent states %s: %llu of %llu missing):\n",
		       (unsigned long long)D.ck.naive_schedules, D.ck.states_compared ? "compared" : "not compared",
		       (unsigned long long)D.ck.states_missing, (unsigned long long)D.ck.states_naive);
		mt_xp_print_scenario(&sc, &D.h->sites, stdout);
		fflush(stdout);
	}
	D.differ += (uint64_t)differ;
	progress();
	return 0;
}

static uint64_t level_size(unsigned n, unsigned m);

/* The bound-free verdict's slot of scenario index of level (n, m); NULL:
 * the level is too big to keep (no reduction there). */
static uint8_t *bf_slot(unsigned n, unsigned m, uint64_t index)
{
	if (!bf[n][m]) {
		uint64_t size = level_size(n, m);
		if (size > BF_MAX_LEVEL || !(bf[n][m] = calloc(size, 1)))
			return NULL;
	}
	return &bf[n][m][index];
}

/* Whether scenario index of level (n, m) is skipped at K (known clean). */
static int bf_skips(unsigned n, unsigned m, uint64_t index, unsigned k)
{
	return D.reduce && k >= D.reduce_from && k > 0 && bf[n][m] && bf[n][m][index] == BF_CLEAN;
}

static int bf_stop(void *ctx, const struct mt_program *ran, const char *finding)
{
	(void)ctx;
	(void)ran;
	(void)finding;
	return 1;                /* one violation settles it */
}

/* The scenario without a bound (--preemptions all: the reduction, under
 * c11 every reads-from choice of every load), to its first violation:
 * BF_CLEAN (complete, none), BF_VIOLATION, BF_TOO_BIG (not finished
 * within bf_budget runs), or BF_UNKNOWN (stopped by --time). */
static uint8_t bound_free(const struct mt_xp_config *cfg)
{
	struct mt_xp_config c = *cfg;
	struct mt_xp_stats st;
	double t = now();

	if (D.bf_mutant) {
		D.bf_scenarios++;
		D.bf_clean++;
		return BF_CLEAN;         /* tests only: a skip that loses violations */
	}
	c.dpor = 1;
	c.lock_reduction = D.lock_red;
	c.stale = sc.hdr.model == MT_MODEL_C11 ? 255 : 0;
	c.max_schedules = D.bf_budget;
	c.catch_crashes = 1;         /* a crash is a violation like any other here */
	c.on_violation = bf_stop;
	c.on_progress = NULL;
	if (mt_xp_explore(&sc, &c, &st)) {
		fprintf(stderr, "depth: without a bound: %s\n", st.err);
		exit(2);
	}
	D.bf_seconds += now() - t;
	D.bf_runs += st.schedules;
	D.spent_schedules += st.schedules;
	if (!st.violations && !st.complete && D.stop)
		return BF_UNKNOWN;
	D.bf_scenarios++;
	if (st.violations) {
		D.bf_violating++;
		return BF_VIOLATION;
	}
	if (st.complete) {
		D.bf_clean++;
		return BF_CLEAN;
	}
	D.bf_fallback++;
	return BF_TOO_BIG;
}

/* Make sc the scenario of geometry g, split parts, choice of letters. */
static void build(unsigned g, unsigned m, const unsigned *parts, const unsigned *choice)
{
	memset(&sc, 0, sizeof(sc));
	sc.hdr.version = MT_IN_VERSION;
	/* MT_MEMORY_MODEL (tools/explore --memory-model) chooses the model;
	 * c11 enumerates one stale read per schedule beside the preemptions */
	sc.hdr.model = D.h->model >= 0 ? (uint8_t)D.h->model : MT_MODEL_SC;
	sc.hdr.nr_vcpus = m;
	sc.hdr.per_page = geometry[g].per_page;
	sc.hdr.max_frames = geometry[g].max_frames;
	sc.hdr.alloc_fail = geometry[g].alloc_fail;
	for (unsigned v = 0, j = 0; v < m; v++)
		for (unsigned i = 0; i < parts[v]; i++)
			sc.ops[v][sc.nr_ops[v]++] = alphabet[choice[j++]];
}

/* --check-twins: a scenario and its twin explored at K; whether each
 * shows a violation must agree (a disagreement is printed, exit 1). */
static void check_twin(unsigned g, unsigned m, const unsigned *parts, const unsigned *choice,
                       const unsigned *twin, const struct mt_xp_config *cfg)
{
	struct mt_xp_stats st[2];
	struct mt_xp_scenario pair[2];
	struct mt_xp_config c = *cfg;

	c.catch_crashes = 1;         /* a crash of the library is a violation like any other */
	for (int t = 0; t < 2; t++) {
		build(g, m, parts, t ? twin : choice);
		pair[t] = sc;
		if (mt_xp_explore(&sc, &c, &st[t])) {
			fprintf(stderr, "depth: %s\n", st[t].err);
			exit(2);
		}
		D.schedules += st[t].schedules;
	}
	D.scenarios++;
	D.twin_pairs++;
	if ((st[0].violations > 0) != (st[1].violations > 0)) {
		D.twin_differ++;
		for (int t = 0; t < 2; t++) {
			printf("UNSOUND: twins differ: %s %s:\n", t ? "its twin" : "scenario",
			       st[t].violations ? "shows a violation" : "is clean");
			mt_xp_print_scenario(&pair[t], &D.h->sites, stdout);
		}
		fflush(stdout);
	}
	progress();
}

/* Explore one scenario (index in its level); 1 if it shows a violation. */
static int try_one(unsigned g, unsigned m, const unsigned *parts, const unsigned *choice,
                   uint64_t index, const struct mt_xp_config *cfg, struct mt_xp_stats *st)
{
	build(g, m, parts, choice);
	D.finding[0] = '\0';
	if (D.check_dpor)
		return check_dpor(cfg);
	if (D.reduce && D.k >= D.reduce_from && D.k > 0 && !D.check) {
		/* clean without a bound: no schedule at any K shows anything */
		uint8_t *slot = bf_slot(D.n, m, index);
		if (slot && *slot == BF_UNKNOWN)
			*slot = bound_free(cfg);
		if (slot && *slot == BF_CLEAN) {
			if (!D.sampling) {
				D.scenarios++;
				D.skipped++;
			}
			progress();
			return 0;
		}
	}
	if (mt_xp_explore(&sc, cfg, st)) {
		fprintf(stderr, "depth: %s\n", st->err);
		exit(2);
	}
	if (D.sampling) {
		/* the level's estimate only: the sweep explores it again */
		D.sample_schedules += st->schedules;
		D.sample_cut |= !st->complete && !D.stop;
		return 0;
	}
	if (D.stop && !st->complete)
		return 0;                /* cut by --time: neither counted nor judged */
	D.scenarios++;
	D.schedules += st->schedules;
	D.spent_schedules += st->schedules;
	if (D.check) {
		/* the same scenario unpruned with I11 off: whatever it finds, the
		 * pruned search with I11 on must find too (docs/explore.md) */
		struct mt_xp_config plain = *cfg;
		struct mt_xp_stats st2;
		plain.no_prune = 1;
		mt_claims_enable(D.h->claims, 0);
		mt_races_enable(D.h->races, 0);
		int rc = mt_xp_explore(&sc, &plain, &st2);
		mt_claims_enable(D.h->claims, 1);
		mt_races_enable(D.h->races, 1);
		if (rc) {
			fprintf(stderr, "depth: %s\n", st2.err);
			exit(2);
		}
		D.schedules_plain += st2.schedules;
		int a = st->violations > 0, b = st2.violations > 0;
		D.both += a && b;
		D.pruned_only += a && !b;
		if (b && !a) {
			D.plain_only++;
			printf("UNSOUND: found without pruning, missed with it:\n");
			mt_xp_print_scenario(&sc, &D.h->sites, stdout);
		}
		progress();
		return 0;
	}
	if (st->violations) {
		write_found(D.finding);
		return 1;
	}
	progress();
	return 0;
}

/* Scenarios with n operations on m VCPUs, each VCPU at least one: every
 * geometry, every split of n over m (C(n-1, m-1)), every choice. */
static uint64_t level_size(unsigned n, unsigned m)
{
	uint64_t c = 1, a = 1;
	for (unsigned i = 0; i < m - 1; i++)
		c = c * (n - 1 - i) / (i + 1);
	for (unsigned i = 0; i < n; i++)
		a *= NR_ALPHA;
	return NR_GEOM * c * a;
}

/* Twins.  A put-other picks among the handles the other VCPUs hold and,
 * finding none, among its own; a put-own the other way round (oracle.c,
 * pick_held()).  Only v's own gets give v a handle, so when no get comes
 * before the put in v's program, or no other VCPU's program has a get,
 * one of the two sets is empty whatever the schedule, and both picks are
 * the same handle.  Nothing else tells the two apart: the library is
 * called alike and the oracle reads the kind only to pick.  So such a
 * put-other's scenario shows what its twin with a put-own there shows, at
 * every K and under either model.  The twin comes first in the sweep
 * (put-own is the smaller letter; the odometer of choices turns the first
 * position fastest, so the twin, smaller at the last position where they
 * differ, is met earlier in the same geometry and split): skipping the
 * scenario changes neither the verdict nor which scenario is found first.
 * Fills twin (the scenario with every such put-other a put-own) and
 * returns 1 when it differs from choice.  --check-twins explores both and
 * compares them; the mutant (tests) takes every put-other as a put-own. */
#define A_GET 0u
#define A_PUT_OWN 1u
#define A_PUT_OTHER 2u

static int twin_of(unsigned m, const unsigned *parts, const unsigned *choice, unsigned *twin)
{
	unsigned start[MT_IN_MAX_VCPUS], gets = 0, n = 0;
	int differs = 0;

	for (unsigned v = 0; v < m; v++) {
		start[v] = n;
		for (unsigned i = 0; i < parts[v]; i++)
			gets |= (choice[n + i] == A_GET) << v;
		n += parts[v];
	}
	for (unsigned v = 0; v < m; v++) {
		int got = 0;                     /* a get before, in v's program */
		int others = (gets & ~(1u << v)) != 0;
		for (unsigned i = 0; i < parts[v]; i++) {
			unsigned j = start[v] + i;
			twin[j] = choice[j];
			if (choice[j] == A_PUT_OTHER && (!got || !others || D.twin_mutant)) {
				twin[j] = A_PUT_OWN;
				differs = 1;
			}
			got |= choice[j] == A_GET;
		}
	}
	return differs;
}

/* The odometers of a level's order (sweep(), level_twins()): every split
 * of n operations over m VCPUs (each part 1..n; only those summing to n
 * are a split), and every choice of letters (position 0 turns fastest).
 * Each returns 0 when it has gone all the way round. */
static int is_split(const unsigned *parts, unsigned m, unsigned n)
{
	unsigned sum = 0;
	for (unsigned i = 0; i < m; i++)
		sum += parts[i];
	return sum == n;
}

static int next_parts(unsigned *parts, unsigned m, unsigned n)
{
	unsigned i = 0;
	while (i < m && ++parts[i] > n)
		parts[i++] = 1;
	return i < m;
}

static int next_choice(unsigned *choice, unsigned n)
{
	unsigned j = 0;
	while (j < n && ++choice[j] == NR_ALPHA)
		choice[j++] = 0;
	return j < n;
}

/* Scenarios of level (n, m) that are twins of earlier ones (not explored
 * unless --no-twins): every geometry alike. */
static uint64_t level_twins(unsigned n, unsigned m)
{
	unsigned parts[MT_IN_MAX_VCPUS], choice[16], twin[16];
	uint64_t c = 0;

	if (!D.twins)
		return 0;
	for (unsigned i = 0; i < m; i++)
		parts[i] = 1;
	do {
		if (!is_split(parts, m, n))
			continue;
		memset(choice, 0, sizeof(choice));
		do
			c += (uint64_t)twin_of(m, parts, choice, twin);
		while (next_choice(choice, n));
	} while (next_parts(parts, m, n));
	return c * NR_GEOM;
}

/* sweep() explores only the scenarios whose index in the level is one of
 * these (the sample of an estimate), when pick_n > 0. */
static uint64_t pick[SAMPLES];
static unsigned pick_n;

/* Explore every scenario with n operations on m VCPUs (each VCPU at least
 * one) at exactly K preemptions; 1 when one shows a violation. */
static int sweep(unsigned n, unsigned m, unsigned k)
{
	uint64_t index = 0, live = 0;
	unsigned parts[MT_IN_MAX_VCPUS];
	unsigned choice[16];
	struct mt_xp_config cfg;
	struct mt_xp_stats st;

	memset(&cfg, 0, sizeof(cfg));
	cfg.harness = D.h;
	cfg.preemptions = k;
	cfg.no_prune = D.no_i11;
	cfg.strict_boundaries = D.strict;
	cfg.on_violation = on_violation;
	cfg.stale = D.h->model == MT_MODEL_C11 ? 1 : 0;
	cfg.stop = &D.stop;
	if (pick_n)
		cfg.max_schedules = SAMPLE_CAP;
	for (unsigned g = 0; g < NR_GEOM; g++) {
		/* every way to split n operations over m VCPUs, each at least one
		 * (an odometer over 1..n per VCPU, keeping the sums equal to n) */
		for (unsigned i = 0; i < m; i++)
			parts[i] = 1;
		for (;;) {
			if (is_split(parts, m, n)) {
				/* every choice of operations */
				memset(choice, 0, sizeof(choice));
				for (;;) {
					/* a sample is drawn from the scenarios not
					 * known clean (live ones) */
					unsigned twin[16];
					int is_twin = (D.twins || D.check_twins) && twin_of(m, parts, choice, twin);
					int take = !pick_n && !is_twin && !D.check_twins;
					if (D.check_twins && is_twin)
						check_twin(g, m, parts, choice, twin, &cfg);
					else if (is_twin && !D.sampling) {
						D.scenarios++;   /* its twin came first */
						D.skipped_twins++;
						progress();
					}
					if (pick_n && !is_twin && !bf_skips(n, m, index, k)) {
						for (unsigned q = 0; q < pick_n; q++)
							take |= pick[q] == live;
						live++;
					}
					index++;
					if (D.stop)
						return 0;
					if (take && try_one(g, m, parts, choice, index - 1, &cfg, &st))
						return 1;
					if (!next_choice(choice, n))
						break;
				}
			}
			if (!next_parts(parts, m, n))
				break;
		}
	}
	return 0;
}

/* Scenarios of level (n, m) known clean without a bound (skipped at K). */
static uint64_t known_clean(unsigned n, unsigned m, unsigned k)
{
	uint64_t c = 0, size = level_size(n, m);
	for (uint64_t i = 0; bf[n][m] && i < size; i++)
		c += (uint64_t)bf_skips(n, m, i, k);
	return c;
}

/* Before a level: explore a deterministic sample of its scenarios not
 * known clean (spread over their order; with the reduction, a sampled
 * scenario not yet explored without a bound is, and that run is kept)
 * and print what the whole level should cost.  With the reduction at K
 * the scenarios not yet explored without a bound may turn out clean and
 * be skipped: the estimate counts each as the sample's mean. */
static void estimate(unsigned n, unsigned m, unsigned k)
{
	uint64_t size = level_size(n, m), skip = known_clean(n, m, k), twins = level_twins(n, m);
	uint64_t live = size - skip - twins;
	uint64_t bf_runs = D.bf_runs;
	double t = now();

	pick_n = live < SAMPLES ? (unsigned)live : SAMPLES;
	/* Spread over the order, and off its grid: the midpoints of a big
	 * level's thirds are multiples of 5^ops (the choices' odometer), so
	 * every sample was get, get, ... (among the costliest: 19,002
	 * schedules at K=2 on 3 VCPUs where most take hundreds; K=2, 4
	 * operations on 3 VCPUs was estimated at >= 2,955 s and took 270 s of
	 * wall clock).  +1+131q turns the choices (131 = 1 mod 5), and stays
	 * inside the level above 2,000. */
	for (unsigned q = 0; q < pick_n; q++)
		pick[q] = (2 * q + 1) * live / (2 * pick_n) + (live > 2000 ? 1 + 131 * q : 0);
	D.sampling = 1;
	D.sample_schedules = 0;
	D.sample_cut = 0;
	sweep(n, m, k);
	D.sampling = 0;
	unsigned taken = pick_n;
	pick_n = 0;
	char skipped[128] = "";
	size_t at = 0;
	if (skip)
		at += (size_t)snprintf(skipped, sizeof(skipped), ", %llu skipped: clean without a bound",
		                       (unsigned long long)skip);
	if (twins)
		snprintf(skipped + at, sizeof(skipped) - at, ", %llu twins of earlier ones",
		         (unsigned long long)twins);
	if (D.stop)
		return;
	if (!taken) {
		printf("LEVEL K=%u ops=%u vcpus=%u scenarios=%llu estimate: 0 schedules, 0 s (none left "
		       "to explore%s)\n", k, n, m, (unsigned long long)size, skipped);
		fflush(stdout);
		return;
	}
	double secs = now() - t;
	/* bound-free runs (the reduction) count as schedules here */
	uint64_t spent = D.sample_schedules + (D.bf_runs - bf_runs);
	double per = (double)spent / taken;
	/* the sample's rate when it is big enough to time, else the run's */
	D.spent_schedules += D.sample_schedules;
	double rate = spent >= 5000 && secs > 0 ? (double)spent / secs
	            : now() > D.t0 ? (double)D.spent_schedules / (now() - D.t0) : 0;
	double total = per * (double)live;
	printf("LEVEL K=%u ops=%u vcpus=%u scenarios=%llu estimate: %s%.3g schedules, %s%.0f s "
	       "(%u sampled, %.0f schedules each%s%s, %.0f schedules/s)\n",
	       k, n, m, (unsigned long long)size, D.sample_cut ? ">=" : "~", total,
	       D.sample_cut ? ">=" : "~", rate > 0 ? total / rate : 0.0, taken, per,
	       D.bf_runs > bf_runs ? " with the runs without a bound" : "", skipped, rate);
	fflush(stdout);
}

static void on_alarm(int sig)
{
	(void)sig;
	D.stop = 1;
}

int main(int argc, char **argv)
{
	unsigned max_k = 2, max_ops = 4, max_vcpus = 3;
	int ops_given = 0, vcpus_given = 0, no_reduction = 0, no_twins = 0;

	D.reduce_from = 1;
	D.bf_budget = 10000;
	D.lock_red = MT_XP_LOCK_REDUCTION_DEFAULT;

	D.out = "out/depth";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned *dst = !strcmp(a, "--max-k") ? &max_k : !strcmp(a, "--max-ops") ? &max_ops
		              : !strcmp(a, "--max-vcpus") ? &max_vcpus : NULL;
		if (dst) {
			char *end;
			unsigned long x = val ? strtoul(val, &end, 10) : 0;
			if (!val || !*val || *end || x > 16 || (dst != &max_k && x == 0) ||
			    (dst == &max_vcpus && x > MT_IN_MAX_VCPUS)) {
				fprintf(stderr, "depth: %s needs a small number (1-16; VCPUs 1-8), not '%s'\n", a,
				        val ? val : "");
				return 2;
			}
			*dst = (unsigned)x;
			ops_given |= dst == &max_ops;
			vcpus_given |= dst == &max_vcpus;
			i++;
		} else if (!strcmp(a, "--impl") && val) {
			D.impl = argv[++i];
		} else if (!strcmp(a, "--out") && val) {
			D.out = argv[++i];
		} else if (!strcmp(a, "--quiet")) {
			D.quiet = 1;
		} else if (!strcmp(a, "--strict-boundaries")) {
			D.strict = 1;
		} else if (!strcmp(a, "--check-pruning")) {
			D.check = 1;
		} else if (!strcmp(a, "--check-dpor")) {
			D.check_dpor = 1;
		} else if (!strcmp(a, "--dpor-mutant")) {
			D.mutant = 1;
		} else if (!strcmp(a, "--dpor-mutant-observers")) {
			D.mutant = 2;
		} else if (!strcmp(a, "--dpor-mutant-locks")) {
			D.mutant = 3;
		} else if (!strcmp(a, "--dpor-boundaries")) {
			D.boundaries = 1;
		} else if (!strcmp(a, "--lock-reduction") && val && (!strcmp(val, "on") || !strcmp(val, "off"))) {
			D.lock_red = !strcmp(val, "on");
			i++;
		} else if (!strcmp(a, "--max-naive") && val) {
			char *end;
			errno = 0;
			max_naive = strtoull(val, &end, 10);
			if (!*val || *end || errno || *val == '-' || max_naive == 0) {
				fprintf(stderr, "depth: --max-naive needs a positive number, not '%s'\n", val);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--time") && val) {
			char *end;
			errno = 0;
			unsigned long x = strtoul(val, &end, 10);
			if (!*val || *end || errno || *val == '-' || x == 0 || x > 1000000) {
				fprintf(stderr, "depth: --time needs a number of seconds (1-1000000), not '%s'\n", val);
				return 2;
			}
			D.time_limit = (unsigned)x;
			i++;
		} else if (!strcmp(a, "--no-i11")) {
			D.no_i11 = 1;
		} else if (!strcmp(a, "--no-reduction")) {
			no_reduction = 1;
		} else if (!strcmp(a, "--reduction-mutant")) {
			D.bf_mutant = 1;
		} else if (!strcmp(a, "--no-twins")) {
			no_twins = 1;
		} else if (!strcmp(a, "--check-twins")) {
			D.check_twins = 1;
		} else if (!strcmp(a, "--twin-mutant")) {
			D.twin_mutant = 1;
		} else if ((!strcmp(a, "--reduce-from") || !strcmp(a, "--bound-free-budget")) && val) {
			char *end;
			errno = 0;
			unsigned long long x = strtoull(val, &end, 10);
			int from = !strcmp(a, "--reduce-from");
			if (!*val || *end || errno || *val == '-' || (from ? x < 1 || x > 16 : x == 0)) {
				fprintf(stderr, "depth: %s needs %s, not '%s'\n", a,
				        from ? "a number of preemptions (1-16)" : "a positive number of runs", val);
				return 2;
			}
			if (from)
				D.reduce_from = (unsigned)x;
			else
				D.bf_budget = x;
			i++;
		} else {
			fprintf(stderr, "usage: maptrack_depth --impl NAME [--max-k K] [--max-ops N] "
			                "[--max-vcpus M] [--no-i11] [--strict-boundaries] [--check-pruning] "
			                "[--check-dpor [--max-naive S]] [--time S] [--out DIR] [--quiet] "
			                "[--no-reduction] [--reduce-from K] [--bound-free-budget N] [--lock-reduction on|off] "
			                "[--no-twins] [--check-twins]\n");
			return 2;
		}
	}
	if (D.impl && (D.ops = mt_harness_impl(D.impl)) != NULL) {
		D.h = mt_harness_new(D.ops);
		mt_claims_enable(D.h->claims, !D.no_i11);
		mt_races_enable(D.h->races, !D.no_i11);   /* --no-i11: the state invariants only */
	}
	if (!D.impl || !D.ops) {
		fprintf(stderr, "depth: --impl NAME needed (known: tools/explore --list-impls)\n");
		return 2;
	}
	/* The reduction's dependences are the maptrack oracle's (explore.c):
	 * none for a free list of your own behind an adapter. */
	D.reduce = !no_reduction && !D.check && !D.check_dpor && mt_harness_kind(D.ops) == MT_HARNESS_MAPTRACK;
	/* Twins are the maptrack oracle's picks (twin_of()); an adapter's
	 * contract tells a put-other from a put-own (a remote put). */
	int maptrack = mt_harness_kind(D.ops) == MT_HARNESS_MAPTRACK;
	D.twins = !no_twins && !D.check && !D.check_dpor && !D.check_twins && maptrack;
	if (D.check_twins && (!maptrack || D.check || D.check_dpor)) {
		fprintf(stderr, "depth: --check-twins checks the maptrack harness's twins, alone\n");
		return 2;
	}
	if (alphabet[A_GET].kind != MT_OP_GET || alphabet[A_PUT_OWN].kind != MT_OP_PUT_OWN ||
	    alphabet[A_PUT_OTHER].kind != MT_OP_PUT_OTHER) {
		fprintf(stderr, "depth: the alphabet's letters moved: twin_of() must follow\n");
		return 2;
	}
	if (D.check_dpor && !ops_given)
		max_ops = 2;             /* the naive side grows fast: 2 operations ... */
	if (D.check_dpor && !vcpus_given)
		max_vcpus = 2;           /* ... on 2 VCPUs by default */
	if (max_ops > MT_XP_MAX_OPS)
		max_ops = MT_XP_MAX_OPS;
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	D.t0 = D.last = now();
	if (D.time_limit && (D.check || D.check_dpor || D.check_twins)) {
		fprintf(stderr, "depth: --time bounds the depth search only, not a soundness check\n");
		return 2;
	}
	if (D.time_limit) {
		signal(SIGALRM, on_alarm);
		alarm(D.time_limit);
	}
	if (D.check_dpor) {
		/* Every scenario within the bounds (max-k unused): without a
		 * bound, reduced against naive. */
		for (D.n = 1; D.n <= max_ops; D.n++)
			for (D.m = 1; D.m <= max_vcpus && D.m <= D.n; D.m++)
				sweep(D.n, D.m, 0);
		printf("SUMMARY impl=%s check=dpor model=%s max_ops=%u max_vcpus=%u scenarios=%llu naive_complete=%llu "
		       "naive_too_big=%llu differ=%llu executions=%llu schedules=%llu naive_schedules=%llu "
		       "verdicts=", D.impl, D.h->model == MT_MODEL_C11 ? "c11" : "sc", max_ops, max_vcpus,
		       (unsigned long long)D.scenarios, (unsigned long long)(D.scenarios - D.naive_cut),
		       (unsigned long long)D.naive_cut, (unsigned long long)D.differ,
		       (unsigned long long)D.executions, (unsigned long long)D.schedules,
		       (unsigned long long)D.schedules_plain);
		mt_xp_print_kinds(&D.ck, ~0u, stdout);
		printf(" seconds=%.1f\n", now() - D.t0);
		return D.differ ? 1 : 0;
	}
	if (D.check_twins) {
		/* Every scenario with a twin within the bounds, at every K up to
		 * max-k: both explored, whether each shows a violation agrees. */
		for (D.k = 0; D.k <= max_k; D.k++)
			for (D.n = 1; D.n <= max_ops; D.n++)
				for (D.m = 1; D.m <= max_vcpus && D.m <= D.n; D.m++)
					sweep(D.n, D.m, D.k);
		printf("SUMMARY impl=%s check=twins model=%s max_k=%u max_ops=%u max_vcpus=%u pairs=%llu "
		       "differ=%llu schedules=%llu seconds=%.1f\n", D.impl,
		       D.h->model == MT_MODEL_C11 ? "c11" : "sc", max_k, max_ops, max_vcpus,
		       (unsigned long long)D.twin_pairs, (unsigned long long)D.twin_differ,
		       (unsigned long long)D.schedules, now() - D.t0);
		return D.twin_differ ? 1 : 0;
	}
	if (D.check) {
		/* Pruning against no pruning, on every scenario within the bounds
		 * at exactly K = max-k (a crash of the library ends the run). */
		D.k = max_k;
		for (D.n = 1; D.n <= max_ops; D.n++)
			for (D.m = 1; D.m <= max_vcpus && D.m <= D.n; D.m++)
				sweep(D.n, D.m, D.k);
		printf("SUMMARY impl=%s check=pruning preemptions=%u max_ops=%u scenarios=%llu "
		       "both=%llu pruned_only=%llu unpruned_only=%llu schedules=%llu unpruned_schedules=%llu "
		       "seconds=%.1f\n", D.impl, D.k, max_ops, (unsigned long long)D.scenarios,
		       (unsigned long long)D.both, (unsigned long long)D.pruned_only,
		       (unsigned long long)D.plain_only, (unsigned long long)D.schedules,
		       (unsigned long long)D.schedules_plain, now() - D.t0);
		return D.plain_only ? 1 : 0;
	}
	/* The plan: every level and its size (estimates come level by level). */
	unsigned at_k = 0, at_n = 1, at_m = 1;
	uint64_t all = 0;
	unsigned levels = 0;
	for (unsigned n = 1; n <= max_ops; n++)
		for (unsigned m = 1; m <= max_vcpus && m <= n; m++) {
			printf("PLAN ops=%u vcpus=%u scenarios=%llu (each at K=0..%u", n, m,
			       (unsigned long long)level_size(n, m), max_k);
			if (D.twins)
				printf("; %llu twins of earlier ones not explored",
				       (unsigned long long)level_twins(n, m));
			printf(")\n");
			all += level_size(n, m);
			levels++;
		}
	printf("PLAN impl=%s levels=%u scenarios=%llu per K, K=0..%u%s\n", D.impl, levels * (max_k + 1),
	       (unsigned long long)all, max_k, D.time_limit ? "" : " (no time bound)");
	if (D.reduce && D.reduce_from <= max_k)
		printf("PLAN reduction=on: at K>=%u each scenario is explored once without a bound first "
		       "(at most %llu runs) and skipped if clean there: the counts at K>=%u are upper bounds\n",
		       D.reduce_from, (unsigned long long)D.bf_budget, D.reduce_from);
	else
		printf("PLAN reduction=off: every scenario explored at every K\n");
	fflush(stdout);
	for (D.k = 0; D.k <= max_k && !D.stop; D.k++)
		for (D.n = 1; D.n <= max_ops && !D.stop; D.n++)
			for (D.m = 1; D.m <= max_vcpus && D.m <= D.n && !D.stop; D.m++) {
				at_k = D.k, at_n = D.n, at_m = D.m;
				estimate(D.n, D.m, D.k);
				if (sweep(D.n, D.m, D.k)) {
					summary(1);
					return 0;
				}
			}
	if (D.stop) {
		printf("depth: stopped by --time %u at K=%u, %u operations on %u VCPUs\n", D.time_limit,
		       at_k, at_n, at_m);
		D.k = at_k;
		D.n = at_n;
		summary(0);
		return 1;
	}
	D.k = max_k;
	D.n = max_ops;
	summary(0);
	return 1;
}
