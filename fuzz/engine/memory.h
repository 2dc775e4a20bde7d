/*
 * memory.h - the engine's memory model: happens-before clocks and, under
 * the c11 model, which store each atomic load reads.
 *
 * The simulator runs one access at a time, so real memory always holds
 * the newest store to every location (modification order is the order the
 * schedule made the stores in).  This module keeps, beside it:
 *
 * - a vector clock per VCPU.  Edges: program order; an acquire read (or
 *   acq_rel, seq_cst) of a store in a release sequence (a release store
 *   starts one, any RMW continues it, any other store ends it); fences
 *   (a release fence lends its clock to the relaxed stores after it, an
 *   acquire fence takes the clocks of the stores the relaxed loads before
 *   it read); the harness's hand-offs (a get that returns a handle
 *   releases, a put of that handle by another VCPU acquires: the edge a
 *   real program would need to pass the handle);
 * - under c11, per atomic location a bounded history of its last
 *   MT_MEM_HISTORY stores (value, writer, clock).  An atomic load may read
 *   any store of it that is not older than the newest store that happens
 *   before the load (write-read coherence) nor older than a store that
 *   the VCPU, or an access that happens before the load, already read or
 *   wrote there (read-read coherence).  Which one: the
 *   VCPU's pending read-from choice (a read-from record of the input), 0 =
 *   the newest, k = k steps older, modulo the number allowed.  Choices
 *   queue up per VCPU (MT_MEM_CHOICES; more are dropped): each atomic load
 *   of the VCPU that may read more than one store takes the oldest (loads
 *   with one store to read leave the queue alone); with none queued, the
 *   newest.  RMWs always read the newest store (atomicity).
 *
 * Accesses whose schedule point is not followed by mt_sched_after() (no
 * MT_ACC_DEFER: plain accesses, locks) always read the newest store; they
 * still take part in happens-before.  Atomics of instrumented code
 * (fuzz/instrument/ix.c) are deferred like the accessors', and so are its
 * volatile accesses under c11 with volatile = "relaxed".
 *
 * Deliberately stronger than C11 (it removes behaviours, never adds one):
 * seq_cst loads read the newest store, and every seq_cst access or fence
 * synchronizes with every earlier one (one global clock, like a lock);
 * plain accesses are sequentially consistent (their races are finding I12
 * of fuzz/checkers/races.c, not weak values); a location written by code
 * the model does not see (atomic_init, memset) restarts its history with
 * the value found in memory, ordered before every VCPU; a 16-byte access
 * is performed on its two 8-byte halves together, and both read only
 * their newest store for the rest of the run.  Not modelled:
 * out-of-thin-air values, other mixed-size accesses to one location.
 */
#ifndef MT_FUZZ_ENGINE_MEMORY_H
#define MT_FUZZ_ENGINE_MEMORY_H

#include <stdint.h>

#include "fuzz/format/input.h"

/* Stores kept per atomic location under c11. */
#define MT_MEM_HISTORY 8u
/* Locations a run can track (more are counted, mt_mem_untracked()). */
#define MT_MEM_LOCS 8192u
/* Read-from choices a VCPU can have queued. */
#define MT_MEM_CHOICES 8u

struct mt_mem;

struct mt_mem *mt_mem_new(void);
void mt_mem_free(struct mt_mem *m);

/* A new run.  c11: keep histories and honour read-from choices; else only
 * the clocks (each location's newest store). */
void mt_mem_begin(struct mt_mem *m, int c11);

/* v's clock now (MT_IN_MAX_VCPUS entries). */
const uint32_t *mt_mem_clock(const struct mt_mem *m, unsigned v);

/* A read-from record: queue a choice for v's next atomic load with a
 * choice to make (the choice-th store back, modulo the allowed). */
void mt_mem_choose(struct mt_mem *m, unsigned v, unsigned choice);

/* v makes an access now (before the real one; acc: enum mt_acc). */
void mt_mem_access(struct mt_mem *m, unsigned v, int site, const void *addr, unsigned acc);

/* The number of the location the last mt_mem_access() touched, dense
 * from 0 in the order this run first touched them (< MT_MEM_LOCS); -1 if
 * it touched none or the location is untracked.  Observers key their own
 * per-location state on it (mt_sim_loc()) instead of hashing addresses
 * again. */
int mt_mem_last_loc(const struct mt_mem *m);
/* A 16-byte access touches two locations, its halves at addr and
 * addr + 8 (an 8-byte access of either half finds the same one): the
 * upper half's number, else -1. */
int mt_mem_last_loc2(const struct mt_mem *m);

/* What a load read, when it was not the newest store (for the pictures). */
struct mt_mem_read {
	uint64_t val, newer_val;     /* read; the newest at the time */
	int from_v, newer_v;         /* writers (-1: before the run, or unseen code) */
	int from_site, newer_site;   /* this run's site ids (-1: none) */
	unsigned back;               /* stores between them and the newest + 1 */
	int site;                    /* the load's own site */
	unsigned size;               /* bytes of the values */
};

/* After the real access of the last mt_mem_access() by v: a store's value
 * is taken from memory; an RMW that did not write (a failed CAS) passes
 * acc with MT_ACC_LOAD; a load's value in *val (size from acc) is replaced
 * by the store the model chose.  Returns 1 and fills *r if that was not
 * the newest. */
int mt_mem_after(struct mt_mem *m, unsigned v, const void *addr, unsigned acc, void *val,
                 struct mt_mem_read *r);

/* A fence by v (order: enum mt_acc's order bits). */
void mt_mem_fence(struct mt_mem *m, unsigned v, unsigned order);

/* The harness hands handle h from v (a get returned it) ... */
void mt_mem_hand_release(struct mt_mem *m, unsigned v, unsigned h);
/* ... to v (a put of h starts). */
void mt_mem_hand_acquire(struct mt_mem *m, unsigned v, unsigned h);

/* How many stores v's last access could have read if it was an atomic
 * load with a choice (c11), else 0 or 1 (for the explorer). */
unsigned mt_mem_last_allowed(const struct mt_mem *m, unsigned v);

/* The explorer's lock reduction under c11 (fuzz/explore/explore.c): a
 * shadow of every clock leaves out the edges from one merged critical
 * section's release to another's acquire, since the reduction lets two
 * such sections trade places.  A load whose shadow lets it read more
 * stores than its clock is counted (mt_mem_narrowed: this run's): the
 * order of two merged sections then decides what it may read. */
void mt_mem_set_shadow(struct mt_mem *m, int on);
unsigned mt_mem_narrowed(const struct mt_mem *m);
/* v released lock (its section's last access, just made): the section
 * was merged or not.  Every release of a lock by a VCPU whose section
 * is not merged must be told too (merged = 0), nested ones included. */
void mt_mem_section_end(struct mt_mem *m, unsigned v, const void *lock, int merged);

/* The size-byte value at addr (1, 2, 4 or 8 bytes; else 0). */
uint64_t mt_mem_peek(const void *addr, unsigned size);

/* Locations of the last run the model could not track (table full). */
unsigned mt_mem_untracked(const struct mt_mem *m);

#endif /* MT_FUZZ_ENGINE_MEMORY_H */
