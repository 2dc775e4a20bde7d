/*
 * mt_bench.c - get+put throughput of the maptrack implementations.
 *
 * A benchmark, not a test: it compares the per-VCPU free lists
 * ("production") with the pre-2015 single-lock list ("baseline") through
 * the same ops table, on 1 and 2 threads, with and without remote puts:
 *
 *   local   each thread (VCPU i) gets a handle and puts it back at once.
 *   remote  each thread gets handles and hands them to the other thread,
 *           which puts them (Xen: an unmap on another VCPU).  Handles travel
 *           through one single-producer/single-consumer ring per thread
 *           (release/acquire indices).  With one thread the ring loops back
 *           to itself: the same work plus the ring, with no second core.
 *
 * Geometry: 256 entries a page (Xen on 4 KiB pages), 1024 frames.  The
 * figure is ns per get+put pair per thread (wall time / pairs per thread),
 * the median of --reps repetitions; implementations are interleaved (and
 * their order alternated) so that machine noise hits both alike.  Every run
 * ends with mt_verify() and a check that no handle is still in use.
 *
 * Output: a table on stdout, progress on stderr, and a last line
 *   SUMMARY bench=maptrack prod_1t_ns=... base_1t_ns=... ratio_1t=... ...
 * ratio = production / baseline: below 1 means the per-VCPU lists win.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/maptrack.h"

#define RING_SIZE   256u             /* handles in flight per thread (power of 2) */
#define MAX_THREADS 2
#define PER_PAGE    256u
#define MAX_FRAMES  1024u

/* Checks that never compile out (-c opt defines NDEBUG). */
#define BENCH_CHECK(cond, ...) do { if (!(cond)) { \
	fprintf(stderr, "mt_bench: %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

/* Single-producer/single-consumer ring of handles; indices run free. */
struct ring {
	_Alignas(64) _Atomic uint32_t tail;   /* written by the producer only */
	_Alignas(64) _Atomic uint32_t head;   /* written by the consumer only */
	_Alignas(64) mt_handle_t slot[RING_SIZE];
};

static bool ring_push(struct ring *r, mt_handle_t h)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	/* Acquire pairs with the consumer's release of head: it is done
	 * reading the slot we are about to overwrite. */
	if (t - atomic_load_explicit(&r->head, memory_order_acquire) == RING_SIZE)
		return false;
	r->slot[t % RING_SIZE] = h;
	/* Release pairs with the consumer's acquire of tail: slot is visible. */
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return true;
}

static bool ring_pop(struct ring *r, mt_handle_t *h)
{
	uint32_t hd = atomic_load_explicit(&r->head, memory_order_relaxed);
	/* Acquire pairs with the producer's release of tail. */
	if (hd == atomic_load_explicit(&r->tail, memory_order_acquire))
		return false;
	*h = r->slot[hd % RING_SIZE];
	/* Release pairs with the producer's acquire of head. */
	atomic_store_explicit(&r->head, hd + 1, memory_order_release);
	return true;
}

struct run {
	struct mt_table *t;
	unsigned threads;
	bool remote;
	uint64_t warm, iters;            /* pairs per thread */
	struct ring rings[MAX_THREADS];
	_Atomic unsigned ready, phase;   /* start gate: 0 warm, 1 go */
};

struct worker {
	struct run *run;
	unsigned id;
	pthread_t tid;
	double cpu_ns;                   /* thread CPU time of the timed loop */
};

