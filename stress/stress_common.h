/*
 * stress_common.h - the one template every stress scenario follows.
 *
 * One binary (//stress:stress) holds every scenario; --scenario picks one.
 * The template owns everything but the worker loop:
 *
 *   flags -> table -> scenario setup -> one pthread per VCPU -> start gate
 *   (release/acquire) -> workers run until --ops or --seconds -> join (with
 *   a watchdog) -> scenario finish -> conservation check + mt_verify ->
 *   drain (put every held handle back) -> conservation + mt_verify again ->
 *   one SUMMARY line; one exit code per kind of outcome (STRESS_EXIT_*).
 *
 * While the workers run, the main thread checks conservation every
 * --check-every operations: it raises pause_req, every worker parks at its
 * next pause point (stress_continue(), between two operations), the main
 * thread collects the inboxes and runs the same check as at the end, then
 * lets them go.  A scenario that checks at its own barriers (grow: every
 * round) sets checks_in_rounds and is never paused.
 *
 * Threads check every result as they go (stress_get/stress_put/...):
 *   - a get that returns a handle some thread already holds (shared atomic
 *     ownership array `holder`), or a handle beyond the table's capacity;
 *   - a put of a held handle that is refused;
 *   - an invalid put (out of range, MT_TAIL, a free handle) that is accepted.
 * The first violation raises the stop flag: with a corrupt table, the less
 * the workers do afterwards the better the report.
 *
 * Schedule hook (stress_hook.c): with --yield-rate R the library's schedule
 * points yield with probability R, from a per-thread PRNG seeded by --seed.
 */
#ifndef STRESS_COMMON_H
#define STRESS_COMMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/maptrack.h"

/* Checks that never compile out (NDEBUG-proof): harness bugs, not findings. */
#define STRESS_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: harness check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

/* Not instrumented by ThreadSanitizer (the crash and halt path). */
#if defined(__clang__)
#define STRESS_NO_TSAN __attribute__((no_sanitize("thread")))
#else
#define STRESS_NO_TSAN __attribute__((no_sanitize_thread))
#endif

/* Exit codes, one per kind of outcome, whatever way it shows (README). */
#define STRESS_EXIT_CLEAN 0
#define STRESS_EXIT_VIOLATION 1  /* an invariant, conservation, mt_verify, watchdog */
#define STRESS_EXIT_USAGE 2      /* bad flags, bad suppressions file: before any work */
#define STRESS_EXIT_CRASH 3      /* SIGSEGV/SIGBUS/SIGFPE/SIGILL, caught by us or by TSan */
#define STRESS_EXIT_RACE 66      /* a ThreadSanitizer report not suppressed */

#define STRESS_INBOX 64u           /* handles another thread may pass to this one */
#define STRESS_MAX_HANDLES (1u << 22)  /* per_page * max_frames accepted by the harness */

/* holder[h]: 0 = free (as far as the harness knows), t + 1 = held by thread
 * t; STRESS_PUTTING is or-ed in while that thread's put of h is in flight. */
#define STRESS_PUTTING 0x80000000u

struct stress_opts {
	const char *scenario;
	const char *impl;
	unsigned vcpus, per_page, max_frames;   /* 0 = the scenario's default */
	uint64_t ops;                /* total over all threads; 0 = no bound */
	double seconds;              /* 0 = no bound (then --ops must bound) */
	uint64_t seed;
	double yield_rate;           /* 0 .. 1 */
	double progress;             /* seconds between progress lines; 0 = none */
	uint64_t check_every;        /* in-run conservation check every N ops; 0 = end only */
	bool keep_going;             /* a TSan report does not stop the run */
	const char *suppress;        /* TSan suppressions file, or NULL */
};

struct stress_ctx;

/* Per-thread state: thread i runs as VCPU i. */
struct stress_thread {
	struct stress_ctx *ctx;
	unsigned id;
	pthread_t tid;
	uint64_t rng;                /* operation choices (not the yields) */
	uint64_t budget;             /* operations this thread may do; UINT64_MAX = unbounded */
	uint64_t done_ops;           /* owner-only copy of ops */
	_Atomic uint64_t ops;        /* read by the progress line */
	mt_handle_t *held;           /* handles this thread holds (holder[h] == id + 1) */
	unsigned nheld, cap;
	_Atomic uint32_t inbox[STRESS_INBOX];  /* h + 1, or 0: handles passed to us */
	/* counters, owner-only until join */
	uint64_t gets, puts, nospace, grows, limits, passed, rejected;
	void *priv;                  /* scenario's own per-thread state */
};

