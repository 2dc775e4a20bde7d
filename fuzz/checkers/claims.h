/*
 * claims.h - finding I11: private accesses respected.
 *
 * A site of kind P (lib/mt_sites.h) claims that the memory it touches is
 * private to the accessing VCPU from that access until the VCPU's next
 * access without P (data under a lock it holds, an entry it has taken off
 * every list).  This checker keeps each VCPU's claims in force and reports
 * another VCPU's access to claimed memory, with a write on either side, as
 * I11.  tools/explore skips switches before claimed accesses, which is
 * sound only because this checker runs on every run.
 */
#ifndef MT_FUZZ_CHECKERS_CLAIMS_H
#define MT_FUZZ_CHECKERS_CLAIMS_H

#include "fuzz/engine/sim.h"

struct mt_claims;

struct mt_claims *mt_claims_new(void);
void mt_claims_free(struct mt_claims *c);

/* The observer; attach with mt_sim_attach(sim, &mt_claims_observer, c). */
extern const struct mt_sim_observer mt_claims_observer;

/* 1 (default): check.  0: do not (tools/explore --depth --no-i11 measures
 * how deep a bug is before it corrupts the lists; the explorer must not
 * prune then). */
void mt_claims_enable(struct mt_claims *c, int on);
int mt_claims_enabled(const struct mt_claims *c);

/* Private accesses of the last run not tracked (too many in a row: the
 * explorer refuses to prune such a run). */
unsigned mt_claims_overflows(const struct mt_claims *c);

#endif /* MT_FUZZ_CHECKERS_CLAIMS_H */