/* n get+put pairs of one thread; returns after its own puts are all done. */
static void pairs(struct run *r, unsigned me, uint64_t n)
{
	unsigned other = (me + 1) % 2;   /* the VCPU that puts our handles (remote) */
	mt_handle_t h;
	int rc;

	if (!r->remote) {
		for (uint64_t i = 0; i < n; i++) {
			rc = mt_get(r->t, me, &h);
			BENCH_CHECK(rc == MT_OK, "get: %s", mt_strerror(rc));
			rc = mt_put(r->t, me, h);
			BENCH_CHECK(rc == MT_OK, "put %u: %s", h, mt_strerror(rc));
		}
		return;
	}
	/* Remote: we push to our ring, our peer pops from it; we pop from the
	 * peer's ring (ours again with one thread) and put as the other VCPU.
	 * Each side puts exactly as many handles as the other got. */
	struct ring *out = &r->rings[me];
	struct ring *in = &r->rings[(me + 1) % r->threads];
	uint64_t got = 0, put = 0;
	unsigned idle = 0;
	while (got < n || put < n) {
		bool progress = false;
		if (got < n && atomic_load_explicit(&out->tail, memory_order_relaxed) -
		               atomic_load_explicit(&out->head, memory_order_acquire) < RING_SIZE) {
			rc = mt_get(r->t, me, &h);
			BENCH_CHECK(rc == MT_OK, "get: %s", mt_strerror(rc));
			BENCH_CHECK(ring_push(out, h), "ring full");
			got++;
			progress = true;
		}
		while (ring_pop(in, &h)) {
			rc = mt_put(r->t, other, h);
			BENCH_CHECK(rc == MT_OK, "put %u: %s", h, mt_strerror(rc));
			put++;
			progress = true;
		}
		/* Waiting for the peer (ring full, or nothing left to put): spin
		 * a while (on an idle 2-core machine the peer is running and a
		 * sleep would measure the timer, not the lists); after 65536
		 * empty passes it is likely preempted on a busy machine: give the
		 * CPU away rather than burn it. */
		if (progress) {
			idle = 0;
		} else if (++idle >= (1u << 16)) {
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
	}
}

static double clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;

	pairs(r, w->id, r->warm);
	/* Start gate.  Release/acquire: the warm-up of every thread is over
	 * (its handles put) before anyone starts the timed loop. */
	atomic_fetch_add_explicit(&r->ready, 1, memory_order_acq_rel);
	while (atomic_load_explicit(&r->phase, memory_order_acquire) == 0)
		;
	double c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	pairs(r, w->id, r->iters);
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	return NULL;
}

struct sample {
	double wall;                     /* wall ns per pair per thread */
	double cpu;                      /* CPU ns per pair, mean over the threads */
	double par;                      /* the threads' total CPU time / wall time */
};

/* One measurement of one row and implementation. */
static struct sample measure(const struct mt_ops *ops, unsigned threads, bool remote, uint64_t iters)
{
	struct mt_config cfg = { .nr_vcpus = 2, .per_page = PER_PAGE, .max_frames = MAX_FRAMES };
	struct run *r = aligned_alloc(64, sizeof(*r));
	struct worker w[MAX_THREADS];
	int rc;

	BENCH_CHECK(r != NULL, "out of memory");
	memset(r, 0, sizeof(*r));
	rc = mt_create(ops, &cfg, &r->t);
	BENCH_CHECK(rc == MT_OK, "create %s: %s", ops->name, mt_strerror(rc));
	r->threads = threads;
	r->remote = remote;
	r->iters = iters;
	r->warm = iters / 10 < 20000 ? iters / 10 : 20000;
	atomic_init(&r->ready, 0);
	atomic_init(&r->phase, 0);
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		atomic_init(&r->rings[i].head, 0);
		atomic_init(&r->rings[i].tail, 0);
	}
	for (unsigned i = 0; i < threads; i++) {
		w[i] = (struct worker){ .run = r, .id = i };
		BENCH_CHECK(pthread_create(&w[i].tid, NULL, worker_main, &w[i]) == 0, "pthread_create");
	}
	while (atomic_load_explicit(&r->ready, memory_order_acquire) < threads)
		;
	double t0 = clock_ns(CLOCK_MONOTONIC);
	atomic_store_explicit(&r->phase, 1, memory_order_release);
	for (unsigned i = 0; i < threads; i++)
		pthread_join(w[i].tid, NULL);
	double t1 = clock_ns(CLOCK_MONOTONIC);

	/* Everything came back: the table is consistent and nothing is in use. */
	struct mt_report rep;
	rc = mt_verify(r->t, &rep);
	BENCH_CHECK(rc == MT_OK, "%s: verify: %s (%s)", ops->name, mt_strerror(rc), rep.detail);
	struct mt_view v;
	ops->view(r->t, &v);
	for (mt_handle_t h = 0; h < v.limit; h++) {
		struct mt_entry_view e;
		BENCH_CHECK(ops->entry(r->t, h, &e) == MT_OK && !e.in_use,
		            "%s: handle %u still in use after the run", ops->name, h);
	}
	mt_destroy(r->t);
	free(r);
	struct sample out = { .wall = (t1 - t0) / (double)iters, .cpu = 0, .par = 0 };
	for (unsigned i = 0; i < threads; i++) {
		out.cpu += w[i].cpu_ns / (double)iters / threads;
		out.par += w[i].cpu_ns / (t1 - t0);
	}
	return out;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v. */
