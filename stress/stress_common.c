/*
 * stress_common.c - the template behind every scenario (see stress_common.h):
 * flags, threads, start gate, bounds, checked operations, the quiescent
 * conservation check, drain, SUMMARY.  main() is here too.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "stress/stress_common.h"

#include "lib/variants/zoo.h"

#define EXIT_VIOLATION STRESS_EXIT_VIOLATION
#define EXIT_USAGE STRESS_EXIT_USAGE
#define DEFAULT_CHECK_EVERY 20000    /* operations between in-run checks */
#define WATCHDOG_GRACE 60.0          /* seconds after stop before a hang is declared */
#define MAX_PRINTED_VIOLATIONS 20

static const struct stress_scenario *const scenarios[] = {
	&scenario_remote_put, &scenario_steal, &scenario_grow, &scenario_mixed, &scenario_hostile, NULL,
};

static _Atomic unsigned printed;

double stress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void stress_violation(struct stress_ctx *c, const char *fmt, ...)
{
	atomic_fetch_add_explicit(&c->violations, 1, memory_order_relaxed);
	atomic_store_explicit(&c->stop, 1, memory_order_relaxed);
	if (atomic_fetch_add_explicit(&printed, 1, memory_order_relaxed) >= MAX_PRINTED_VIOLATIONS)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "VIOLATION %s\n", buf);
}

bool stress_stopping(const struct stress_ctx *c)
{
	return atomic_load_explicit(&((struct stress_ctx *)c)->stop, memory_order_relaxed) != 0;
}

void stress_pause_point(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;

	if (!atomic_load_explicit(&c->pause_req, memory_order_relaxed))
		return;
	/* The mutex orders everything this thread did before the check. */
	STRESS_CHECK(pthread_mutex_lock(&c->pause_mu) == 0);
	if (atomic_load_explicit(&c->pause_req, memory_order_relaxed)) {
		c->npaused++;
		pthread_cond_signal(&c->pause_checker);
		while (atomic_load_explicit(&c->pause_req, memory_order_relaxed))
			pthread_cond_wait(&c->pause_workers, &c->pause_mu);
		c->npaused--;
	}
	STRESS_CHECK(pthread_mutex_unlock(&c->pause_mu) == 0);
}

bool stress_continue(struct stress_thread *th)
{
	stress_pause_point(th);
	if (stress_stopping(th->ctx))
		return false;
	if (th->done_ops >= th->budget)
		return false;
	th->done_ops++;
	atomic_store_explicit(&th->ops, th->done_ops, memory_order_relaxed);
	return true;
}

