/*
 * m-prepend-resets-tail - origin: mutant (seeded slip).
 *
 * Change: threading a page onto a list that already has entries also sets
 * tail = the page's last entry (the first-fill branch's store, copied into
 * the prepend).
 *
 * Interleaving (sequential): V grows twice.  After the second grow the
 * tail names the new page's last entry, which links on to the old head;
 * the old entries sit behind the "tail", and the next put links the new
 * page's last entry away from them.
 *
 * Breaks: I2 (the tail links on), then I6 (entries behind it are lost).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static void tail_reset_thread(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last)
{
	struct mt_vcpu *vc = &t->vcpus[curr];

	mt_lock(&vc->freelist_lock, MT_PV_SITE(THREAD_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(THREAD_READ_HEAD));
	if (head != MT_TAIL)
		mt_store_relaxed(&mt_pv_entry(t, last)->ref, head, MT_PV_SITE(THREAD_LINK));
	/* BUG: the tail is reset on every thread, not only the first fill. */
	mt_store_relaxed(&vc->tail, last, MT_PV_SITE(THREAD_WRITE_TAIL));
	mt_store_relaxed(&vc->head, first, MT_PV_SITE(THREAD_WRITE_HEAD));
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(THREAD_UNLOCK));
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = tail_reset_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_prepend_resets_tail, "m-prepend-resets-tail",
	"mutant: threading a new page also resets tail, cutting the old entries off (I2, I6)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_prepend_resets_tail,
	"mutant",
	"I2 I6", "sim stress", 1, "grow")
