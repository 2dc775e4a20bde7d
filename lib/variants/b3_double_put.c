/*
 * b3-double-put - origin: XSA-218 bug 2 (CVE-2017-10914), Xen dff515dfea
 * (2015) until b7f6cbb9d4 (2017-06-20).  The bug was in the caller (two
 * concurrent unmaps both freed one entry); put itself never had a defence.
 * Production refuses a put of a handle that is not in use (IN_USE -> FREE
 * claim); this variant removes that defence, and the harness plays the
 * caller that puts twice.
 *
 * Change: put checks only h < limit, then marks the entry free and appends
 * it to its owner's list, whatever its state.
 *
 * Interleaving (sequential): put X (list ...->T->X), put X again: X.ref =
 * TAIL, tail swings from X to X, then X.ref = X: a self-loop at the tail.
 * A second put that lands after X was handed out again re-lists a live
 * entry.
 *
 * Breaks: I7 (put precondition: only a handle in use is put), I2 (the tail
 * links on to itself: a cycle), then duplicate hand-outs.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

int mt_zoo_unguarded_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h)
{
	(void)caller;
	uint32_t limit = mt_load_acquire(&t->limit, MT_PV_SITE(PUT_READ_LIMIT));
	if (h >= limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = mt_pv_entry(t, h);

	/* BUG: no IN_USE -> FREE claim; a free handle is put again. */
	mt_store_release(&e->state, MT_STATE_FREE, MT_PV_SITE(PUT_CLAIM));
	uint32_t owner = mt_load_relaxed(&e->vcpu, MT_PV_SITE(PUT_READ_OWNER));
	/* 1. Set entry to be a tail. */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(PUT_MARK_TAIL));
	/* 2. Add entry to the tail of the owner's list. */
	uint32_t prev = mt_xchg_acq_rel(&t->vcpus[owner].tail, h, MT_PV_SITE(PUT_SWING_TAIL));
	/* 3. Link the old tail to the new entry (prev == h: self-loop). */
	mt_store_release(&mt_pv_entry(t, prev)->ref, h, MT_PV_SITE(PUT_LINK));
	return MT_OK;
}

static const struct mt_pv_steps b3_steps = {
	.pop = mt_pv_pop,
	.put = mt_zoo_unguarded_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_b3_double_put, "b3-double-put",
	"XSA-218 bug 2: put has no in-use check, so a double put links the tail to itself (I7, I2)",
	b3_steps)

MT_ZOO_REGISTER(mt_zoo_b3_double_put,
	"XSA-218 bug 2 / CVE-2017-10914 (B3), Xen dff515dfea..b7f6cbb9d4",
	"I7 I2", "sim stress", 1, "hostile")