uint64_t stress_rand(struct stress_thread *th)
{
	uint64_t x = th->rng;        /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	th->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void held_push(struct stress_thread *th, mt_handle_t h)
{
	if (th->nheld == th->cap) {
		unsigned cap = th->cap ? 2 * th->cap : 64;
		mt_handle_t *p = realloc(th->held, cap * sizeof(*p));
		STRESS_CHECK(p != NULL);
		th->held = p;
		th->cap = cap;
	}
	th->held[th->nheld++] = h;
}

static mt_handle_t held_remove(struct stress_thread *th, unsigned i)
{
	STRESS_CHECK(i < th->nheld);
	mt_handle_t h = th->held[i];
	th->held[i] = th->held[--th->nheld];
	return h;
}

/* A get returned h: record that th holds it, unless someone already does. */
static void claim(struct stress_thread *th, unsigned vcpu, mt_handle_t h)
{
	struct stress_ctx *c = th->ctx;

	if (h >= c->max_handles) {
		stress_violation(c, "get on VCPU %u returned handle %u, beyond the table's capacity %u",
		                 vcpu, h, c->max_handles);
		return;
	}
	for (unsigned waits = 0;; waits++) {
		uint32_t v = 0;
		/* acq_rel: pairs with the release store of 0 in stress_put_at(). */
		if (atomic_compare_exchange_strong_explicit(&c->holder[h], &v, th->id + 1,
				memory_order_acq_rel, memory_order_acquire)) {
			held_push(th, h);
			return;
		}
		if (!(v & STRESS_PUTTING)) {
			stress_violation(c, "get on VCPU %u returned handle %u, already held by thread %u "
			                 "(duplicate hand-out)", vcpu, h, v - 1);
			return;
		}
		/* Its put is in flight (the library may hand h out again before
		 * the putter's put returns): wait for the putter to let go. */
		sched_yield();
	}
}

int stress_get(struct stress_thread *th, unsigned vcpu, mt_handle_t *out)
{
	struct stress_ctx *c = th->ctx;
	mt_handle_t h = MT_INVALID_HANDLE;

	if (c->sc->guarded)
		STRESS_CHECK(pthread_rwlock_rdlock(&c->guard) == 0);
	int rc = c->ops->get(c->table, vcpu, &h);
	if (rc == MT_OK)
		claim(th, vcpu, h);
	if (c->sc->guarded)
		STRESS_CHECK(pthread_rwlock_unlock(&c->guard) == 0);
	if (rc == MT_OK) {
		th->gets++;
		if (out)
			*out = h;
	} else if (rc == MT_ERR_NOSPACE) {
		th->nospace++;
	} else {
		stress_violation(c, "get on VCPU %u failed: %s", vcpu, mt_strerror(rc));
	}
	return rc;
}

void stress_put_at(struct stress_thread *th, unsigned i)
{
	struct stress_ctx *c = th->ctx;
	mt_handle_t h = held_remove(th, i);
	uint32_t mine = th->id + 1;

	STRESS_CHECK(atomic_compare_exchange_strong_explicit(&c->holder[h], &mine,
		(th->id + 1) | STRESS_PUTTING, memory_order_relaxed, memory_order_relaxed));
	int rc = c->ops->put(c->table, th->id, h);
	if (rc != MT_OK)
		stress_violation(c, "put of held handle %u from VCPU %u refused: %s",
		                 h, th->id, mt_strerror(rc));
	/* Release pairs with the acquire in claim(): the next holder's claim
	 * comes after our put. */
	atomic_store_explicit(&c->holder[h], 0, memory_order_release);
	th->puts++;
}

int stress_grow(struct stress_thread *th, unsigned vcpu)
{
	int rc = th->ctx->ops->grow(th->ctx->table, vcpu);

	if (rc == MT_OK)
		th->grows++;
	else if (rc == MT_ERR_LIMIT || rc == MT_ERR_NOMEM)
		th->limits++;
	else
		stress_violation(th->ctx, "grow of VCPU %u failed: %s", vcpu, mt_strerror(rc));
	return rc;
}

bool stress_pass(struct stress_thread *th, unsigned i, unsigned to)
{
	struct stress_ctx *c = th->ctx;
	struct stress_thread *dst = &c->threads[to];
	mt_handle_t h = th->held[i];
	unsigned start = stress_below(th, STRESS_INBOX);

	STRESS_CHECK(to < c->nthreads && to != th->id);
	/* Relaxed: published to the receiver by the release CAS below. */
	atomic_store_explicit(&c->holder[h], to + 1, memory_order_relaxed);
	for (unsigned k = 0; k < STRESS_INBOX; k++) {
		uint32_t empty = 0;
		if (atomic_compare_exchange_strong_explicit(&dst->inbox[(start + k) % STRESS_INBOX],
				&empty, h + 1, memory_order_release, memory_order_relaxed)) {
			held_remove(th, i);
			th->passed++;
			return true;
		}
	}
	atomic_store_explicit(&c->holder[h], th->id + 1, memory_order_relaxed);
	return false;
}

unsigned stress_receive(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	unsigned n = 0;

	for (unsigned k = 0; k < STRESS_INBOX; k++) {
		if (!atomic_load_explicit(&th->inbox[k], memory_order_relaxed))
			continue;
		/* Acquire pairs with the release CAS in stress_pass(). */
		uint32_t v = atomic_exchange_explicit(&th->inbox[k], 0, memory_order_acquire);
		if (!v)
			continue;
		STRESS_CHECK(atomic_load_explicit(&c->holder[v - 1], memory_order_relaxed) == th->id + 1);
		held_push(th, v - 1);
		n++;
	}
	return n;
}

static void probe_result(struct stress_thread *th, unsigned vcpu, mt_handle_t h,
                         const char *what, int rc)
{
	struct stress_ctx *c = th->ctx;

	atomic_fetch_add_explicit(&c->probes, 1, memory_order_relaxed);
	if (rc == MT_OK)
		stress_violation(c, "invalid put (%s) of handle %u from VCPU %u was accepted",
		                 what, h, vcpu);
	else
		th->rejected++;
}

bool stress_probe_put(struct stress_thread *th, unsigned vcpu, mt_handle_t h, const char *what)
{
	struct stress_ctx *c = th->ctx;
	int rc;

	if (h >= c->max_handles) {
		/* Beyond any limit the table can reach: no guard needed. */
		rc = c->ops->put(c->table, vcpu, h);
		probe_result(th, vcpu, h, what, rc);
		return true;
	}
	/* h may be a real handle.  With the write side held no get is between
	 * the library's hand-out and its claim, and holder[h] == 0 means no
	 * thread holds h and no put of h is in flight: the library must see h
	 * as free (or beyond its limit) and refuse it. */
	STRESS_CHECK(c->sc->guarded);
	STRESS_CHECK(pthread_rwlock_wrlock(&c->guard) == 0);
	bool free_h = atomic_load_explicit(&c->holder[h], memory_order_acquire) == 0;
	if (free_h) {
		rc = c->ops->put(c->table, vcpu, h);
		probe_result(th, vcpu, h, what, rc);
	}
	STRESS_CHECK(pthread_rwlock_unlock(&c->guard) == 0);
	return free_h;
}

void stress_probe_bad_vcpu(struct stress_thread *th, unsigned i)
{
	struct stress_ctx *c = th->ctx;
	unsigned bad = c->nthreads + stress_below(th, 4);
	int rc = c->ops->put(c->table, bad, th->held[i]);

	probe_result(th, bad, th->held[i], "VCPU out of range", rc);
}

/* ---- quiescent checks ---- */

unsigned stress_check_table(struct stress_ctx *c, const char *when)
{
	uint64_t before = atomic_load_explicit(&c->violations, memory_order_relaxed);
	const struct mt_ops *ops = c->ops;
	struct mt_table *t = c->table;
	struct mt_view v;

	atomic_fetch_add_explicit(&c->checks, 1, memory_order_relaxed);
	ops->view(t, &v);
	if (v.limit > c->max_handles) {
		stress_violation(c, "%s: limit %u beyond capacity %u", when, v.limit, c->max_handles);
		return 1;
	}
	uint8_t *listed = calloc(v.limit + 1, 1);
	uint8_t *held = calloc(v.limit + 1, 1);
	STRESS_CHECK(listed && held);

	/* Handles held by threads: each exactly once, and the ownership array agrees. */
	uint64_t nheld = 0;
	for (unsigned i = 0; i < c->nthreads; i++) {
		struct stress_thread *th = &c->threads[i];
		for (unsigned k = 0; k < th->nheld; k++) {
			mt_handle_t h = th->held[k];
			uint32_t who = atomic_load_explicit(&c->holder[h], memory_order_relaxed);
			if (h >= v.limit)
				stress_violation(c, "%s: thread %u holds handle %u beyond limit %u",
				                 when, i, h, v.limit);
			else if (held[h])
				stress_violation(c, "%s: handle %u held twice", when, h);
			else
				held[h] = 1;
			if (who != i + 1)
				stress_violation(c, "%s: thread %u holds %u but the ownership array says %u",
				                 when, i, h, who);
			nheld++;
		}
	}

	/* Every list: a bounded walk; no handle twice, none held, none in use. */
	uint64_t nlisted = 0;
	for (unsigned l = 0; l < v.nr_lists; l++) {
		mt_handle_t head, tail, cur;
		uint64_t steps = 0;

		ops->list_ends(t, l, &head, &tail);
		for (cur = head; cur != MT_TAIL; steps++) {
			struct mt_entry_view e;

			if (steps > v.limit) {
				stress_violation(c, "%s: list %u does not end within %u steps", when, l, v.limit);
				break;
			}
			if (cur >= v.limit || ops->entry(t, cur, &e) != MT_OK) {
				stress_violation(c, "%s: list %u links to handle %u beyond limit %u",
				                 when, l, cur, v.limit);
				break;
			}
			if (listed[cur]) {
				stress_violation(c, "%s: handle %u reached twice on the lists (list %u)",
				                 when, cur, l);
				break;
			}
			listed[cur] = 1;
			nlisted++;
			if (held[cur])
				stress_violation(c, "%s: handle %u is on list %u and held by a thread",
				                 when, cur, l);
			if (e.in_use)
				stress_violation(c, "%s: handle %u on list %u is marked in use", when, cur, l);
			cur = e.link;
		}
	}

	/* Conservation: listed + held == limit, every handle in exactly one place. */
	for (mt_handle_t h = 0; h < v.limit; h++) {
		struct mt_entry_view e;

		if (ops->entry(t, h, &e) != MT_OK) {
			stress_violation(c, "%s: handle %u below limit has no entry", when, h);
			continue;
		}
		if (!listed[h] && !held[h])
			stress_violation(c, "%s: handle %u is neither on a list nor held (lost)", when, h);
		if (held[h] && !e.in_use)
			stress_violation(c, "%s: handle %u is held but the library has it free", when, h);
		if (!held[h] && e.in_use)
			stress_violation(c, "%s: handle %u is in use but no thread holds it (leak)", when, h);
	}
	if (nlisted + nheld != v.limit)
		stress_violation(c, "%s: conservation: %" PRIu64 " listed + %" PRIu64 " held != limit %u",
		                 when, nlisted, nheld, v.limit);

	struct mt_report r;
	int rc = ops->verify(t, &r);
	if (rc != MT_OK)
		stress_violation(c, "%s: mt_verify: %s (%s)", when, mt_strerror(rc), r.detail);
	free(listed);
	free(held);
	return (unsigned)(atomic_load_explicit(&c->violations, memory_order_relaxed) - before);
}

void stress_drain(struct stress_ctx *c)
{
	for (unsigned i = 0; i < c->nthreads; i++) {
		struct stress_thread *th = &c->threads[i];
		while (th->nheld)
			stress_put_at(th, th->nheld - 1);
	}
}

/* ---- flags ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stress --scenario NAME [flags]\n"
		"  --scenario NAME   remote_put | steal | grow | mixed | hostile (--list: all, with summaries)\n"
		"  --impl NAME       implementation (default production; --list shows the names)\n"
		"  --vcpus N         VCPUs = threads (default: per scenario)\n"
		"  --per-page N      entries per page (default: per scenario)\n"
		"  --max-frames N    frame limit (default: per scenario)\n"
		"  --ops N           total operations over all threads; 0 = no bound (default 2000000)\n"
		"  --seconds S       time bound; 0 = no bound (default 2)\n"
		"  --seed N          seeds the operation choices and the yields (default 1)\n"
		"  --yield-rate R    yield at a schedule point with probability R, 0..1 (default 0)\n"
		"  --progress S      progress line on stderr every S seconds; 0 = none (default 5)\n"
		"  --check-every N   pause the workers and check conservation every N operations\n"
		"                    while the run goes on; 0 = at the end only (default %u)\n"
		"  --suppress FILE   ThreadSanitizer suppressions (race:PATTERN, thread:, mutex:,\n"
		"                    signal:, deadlock:, called_from_lib:, race_top:; # comments),\n"
		"                    checked before any work and passed on in TSAN_OPTIONS\n"
		"  --keep-going      a ThreadSanitizer report does not stop the run: each distinct\n"
		"                    race (pair of code locations) is printed once and counted,\n"
		"                    the invariant checks go on\n"
		"  --list            list scenarios and implementations\n"
		"  --help            this text\n"
		"Exit, one code per kind of outcome whatever way it shows (the first that\n"
		"applies): 3 crash (SIGSEGV/SIGBUS/SIGFPE/SIGILL, by our handler or a TSan\n"
		"SEGV report), 1 violation (invariant, conservation, mt_verify, watchdog),\n"
		"66 ThreadSanitizer report, 0 clean; 2 bad flags or suppressions file, before\n"
		"any work.  Last line: SUMMARY ... result=clean|violation|race|crash\n",
		DEFAULT_CHECK_EVERY);
}

/* The suppression types of ThreadSanitizer (sanitizer_common's parser
 * dies on any other, after the run has started). */
static const char *const tsan_supp_types[] = {
	"race", "race_top", "thread", "mutex", "signal", "deadlock", "called_from_lib", NULL,
};

/* Check a TSan suppressions file the way TSan's parser reads it: per line,
 * leading/trailing blanks dropped, empty lines and '#' comments skipped,
 * else TYPE:PATTERN with a known TYPE and a non-empty PATTERN.  Any error
 * exits 2 (bad usage) before any work. */
static void check_suppressions(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0, rules = 0;

	if (!f) {
		fprintf(stderr, "stress: --suppress %s: cannot open: %s\n", path, strerror(errno));
		exit(EXIT_USAGE);
	}
	if (strpbrk(path, ": \t\"'")) {
		fprintf(stderr, "stress: --suppress %s: the path must not contain ':', blanks or quotes "
		        "(TSAN_OPTIONS separators)\n", path);
		exit(EXIT_USAGE);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "stress: --suppress %s:%u: line too long\n", path, lineno);
			exit(EXIT_USAGE);
		}
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!*p || *p == '#')
			continue;
		char *colon = strchr(p, ':');
		bool known = false;
		if (colon) {
			for (const char *const *t = tsan_supp_types; *t; t++)
				known |= strlen(*t) == (size_t)(colon - p) && !strncmp(*t, p, colon - p);
		}
		if (!colon || !known || !colon[1]) {
			fprintf(stderr, "stress: --suppress %s:%u: '%s' is not a ThreadSanitizer suppression "
			        "(TYPE:PATTERN, TYPE one of race, race_top, thread, mutex, signal, deadlock, "
			        "called_from_lib)\n", path, lineno, p);
			exit(EXIT_USAGE);
		}
		rules++;
	}
	if (ferror(f)) {
		fprintf(stderr, "stress: --suppress %s: read error\n", path);
		exit(EXIT_USAGE);
	}
	fclose(f);
	if (!getenv("STRESS_TSAN_REEXEC"))   /* said once, not again after the re-run */
		fprintf(stderr, "stress: --suppress %s: %u suppression%s\n", path, rules,
		        rules == 1 ? "" : "s");
}

