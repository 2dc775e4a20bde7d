/*
 * oracle.h - the maptrack oracle: the shadow model and the invariants
 * I1-I10 (shared/maptrack-history.md section 3), as an observer of a run.
 *
 * A shadow state per handle (free / held by v / being put by an operation)
 * is updated only from what operations return, never from the library's
 * own state.  It is checked after every operation that returns, and the
 * whole table is walked independently (ops->view, list_ends, entry) at
 * every quiescent point and at the end; mt_verify() is called too and its
 * failure is a finding.  Violations go to mt_sim_fail().
 *
 * The oracle also has the workload role of the run (struct
 * mt_sim_observer): its book of held handles resolves which handle a put
 * record puts and which handles the epilogue returns.
 */
#ifndef MT_FUZZ_CHECKERS_ORACLE_H
#define MT_FUZZ_CHECKERS_ORACLE_H

#include "fuzz/engine/sim.h"

struct mt_oracle;

struct mt_oracle *mt_oracle_new(void);
void mt_oracle_free(struct mt_oracle *o);

/* Attach with mt_sim_attach(sim, &mt_oracle_observer, o). */
extern const struct mt_sim_observer mt_oracle_observer;

#endif /* MT_FUZZ_CHECKERS_ORACLE_H */
