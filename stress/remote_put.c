/*
 * remote_put.c - many VCPUs put handles into one owner's list while the
 * owner gets from it.
 *
 * Thread 0 (the owner) gets handles from VCPU 0's list and passes each one
 * to a remote thread; the remote threads put them back from their own VCPU,
 * so every put appends to VCPU 0's tail while the owner pops its head.  The
 * owner's list stays short, so pops keep reaching entries whose link a
 * remote put has just written: the window of the v7 plain link store.
 */
#include <sched.h>

#include "stress/stress_common.h"

struct remote_shared {
	_Atomic int owner_done;
};

static int setup(struct stress_ctx *c)
{
	static struct remote_shared rs;

	atomic_init(&rs.owner_done, 0);
	c->priv = &rs;
	return 0;
}

static void owner(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	unsigned next = 1;

	while (stress_continue(th)) {
		if (stress_get(th, 0, NULL) != MT_OK) {
			/* No space: the remotes hold everything; give them time. */
			if (th->nheld)
				stress_put_at(th, stress_below(th, th->nheld));
			else
				sched_yield();
			continue;
		}
		/* Round robin over the remotes; one that is off the CPU may have
		 * a full inbox: try the next, and put it ourselves if all are full. */
		unsigned i = th->nheld - 1, k;
		for (k = 0; k < c->nthreads - 1; k++) {
			unsigned to = next;
			next = next % (c->nthreads - 1) + 1;
			if (stress_pass(th, i, to))
				break;
		}
		if (k == c->nthreads - 1)
			stress_put_at(th, i);
		/* Now and then keep a few, put them later (owner puts too). */
		if (th->nheld > 4)
			stress_put_at(th, stress_below(th, th->nheld));
	}
	while (th->nheld)
		stress_put_at(th, th->nheld - 1);
	struct remote_shared *rs = c->priv;
	atomic_store_explicit(&rs->owner_done, 1, memory_order_release);
}

static void remote(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	struct remote_shared *rs = c->priv;

	while (!stress_stopping(c)) {
		stress_pause_point(th);
		if (!stress_receive(th) && !th->nheld) {
			if (atomic_load_explicit(&rs->owner_done, memory_order_acquire) &&
			    !stress_receive(th))
				break;
			sched_yield();
			continue;
		}
		/* Put what we received, in random order; sometimes keep one back
		 * so puts and gets of neighbouring handles interleave. */
		while (th->nheld > stress_below(th, 3)) {
			if (!stress_continue(th))
				return;
			stress_put_at(th, stress_below(th, th->nheld));
		}
	}
}

static void worker(struct stress_thread *th)
{
	if (th->id == 0)
		owner(th);
	else
		remote(th);
}

const struct stress_scenario scenario_remote_put = {
	.name = "remote_put",
	.summary = "VCPUs 1..N-1 put handles into VCPU 0's list while VCPU 0 gets from it",
	.def_vcpus = 4, .def_per_page = 16, .def_max_frames = 64,
	.min_vcpus = 2,
	.setup = setup,
	.worker = worker,
};
