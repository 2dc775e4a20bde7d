/*
 * mixed.c - random get / put / grow, with handles passed between threads
 * so that puts land on other VCPUs' lists.  stress_mixed_step() is also
 * the honest part of the hostile scenario.
 */
#include "stress/stress_common.h"

void stress_mixed_step(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	/* Together the threads want a little more than the table holds: the
	 * run grows to the frame limit, then lives there, stealing. */
	unsigned cap = c->max_handles / c->nthreads + c->cfg.per_page;
	unsigned r = stress_below(th, 100);

	stress_receive(th);
	if (th->nheld == 0 || (r < 45 && th->nheld < cap)) {
		if (stress_get(th, th->id, NULL) == MT_ERR_NOSPACE && th->nheld)
			stress_put_at(th, stress_below(th, th->nheld));
	} else if (r < 80) {
		stress_put_at(th, stress_below(th, th->nheld));
	} else if (r < 96) {
		unsigned i = stress_below(th, th->nheld);
		if (c->nthreads < 2)
			stress_put_at(th, i);
		else {
			/* To a random other thread; one that is off the CPU may have
			 * a full inbox, so try the others before putting it ourselves. */
			unsigned first = stress_below(th, c->nthreads - 1), k;
			for (k = 0; k < c->nthreads - 1; k++)
				if (stress_pass(th, i, (th->id + 1 + (first + k) % (c->nthreads - 1)) % c->nthreads))
					break;
			if (k == c->nthreads - 1)
				stress_put_at(th, i);
		}
	} else {
		stress_grow(th, th->id);     /* at the limit: MT_ERR_LIMIT, fine */
	}
}

static void worker(struct stress_thread *th)
{
	while (stress_continue(th))
		stress_mixed_step(th);
}

const struct stress_scenario scenario_mixed = {
	.name = "mixed",
	.summary = "random get/put/grow; handles passed between threads, puts land on other VCPUs' lists",
	.def_vcpus = 4, .def_per_page = 8, .def_max_frames = 32,
	.min_vcpus = 1,
	.worker = worker,
};
