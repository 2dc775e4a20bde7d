/*
 * b4a-limit-before-page - origin: XSA-218 "correct maptrack table
 * accesses" (B4a), Xen dff515dfea (2015, the writer barrier removed) until
 * 4b78efa91c (2017-06-20: publish the page, smp_wmb(), then the limit).
 *
 * Change: growth publishes the new limit before it stores the page
 * pointer (the order a compiler or a weakly ordered CPU could produce from
 * the unfenced 2015 code, made explicit so the simulator can stop there).
 *
 * Interleaving: V grows: limit += N (now covers page n), then stalls before
 * pages[n] = page.  W puts a guessed handle h = old_limit + k: h < limit
 * passes, and maptrack_entry(h) reads pages[n] == NULL and dereferences it
 * (a host crash in Xen; SIGSEGV here).
 *
 * Breaks: I8 (a reader that sees limit L must see pages 0..L/N-1).  The
 * scripted test checks with ops->entry()/mt_verify() in the window instead
 * of crashing.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static int limit_first_add_frame(struct mt_pv_table *t, unsigned curr, mt_handle_t *base_out)
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
	t->nr_frames = nr + 1;
	/* BUG: the limit is published before the page pointer it covers. */
	mt_store_release(&t->limit, base + cfg->per_page, MT_PV_SITE(GROW_PUBLISH_LIMIT));
	mt_store_release(&t->pages[nr], page, MT_PV_SITE(GROW_STORE_PAGE));
	*base_out = base;
	return MT_OK;
}

static const struct mt_pv_steps b4a_steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = limit_first_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_b4a_limit_before_page, "b4a-limit-before-page",
	"XSA-218: growth publishes the limit before the page pointer; a put in the window dereferences NULL (I8)",
	b4a_steps)

MT_ZOO_REGISTER(mt_zoo_b4a_limit_before_page,
	"XSA-218 maptrack accesses (B4a), Xen dff515dfea..4b78efa91c",
	"I8", "sim stress", 0, "grow")
