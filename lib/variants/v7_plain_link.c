/*
 * v7-plain-link - origin: the per-VCPU maptrack patch as posted for review
 * (v7, 2015).  The review asked for atomic reads/writes of head, tail and
 * the links; the merged dff515dfea/e76ff6c156 had them.
 *
 * Change: put's step 3 (link the old tail to the new entry) is a plain
 * store, and pop's reads of head and of head.ref are plain loads.
 * Otherwise identical to production (same locks, same order of steps).
 *
 * Interleaving: VCPU P puts X into V's list (plain store old_tail.ref = X)
 * while V pops and reads old_tail.ref (plain load, under V's freelist_lock,
 * which P does not take).  The two accesses are unordered: a data race
 * (undefined behaviour in C11; on x86 with aligned 32-bit words it happens
 * to work, which is why it went unnoticed).
 *
 * Breaks: no invariant a checker can observe on x86; only ThreadSanitizer
 * reports it (detected_by "tsan").  Single-threaded it behaves exactly like
 * production (zoo_detect_test checks that).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int v7_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_plain(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {
		/* BUG: plain load of a link a concurrent put writes. */
		uint32_t next = mt_load_plain(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
		if (next != MT_TAIL) {
			mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
			*out = head;
			rc = MT_OK;
		}
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

static int v7_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h)
{
	(void)caller;
	uint32_t limit = mt_load_acquire(&t->limit, MT_PV_SITE(PUT_READ_LIMIT));
	if (h >= limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = mt_pv_entry(t, h);
	uint32_t expect = MT_STATE_IN_USE;
	if (!mt_cas_acq_rel(&e->state, &expect, MT_STATE_FREE, MT_PV_SITE(PUT_CLAIM)))
		return MT_ERR_NOT_HELD;
	uint32_t owner = mt_load_relaxed(&e->vcpu, MT_PV_SITE(PUT_READ_OWNER));
	/* 1. Set entry to be a tail. */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(PUT_MARK_TAIL));
	/* 2. Add entry to the tail of the owner's list. */
	uint32_t prev = mt_xchg_acq_rel(&t->vcpus[owner].tail, h, MT_PV_SITE(PUT_SWING_TAIL));
	/* 3. Link the old tail.  BUG: plain store, races with pop's plain load. */
	mt_store_plain(&mt_pv_entry(t, prev)->ref, h, MT_PV_SITE(PUT_LINK));
	return MT_OK;
}

static const struct mt_pv_steps v7_plain_link_steps = {
	.pop = v7_pop,
	.put = v7_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_v7_plain_link, "v7-plain-link",
	"v7 patch as posted: put's link store and pop's head/next reads are plain (data race; TSan only)",
	v7_plain_link_steps)

MT_ZOO_REGISTER(mt_zoo_v7_plain_link,
	"v7 review of the 2015 per-VCPU lists (plain link store/reads; merged dff515dfea used atomics)",
	"race", "race tsan", 0, "remote_put")
