/*
 * m-steal-takes-last - origin: mutant (seeded slip).
 *
 * Change: steal pops from its victims without the "keep the last entry"
 * rule (its own copy of pop lost the next != MT_TAIL test); the owner's get
 * keeps it.
 *
 * Interleaving (sequential): at the frame limit V0's list is one entry T;
 * V1 gets, its own list cannot serve, and steal takes T: V0's head becomes
 * MT_TAIL while its tail is T (in use by V1).  A later put into V0 links
 * T, and V0's next get treats its list as never filled.
 *
 * Breaks: I3 (V0's list emptied), I1 (head MT_TAIL, tail not), then I9.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

/* pop without the last-entry rule: used by steal only. */
static int pop_any(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {
		/* BUG: no "next != MT_TAIL" test. */
		uint32_t next = mt_load_acquire(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
		mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
		*out = head;
		rc = MT_OK;
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

static int greedy_steal(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	unsigned n = t->base.cfg.nr_vcpus;
	unsigned first = mt_pv_random(t) % n, i = first;

	(void)curr;
	do {
		if (pop_any(t, i, out) == MT_OK)
			return MT_OK;
		i = (i + 1) % n;
	} while (i != first);
	return MT_ERR_NOSPACE;
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = greedy_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_steal_takes_last, "m-steal-takes-last",
	"mutant: steal may take a victim's last entry, emptying its list (I3, I1)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_steal_takes_last,
	"mutant",
	"I3 I1", "sim stress", 1, "grow")
