/*
 * m-first-fill-no-tail - origin: mutant (seeded slip; cf. the 2023
 * discussion of where the first fill sets the tail, [ML23a]/[ML23b]).
 *
 * Change: threading the first page onto a never-filled list sets head but
 * forgets tail, which stays MT_TAIL.
 *
 * Interleaving (sequential): V grows once (or gets once).  Its list has a
 * head and no tail; the first put into it swings the tail from MT_TAIL and
 * links "entry MT_TAIL": a wild access.
 *
 * Breaks: I1 (head < limit, tail MT_TAIL); a put then crashes.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static void no_tail_thread(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last)
{
	struct mt_vcpu *vc = &t->vcpus[curr];

	mt_lock(&vc->freelist_lock, MT_PV_SITE(THREAD_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(THREAD_READ_HEAD));
	/* BUG: the first fill (head == MT_TAIL) must also set tail = last. */
	if (head != MT_TAIL)
		mt_store_relaxed(&mt_pv_entry(t, last)->ref, head, MT_PV_SITE(THREAD_LINK));
	mt_store_relaxed(&vc->head, first, MT_PV_SITE(THREAD_WRITE_HEAD));
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(THREAD_UNLOCK));
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = no_tail_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_first_fill_no_tail, "m-first-fill-no-tail",
	"mutant: the first fill of a list sets head but not tail (I1; the next put goes wild)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_first_fill_no_tail,
	"mutant",
	"I1", "sim stress", 1, "grow")