struct stress_scenario {
	const char *name;
	const char *summary;
	unsigned def_vcpus, def_per_page, def_max_frames;
	unsigned min_vcpus;
	bool guarded;                /* gets run under the guard's read side (probes) */
	bool checks_in_rounds;       /* checks the table itself at its own barriers */
	/* Before the threads start (main thread, table created). 0 or an error. */
	int (*setup)(struct stress_ctx *c);
	/* The worker loop; loops while stress_continue(th). */
	void (*worker)(struct stress_thread *th);
	/* After join, before the checks (optional). */
	void (*finish)(struct stress_ctx *c);
};

struct stress_ctx {
	const struct stress_opts *opt;
	const struct stress_scenario *sc;
	const struct mt_ops *ops;
	struct mt_config cfg;
	struct mt_table *table;      /* written only while no worker runs, or at a barrier */
	unsigned nthreads;
	uint32_t max_handles;        /* per_page * max_frames */
	struct stress_thread *threads;
	_Atomic uint32_t *holder;    /* [max_handles] */
	_Atomic int go;              /* the start gate */
	_Atomic int stop;            /* time up, or a violation */
	_Atomic unsigned finished;   /* workers that have returned */
	_Atomic uint64_t violations;
	_Atomic uint64_t probes;     /* invalid puts tried (all must be refused) */
	pthread_rwlock_t guard;      /* guarded scenarios: gets read, probes write */
	/* in-run checks: pause_req raised by the main thread; npaused under pause_mu */
	pthread_mutex_t pause_mu;
	pthread_cond_t pause_workers, pause_checker;
	_Atomic int pause_req;
	unsigned npaused;
	_Atomic uint64_t checks;     /* conservation checks run (in-run, rounds, end) */
	double t_start;
	void *priv;                  /* scenario's own shared state */
};

/* The registry (stress_main.c) and the scenarios (one file each). */
extern const struct stress_scenario scenario_remote_put, scenario_steal, scenario_grow,
	scenario_mixed, scenario_hostile;

/* ---- for the scenarios ---- */

/* One random get/put/pass/grow step (mixed.c; also hostile's honest part). */
void stress_mixed_step(struct stress_thread *th);

/* Count one operation; false when the thread must stop (ops, time, violation).
 * Also a pause point: parks the thread while an in-run check runs. */
bool stress_continue(struct stress_thread *th);
/* Park here while an in-run check runs (call only between operations). */
void stress_pause_point(struct stress_thread *th);
/* The stop flag alone (time up or a violation). */
bool stress_stopping(const struct stress_ctx *c);

