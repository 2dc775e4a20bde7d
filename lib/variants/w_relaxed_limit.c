/*
 * w-relaxed-limit - seeded weak-memory slip: grow stores the page pointer
 * and then publishes the new limit with a relaxed store.  B4a in its
 * weak-memory form: the program order is right (page, then limit), the
 * ordering is missing.
 *
 * Change: mt_pv_add_frame()'s store of limit (GROW_PUBLISH_LIMIT) is
 * relaxed instead of release.  Otherwise identical to production.
 *
 * Real hardware: on Arm or POWER two stores to different locations may
 * become visible to another CPU out of program order unless the second is
 * a release (Xen's fix for XSA-218 put an smp_wmb() between them).  A put
 * on another VCPU that reads the new limit (acquire) synchronizes with
 * nothing, so its read of pages[n] may still see NULL: maptrack_entry()
 * dereferences it (a host crash in Xen; SIGSEGV here, or UBSan's null
 * pointer report in sanitizer builds).  On x86 stores are not reordered
 * with older stores, so the slip is invisible there and to a sequentially
 * consistent simulator.
 *
 * Breaks: I8 (crash), only when a load reads an older store (the c11
 * memory model with read-from choices).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int relaxed_limit_add_frame(struct mt_pv_table *t, unsigned curr, mt_handle_t *base_out)
{
	const struct mt_config *cfg = &t->base.cfg;
	unsigned nr = t->nr_frames;

	if (nr >= cfg->max_frames)
		return MT_ERR_LIMIT;
	MT_SCHED(MT_PV_SITE(GROW_ALLOC), NULL, MT_ACC_NONE);
	struct mt_entry *page = mt_internal_alloc_page(cfg, cfg->per_page * sizeof(*page));
	if (!page)
		return MT_ERR_NOMEM;
	mt_handle_t base = nr * cfg->per_page;
	for (unsigned i = 0; i < cfg->per_page; i++) {
		atomic_init(&page[i].ref, i + 1 < cfg->per_page ? base + i + 1 : MT_TAIL);
		atomic_init(&page[i].vcpu, curr);
		atomic_init(&page[i].state, MT_STATE_FREE);
	}
	mt_store_release(&t->pages[nr], page, MT_PV_SITE(GROW_STORE_PAGE));
	t->nr_frames = nr + 1;
	/* BUG: relaxed; a reader of the new limit is not ordered after the
	 * page pointer store above. */
	mt_store_relaxed(&t->limit, base + cfg->per_page, MT_PV_SITE(GROW_PUBLISH_LIMIT));
	*base_out = base;
	return MT_OK;
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = relaxed_limit_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_w_relaxed_limit, "w-relaxed-limit",
	"grow publishes the limit with a relaxed store after the page (B4a's weak-memory form: NULL page)",
	steps)

MT_ZOO_REGISTER(mt_zoo_w_relaxed_limit, "mutant (weak memory: release of GROW_PUBLISH_LIMIT weakened to relaxed; "
	"B4a / XSA-218's missing smp_wmb)", "I8", "c11", 0, "grow")
