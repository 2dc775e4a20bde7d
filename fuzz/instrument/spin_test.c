/*
 * spin_test.c - unannotated locks in instrumented code park a simulated
 * VCPU instead of spinning it to the livelock bound.  v0 stops right after
 * taking the lock; v1's get then finds it held: with the TTAS spinlock it
 * re-reads the lock word (parked after MT_IX_SPIN_READS re-reads), with the
 * pthread mutex its lock call parks.  v0 runs instead, unlocks, v1 wakes:
 * the run is clean, and the runtime counted the parks (a runtime that
 * did not park would end in the engine's livelock finding).  A lock never
 * released (v0's put of a handle it does not hold is not issued; instead
 * v0 is left holding the lock at the end) is a deadlock finding.
 * A compare-and-swap lock whose holder unlocks while the waiter is between
 * re-reads: the waiter must see the change, not park (regression).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"
#include "fuzz/instrument/spin.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static void *create(int kind)
{
	struct spin_stack *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->use_mutex = kind;
	pthread_mutex_init(&s->mutex, NULL);
	for (uint32_t i = 0; i < SPIN_N; i++)
		s->h[s->top++] = i;
	return s;
}
static void *create_spin(const struct mt_config *cfg) { (void)cfg; return create(SPIN_TTAS); }
static void *create_mutex(const struct mt_config *cfg) { (void)cfg; return create(SPIN_MUTEX); }
static void *create_cas(const struct mt_config *cfg) { (void)cfg; return create(SPIN_CAS); }
static void destroy(void *s) { pthread_mutex_destroy(&((struct spin_stack *)s)->mutex); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return spin_get(s, h); }
static int put(void *s, unsigned v, uint32_t h) { (void)v; spin_put(s, h); return 0; }
static unsigned limit(void *s) { (void)s; return SPIN_N; }

static const struct mt_fl_adapter spin_ttas = {
	.name = "spin-ttas", .summary = "stack under a TTAS spinlock", .create = create_spin,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_ttas)

static const struct mt_fl_adapter spin_mutex = {
	.name = "spin-mutex", .summary = "stack under a pthread mutex", .create = create_mutex,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_mutex)

static const struct mt_fl_adapter spin_cas = {
	.name = "spin-cas", .summary = "stack under a CAS-then-read lock", .create = create_cas,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_cas)

static const char *contended =
	"vcpus 2\n"
	"v0 get run=2\n"        /* v0 stops after taking the lock */
	"v1 get\n"              /* v1 waits: parked; v0 runs instead and unlocks */
	"v1 nop\nv0 nop\n"
	"v0 put-own idx=0\nv1 put-own idx=0\n";

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct mt_ix_stats before = *mt_ix_stats();

	struct mt_byo *b = mt_byo_new("spin-ttas");
	int rc = mt_byo_run_text(b, contended, stdout);
	printf("spin-ttas: %s\n", rc ? mt_sim_finding(b->sim) : "clean");
	CHECK(rc == 0);
	unsigned long spin = mt_ix_stats()->spin_parks - before.spin_parks;
	CHECK(spin > 0);
	CHECK(mt_sim_stats(b->sim)->blocks > 0);
	mt_byo_free(b);

	b = mt_byo_new("spin-mutex");
	rc = mt_byo_run_text(b, contended, stdout);
	printf("spin-mutex: %s\n", rc ? mt_sim_finding(b->sim) : "clean");
	CHECK(rc == 0);
	unsigned long lock = mt_ix_stats()->lock_parks - before.lock_parks;
	CHECK(lock > 0);
	mt_byo_free(b);

	/* The unlock lands while v1 spins but before it has re-read the word
	 * often enough to park (v1 stopped after n points, n = 1 .. 40): v1
	 * then reads the lock free, or its CAS wins.  It must not park on
	 * re-reads that saw the word change (nobody would wake it: a false
	 * deadlock; maptrack_fuzzer_ix found it on production-ix, seed 1). */
	b = mt_byo_new("spin-cas");
	unsigned swept = 0, cas_parks = 0;
	for (unsigned n = 1; n <= 40; n++) {
		char text[160];
		unsigned long p0 = mt_ix_stats()->spin_parks;
		snprintf(text, sizeof(text), "vcpus 2\nv0 get run=2\nv1 get run=%u\nv0 nop\nv1 nop\n", n);
		rc = mt_byo_run_text(b, text, NULL);
		if (rc)
			printf("spin-cas, v1 stopped after %u points: %s\n", n, mt_sim_finding(b->sim));
		CHECK(rc == 0);
		cas_parks += mt_ix_stats()->spin_parks > p0;
		swept++;
	}
	printf("spin-cas: clean with v1 stopped after 1 .. %u points (%u runs parked v1 first)\n", swept,
	       cas_parks);
	CHECK(cas_parks > 0);        /* long stops still park: the heuristic is not off */
	mt_byo_free(b);

	printf("SUMMARY test=spin spin_parks=%lu lock_parks=%lu wakes=%lu cas_sweep=%u\n", spin, lock,
	       mt_ix_stats()->wakes - before.wakes, swept);
	return 0;
}
