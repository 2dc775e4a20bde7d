/*
 * m-hand-out-early - origin: mutant (seeded slip).
 *
 * Change: pop marks the entry in use (state IN_USE, release) as soon as it
 * has decided to take it, before it advances head; production marks it
 * last, after the entry has left the list.
 *
 * Interleaving: V pops H (next N) and marks H in use, then stalls before
 * head = N.  A hostile put of H (any VCPU; handles come from an untrusted
 * caller) now passes the claim: H.ref = TAIL, tail swings to H, the old
 * tail links to H.  V resumes, head = N, and hands H out: H is handed out
 * and V's tail.  The next put into V writes H.ref while H is in use.
 *
 * Breaks: I5 (H on a list and handed out), I4 (an entry in use on a list),
 * I7 (H can be handed out twice), I9.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int early_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {
		struct mt_entry *e = mt_pv_entry(t, head);
		uint32_t next = mt_load_acquire(&e->ref, MT_PV_SITE(POP_READ_NEXT));
		if (next != MT_TAIL) {
			/* BUG: in use while still the head of the list. */
			mt_store_release(&e->state, MT_STATE_IN_USE, MT_PV_SITE(GET_HAND_OUT));
			mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
			*out = head;
			rc = MT_OK;
		}
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

static const struct mt_pv_steps steps = {
	.pop = early_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_hand_out_early, "m-hand-out-early",
	"mutant: pop marks the entry in use before it leaves the list; a hostile put in the window re-lists it (I5, I4)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_hand_out_early,
	"mutant",
	"I5 I4 I7 I9", "sim stress", 0, "grow")
