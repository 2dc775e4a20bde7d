/*
 * explore.h - bounded-exhaustive schedule exploration on the simulator.
 *
 * A scenario is a set of operations per VCPU and a geometry (the header of
 * a program).  The explorer runs it under every schedule with at most K
 * preemptions, in the CHESS / loom tradition of context bounding:
 *
 *   - a decision is taken before every schedule point of the running VCPU
 *     (run it on, or switch to another VCPU that can run) and whenever the
 *     running VCPU finished an operation or found a lock held;
 *   - a switch away from a VCPU stopped at a schedule point, that could
 *     have gone on, is a preemption and costs one; a switch after an
 *     operation ended or a VCPU blocked is free (an operation boundary is
 *     a free switch point: the unit of work is the operation), unless
 *     strict_boundaries counts it when the VCPU has operations left;
 *   - with dpor (--preemptions all) there is no bound: one schedule of each
 *     class of equivalent schedules, dpor.h and explore.c (the dependence);
 *   - pruning: a switch before an access that the site table marks private
 *     (mt_sites.h, MT_SK_P) is not taken; the simulator checks every such
 *     claim in every run (I11), which is what makes skipping sound
 *     (docs/explore.md).
 *
 * Each schedule is one simulator run fed one record per decision
 * (mt_sim_run_fed), so every schedule is a program: a violation is saved
 * as an input that replays to the same verdict through the normal path.
 * Depth-first, by re-execution from the start (no state snapshots): the
 * simulator is deterministic, and the explorer checks that every replayed
 * prefix offers the same choices.
 */
#ifndef MT_FUZZ_EXPLORE_H
#define MT_FUZZ_EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#include "fuzz/drivers/harness.h"
#include "lib/maptrack.h"

#define MT_XP_MAX_OPS 16u            /* per VCPU */

struct mt_xp_op {
	uint8_t kind;                    /* enum mt_in_op, never NOP */
	uint8_t arg;
};

struct mt_xp_scenario {
	struct mt_program hdr;           /* geometry only (records unused) */
	unsigned nr_ops[MT_IN_MAX_VCPUS];
	struct mt_xp_op ops[MT_IN_MAX_VCPUS][MT_XP_MAX_OPS];
};

/* The scenario of a program: its header, and as operations the records
 * that start (or, for a put with nothing to put, try to start) an
 * operation when the program runs as written against ops; records after a
 * finding that stopped that run count if they are not nops.  -1 and err if
 * a VCPU would get more than MT_XP_MAX_OPS operations. */
int mt_xp_scenario_of(const struct mt_program *p, struct mt_harness *h,
                      struct mt_xp_scenario *sc, char *err, size_t errcap);

/* The scenario as text (header and one record per operation, run=all). */
void mt_xp_print_scenario(const struct mt_xp_scenario *sc, const struct mt_in_sites *sites, FILE *out);

/* Total operations. */
unsigned mt_xp_nr_ops(const struct mt_xp_scenario *sc);

struct mt_xp_stats {
	uint64_t schedules;          /* runs made (each a distinct schedule) */
	uint64_t violations;         /* runs with a finding */
	uint64_t pruned;             /* switches not taken before private accesses */
	uint64_t budget_cut;         /* switches not taken: the preemption bound */
	uint64_t decisions;          /* decisions taken, over all runs */
	unsigned max_depth;          /* most decisions in one run */
	uint64_t executions;         /* dpor: runs that were new equivalence classes */
	uint64_t sleep_blocked;      /* dpor: runs cut short by the sleep sets (not counted) */
	uint64_t races;              /* dpor: reversible races found */
	uint64_t observer_runs;      /* dpor: runs through other quiescent points of a trace */
	uint64_t lock_narrowed;      /* dpor, lock_reduction, c11: runs with a load that an edge
	                              * between two merged sections narrowed */
	uint64_t lock_merges;        /* dpor, lock_reduction: critical sections told as one step */
	uint64_t lock_restarts;      /* ... searches started again (a relied-on read site was
	                                seen reading a location written without its lock) */
	int lock_reduction;          /* dpor: the lock reduction was on (sc) */
	int observers;               /* dpor: boundaries unordered, quiescent points observed */
	uint64_t crashes;            /* catch_crashes: runs the library crashed in */
	int complete;                /* every schedule within the bound was run */
	int error;                   /* the exploration itself failed (see err) */
	char err[256];
};

/* Called for each violation: the program that ran (one record per
 * decision) and the finding.  Return 0 to go on, 1 to stop. */
typedef int (*mt_xp_violation_fn)(void *ctx, const struct mt_program *ran, const char *finding);

/* Called about every 2^k schedules (progress). */
typedef void (*mt_xp_progress_fn)(void *ctx, const struct mt_xp_stats *st);