static const struct stress_scenario *find_scenario(const char *name)
{
	for (const struct stress_scenario *const *s = scenarios; *s; s++)
		if (!strcmp((*s)->name, name))
			return *s;
	/* accept remote-put for remote_put */
	char alt[64];
	snprintf(alt, sizeof(alt), "%s", name);
	for (char *p = alt; *p; p++)
		if (*p == '-')
			*p = '_';
	for (const struct stress_scenario *const *s = scenarios; *s; s++)
		if (!strcmp((*s)->name, alt))
			return *s;
	return NULL;
}

static void list_all(void)
{
	printf("scenarios:\n");
	for (const struct stress_scenario *const *s = scenarios; *s; s++)
		printf("  %-11s %s (defaults: vcpus=%u per_page=%u max_frames=%u)\n", (*s)->name,
		       (*s)->summary, (*s)->def_vcpus, (*s)->def_per_page, (*s)->def_max_frames);
	printf("implementations:\n");
	for (unsigned k = 0; mt_ops_at(k); k++) {
		const struct mt_ops *ops = mt_ops_at(k)->ops;
		if (mt_variant_info(ops->name) && (k == 0 || !mt_variant_info(mt_ops_at(k - 1)->ops->name)))
			printf("bug zoo (lib/variants; not for production use):\n");
		printf("  %-22s %s\n", ops->name, ops->summary);
	}
	printf("test only (stress/planted.c):\n");
	printf("  %-22s %s\n", stress_planted_race_loss.name, stress_planted_race_loss.summary);
}

