/*
 * races.h - finding I12: data races, by happens-before.
 *
 * Happens-before is the engine's (fuzz/engine/memory.h: vector clocks
 * over the simulated VCPUs; release sequences, fences, locks as the atomics
 * they are, and the harness's hand-off of a handle from the VCPU that got
 * it to the one that puts it, modelled as the release and acquire a real
 * program would need).  Program order within a VCPU is an edge too
 * (operations of one VCPU never overlap).
 *
 * A data race: two accesses to one location from different VCPUs, at least
 * one a write, at least one plain (not atomic), not ordered by
 * happens-before.  A 16-byte access is an access of both its 8-byte
 * halves (an 8-byte access of either meets it).  Reported as "I12" with both sites, VCPUs and operations.
 * Only the accesses the library passes through its accessors (or, for
 * instrumented code, the runtime) are seen; the oracle's own reads at
 * quiescent points are not accesses of any VCPU.
 */
#ifndef MT_FUZZ_CHECKERS_RACES_H
#define MT_FUZZ_CHECKERS_RACES_H

#include "fuzz/engine/sim.h"

struct mt_races;

struct mt_races *mt_races_new(void);
void mt_races_free(struct mt_races *r);

/* Attach with mt_sim_attach(sim, &mt_races_observer, r). */
extern const struct mt_sim_observer mt_races_observer;

/* 1 (default): check.  0: do not (tools/explore --no-i11: the state
 * invariants only). */
void mt_races_enable(struct mt_races *r, int on);

/* Accesses of the last run to locations the memory model did not track
 * (its table of MT_MEM_LOCS was full; a race there would go unseen). */
unsigned mt_races_untracked(const struct mt_races *r);

#endif /* MT_FUZZ_CHECKERS_RACES_H */
