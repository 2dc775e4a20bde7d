/*
 * conflicts.h - conflicting pairs of sites: two sites of an implementation
 * seen on one address, from different VCPUs, with a write on at least one
 * side, in the order they happened (site A's access, then site B's: the
 * two orders of a pair are two windows of the code).  An observer that accumulates the pairs over every run it sees
 * (a corpus replay, every schedule of an exploration), so two ways of
 * driving the engine can be compared: which windows of the code each
 * reaches (tools/explore --conflicts, maptrack_replay --conflicts).
 */
#ifndef MT_FUZZ_CHECKERS_CONFLICTS_H
#define MT_FUZZ_CHECKERS_CONFLICTS_H

#include <stdio.h>

#include "fuzz/engine/sim.h"

struct mt_conflicts;

struct mt_conflicts *mt_conflicts_new(void);
void mt_conflicts_free(struct mt_conflicts *c);

/* Attach with mt_sim_attach(sim, &mt_conflicts_observer, c). */
extern const struct mt_sim_observer mt_conflicts_observer;

/* Distinct pairs seen so far. */
unsigned mt_conflicts_count(const struct mt_conflicts *c);

/* One line per ordered pair, "SITE_A<TAB>SITE_B" (A's access first),
 * sorted; returns the number written. */
unsigned mt_conflicts_write(const struct mt_conflicts *c, FILE *out);

#endif /* MT_FUZZ_CHECKERS_CONFLICTS_H */
