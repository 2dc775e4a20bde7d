/*
 * stress_hook.c - the schedule hook of the stress binaries.
 *
 * //lib:maptrack_hooked calls mt_sched_point() before every shared access
 * and mt_sched_blocked() when it finds a lock held.  By default both return
 * at once (one load of a variable written before any thread started).  With
 * --yield-rate R each thread draws from its own PRNG, seeded from --seed and
 * its index, and at a schedule point yields with probability R: half of the
 * time sched_yield(), half a short spin of random length.  Like PCT, this
 * stretches the windows between two accesses of one operation so that other
 * threads' operations land inside them; the seed makes the choices
 * repeatable (the OS scheduler still adds its own noise).
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lib/mt_access.h"
#include "stress/stress_common.h"

/* Written once by stress_hook_config() before any worker thread exists
 * (pthread_create orders it before their reads). */
static uint32_t yield_threshold;     /* probability * 2^32; 0 = hook off */
static uint64_t yield_seed;
static _Atomic uint64_t yields_total;

static _Thread_local uint64_t tls_rng;
static _Thread_local uint64_t tls_yields;

uint64_t stress_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void stress_hook_config(double rate, uint64_t seed)
{
	if (rate <= 0)
		yield_threshold = 0;
	else if (rate >= 1)
		yield_threshold = UINT32_MAX;
	else
		yield_threshold = (uint32_t)(rate * 4294967296.0);
	yield_seed = seed;
}

void stress_hook_thread(unsigned index)
{
	tls_rng = stress_mix(yield_seed ^ stress_mix(0x5eedull + index)) | 1;
	tls_yields = 0;
}

uint64_t stress_hook_yields(void)
{
	return atomic_load_explicit(&yields_total, memory_order_relaxed);
}

static uint64_t next(void)
{
	uint64_t x = tls_rng;        /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tls_rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void pause_here(uint64_t r)
{
	/* Count locally, publish now and then: the total is for the SUMMARY only. */
	if (++tls_yields % 64 == 0)
		atomic_fetch_add_explicit(&yields_total, 64, memory_order_relaxed);
	if (r & (1ull << 32)) {
		sched_yield();
	} else {
		unsigned spins = (unsigned)((r >> 33) % 256);
		for (unsigned i = 0; i < spins; i++)
			__asm__ __volatile__("" ::: "memory");
	}
}

void mt_sched_point(const struct mt_site *site, const void *addr, unsigned acc)
{
	(void)acc;
	(void)site;
	(void)addr;
	if (!yield_threshold)
		return;
	uint64_t r = next();
	if ((uint32_t)r < yield_threshold)
		pause_here(r);
}

void mt_sched_blocked(const struct mt_site *site, const void *lock)
{
	(void)site;
	(void)lock;
	/* The holder may have yielded at one of its own points: let it run. */
	if (yield_threshold)
		sched_yield();
}

/* Real memory is the only memory here: nothing to record after an access. */
void mt_sched_after(const void *addr, unsigned acc, void *val)
{
	(void)addr;
	(void)acc;
	(void)val;
}
