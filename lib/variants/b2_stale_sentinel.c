/*
 * b2-stale-sentinel - origin: XSA-228 part 2 (CVE-2017-12136), Xen
 * e76ff6c156 (2015-06-19) until 02cbeeb620 (2017-08-15), which added
 * "maptrack_entry(lgt, handle).ref = MAPTRACK_TAIL" for the stolen sentinel.
 *
 * Change: the sentinel step does not reset the stolen entry's .ref: it
 * keeps the link to the victim's next free entry.
 *
 * Interleaving (sequential; shared/maptrack-history.md B2): at the frame
 * limit, V0 has A->B->C->D, V1 never mapped.  V1 gets: pop fails (never
 * filled), no frame, so it steals A as its sentinel (A.ref still B, V0's
 * head is now B) and makes it head and tail; then steals B from V0 and
 * hands it out.  V1's tail A now links on to B (in use), and V1's next get
 * pops its own tail sentinel A.
 *
 * Breaks: I2 (the tail links on), then I5/I7 (V1's list runs into V0's
 * entries or into handed-out B) and I9 (puts into V1 write A.ref while A is
 * in use).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

void mt_zoo_stale_sentinel(struct mt_pv_table *t, unsigned curr)
{
	mt_handle_t s;

	if (t->steps->steal(t, curr, &s) != MT_OK)
		return;
	/* BUG: no "ref = MT_TAIL" here (XSA-228 part 2). */
	mt_store_relaxed(&mt_pv_entry(t, s)->vcpu, curr, MT_PV_SITE(GET_SET_OWNER));
	t->steps->thread(t, curr, s, s);
}

static const struct mt_pv_steps b2_steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_zoo_stale_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE(mt_zoo_b2_stale_sentinel, "b2-stale-sentinel",
	"XSA-228 part 2: a stolen sentinel keeps its victim's .ref, so the new tail links on (I2, I5, I7)",
	b2_steps)

MT_ZOO_REGISTER(mt_zoo_b2_stale_sentinel,
	"XSA-228 part 2 (B2), Xen e76ff6c156..02cbeeb620",
	"I2 I5 I7 I9", "sim stress", 1, "steal")