static const struct mt_ops *find_impl(const char *name)
{
	if (!strcmp(name, stress_planted_race_loss.name))
		return &stress_planted_race_loss;
	return mt_impl_find(name);
}

static const struct stress_cli cli = {
	.hint = "(stress --help for the flags)",
	.with_scenario = true,
	.max_vcpus = 1024, .max_per_page = MT_MAX_PER_PAGE, .max_frames = STRESS_MAX_HANDLES,
	.usage = usage, .list = list_all,
};

static void parse(int argc, char **argv, struct stress_opts *o)
{
	*o = (struct stress_opts){
		.impl = "production", .ops = 2000000, .seconds = 2, .seed = 1, .progress = 5,
		.check_every = DEFAULT_CHECK_EVERY,
	};
	stress_parse_args(argc, argv, &cli, o);
	if (!o->scenario)
		stress_die_usage(&cli, "%s", "--scenario NAME is required (--list shows them)");
}

/* ---- a crash inside the implementation is a finding too ---- */

static struct {
	const char *scenario, *impl;
	unsigned vcpus;
	uint64_t seed;
} crash_info;

/* End the run now with `code`: a VIOLATION (crash) or RACE line on stderr,
 * a SUMMARY on stdout, exit.  Async-signal-safe (raw write and exit_group):
 * called from the crash handler and from inside TSan's report hooks.  The
 * first caller wins; any other thread that gets here waits for the exit. */
