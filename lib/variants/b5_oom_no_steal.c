/*
 * b5-oom-no-steal - origin: spurious allocation failure (B5, reported by
 * George Dunlap), Xen dff515dfea (2015) until d02f1a0b75 (2017-08-17:
 * "try to steal a handle from another vCPU" when no memory is available).
 *
 * Change: in get's slow path, a failed page allocation below the frame
 * limit returns MT_ERR_NOSPACE at once; stealing happens only at the limit.
 *
 * Interleaving (sequential): V0 has a page with free entries; the page
 * allocator fails; V1 (or V0 with a one-entry list) gets: no page, no
 * steal, MT_ERR_NOSPACE while other lists hold free handles.
 *
 * Breaks: I10 (a failure must be justified: liveness only, the lists stay
 * well formed, so mt_verify() is clean; the oracle or a comparison with
 * production sees it).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

int mt_zoo_no_steal_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	mt_handle_t base;

	mt_lock(&t->maptrack_lock, MT_PV_SITE(GROW_LOCK));
	int rc = t->steps->add_frame(t, curr, &base);
	mt_unlock(&t->maptrack_lock, MT_PV_SITE(GROW_UNLOCK));
	if (rc == MT_OK) {
		t->steps->thread(t, curr, base + 1, base + t->base.cfg.per_page - 1);
		t->steps->hand_out(t, curr, base, 0);
		*out = base;
		return MT_OK;
	}
	/* BUG: out of memory below the limit is final (no steal). */
	if (rc == MT_ERR_NOMEM)
		return MT_ERR_NOSPACE;
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

static const struct mt_pv_steps b5_steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_zoo_no_steal_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_b5_oom_no_steal, "b5-oom-no-steal",
	"no steal after a failed allocation below the limit: get fails while other lists hold free handles (I10)",
	b5_steps)

MT_ZOO_REGISTER(mt_zoo_b5_oom_no_steal,
	"spurious allocation failure (B5), Xen 02cbeeb620..d02f1a0b75",
	"I10", "sim", 1, "")
