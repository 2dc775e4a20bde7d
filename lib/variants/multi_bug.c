/*
 * multi_bug.c - multi-bug variants: two slips of the zoo, of different
 * depth, in one implementation, as real code has them.  Each variant's
 * shallow bug is found at once by every engine; the deep one only once
 * the shallow one's signatures are known (--known), or fixed.
 *
 *   multi-b2-b1          stale sentinel (B2: sequential, no preemption)
 *                        + lock-free ABA pop (B1: one preemption)
 *   multi-b5-b1          no steal after a failed allocation (B5: sequential
 *                        liveness, I10) + the lock-free ABA pop (B1).  As in
 *                        the 2015 code, the lock-free pop touches memory the
 *                        locked list code holds privately, and I11 says so
 *                        long before the ABA completes: with I11 on, B1 is
 *                        found first as I11 pairs (1 operation per VCPU in
 *                        the explorer; 2.3-3.6k libFuzzer executions), and
 *                        the ABA's own list corruption (1 preemption, 8
 *                        operations per VCPU) still shows (25-143k
 *                        executions, I11 not in the way of every run).  With
 *                        I11 off only the corruption is left: that is the
 *                        depth the real bug had (no claims checker in 2015),
 *                        which bugbench --multi times with I11 off.
 *   multi-b3-pop-unlock  put without the in-use claim (B3: a double put,
 *                        sequential) + pop unlocking before the head update
 *                        (m-pop-unlock-early: one preemption).  B3 also
 *                        crashes: a put of a free handle whose owner's list
 *                        has no tail yet links entry MT_TAIL (SEGV), and a
 *                        signal ends the process; campaigns restart past it
 *                        (bugbench --multi, //bugbench:multi_deep_test)
 *
 * The broken steps are the zoo's own (b1_xsa228_aba.c, b2_stale_sentinel.c,
 * b3_double_put.c, b5_oom_no_steal.c, m_pop_unlock_early.c), shared
 * through zoo_steps.h.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

/* B1's pop has a schedule point of its own: its table comes along. */
static const struct mt_site_table *const multi_site_tables[] = { &mt_pv_site_table, &mt_zoo_b1_site_table,
                                                                  NULL };

/* ---- the variants ---- */

static const struct mt_pv_steps b2_b1_steps = {
	.pop = mt_zoo_aba_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_zoo_stale_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE_SITES(mt_zoo_multi_b2_b1, "multi-b2-b1",
	"two bugs: XSA-228 part 2's stale sentinel (sequential) and part 1's lock-free ABA pop (one preemption)",
	b2_b1_steps, multi_site_tables)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b2_b1, "multi-bug: B2 + B1",
	"I2 I5 I11", "sim", 1, 2)

static const struct mt_pv_steps b5_b1_steps = {
	.pop = mt_zoo_aba_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_zoo_no_steal_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE_SITES(mt_zoo_multi_b5_b1, "multi-b5-b1",
	"two bugs: B5's spurious allocation failure (sequential, I10) and B1's lock-free ABA pop (I11 first; list corruption after 8 operations per VCPU)",
	b5_b1_steps, multi_site_tables)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b5_b1, "multi-bug: B5 + B1 (2015 per-VCPU lists)",
	"I10 I5 I11", "sim", 1, 2)

static const struct mt_pv_steps b3_unlock_steps = {
	.pop = mt_zoo_unlock_early_pop,
	.put = mt_zoo_unguarded_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE(mt_zoo_multi_b3_pop_unlock, "multi-b3-pop-unlock",
	"two bugs: B3's unguarded put (double put, sequential) and a pop that unlocks before the head update (one preemption)",
	b3_unlock_steps)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b3_pop_unlock, "multi-bug: B3 + m-pop-unlock-early",
	"I7 I5", "sim", 1, 2)
