/*
 * w-relaxed-next - seeded weak-memory slip: pop reads the head entry's
 * link (.ref) with a relaxed load instead of an acquire load.
 *
 * Change: mt_pv_pop()'s read of head.ref (POP_READ_NEXT) is relaxed.
 * Otherwise identical to production.
 *
 * Real hardware: put publishes a returned entry X by storing X into the old
 * tail's .ref with a release store (PUT_LINK), after setting X.ref = TAIL
 * (PUT_MARK_TAIL, relaxed, ordered by that release).  A popper that reads
 * the link relaxed is not ordered after X.ref = TAIL: on Arm or POWER its
 * next pop may still see an older X.ref, a link from X's previous life on
 * some list, and make that stale entry its head.  The list then hands out
 * an entry that is in use or on another list (I7, I5, I2).  On x86 (TSO)
 * loads are not reordered with older loads, so it never shows there; a
 * sequentially consistent simulator cannot show it either.
 *
 * Breaks: I7 I5 I2, only when a load reads an older store (the c11 memory
 * model with read-from choices).  No plain access: no data race.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int relaxed_next_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {
		struct mt_entry *e = mt_pv_entry(t, head);
		/* BUG: relaxed; nothing orders the linked entry's .ref = TAIL
		 * before our later read of it. */
		uint32_t next = mt_load_relaxed(&e->ref, MT_PV_SITE(POP_READ_NEXT));
		if (next != MT_TAIL) {
			mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
			*out = head;
			rc = MT_OK;
		}
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

static const struct mt_pv_steps steps = {
	.pop = relaxed_next_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_w_relaxed_next, "w-relaxed-next",
	"pop reads the head entry's link relaxed, not acquire (weak memory: a stale link becomes the head)",
	steps)

MT_ZOO_REGISTER(mt_zoo_w_relaxed_next, "mutant (weak memory: acquire of POP_READ_NEXT weakened to relaxed)",
	"I7 I5 I2", "c11", 0, "remote_put")
