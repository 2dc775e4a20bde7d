/*
 * m-slow-threads-first - origin: mutant (seeded slip).
 *
 * Change: get's slow path threads the whole new page [base, base + N - 1]
 * onto the list (as grow does) and still returns base directly: an
 * off-by-one in the threaded range.
 *
 * Interleaving (sequential): V's first get grows a page and hands out
 * base, which is also V's head; V's next get pops base again.
 *
 * Breaks: I5 (base is handed out and on V's list), I7 (base is handed out
 * twice), I4.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int threads_first_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	mt_handle_t base;

	mt_lock(&t->maptrack_lock, MT_PV_SITE(GROW_LOCK));
	int rc = t->steps->add_frame(t, curr, &base);
	mt_unlock(&t->maptrack_lock, MT_PV_SITE(GROW_UNLOCK));
	if (rc == MT_OK) {
		/* BUG: base is threaded too (should start at base + 1). */
		t->steps->thread(t, curr, base, base + t->base.cfg.per_page - 1);
		t->steps->hand_out(t, curr, base, 0);
		*out = base;
		return MT_OK;
	}
	if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL) {
		t->steps->sentinel(t, curr);
		if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL)
			return MT_ERR_NOSPACE;
	}
	rc = t->steps->steal(t, curr, out);
	if (rc == MT_OK)
		t->steps->hand_out(t, curr, *out, 1);
	return rc;
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = threads_first_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_m_slow_threads_first, "m-slow-threads-first",
	"mutant: the slow path threads the entry it returns onto the list too (I5, I7)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_slow_threads_first,
	"mutant",
	"I5 I7 I4", "sim stress", 1, "grow")
