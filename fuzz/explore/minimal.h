/*
 * minimal.h - minimal first and known findings for the explorers
 * (maptrack_explore's and byo_explore's --minimal and --known).
 *
 * Iterative deepening over a scenario: preemptions k = 0 .. max_k, then a
 * prefix of n operations of each VCPU, n = 1 .. the most any VCPU has;
 * each (k, n) is explored exhaustively (small ones again inside bigger
 * ones: the cost of reporting the smallest first).  The violation
 * callback asks mt_xp_minimal_new() about each violation's signature
 * (fuzz/known/known.h): a known one, or one reported already, is counted
 * and the search goes on; the search stops after the first new signature
 * unless `all`.
 */
#ifndef MT_FUZZ_EXPLORE_MINIMAL_H
#define MT_FUZZ_EXPLORE_MINIMAL_H

#include <stddef.h>

#include "fuzz/explore/explore.h"
#include "fuzz/known/known.h"

struct mt_xp_minimal {
	/* set by the caller */
	unsigned max_k;              /* the last preemption bound tried */
	int all;                     /* go on after a new signature */
	int quiet;                   /* no progress lines */
	struct mt_known *known;      /* known signatures; NULL: none */
	volatile int *stop;          /* if set and nonzero: stop (interrupted) */
	/* the (preemptions, prefix) being explored */
	unsigned cur_k, cur_n;
	/* violations skipped as known / as reported already */
	unsigned long n_known, n_repeat;
	/* new signatures (the first 32 kept), where the first was found */
	unsigned nsigs;
	char sigs[32][MT_SIG_MAX];
	int first_set;
	unsigned first_k, first_n;
};

/* A violation's signature: 1 if new (kept), 0 if known or reported
 * already (counted; the search goes on). */
int mt_xp_minimal_new(struct mt_xp_minimal *m, const char *sig);

/* Explore sc by iterative deepening under cfg (its preemptions are
 * replaced by each k); statistics summed into st.  0 done, -1 an error
 * of the exploration (st->err). */
int mt_xp_minimal_explore(struct mt_xp_minimal *m, const struct mt_xp_scenario *sc,
                          const struct mt_xp_config *cfg, struct mt_xp_stats *st);

/* " minimal=1 first_k=K first_ops=N known=N new=N new_sigs=A,B" (- when
 * none) for a SUMMARY line. */
void mt_xp_minimal_summary(const struct mt_xp_minimal *m, char *buf, size_t cap);

/* Exit status of a minimal search: 1 new signatures, 3 only known ones,
 * 0 none. */
int mt_xp_minimal_status(const struct mt_xp_minimal *m);

#endif /* MT_FUZZ_EXPLORE_MINIMAL_H */