/* --lock-reduction's default (explore_main, depth_main): 1 on, 0 off. */
#define MT_XP_LOCK_REDUCTION_DEFAULT 1

struct mt_xp_config {
	struct mt_harness *harness;  /* the engine, its checkers, the implementation */
	unsigned preemptions;        /* K (ignored with dpor) */
	int dpor;                    /* no bound on preemptions: every schedule up to
	                                equivalence (dpor.h; explore.c says which steps
	                                are dependent); under c11 every reads-from
	                                choice of every load */
	uint64_t max_schedules;      /* 0: no bound */
	int no_prune;                /* take switches before private accesses too */
	int strict_boundaries;       /* a switch after an operation of a VCPU with more
	                                operations left is a preemption too */
	unsigned stale;              /* c11: at most this many loads per schedule read
	                                an older store than the newest (read-from
	                                choices enumerated beside the preemptions) */
	int dpor_mutant;             /* tests only: a broken reduction, which the
	                                soundness check must catch: 1 loads touch
	                                nothing; 2 boundaries unordered without the
	                                observer runs; 3 the lock reduction with every
	                                read under a lock taken as protected, unchecked */
	int lock_reduction;          /* dpor: a critical section that only reads
	                                locations written only under its lock is one
	                                step, commuting with others like it (explore.c,
	                                "read-only critical sections"); 0 off */
	int dpor_boundaries;         /* dpor: every start ordered with other VCPUs'
	                                ends, no observers (the reduction before
	                                them; scenarios with put-bad always) */
	int catch_crashes;           /* a crash of the library is a violation ("crash:
	                                signal N") and the search goes on (the table of
	                                that run is leaked); else it ends the process */
	mt_xp_violation_fn on_violation;
	mt_xp_progress_fn on_progress;
	void *ctx;
	volatile int *stop;          /* if set and nonzero: stop before the next schedule */
};

/* Explore.  Returns 0 when done (st->complete says whether the bound on
 * schedules cut it short), -1 on an error of the exploration (st->err):
 * a replayed prefix that offered other choices (nondeterminism), a run
 * longer than MT_IN_MAX_RECORDS decisions, or a private claim the pruning
 * cannot rely on (an operation whose last access is private). */
int mt_xp_explore(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg,
                  struct mt_xp_stats *st);

/* The soundness check of the reduction on one scenario: explored to the
 * end reduced (dpor) and naive (every switch at every point, every
 * reads-from choice, no pruning), crashes caught as verdicts; each side's
 * verdicts as a set of kinds (a bit per kind: "I7", "I11", "crash", ...,
 * numbered in the order first seen, kept across calls in the struct).
 * The naive side stops after max_naive schedules (naive_complete 0: what
 * it found so far must still be among the reduced side's kinds; complete,
 * the kinds must be the same: mt_xp_check_differs()).  cfg gives the harness and the model's stale bound is
 * ignored (every choice).  -1 on an error of either exploration (err). */
struct mt_xp_check {
	unsigned nkinds;
	char kinds[32][32];
	uint32_t reduced, naive;         /* kinds found by each */
	uint64_t executions, runs, naive_schedules;
	uint64_t lock_restarts;          /* the reduced side's (lock_reduction) */
	uint64_t lock_narrowed;          /* ... of them, for a load a merged section narrowed (c11) */
	int naive_complete;
	/* The quiescent states (the table at every quiescent point: view, list
	 * ends, every entry) each side reached, when neither found anything
	 * (a run stops at its first finding) and no set overflowed: every
	 * state of the naive side must be among the reduced side's. */
	int states_compared;
	uint64_t states_reduced, states_naive, states_missing;
	char err[300];
};
int mt_xp_check_dpor(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg, uint64_t max_naive,
                     struct mt_xp_check *out);
/* 1 if the reduced search is caught missing something (see above): a
 * kind of verdict, or (naive complete, states compared) a quiescent state. */
int mt_xp_check_differs(const struct mt_xp_check *c);

/* The kinds of a set, comma-separated ("none" if empty). */
void mt_xp_print_kinds(const struct mt_xp_check *c, uint32_t kinds, FILE *out);

/* The program that ran, with one record per decision, merged into the
 * fewest records that run the same schedule (a record per stretch of one
 * VCPU: "v0 get run=4", "v1 nop run=all").  Needs the end states the
 * explorer noted, so only valid inside an on_violation callback. */
void mt_xp_compact(const struct mt_program *ran, struct mt_program *out);

/* The program of the run in progress (for a crash handler). */
struct mt_program *mt_xp_current(void);

#endif /* MT_FUZZ_EXPLORE_H */