STRESS_NO_TSAN static void halt_now(int code, const char *why, int sig)
{
	char buf[640];
	size_t n = 0, cap = sizeof(buf);
	if (stress_halting_claim())
		for (;;)
			syscall(SYS_ppoll, NULL, 0, NULL, NULL);   /* until the winner exits */
	if (code == STRESS_EXIT_CRASH) {
		n = stress_put_str(buf, n, cap, "VIOLATION crash: ");
		if (sig) {
			n = stress_put_str(buf, n, cap, "signal ");
			n = stress_put_u64(buf, n, cap, (uint64_t)sig);
			n = stress_put_str(buf, n, cap, sig == SIGSEGV ? " (SIGSEGV)" : sig == SIGBUS ? " (SIGBUS)" :
			            sig == SIGFPE ? " (SIGFPE)" : sig == SIGILL ? " (SIGILL)" : "");
			n = stress_put_str(buf, n, cap, " during the run: the implementation followed a wild handle or an unpublished page\n");
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
	n = 0;
	n = stress_put_str(buf, n, cap, "SUMMARY scenario=");
	n = stress_put_str(buf, n, cap, crash_info.scenario ? crash_info.scenario : "-");
	n = stress_put_str(buf, n, cap, " impl=");
	n = stress_put_str(buf, n, cap, crash_info.impl ? crash_info.impl : "-");
	n = stress_put_str(buf, n, cap, " vcpus=");
	n = stress_put_u64(buf, n, cap, crash_info.vcpus);
	n = stress_put_str(buf, n, cap, " ops=0 ops_per_s=0");
	stress_halt_summary_end(buf, n, cap, crash_info.seed, sig, code);
}

static void halt_hook(int code, const char *why)
{
	halt_now(code, why, 0);
}

/* A wild handle or a missing page makes the library itself fault (b4a, a
 * list gone wild): a crash, exit STRESS_EXIT_CRASH, the same code as when
 * TSan catches the signal first (stress_race.c's death callback). */
STRESS_NO_TSAN static void on_crash(int sig)
{
	halt_now(STRESS_EXIT_CRASH, NULL, sig);
}

static void catch_crashes(const struct stress_ctx *c)
{
	crash_info.scenario = c->sc->name;
	crash_info.impl = c->opt->impl;
	crash_info.vcpus = c->nthreads;
	crash_info.seed = c->opt->seed;
	stress_catch_crashes(on_crash);
}

/* ---- main ---- */

static void *worker_main(void *arg)
{
	struct stress_thread *th = arg;
	struct stress_ctx *c = th->ctx;

	stress_hook_thread(th->id);
	/* The start gate: acquire pairs with the release store in main(). */
	while (!atomic_load_explicit(&c->go, memory_order_acquire))
		sched_yield();
	c->sc->worker(th);
	/* Under pause_mu: an in-run check waiting for every worker to park
	 * counts this one as done. */
	STRESS_CHECK(pthread_mutex_lock(&c->pause_mu) == 0);
	atomic_fetch_add_explicit(&c->finished, 1, memory_order_release);
	pthread_cond_signal(&c->pause_checker);
	STRESS_CHECK(pthread_mutex_unlock(&c->pause_mu) == 0);
	return NULL;
}

/* An in-run check: park every worker between two operations, collect the
 * inboxes, check conservation + mt_verify, let them go. */
static void inrun_check(struct stress_ctx *c, uint64_t ops)
{
	char when[64];

	STRESS_CHECK(pthread_mutex_lock(&c->pause_mu) == 0);
	atomic_store_explicit(&c->pause_req, 1, memory_order_relaxed);
	while (c->npaused + atomic_load_explicit(&c->finished, memory_order_acquire) < c->nthreads)
		pthread_cond_wait(&c->pause_checker, &c->pause_mu);
	for (unsigned i = 0; i < c->nthreads; i++)
		stress_receive(&c->threads[i]);
	snprintf(when, sizeof(when), "in-run check %" PRIu64 " (after ~%" PRIu64 " ops)",
	         atomic_load_explicit(&c->checks, memory_order_relaxed) + 1, ops);
	stress_check_table(c, when);
	atomic_store_explicit(&c->pause_req, 0, memory_order_relaxed);
	pthread_cond_broadcast(&c->pause_workers);
	STRESS_CHECK(pthread_mutex_unlock(&c->pause_mu) == 0);
}

/* The exit code of a run that ended on its own (the others _exit early). */
static int outcome(struct stress_ctx *c)
{
	if (atomic_load_explicit(&c->violations, memory_order_relaxed))
		return STRESS_EXIT_VIOLATION;
	if (stress_race_distinct())
		return STRESS_EXIT_RACE;
	return STRESS_EXIT_CLEAN;
}

/* quiescent: the workers are joined (their plain counters may be read). */
static void summary(struct stress_ctx *c, uint64_t ops, double elapsed, bool quiescent, int code)
{
	uint64_t nospace = 0, rejected = 0, passed = 0, grows = 0;

	for (unsigned i = 0; quiescent && i < c->nthreads; i++) {
		const struct stress_thread *th = &c->threads[i];
		if (i < 64)          /* per-thread counts (the SUMMARY stays last) */
			printf("thread %u: ops=%" PRIu64 " gets=%" PRIu64 " puts=%" PRIu64 " nospace=%" PRIu64
			       " grows=%" PRIu64 " passed=%" PRIu64 " probes_rejected=%" PRIu64 "\n",
			       i, th->done_ops, th->gets, th->puts, th->nospace, th->grows,
			       th->passed, th->rejected);
		nospace += c->threads[i].nospace;
		rejected += c->threads[i].rejected;
		passed += c->threads[i].passed;
		grows += c->threads[i].grows;
	}
	printf("SUMMARY scenario=%s impl=%s vcpus=%u ops=%" PRIu64 " ops_per_s=%.0f violations=%" PRIu64
	       " seed=%" PRIu64 " yield_rate=%g seconds=%.2f per_page=%u max_frames=%u"
	       " nospace=%" PRIu64 " grows=%" PRIu64 " passed=%" PRIu64 " probes_rejected=%" PRIu64
	       " yields=%" PRIu64 " checks=%" PRIu64 " races=%" PRIu64 " races_suppressed=%" PRIu64
	       " races_repeated=%" PRIu64 " tsan=%d keep_going=%d result=%s exit=%d\n",
	       c->sc->name, c->opt->impl, c->nthreads, ops, elapsed > 0 ? ops / elapsed : 0.0,
	       atomic_load_explicit(&c->violations, memory_order_relaxed), c->opt->seed,
	       c->opt->yield_rate, elapsed, c->cfg.per_page, c->cfg.max_frames,
	       nospace, grows, passed, rejected, stress_hook_yields(),
	       atomic_load_explicit(&c->checks, memory_order_relaxed), stress_race_distinct(),
	       stress_race_suppressed(), stress_race_repeats(), stress_race_tsan(),
	       c->opt->keep_going, stress_result_name(code), code);
	fflush(stdout);
}

static uint64_t total_ops(struct stress_ctx *c)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < c->nthreads; i++)
		n += atomic_load_explicit(&c->threads[i].ops, memory_order_relaxed);
	return n;
}

