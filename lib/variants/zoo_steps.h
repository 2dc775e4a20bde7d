/*
 * zoo_steps.h - the broken steps of single-bug variants, for variants that
 * combine several slips (multi_bug.c).  Each is defined, with its story,
 * in its own variant's file.
 */
#ifndef MT_VARIANTS_ZOO_STEPS_H
#define MT_VARIANTS_ZOO_STEPS_H

#include "lib/mt_internal.h"

/* b1_xsa228_aba.c: lock-free CAS pop (B1's ABA), and the table of its one
 * schedule point (ZOO_POP_CAS_HEAD): a variant using the pop names it. */
int mt_zoo_aba_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out);
extern const struct mt_site_table mt_zoo_b1_site_table;

/* b2_stale_sentinel.c: the stolen sentinel keeps its victim's link (B2). */
void mt_zoo_stale_sentinel(struct mt_pv_table *t, unsigned curr);

/* b3_double_put.c: put without the in-use claim (B3). */
int mt_zoo_unguarded_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h);

/* b5_oom_no_steal.c: no steal after a failed allocation (B5). */
int mt_zoo_no_steal_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out);

/* m_pop_unlock_early.c: pop unlocks before the head update. */
int mt_zoo_unlock_early_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out);

#endif /* MT_VARIANTS_ZOO_STEPS_H */