static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(FILE *f)
{
	fprintf(f,
	"usage: mt_bench [--seconds S | --iters N] [--reps R]\n"
	"\n"
	"Get+put pairs on \"production\" (per-VCPU lists) and \"baseline\" (one list,\n"
	"one lock), 1 and 2 threads, local and remote puts; 256 entries/page.\n"
	"Prints a table (median ns per pair per thread, ratio production/baseline)\n"
	"and a last line SUMMARY bench=maptrack ...\n"
	"\n"
	"  --seconds S  total time to aim for, calibrated per row (default 10)\n"
	"  --iters N    pairs per thread per measurement instead (no calibration)\n"
	"  --reps R     repetitions per row; the median is reported (default 7)\n"
	"  --help       this text\n");
}

/* Value of "--flag V" or "--flag=V"; NULL if argv[i] is not this flag. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "mt_bench: %s needs a value (try --help)\n", name);
		exit(2);
	}
	return argv[++*i];
}

static double parse_num(const char *name, const char *s, double lo, double hi)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
		fprintf(stderr, "mt_bench: bad value '%s' for %s (want a number in %g..%g; try --help)\n",
		        s, name, lo, hi);
		exit(2);
	}
	return v;
}

struct row {
	unsigned threads;
	bool remote;
	const char *mode;
};

int main(int argc, char **argv)
{
	double seconds = 10;
	uint64_t fixed_iters = 0;
	unsigned reps = 7;
	bool have_seconds = false;

	for (int i = 1; i < argc; i++) {
		const char *v;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if ((v = flag_value(argc, argv, &i, "--seconds"))) {
			seconds = parse_num("--seconds", v, 0.01, 86400);
			have_seconds = true;
		} else if ((v = flag_value(argc, argv, &i, "--iters"))) {
			fixed_iters = (uint64_t)parse_num("--iters", v, 1, 1e10);
			if ((double)fixed_iters != parse_num("--iters", v, 1, 1e10)) {
				fprintf(stderr, "mt_bench: --iters wants a whole number, not '%s'\n", v);
				return 2;
			}
		} else if ((v = flag_value(argc, argv, &i, "--reps"))) {
			double d = parse_num("--reps", v, 1, 1000);
			reps = (unsigned)d;
			if (reps != d) {
				fprintf(stderr, "mt_bench: --reps wants a whole number, not '%s'\n", v);
				return 2;
			}
		} else {
			fprintf(stderr, "mt_bench: unknown argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
	}
	if (have_seconds && fixed_iters) {
		fprintf(stderr, "mt_bench: give --seconds or --iters, not both\n");
		return 2;
	}

	const struct mt_ops *impl[2] = { mt_ops_find("production"), mt_ops_find("baseline") };
	BENCH_CHECK(impl[0] && impl[1], "builtin implementations missing");
	static const struct row rows[] = {
		{ 1, false, "local" }, { 1, true, "remote" },
		{ 2, false, "local" }, { 2, true, "remote" },
	};
	enum { NROWS = sizeof(rows) / sizeof(rows[0]) };
	uint64_t iters[NROWS];
	double *ns[NROWS][2], *cpu[NROWS][2], *par[NROWS][2];

	/* Calibrate: one short run per row and implementation (also warms up
	 * the process), then size each row to its share of --seconds.
	 * Both implementations of a row run the same number of pairs. */
	for (unsigned r = 0; r < NROWS; r++) {
		double per = 0;
		for (unsigned k = 0; k < 2; k++) {
			ns[r][k] = calloc(reps, sizeof(double));
			cpu[r][k] = calloc(reps, sizeof(double));
			par[r][k] = calloc(reps, sizeof(double));
			BENCH_CHECK(ns[r][k] && cpu[r][k] && par[r][k], "out of memory");
			if (!fixed_iters)
				per += measure(impl[k], rows[r].threads, rows[r].remote, 20000).wall / 2;
		}
		double share = seconds * 1e9 / (NROWS * 2.0 * reps);
		double n = fixed_iters ? (double)fixed_iters : share / (per > 1 ? per : 1);
		iters[r] = n < 1000 ? 1000 : n > 5e8 ? 500000000 : (uint64_t)n;
	}
	fprintf(stderr, "mt_bench: %u reps x %u rows x 2 implementations%s\n", reps, (unsigned)NROWS,
	        fixed_iters ? "" : " (calibrated)");

	for (unsigned rep = 0; rep < reps; rep++) {
		fprintf(stderr, "mt_bench: rep %u/%u\n", rep + 1, reps);
		for (unsigned r = 0; r < NROWS; r++)
			for (unsigned j = 0; j < 2; j++) {
				unsigned k = (rep + r + j) % 2;   /* alternate who goes first */
				struct sample x = measure(impl[k], rows[r].threads, rows[r].remote, iters[r]);
				ns[r][k][rep] = x.wall;
				cpu[r][k][rep] = x.cpu;
				par[r][k][rep] = x.par;
			}
	}

	double med[NROWS][2], lo[NROWS][2], hi[NROWS][2], cmed[NROWS][2], pmed[NROWS][2];
	for (unsigned r = 0; r < NROWS; r++)
		for (unsigned k = 0; k < 2; k++) {
			med[r][k] = median(ns[r][k], reps);
			lo[r][k] = ns[r][k][0];
			hi[r][k] = ns[r][k][reps - 1];
			cmed[r][k] = median(cpu[r][k], reps);
			pmed[r][k] = median(par[r][k], reps);
			free(ns[r][k]);
			free(cpu[r][k]);
			free(par[r][k]);
		}

	printf("%-11s %7s %-6s %10s %9s %9s %9s %5s %11s %9s %9s\n", "impl", "threads", "mode",
	       "ns/pair", "min", "max", "cpu_ns", "par", "pairs/thr", "ratio", "cpu_ratio");
	double worst_par = 2;
	for (unsigned r = 0; r < NROWS; r++)
		for (unsigned k = 0; k < 2; k++) {
			printf("%-11s %7u %-6s %10.2f %9.2f %9.2f %9.2f %5.2f %11llu", impl[k]->name,
			       rows[r].threads, rows[r].mode, med[r][k], lo[r][k], hi[r][k], cmed[r][k],
			       pmed[r][k], (unsigned long long)iters[r]);
			if (rows[r].threads == 2 && pmed[r][k] < worst_par)
				worst_par = pmed[r][k];
			if (k == 1)
				printf(" %9.3f %9.3f%s", med[r][0] / med[r][1], cmed[r][0] / cmed[r][1],
				       med[r][0] <= med[r][1] ? "" : "  per-VCPU slower");
			printf("\n");
		}
	printf("# ns/pair: wall-clock ns per get+put pair per thread, median of %u reps (min, max);\n"
	       "# cpu_ns: the threads' own CPU time per pair (less sensitive to a busy machine);\n"
	       "# par: CPU time of all threads / wall time (2 threads really in parallel: near 2);\n"
	       "# ratio = production / baseline (below 1: the per-VCPU lists are faster).\n", reps);
	if (worst_par < 1.6)
		printf("# WARNING: a 2-thread row ran with par %.2f: the machine is busy, so the\n"
		       "# 2-thread rows measure time-sharing more than contention.\n", worst_par);
	printf("SUMMARY bench=maptrack prod_1t_ns=%.2f base_1t_ns=%.2f ratio_1t=%.3f "
	       "prod_2t_local_ns=%.2f base_2t_local_ns=%.2f ratio_2t_local=%.3f "
	       "prod_2t_remote_ns=%.2f base_2t_remote_ns=%.2f ratio_2t_remote=%.3f "
	       "prod_1t_remote_ns=%.2f base_1t_remote_ns=%.2f ratio_1t_remote=%.3f "
	       "cpu_ratio_1t=%.3f cpu_ratio_2t_local=%.3f cpu_ratio_2t_remote=%.3f "
	       "par_2t_min=%.2f reps=%u verify=ok\n",
	       med[0][0], med[0][1], med[0][0] / med[0][1],
	       med[2][0], med[2][1], med[2][0] / med[2][1],
	       med[3][0], med[3][1], med[3][0] / med[3][1],
	       med[1][0], med[1][1], med[1][0] / med[1][1],
	       cmed[0][0] / cmed[0][1], cmed[2][0] / cmed[2][1], cmed[3][0] / cmed[3][1],
	       worst_par, reps);
	return 0;
}