/* Report a violation (printed, counted, raises the stop flag). */
void stress_violation(struct stress_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* get on VCPU `vcpu`, checked; on MT_OK the handle is appended to th->held.
 * Returns the library's code (MT_ERR_NOSPACE is not a violation). */
int stress_get(struct stress_thread *th, unsigned vcpu, mt_handle_t *out);
/* put th->held[i] (from VCPU th->id), checked; removes it from th->held. */
void stress_put_at(struct stress_thread *th, unsigned i);
/* grow th->id's list; MT_ERR_LIMIT is not a violation. */
int stress_grow(struct stress_thread *th, unsigned vcpu);
/* Pass th->held[i] to thread `to`; false (handle kept) if its inbox is full. */
bool stress_pass(struct stress_thread *th, unsigned i, unsigned to);
/* Take what others passed us; returns how many. */
unsigned stress_receive(struct stress_thread *th);
/* An invalid put that must be refused: h from VCPU vcpu, h not held.  For a
 * handle that may be below the limit, the guard's write side is taken and
 * the put is skipped unless no thread holds h (false if skipped). */
bool stress_probe_put(struct stress_thread *th, unsigned vcpu, mt_handle_t h, const char *what);
/* A put of a held handle from an out-of-range VCPU: must be refused, h stays held. */
void stress_probe_bad_vcpu(struct stress_thread *th, unsigned i);

/* PRNG for operation choices (xorshift64*). */
uint64_t stress_rand(struct stress_thread *th);
static inline unsigned stress_below(struct stress_thread *th, unsigned n)
{
	return n ? (unsigned)((stress_rand(th) >> 32) % n) : 0;
}

/* Quiescent checks: conservation against every thread's held list, then
 * mt_verify.  Returns the number of violations found (also counted). */
unsigned stress_check_table(struct stress_ctx *c, const char *when);
/* Put every held handle back (main thread or a barrier's serial thread). */
void stress_drain(struct stress_ctx *c);
/* Monotonic seconds. */
double stress_now(void);

/* ---- the schedule hook (stress_hook.c) ---- */
void stress_hook_config(double yield_rate, uint64_t seed);
void stress_hook_thread(unsigned index);   /* call first thing in each thread */
uint64_t stress_hook_yields(void);         /* total yields so far (approximate) */

/* ---- ThreadSanitizer glue (stress_race.c) ---- */
bool stress_race_tsan(void);               /* built with -fsanitize=thread */
/* keep_going: count reports and go on; else the first ends the run through
 * halt(STRESS_EXIT_RACE, why).  halt must be async-signal-safe and not return. */
void stress_race_config(bool keep_going, void (*halt)(int code, const char *why));
uint64_t stress_race_distinct(void);       /* distinct (kind, pc pair) reports */
uint64_t stress_race_distinct_unlocked(void);  /* the same, for the halt path only */
uint64_t stress_race_suppressed(void);     /* reports the suppressions file matched */
uint64_t stress_race_repeats(void);        /* reports of a pair seen before (silenced) */
void stress_race_print(FILE *f);           /* one RACE line per distinct pair */

/* ---- the emergency exit's pieces (stress_halt.c): async-signal-safe,
 * uninstrumented, for the crash handler and TSan's report hooks ---- */
size_t stress_put_str(char *buf, size_t n, size_t cap, const char *s);   /* append, bounded */
size_t stress_put_u64(char *buf, size_t n, size_t cap, uint64_t v);      /* append decimal */
const char *stress_result_name(int code);  /* STRESS_EXIT_* as SUMMARY's result= */
int stress_halting_claim(void);            /* 0 for the first caller of the process */
void stress_raw_write(int fd, const char *buf, size_t n);  /* write(2), not intercepted */
_Noreturn void stress_raw_exit(int code);  /* exit_group(2), not intercepted */
/* The emergency SUMMARY's end, appended to buf[0..n) (its head: scenario,
 * impl, vcpus, ops): violations, seed, crash_signal, races, result, exit;
 * then written to stdout and the process exits with code. */
_Noreturn void stress_halt_summary_end(char *buf, size_t n, size_t cap, uint64_t seed, int sig, int code);

/* ---- the command line (stress_args.c), both stress programs ---- */
struct stress_cli {
	const char *hint;            /* the line after an error: "(stress --help ...)" */
	bool with_scenario;          /* --scenario NAME is a flag of this program */
	unsigned max_vcpus, max_per_page, max_frames;   /* the flags' upper bounds */
	void (*usage)(FILE *f);      /* --help */
	void (*list)(void);          /* --list */
};
/* Fill *o (its defaults set by the caller) from argv; exit STRESS_EXIT_USAGE
 * with a message on a bad flag or no bound (--ops 0 and --seconds 0). */
void stress_parse_args(int argc, char **argv, const struct stress_cli *cli, struct stress_opts *o);
_Noreturn void stress_die_usage(const struct stress_cli *cli, const char *fmt, const char *arg);
/* Under TSan: run again once with --suppress/--keep-going in TSAN_OPTIONS. */
void stress_tsan_reexec(const struct stress_opts *o, char **argv);
/* SIGSEGV, SIGBUS, SIGFPE, SIGILL go to on_crash (async-signal-safe). */
void stress_catch_crashes(void (*on_crash)(int sig));

/* ---- test-only implementations (planted.c) ---- */
extern const struct mt_ops stress_planted_race_loss;

/* splitmix64: seeding helper. */
uint64_t stress_mix(uint64_t x);

#endif /* STRESS_COMMON_H */
