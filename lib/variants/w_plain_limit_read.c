/*
 * w-plain-limit-read - seeded slip: put reads the limit with a plain load,
 * a field that grow on another VCPU writes atomically.
 *
 * Change: mt_pv_put()'s read of limit (PUT_READ_LIMIT) is a plain load.
 * Otherwise identical to production.
 *
 * Real hardware: a plain read racing with a write is undefined behaviour in
 * C11: the compiler may tear it, re-read it, or hoist it out of a loop
 * (Xen reads such fields with read_atomic()).  It also carries no acquire,
 * so nothing orders the page pointer after it (B4a again on Arm/POWER).
 * On x86 with an aligned 32-bit word it happens to work.
 *
 * Breaks: no invariant on x86; the happens-before race detector (I12)
 * reports the put's plain read and grow's store when a put overlaps a
 * grow on another VCPU with no synchronization between them.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int plain_limit_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h)
{
	(void)caller;
	/* BUG: plain read of a field grow writes atomically. */
	uint32_t limit = mt_load_plain(&t->limit, MT_PV_SITE(PUT_READ_LIMIT));
	if (h >= limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = mt_pv_entry(t, h);
	uint32_t expect = MT_STATE_IN_USE;
	if (!mt_cas_acq_rel(&e->state, &expect, MT_STATE_FREE, MT_PV_SITE(PUT_CLAIM)))
		return MT_ERR_NOT_HELD;
	uint32_t owner = mt_load_relaxed(&e->vcpu, MT_PV_SITE(PUT_READ_OWNER));
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(PUT_MARK_TAIL));
	uint32_t prev = mt_xchg_acq_rel(&t->vcpus[owner].tail, h, MT_PV_SITE(PUT_SWING_TAIL));
	mt_store_release(&mt_pv_entry(t, prev)->ref, h, MT_PV_SITE(PUT_LINK));
	return MT_OK;
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = plain_limit_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_w_plain_limit_read, "w-plain-limit-read",
	"put reads the limit with a plain load while grow writes it atomically (data race)",
	steps)

MT_ZOO_REGISTER(mt_zoo_w_plain_limit_read, "mutant (plain read of an atomically written field, "
	"Xen's read_atomic() dropped)", "race", "race tsan", 0, "grow")
