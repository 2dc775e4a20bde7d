/*
 * spin_test.c - unannotated locks in instrumented code park a simulated
 * VCPU instead of spinning it to the livelock bound.  v0 stops right after
 * taking the lock; v1's get then finds it held: with the TTAS spinlock it
 * re-reads the lock word (parked after MT_IX_SPIN_READS re-reads), with the
 * pthread mutex its lock call parks.  v0 runs instead, unlocks, v1 wakes:
 * the run is clean, and the runtime counted the parks (a runtime that
 * did not park would end in the engine's livelock finding).
 * A compare-and-swap lock whose holder unlocks while the waiter is between
 * re-reads: the waiter must see the change, not park (regression).
 * The spin detector is sound (issue 20):
 *  - liburcu's wfstack shape (wfs.c): a popper waits for a pusher's link;
 *    stopped at the schedule point of any of its re-reads (1 .. 40) while
 *    the pusher writes the link, it must not park afterwards on the count
 *    of re-reads that saw the old link (a false deadlock: nobody writes
 *    again);
 *  - a bounded wait (spin-patient: a get on an empty stack re-reads a
 *    counter at most 100 times): parked as spinning with nobody else to
 *    run, it is re-checked and returns (no deadlock);
 *  - two CAS locks taken in opposite orders (spin-abba): a real deadlock,
 *    still reported after the re-check;
 *  - poll, usleep, nanosleep and sleep in the waiter's back-off are
 *    yields on a VCPU (counted, no real sleep) and the real calls outside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"
#include "fuzz/instrument/spin.h"
#include "fuzz/instrument/wfs.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static void *create(int kind, unsigned patience)
{
	struct spin_stack *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->use_mutex = kind;
	s->patience = patience;
	pthread_mutex_init(&s->mutex, NULL);
	for (uint32_t i = 0; i < SPIN_N; i++)
		s->h[s->top++] = i;
	return s;
}
static void *create_spin(const struct mt_config *cfg) { (void)cfg; return create(SPIN_TTAS, 0); }
static void *create_mutex(const struct mt_config *cfg) { (void)cfg; return create(SPIN_MUTEX, 0); }
static void *create_cas(const struct mt_config *cfg) { (void)cfg; return create(SPIN_CAS, 0); }
static void *create_abba(const struct mt_config *cfg) { (void)cfg; return create(SPIN_ABBA, 0); }
static void *create_patient(const struct mt_config *cfg) { (void)cfg; return create(SPIN_CAS, 100); }
static void *create_gated(const struct mt_config *cfg) { (void)cfg; return create(SPIN_GATED, 0); }
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

static const struct mt_fl_adapter spin_abba = {
	.name = "spin-abba", .summary = "stack under two CAS locks, taken in opposite orders",
	.create = create_abba, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_abba)

static const struct mt_fl_adapter spin_patient = {
	.name = "spin-patient", .summary = "CAS-locked stack; an empty get waits a little for a put",
	.create = create_patient, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_patient)

static const struct mt_fl_adapter spin_gated = {
	.name = "spin-gated", .summary = "CAS-locked stack; a get waits until no put is in flight",
	.create = create_gated, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(spin_gated)

/* The wfstack-shaped list (wfs.c), one adapter per way of waiting. */
static void *wfs_create(int wait)
{
	struct wfs *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->wait = wait;
	atomic_init(&s->head, WFS_END);
	pthread_mutex_init(&s->pop_lock, NULL);
	for (uint32_t h = 0; h < WFS_N; h++)
		wfs_push(s, h);
	return s;
}
#define WFS_CREATE(kind) \
	static void *create_##kind(const struct mt_config *cfg) { (void)cfg; return wfs_create(kind); }
WFS_CREATE(WFS_SPIN)
WFS_CREATE(WFS_POLL)
WFS_CREATE(WFS_USLEEP)
WFS_CREATE(WFS_NANOSLEEP)
WFS_CREATE(WFS_SLEEP)
WFS_CREATE(WFS_POLL_CHK)
static void wfs_destroy(void *s) { pthread_mutex_destroy(&((struct wfs *)s)->pop_lock); free(s); }
static int wfs_get(void *s, unsigned v, uint32_t *h) { (void)v; return wfs_pop(s, h); }
static int wfs_put(void *s, unsigned v, uint32_t h) { (void)v; wfs_push(s, h); return 0; }
static unsigned wfs_limit(void *s) { (void)s; return WFS_N; }

#define WFS_ADAPTER(var, nm, kind, how) \
	static const struct mt_fl_adapter var = { \
		.name = nm, .summary = "wfstack-shaped stack; a pop waits for a link " how, \
		.create = create_##kind, .destroy = wfs_destroy, .get = wfs_get, .put = wfs_put, \
		.handle_limit = wfs_limit, .capacity_exact = true, .remote_put = true }; \
	MT_FL_REGISTER(var)
