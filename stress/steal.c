/*
 * steal.c - thieves compete with owners for the same list heads.
 *
 * Setup grows the table to its frame limit with every page on VCPU 0's
 * list.  No thread can grow any more, so a VCPU whose own list is down to
 * its last entry steals (Xen: steal_maptrack_handle()).  Every thread wants
 * more handles than its share of the table, so lists stay short and
 * several thieves and the owner pop the same heads while puts append to
 * the same tails: the XSA-228 (B1) window.
 */
#include "stress/stress_common.h"

static int setup(struct stress_ctx *c)
{
	int rc;

	/* Fill the table up to its frame limit, all of it on VCPU 0's list. */
	while ((rc = c->ops->grow(c->table, 0)) == MT_OK)
		;
	return rc == MT_ERR_LIMIT ? 0 : rc;
}

static void worker(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	unsigned want = c->max_handles / c->nthreads + c->cfg.per_page;

	while (stress_continue(th)) {
		unsigned r = stress_below(th, 100);
		if (th->nheld == 0 || (r < 55 && th->nheld < want)) {
			/* At the limit a NOSPACE is an answer, not a fault: release one. */
			if (stress_get(th, th->id, NULL) == MT_ERR_NOSPACE && th->nheld)
				stress_put_at(th, stress_below(th, th->nheld));
		} else {
			stress_put_at(th, stress_below(th, th->nheld));
		}
	}
}

const struct stress_scenario scenario_steal = {
	.name = "steal",
	.summary = "table at its frame limit: thieves and owners pop the same heads",
	.def_vcpus = 4, .def_per_page = 8, .def_max_frames = 8,
	.min_vcpus = 2,
	.setup = setup,
	.worker = worker,
};
