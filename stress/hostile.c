/*
 * hostile.c - the mixed scenario with one hostile VCPU (the last thread)
 * that mixes invalid puts into its honest operations: handles out of range,
 * MT_TAIL, near-MT_TAIL values, free handles, double puts, a put from a VCPU
 * that does not exist.  Each must be refused; the end-of-run conservation
 * check then shows that nothing was lost or listed twice.
 *
 * A put of a handle below the limit is only invalid if nobody holds it, so
 * those probes run under the guard's write side (stress_probe_put()); the
 * honest gets take the read side.
 */
#include "stress/stress_common.h"

static void hostile_step(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	/* Mostly from its own VCPU; any VCPU may put any handle. */
	unsigned vcpu = stress_below(th, 4) ? th->id : stress_below(th, c->nthreads);

	switch (stress_below(th, 6)) {
	case 0:
		stress_probe_put(th, vcpu, c->max_handles + stress_below(th, 4 * c->cfg.per_page),
		                 "out of range");
		break;
	case 1:
		stress_probe_put(th, vcpu, MT_TAIL, "MT_TAIL");
		break;
	case 2:
		stress_probe_put(th, vcpu, MT_TAIL - 1 - stress_below(th, 16), "near MT_TAIL");
		break;
	case 3:
		stress_probe_put(th, vcpu, stress_below(th, c->max_handles), "free handle");
		break;
	case 4:
		if (th->nheld) {
			unsigned i = stress_below(th, th->nheld);
			mt_handle_t h = th->held[i];
			stress_put_at(th, i);
			stress_probe_put(th, vcpu, h, "double put");
		}
		break;
	default:
		if (th->nheld)
			stress_probe_bad_vcpu(th, stress_below(th, th->nheld));
		break;
	}
}

static void worker(struct stress_thread *th)
{
	int hostile = th->id == th->ctx->nthreads - 1;

	while (stress_continue(th)) {
		if (hostile && stress_below(th, 2))
			hostile_step(th);
		else
			stress_mixed_step(th);
	}
}

const struct stress_scenario scenario_hostile = {
	.name = "hostile",
	.summary = "mixed, plus a hostile VCPU whose invalid puts must all be refused",
	.def_vcpus = 4, .def_per_page = 8, .def_max_frames = 32,
	.min_vcpus = 2,
	.guarded = true,
	.worker = worker,
};
