/*
 * m-destroy-leak - origin: mutant (seeded slip).
 *
 * Change: destroy frees pages 0 .. nr_frames - 2 (an off-by-one loop
 * bound): the last page is never freed.
 *
 * Interleaving (sequential): create, grow once, destroy.
 *
 * Breaks: no list invariant; the page leaks (LeakSanitizer at exit, or a
 * counting allocator).
 */
#include <stdlib.h>

#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

static void leaky_destroy(struct mt_pv_table *t)
{
	/* BUG: "i + 1 < nr_frames" skips the last page. */
	for (unsigned i = 0; i + 1 < t->nr_frames; i++)
		mt_internal_free_page(&t->base.cfg,
			atomic_load_explicit(&t->pages[i], memory_order_relaxed));
	free(t->pages);
	free(t->vcpus);
	free(t);
}

static const struct mt_pv_steps steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = leaky_destroy,
};

MT_PV_DEFINE(mt_zoo_m_destroy_leak, "m-destroy-leak",
	"mutant: destroy forgets the last page (leak)",
	steps)

MT_ZOO_REGISTER(mt_zoo_m_destroy_leak,
	"mutant",
	"leak", "lsan", 1, "")