WFS_ADAPTER(wfs_spin, "wfs-spin", WFS_SPIN, "re-reading it")
WFS_ADAPTER(wfs_poll, "wfs-poll", WFS_POLL, "with poll(NULL, 0, 10)")
WFS_ADAPTER(wfs_usleep, "wfs-usleep", WFS_USLEEP, "with usleep")
WFS_ADAPTER(wfs_nanosleep, "wfs-nanosleep", WFS_NANOSLEEP, "with nanosleep")
WFS_ADAPTER(wfs_sleep, "wfs-sleep", WFS_SLEEP, "with sleep")
WFS_ADAPTER(wfs_poll_chk, "wfs-poll-chk", WFS_POLL_CHK, "with a fortified poll of an array")

static const char *contended =
	"vcpus 2\n"
	"v0 get run=2\n"        /* v0 stops after taking the lock */
	"v1 get\n"              /* v1 waits: parked; v0 runs instead and unlocks */
	"v1 nop\nv0 nop\n"
	"v0 put-own idx=0\nv1 put-own idx=0\n";


/* The popper (v1) waits for the link of a push v0 left half done; v1 is
 * stopped after n points (1 .. 40: at every one of its re-reads, before
 * and after it would park), then v0 writes the link and returns.  v1 must
 * finish: it read the new link, so its count of re-reads of the old one
 * is over (before the fix: the count, taken before the schedule point,
 * made its compare-and-swap of the unchanged head the 16th re-read, and
 * it parked with nobody left to write: a false deadlock). */
static void test_wfs_stale_count(void)
{
	struct mt_byo *b = mt_byo_new("wfs-spin");
	unsigned parked = 0, n;

	for (n = 1; n <= 40; n++) {
		char text[200];
		unsigned long p0 = mt_ix_stats()->spin_parks;
		snprintf(text, sizeof(text), "vcpus 2\nv0 get\nv0 put-own idx=0 run=2\nv1 get run=%u\n"
		         "v0 nop\nv1 nop\n", n);
		int rc = mt_byo_run_text(b, text, NULL);
		if (rc || mt_sim_stats(b->sim)->rechecks)
			printf("wfs-spin, v1 stopped after %u points: %s, %u re-checks\n", n,
			       rc ? mt_sim_finding(b->sim) : "clean", mt_sim_stats(b->sim)->rechecks);
		CHECK(rc == 0);
		/* Parked only while the link was unwritten: never a candidate
		 * deadlock for the engine to re-check. */
		CHECK(mt_sim_stats(b->sim)->rechecks == 0);
		parked += mt_ix_stats()->spin_parks > p0;
	}
	printf("wfs-spin: clean with the popper stopped after 1 .. %u points (%u runs parked it first)\n",
	       n - 1, parked);
	CHECK(parked > 0);           /* long stops still park: the detector is on */
	mt_byo_free(b);
}

/* v1's get waits until no put is in flight, re-reading five busy flags in
 * turn; v0's put of handle 3 raised flag 3 and stops before its lock.  v1
 * is stopped after n points (1 .. 40), then v0 finishes (flag 3 down).
 * Stopped right before its 15th re-read (flag 4), v1 resumes and reads
 * it, and its 16th (flag 0) finds flag 0 unchanged: it must not park
 * there, since flag 3, which it last read up, is down (a VCPU parks only
 * while memory holds what it re-read in the run; else it waits for a
 * write that came already). */
static void test_gated_stale_flag(void)
{
	struct mt_byo *b = mt_byo_new("spin-gated");
	unsigned parked = 0, n;

	for (n = 1; n <= 40; n++) {
		char text[200];
		unsigned long p0 = mt_ix_stats()->spin_parks;
		snprintf(text, sizeof(text), "vcpus 2\nv0 get\nv0 put-own idx=0 run=2\nv1 get run=%u\n"
		         "v0 nop\nv1 nop\n", n);
		int rc = mt_byo_run_text(b, text, NULL);
		if (rc || mt_sim_stats(b->sim)->rechecks)
			printf("spin-gated, v1 stopped after %u points: %s, %u re-checks\n", n,
			       rc ? mt_sim_finding(b->sim) : "clean", mt_sim_stats(b->sim)->rechecks);
		CHECK(rc == 0);
		CHECK(mt_sim_stats(b->sim)->rechecks == 0);
		parked += mt_ix_stats()->spin_parks > p0;
	}
	printf("spin-gated: clean with v1 stopped after 1 .. %u points (%u runs parked it first)\n", n - 1,
	       parked);
	CHECK(parked > 0);
	mt_byo_free(b);
}

