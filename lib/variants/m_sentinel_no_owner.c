/*
 * m-sentinel-no-owner - origin: mutant (seeded slip).
 *
 * Change: the stolen sentinel gets .ref = MT_TAIL but keeps its victim's
 * .vcpu (the "set owner" line is forgotten).
 *
 * Interleaving (sequential): at the frame limit V0 has A->B->C->D, V1 never
 * mapped; V1 gets and steals A as its sentinel.  A sits on V1's list with
 * .vcpu == 0, so a later put of A would go to V0's list.
 *
 * Breaks: I4 (every entry on list v has .vcpu == v).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static void ownerless_sentinel(struct mt_pv_table *t, unsigned curr)
{
	mt_handle_t s;

	if (t->steps->steal(t, curr, &s) != MT_OK)
		return;
	mt_store_relaxed(&mt_pv_entry(t, s)->ref, MT_TAIL, MT_PV_SITE(SENTINEL_RESET));
	/* BUG: .vcpu still names the victim. */
	t->steps->thread(t, curr, s, s);
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = ownerless_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_sentinel_no_owner, "m-sentinel-no-owner",
	"mutant: the stolen sentinel keeps its victim's .vcpu (I4)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_sentinel_no_owner,
	"mutant",
	"I4", "sim stress", 1, "grow")
