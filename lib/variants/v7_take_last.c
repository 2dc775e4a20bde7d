/*
 * v7-take-last - origin: the 2015 design rule "always keep one entry in the
 * free list to make it easier to add free entries to the tail" (Xen
 * dff515dfea, kept by every later version), here dropped.
 *
 * Change: pop may take the last entry of a list; the list's head becomes
 * MT_TAIL while its tail still names the entry just handed out.
 *
 * Interleaving (single-threaded is enough): V's list is one entry T; V gets
 * (or a thief steals) T, so head = MT_TAIL, tail = T (in use).  A put into
 * V then swings the tail from T and writes T.ref, a link into an entry in
 * use, and the put entry is reachable from no head.
 *
 * Breaks: I3 (an initialised list became empty), I1 (head MT_TAIL, tail
 * not), then I9 (put links an entry in use) and I6 (the put entry is lost).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int take_last_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {
		uint32_t next = mt_load_acquire(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
		/* BUG: no "next != MT_TAIL" test: the last entry is taken too. */
		mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
		*out = head;
		rc = MT_OK;
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

static const struct mt_pv_steps v7_take_last_steps = {
	.pop = take_last_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_v7_take_last, "v7-take-last",
	"pop may take a list's last entry: head becomes TAIL while puts append at the stale tail (I3, I1, I9)",
	v7_take_last_steps)

MT_ZOO_REGISTER(mt_zoo_v7_take_last,
	"v7 restriction dropped (2015 design rule: keep one entry per list)",
	"I3 I1 I9 I6", "sim stress", 1, "grow")