int main(int argc, char **argv)
{
	static struct stress_opts o;
	static struct stress_ctx ctx;
	struct stress_ctx *c = &ctx;

	setvbuf(stderr, NULL, _IOLBF, 0);
	parse(argc, argv, &o);
	c->opt = &o;
	if (o.suppress)
		check_suppressions(o.suppress);
	c->sc = find_scenario(o.scenario);
	if (!c->sc)
		stress_die_usage(&cli, "unknown scenario '%s' (--list shows them)", o.scenario);
	c->ops = find_impl(o.impl);
	if (!c->ops)
		stress_die_usage(&cli, "unknown implementation '%s' (--list shows them)", o.impl);

	c->nthreads = o.vcpus ? o.vcpus : c->sc->def_vcpus;
	c->cfg.nr_vcpus = c->nthreads;
	c->cfg.per_page = o.per_page ? o.per_page : c->sc->def_per_page;
	c->cfg.max_frames = o.max_frames ? o.max_frames : c->sc->def_max_frames;
	if (c->nthreads < c->sc->min_vcpus) {
		fprintf(stderr, "stress: scenario %s needs --vcpus >= %u\n", c->sc->name, c->sc->min_vcpus);
		return EXIT_USAGE;
	}
	if (c->cfg.per_page < MT_MIN_PER_PAGE) {
		fprintf(stderr, "stress: --per-page must be >= %u\n", MT_MIN_PER_PAGE);
		return EXIT_USAGE;
	}
	if (!c->cfg.max_frames || (uint64_t)c->cfg.per_page * c->cfg.max_frames > STRESS_MAX_HANDLES) {
		fprintf(stderr, "stress: --per-page * --max-frames must be in 1..%u\n", STRESS_MAX_HANDLES);
		return EXIT_USAGE;
	}
	c->max_handles = c->cfg.per_page * c->cfg.max_frames;
	/* Every flag is checked: now TSan may need its options (re-runs us). */
	stress_tsan_reexec(&o, argv);
	crash_info.scenario = c->sc->name;
	crash_info.impl = o.impl;
	crash_info.vcpus = c->nthreads;
	crash_info.seed = o.seed;
	stress_race_config(o.keep_going, halt_hook);
	int rc = c->ops->create(&c->cfg, &c->table);
	if (rc != MT_OK) {
		fprintf(stderr, "stress: create(%s): %s\n", o.impl, mt_strerror(rc));
		return EXIT_USAGE;
	}
	c->holder = calloc(c->max_handles, sizeof(*c->holder));
	c->threads = calloc(c->nthreads, sizeof(*c->threads));
	STRESS_CHECK(c->holder && c->threads);
	for (uint32_t h = 0; h < c->max_handles; h++)
		atomic_init(&c->holder[h], 0);
	pthread_rwlockattr_t ra;
	pthread_rwlockattr_init(&ra);
	/* Probes (writers) must not starve behind a steady stream of gets. */
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	STRESS_CHECK(pthread_rwlock_init(&c->guard, &ra) == 0);
	pthread_rwlockattr_destroy(&ra);
	STRESS_CHECK(pthread_mutex_init(&c->pause_mu, NULL) == 0);
	STRESS_CHECK(pthread_cond_init(&c->pause_workers, NULL) == 0);
	STRESS_CHECK(pthread_cond_init(&c->pause_checker, NULL) == 0);
	atomic_init(&c->pause_req, 0);
	atomic_init(&c->checks, 0);
	c->npaused = 0;
	atomic_init(&c->go, 0);
	atomic_init(&c->stop, 0);
	atomic_init(&c->finished, 0);
	atomic_init(&c->violations, 0);
	atomic_init(&c->probes, 0);

	for (unsigned i = 0; i < c->nthreads; i++) {
		struct stress_thread *th = &c->threads[i];
		th->ctx = c;
		th->id = i;
		th->rng = stress_mix(o.seed * 0x100000001b3ull + i) | 1;
		/* --ops below --vcpus: some threads get none (they do nothing). */
		th->budget = o.ops ? o.ops / c->nthreads + (i < o.ops % c->nthreads) : UINT64_MAX;
		atomic_init(&th->ops, 0);
		for (unsigned k = 0; k < STRESS_INBOX; k++)
			atomic_init(&th->inbox[k], 0);
	}
	stress_hook_config(o.yield_rate, o.seed);
	stress_hook_thread(c->nthreads);     /* the main thread's own stream */
	catch_crashes(c);                    /* setup may fault too (it grows) */
	if (c->sc->setup && (rc = c->sc->setup(c)) != 0) {
		stress_violation(c, "setup of scenario %s failed: %s", c->sc->name, mt_strerror(rc));
		summary(c, 0, 0, true, EXIT_VIOLATION);
		return EXIT_VIOLATION;
	}

	fflush(stdout);
	for (unsigned i = 0; i < c->nthreads; i++)
		STRESS_CHECK(pthread_create(&c->threads[i].tid, NULL, worker_main, &c->threads[i]) == 0);
	c->t_start = stress_now();
	/* Open the gate: release pairs with the acquire loads in worker_main(). */
	atomic_store_explicit(&c->go, 1, memory_order_release);

	double next_progress = o.progress, stop_seen = 0;
	uint64_t next_check = o.check_every;
	for (;;) {
		if (atomic_load_explicit(&c->finished, memory_order_acquire) == c->nthreads)
			break;
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
		double el = stress_now() - c->t_start;
		if (o.seconds && el >= o.seconds)
			atomic_store_explicit(&c->stop, 1, memory_order_relaxed);
		if (o.check_every && !c->sc->checks_in_rounds && !stress_stopping(c)) {
			uint64_t n = total_ops(c);
			if (n >= next_check) {
				inrun_check(c, n);
				next_check = n + o.check_every;
			}
		}
		if (o.progress && el >= next_progress) {
			uint64_t n = total_ops(c);
			fprintf(stderr, "progress scenario=%s impl=%s t=%.0fs ops=%" PRIu64 " ops_per_s=%.0f"
			        " violations=%" PRIu64 "\n", c->sc->name, o.impl, el, n, n / el,
			        atomic_load_explicit(&c->violations, memory_order_relaxed));
			next_progress += o.progress;
		}
		if ((stress_stopping(c) || atomic_load_explicit(&c->finished, memory_order_relaxed)) && !stop_seen)
			stop_seen = el;
		if (stop_seen && el - stop_seen > WATCHDOG_GRACE) {
			stress_violation(c, "watchdog: %u of %u threads still running %.0f s after the "
			                 "first stopped (hang or livelock)", c->nthreads -
			                 atomic_load_explicit(&c->finished, memory_order_relaxed),
			                 c->nthreads, WATCHDOG_GRACE);
			summary(c, total_ops(c), el, false, EXIT_VIOLATION);
			_exit(EXIT_VIOLATION);
		}
	}
	for (unsigned i = 0; i < c->nthreads; i++)
		STRESS_CHECK(pthread_join(c->threads[i].tid, NULL) == 0);
	double elapsed = stress_now() - c->t_start;
	uint64_t ops = total_ops(c);

	/* Quiescent: collect what is still in the inboxes, then check. */
	for (unsigned i = 0; i < c->nthreads; i++)
		stress_receive(&c->threads[i]);
	if (c->sc->finish)
		c->sc->finish(c);
	/* Read-only and bounded: safe (and informative) on a corrupt table too. */
	stress_check_table(c, "end");
	/* Drain only a table that checked clean: puts into a corrupt one
	 * would only add noise to the first report. */
	if (!atomic_load_explicit(&c->violations, memory_order_relaxed)) {
		stress_drain(c);
		stress_check_table(c, "drained");
	}
	int code = outcome(c);
	stress_race_print(stderr);
	summary(c, ops, elapsed, true, code);
	c->ops->destroy(c->table);
	for (unsigned i = 0; i < c->nthreads; i++)
		free(c->threads[i].held);
	free(c->threads);
	free(c->holder);
	pthread_rwlock_destroy(&c->guard);
	pthread_mutex_destroy(&c->pause_mu);
	pthread_cond_destroy(&c->pause_workers);
	pthread_cond_destroy(&c->pause_checker);
	/* _exit, not return: TSan's exit hook would turn any earlier report
	 * into its own exit code (and a --keep-going run into a "crash"). */
	fflush(NULL);
	_exit(code);
}