/* v0 holds every handle; v1's get finds the stack empty and waits at most
 * 100 re-reads for a put.  Parked as spinning after 16, with v0 idle:
 * every VCPU with work waits.  The engine re-checks v1 instead of
 * reporting a deadlock: v1 gives up and returns (empty).  Without the
 * re-check: a false deadlock. */
static void test_bounded_wait(void)
{
	struct mt_byo *b = mt_byo_new("spin-patient");
	unsigned long p0 = mt_ix_stats()->spin_parks;
	int rc = mt_byo_run_text(b, "vcpus 2\nv0 get\nv0 get\nv0 get\nv0 get\nv1 get\n", NULL);

	printf("spin-patient: %s (%u re-checks)\n", rc ? mt_sim_finding(b->sim) : "clean",
	       mt_sim_stats(b->sim)->rechecks);
	CHECK(rc == 0);
	CHECK(mt_sim_stats(b->sim)->rechecks > 0);
	CHECK(mt_ix_stats()->spin_parks > p0);       /* it was parked first */
	mt_byo_free(b);
}

/* v0's get holds lock A and wants B; v1's put holds B and wants A: both
 * spin for ever.  A deadlock finding, after the re-check of both. */
static void test_abba_deadlock(void)
{
	struct mt_byo *b = mt_byo_new("spin-abba");
	int rc = mt_byo_run_text(b, "vcpus 2\nv1 get\nv0 get run=2\nv1 put-own idx=0 run=2\nv0 nop\nv1 nop\n",
	                         getenv("SPIN_TEST_TRACE") ? stdout : NULL);

	printf("spin-abba: %s (%u re-checks)\n", rc ? mt_sim_finding(b->sim) : "clean",
	       mt_sim_stats(b->sim)->rechecks);
	CHECK(rc == 1);
	CHECK(mt_sim_stats(b->sim)->rechecks == 2);     /* both re-checked, both spin again */
	CHECK(strstr(mt_sim_finding(b->sim), "deadlock"));
	CHECK(strstr(mt_sim_finding(b->sim), "v0 get"));
	CHECK(strstr(mt_sim_finding(b->sim), "v1 put-own"));
	mt_byo_free(b);
}

/* The popper waits for a link with liburcu's back-off: WFS_ADAPT_ATTEMPTS
 * re-reads, then a sleep.  On a VCPU each sleep is a yield: parked with
 * nothing it read changed, woken by the link's write; counted in
 * mt_ix_stats()->sleeps, never slept for real (sleep(1) per nap would
 * take seconds).  Outside a run the same call is the C library's. */
static void test_sleeps(void)
{
	static const char *const names[] = { "wfs-poll", "wfs-usleep", "wfs-nanosleep", "wfs-sleep",
	                                     "wfs-poll-chk" };
	unsigned long sleeps = 0;

	for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct mt_byo *b = mt_byo_new(names[k]);
		struct mt_ix_stats s0 = *mt_ix_stats();
		/* v1 waits past WFS_ADAPT_ATTEMPTS re-reads, then v0 links. */
		int rc = mt_byo_run_text(b, "vcpus 2\nv0 get\nv0 put-own idx=0 run=2\nv1 get run=40\nv0 nop\n"
		                         "v1 nop\n", NULL);
		unsigned long n = mt_ix_stats()->sleeps - s0.sleeps;
		unsigned long parks = mt_ix_stats()->yield_parks - s0.yield_parks;
		CHECK(mt_ix_stats()->spare_sites == s0.spare_sites);   /* each call is a named site */
		printf("%s: %s; %lu sleeps on a VCPU, %lu yield parks\n", names[k],
		       rc ? mt_sim_finding(b->sim) : "clean", n, parks);
		CHECK(rc == 0);
		CHECK(n > 0);
		CHECK(parks > 0);
		sleeps += n;
		mt_byo_free(b);
	}
	unsigned long s0 = mt_ix_stats()->sleeps;
	struct wfs outside = { .wait = WFS_POLL };
	wfs_nap(&outside);           /* no run: the real poll(NULL, 0, 10) */
	CHECK(mt_ix_stats()->sleeps == s0);
	printf("sleeps: %lu on VCPUs, none outside a run\n", sleeps);
}

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

	test_wfs_stale_count();
	test_gated_stale_flag();
	test_bounded_wait();
	test_abba_deadlock();
	test_sleeps();

	printf("SUMMARY test=spin spin_parks=%lu lock_parks=%lu wakes=%lu cas_sweep=%u sleeps=%lu\n", spin,
	       lock, mt_ix_stats()->wakes - before.wakes, swept, mt_ix_stats()->sleeps - before.sleeps);
	return 0;
}
