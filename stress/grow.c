/*
 * grow.c - VCPUs grow the table while others get, put and probe handles
 * near the limit: a page must be published before the limit that covers it
 * (XSA-218, B4a), or a put of a handle just below the new limit reads a
 * page pointer that is not there yet.
 *
 * Threads [0, g) grow their own lists until the frame limit; threads
 * [g, n) get and put handles on their own VCPU and probe puts of free
 * handles around the frame the growers have reached.  A table fills up
 * fast, so the scenario runs in rounds: at the limit every thread meets at
 * a barrier, one checks the table (conservation + mt_verify) and replaces
 * it with a fresh one, and the next round starts.
 */
#include <pthread.h>

#include "stress/stress_common.h"

struct grow_shared {
	pthread_barrier_t bar;
	unsigned ngrowers;
	_Atomic unsigned growers_done;
	_Atomic int round_done;
	_Atomic uint32_t grown;          /* frames grown this round (a lower bound) */
	int finish;                      /* written by the serial thread between barriers */
	uint64_t rounds;
};

static struct grow_shared gs;

static int setup(struct stress_ctx *c)
{
	gs.ngrowers = c->nthreads / 2;
	STRESS_CHECK(gs.ngrowers >= 1 && gs.ngrowers < c->nthreads);
	STRESS_CHECK(pthread_barrier_init(&gs.bar, NULL, c->nthreads) == 0);
	atomic_init(&gs.growers_done, 0);
	atomic_init(&gs.round_done, 0);
	atomic_init(&gs.grown, 0);
	gs.finish = 0;
	gs.rounds = 0;
	c->priv = &gs;
	return 0;
}

static void grower(struct stress_thread *th)
{
	while (!stress_stopping(th->ctx)) {
		stress_continue(th);         /* counts; the round ends at the limit */
		if (stress_grow(th, th->id) != MT_OK)
			break;
		atomic_fetch_add_explicit(&gs.grown, 1, memory_order_relaxed);
	}
	if (atomic_fetch_add_explicit(&gs.growers_done, 1, memory_order_acq_rel) + 1 == gs.ngrowers)
		atomic_store_explicit(&gs.round_done, 1, memory_order_release);
}

static void validator(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;
	unsigned pp = c->cfg.per_page;

	while (!atomic_load_explicit(&gs.round_done, memory_order_acquire)) {
		stress_continue(th);
		unsigned r = stress_below(th, 100);
		if (th->nheld == 0 || (r < 40 && th->nheld < pp)) {
			stress_get(th, th->id, NULL);
		} else if (r < 70) {
			stress_put_at(th, stress_below(th, th->nheld));
		} else {
			/* Around the newest page: below it the handle is free (NOT_HELD),
			 * above the limit it is out of range; in between is the page
			 * being published. */
			uint64_t edge = (uint64_t)atomic_load_explicit(&gs.grown, memory_order_relaxed) * pp;
			uint64_t h = edge + stress_below(th, 3 * pp);
			h = h >= pp ? h - pp : h;
			stress_probe_put(th, th->id, (mt_handle_t)h, "free handle near the limit");
		}
	}
	while (th->nheld)
		stress_put_at(th, th->nheld - 1);
}

static void worker(struct stress_thread *th)
{
	struct stress_ctx *c = th->ctx;

	for (;;) {
		if (th->id < gs.ngrowers)
			grower(th);
		else
			validator(th);
		int rc = pthread_barrier_wait(&gs.bar);
		STRESS_CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
		if (rc == PTHREAD_BARRIER_SERIAL_THREAD) {
			char when[48];
			uint64_t ops = 0;

			gs.rounds++;
			snprintf(when, sizeof(when), "round %llu", (unsigned long long)gs.rounds);
			stress_check_table(c, when);
			for (unsigned i = 0; i < c->nthreads; i++)
				ops += atomic_load_explicit(&c->threads[i].ops, memory_order_relaxed);
			gs.finish = stress_stopping(c) || (c->opt->ops && ops >= c->opt->ops);
			if (!gs.finish) {
				struct mt_table *fresh;
				int crc = c->ops->create(&c->cfg, &fresh);
				STRESS_CHECK(crc == MT_OK);
				c->ops->destroy(c->table);
				c->table = fresh;
				atomic_store_explicit(&gs.grown, 0, memory_order_relaxed);
				atomic_store_explicit(&gs.growers_done, 0, memory_order_relaxed);
				atomic_store_explicit(&gs.round_done, 0, memory_order_relaxed);
			}
		}
		rc = pthread_barrier_wait(&gs.bar);
		STRESS_CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
		if (gs.finish)
			break;
	}
}

static void finish(struct stress_ctx *c)
{
	(void)c;
	fprintf(stderr, "grow: %llu rounds\n", (unsigned long long)gs.rounds);
	pthread_barrier_destroy(&gs.bar);
}

const struct stress_scenario scenario_grow = {
	.name = "grow",
	.summary = "growers race to the frame limit while validators get, put and probe near the limit",
	.def_vcpus = 4, .def_per_page = 4, .def_max_frames = 128,
	.min_vcpus = 2,
	.guarded = true,
	.checks_in_rounds = true,        /* the serial thread checks every round */
	.setup = setup,
	.worker = worker,
	.finish = finish,
};
