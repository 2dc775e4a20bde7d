/*
 * b4b-grow-plain-head - origin: XSA-218 "correct maptrack table accesses"
 * (B4b), Xen dff515dfea (2015: grow reads head and later writes head =
 * handle + 1 with a plain write_atomic) until 4b78efa91c (2017-06-20: a
 * cmpxchg loop; since 02cbeeb620 the locked prepend).  Reachable once a
 * steal can overlap growth, i.e. with d02f1a0b75 (steal after a failed
 * allocation), which production has.
 *
 * Change: threading a new page onto curr's list takes no freelist_lock: it
 * reads head, links the page's last entry to it and writes head = first,
 * an unlocked read-modify-write.
 *
 * Interleaving (shared/maptrack-history.md B4b): V's list is one entry T;
 * V grows and has linked last.ref = T, then stalls before writing head.
 * P puts X into V's list (T->X); S steals T (V.head = X); V writes
 * head = first.  V's list is now first->...->last->T with T in use, and X
 * (V's tail) is reachable from no head.
 *
 * Breaks: I5/I4 (T is handed out and on V's list), I6 (X is lost), I7
 * (V's gets can hand T out again).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static void plain_head_thread(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last)
{
	struct mt_vcpu *vc = &t->vcpus[curr];

	/* BUG: no freelist_lock around the read-modify-write of head. */
	uint32_t head = mt_load_acquire(&vc->head, MT_PV_SITE(THREAD_READ_HEAD));
	if (head == MT_TAIL)
		mt_store_relaxed(&vc->tail, last, MT_PV_SITE(THREAD_WRITE_TAIL));
	else
		mt_store_relaxed(&mt_pv_entry(t, last)->ref, head, MT_PV_SITE(THREAD_LINK));
	mt_store_release(&vc->head, first, MT_PV_SITE(THREAD_WRITE_HEAD));
}

static const struct mt_pv_steps b4b_steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = plain_head_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_b4b_grow_plain_head, "b4b-grow-plain-head",
	"XSA-218: grow prepends with an unlocked read-modify-write of head; a steal in between is undone (I5, I6)",
	b4b_steps)

MT_ZOO_REGISTER(mt_zoo_b4b_grow_plain_head,
	"XSA-218 maptrack accesses (B4b), Xen dff515dfea..4b78efa91c (reachable with d02f1a0b75)",
	"I5 I4 I6 I7", "sim stress", 0, "grow")
