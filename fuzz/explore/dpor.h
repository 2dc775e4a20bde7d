/*
 * dpor.h - dynamic partial-order reduction: source sets with sleep sets
 * (Abdulla, Aronis, Jonsson, Sagonas, POPL'14), stateless, by re-execution.
 *
 * The search knows nothing of the simulator: a driver runs an execution
 * step by step, asks mt_dp_choose() which process makes the next step
 * (and, for a load with a reads-from choice, which store it reads), tells
 * mt_dp_step() what the step touched (its footprint), and calls
 * mt_dp_end() when the execution is over; mt_dp_end() says whether
 * another execution is to be run.  Executions replay the stack of
 * decisions from the start (the driver's program must be deterministic).
 *
 * Two steps of different processes are dependent when their footprints
 * touch one location and one of them writes it, or when one reads every
 * location (reads_all) and the other writes any.  Every execution explored
 * is a Mazurkiewicz trace under that dependence with the reads-from choice
 * of each load as part of its step; each trace is explored at least once
 * (source sets), and a run whose every enabled process is asleep is
 * finished without being counted (sleep-set blocked).  What is sound
 * depends on the footprints covering everything a step's result and every
 * checker's verdict depend on: the driver's job (explore.c says how).
 */
#ifndef MT_FUZZ_EXPLORE_DPOR_H
#define MT_FUZZ_EXPLORE_DPOR_H

#include <stdint.h>

#define MT_DP_MAX_PROCS 8u
#define MT_DP_MAX_DEPTH 2048u     /* steps in one execution */
#define MT_DP_FP_MAX 40u          /* locations one step touches */

/* What one step touched. */
struct mt_dp_fp {
	uint8_t n;
	uint8_t reads_all;            /* reads every location (a checker's view) */
	uint8_t overflow;             /* more than MT_DP_FP_MAX locations: dependent with everything */
	uint8_t any_write;            /* a write among e[] or kw */
	uint64_t kr, kw;              /* small keyed locations (bit k: key k) read, written */
	uint8_t driver;               /* the driver's own marks (dpor.c ignores them) */
	struct {
		const void *loc;
		uint8_t write;
	} e[MT_DP_FP_MAX];
};

/* An empty footprint: e[] past n is never read (a memset of all its
 * entries was a twentieth of a run). */
static inline void mt_dp_fp_clear(struct mt_dp_fp *fp)
{
	fp->n = 0;
	fp->reads_all = fp->overflow = fp->any_write = fp->driver = 0;
	fp->kr = fp->kw = 0;
}

/* Add an access of loc to fp (a location already in it keeps its write). */
void mt_dp_fp_add(struct mt_dp_fp *fp, const void *loc, int write);

/* Add a read or write of key k (0-63; larger keys share 63). */
void mt_dp_fp_key(struct mt_dp_fp *fp, unsigned k, int write);

/* Whether two steps of different processes are dependent. */
int mt_dp_dependent(const struct mt_dp_fp *a, const struct mt_dp_fp *b);

struct mt_dp_stats {
	uint64_t executions;          /* runs that were not sleep-set blocked */
	uint64_t blocked;             /* runs finished because every enabled process slept */
	uint64_t races;               /* reversible races found */
	uint64_t backtracks;          /* processes added to backtrack sets */
	uint64_t merges;              /* mt_dp_merge() calls that made one step of several */
	uint64_t merge_errors;        /* a merged step replayed without its merge */
};

/* A new search over nprocs processes. */
void mt_dp_reset(unsigned nprocs);

/* A new execution: replay the stack, then extend it. */
void mt_dp_begin(void);

/* The next step: enabled is the mask of processes that can make a step;
 * prefer the process to take at a new decision if it may (the one that
 * ran last: fewer context switches).  Sets *proc and *rf (the reads-from
 * choice of the step if it is a load with one: 0 the newest store, k the
 * k-th older).  Returns 0, or -1 if a replayed decision saw other enabled
 * processes than when it was made (nondeterminism) or the execution is
 * longer than MT_DP_MAX_DEPTH steps. */
int mt_dp_choose(unsigned enabled, unsigned prefer, unsigned *proc, unsigned *rf);

/* The step just chosen was made: what it touched, and how many stores it
 * could have read (a load with a reads-from choice: >1; else 0 or 1). */
void mt_dp_step(const struct mt_dp_fp *fp, unsigned rf_allowed);

/* The execution is over: find its races, then move to the next execution.
 * finding: it stopped at a finding, inside its last step (the steps the
 * other processes would have made are unknown: each is tried in that
 * step's place).  Returns 1 if there is another execution, 0 when the
 * search is complete.  *counted: this execution was a new one (not
 * sleep-set blocked). */
int mt_dp_end(int finding, int *counted);

/* The last k steps of this execution (each already told by mt_dp_step(),
 * all of one process, none with a reads-from choice) are one step: the
 * first of them is its node, with footprint fp; the others stay on the
 * stack as its continuation (empty footprints, never a branch point), so
 * a replay runs them again in the same place.  For a driver whose
 * atomic blocks (a critical section that only reads, dpor.h's callers
 * say when that is sound) are longer than one step.  The merge of steps
 * new in this execution computes the sleep sets after it from fp; a
 * replayed merged step must be merged again, with the same k (its
 * footprint refreshed), else merge_errors counts it.  Returns 0, or 1 if
 * refused (the steps straddle this execution's branch point, or k does
 * not match the replayed merge): the steps stay as they are. */
int mt_dp_merge(unsigned k, const struct mt_dp_fp *fp);

/* Footprints of processes that did not move are kept from the execution
 * that made them and compared with steps of later executions (sleep
 * sets).  A driver whose locations are addresses that differ from one
 * execution to the next (a table allocated per run) gives a function that
 * rewrites such a footprint into this execution's addresses; it is called
 * when process proc has not moved since fp was made. */
void mt_dp_set_refresh(void (*fn)(unsigned proc, struct mt_dp_fp *fp));

/* Steps of the execution so far; whether it is sleep-set blocked now. */
unsigned mt_dp_depth(void);
int mt_dp_blocked(void);

const struct mt_dp_stats *mt_dp_stats(void);

/* The execution mt_dp_end() just finished (0 steps if it was sleep-set
 * blocked), valid until the next mt_dp_end(): its length, and step k's
 * process, reads-from choice and vector clock (clock[q]: position + 1 of
 * the latest step of q that happens before step k, k's own included). */
unsigned mt_dp_trace_len(void);
void mt_dp_trace_step(unsigned k, unsigned *proc, unsigned *rf, uint16_t clock[MT_DP_MAX_PROCS]);

#endif /* MT_FUZZ_EXPLORE_DPOR_H */
