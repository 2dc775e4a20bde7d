/*
 * locks.h - read-only critical sections as one step: the lock reduction
 * of the explorer's --preemptions all (cfg->lock_reduction).  Private to
 * fuzz/explore; locks.c says how and why it is sound, docs/explore.md
 * "Read-only critical sections as one step" and "Under c11".
 *
 * The driver (explore.c) tells it every schedule point of the step in
 * progress (mt_lr_point), every access made (mt_lr_access, from the
 * after callback) and every step told to the search (mt_lr_step_done,
 * which calls mt_dp_merge() when a section may be one step).  After each
 * run, mt_lr_run_end() says whether the search must start again: a merge
 * relied on a read site since seen written without its lock, the
 * location table overflowed, or (c11) a load was narrowed by the order of
 * two merged sections (the last two switch the reduction off).
 */
#ifndef MT_FUZZ_EXPLORE_LOCKS_H
#define MT_FUZZ_EXPLORE_LOCKS_H

#include "fuzz/engine/sim.h"
#include "fuzz/explore/dpor.h"

/* Marks in a merged step's footprint (mt_dp_fp.driver; the driver's own
 * marks use other bits): a section as one step, and one whose non-mover
 * touched this run's table besides its lock (its footprint is rebuilt
 * in the next run's addresses while it sleeps). */
#define MT_LR_FP_MERGED 2u
#define MT_LR_FP_EXTRA 4u

/* A new search: on or off, under c11 (the clocks' shadow), unchecked
 * (tests: every read under a lock taken as protected), and which
 * locations are the driver's own (never rebuilt). */
void mt_lr_search(struct mt_sim *sim, int on, int c11, int unchecked, int (*static_loc)(const void *a));
int mt_lr_on(void);

/* A new run of the search (nothing when off); under c11 it switches
 * the clocks' shadow on (mt_sim_set_shadow). */
void mt_lr_run_begin(void);
/* v's schedule point at site for an access of addr (its step's). */
void mt_lr_point(unsigned v, unsigned site, const void *addr);
/* v made its access of addr (acc: what it did). */
void mt_lr_access(unsigned v, const void *addr, unsigned acc);
/* v's step fp was told to the search (mt_dp_step); table_alive: the
 * run's table still exists.  1 if a section was merged into one step. */
int mt_lr_step_done(unsigned v, const struct mt_dp_fp *fp, int table_alive);

/* The run is over (call it before the simulator runs again): *narrowed,
 * a c11 load could read more stores by its shadow (mt_sim_narrowed).  1
 * if the search must start again; *off: the reduction (and the shadow)
 * is off from now on. */
int mt_lr_run_end(int *narrowed, int *off);
/* The search started again: what it relied on is forgotten. */
void mt_lr_restarted(void);

#endif /* MT_FUZZ_EXPLORE_LOCKS_H */
