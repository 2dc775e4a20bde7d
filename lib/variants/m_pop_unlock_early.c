/*
 * m-pop-unlock-early - origin: mutant (seeded slip: a critical section one
 * line too short).
 *
 * Change: pop reads head and head.ref under the freelist_lock but drops
 * the lock before it writes head = next.
 *
 * Interleaving: S steals from V: reads head = H, next = N, unlocks, stalls
 * before head = N.  V gets: the lock is free, head is still H: V gets H
 * (head = N).  S writes head = N and also returns H.  Two consumers of one
 * list (the owner and a thief, or two thieves) hand out the same handle.
 *
 * Breaks: I7 (duplicate hand-out), then I5/I4 when one of them puts H back
 * while the other holds it.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

int mt_zoo_unlock_early_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	uint32_t next = MT_TAIL;
	if (head != MT_TAIL)
		next = mt_load_acquire(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
	/* BUG: unlocked before the head update it was protecting. */
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	if (head == MT_TAIL || next == MT_TAIL)
		return MT_ERR_NOSPACE;
	mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
	*out = head;
	return MT_OK;
}

static const struct mt_pv_steps steps = {
	.pop = mt_zoo_unlock_early_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_pop_unlock_early, "m-pop-unlock-early",
	"mutant: pop drops the freelist lock before it advances head; two consumers hand out one handle (I7)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_pop_unlock_early,
	"mutant",
	"I7 I5", "sim stress", 0, "steal")
