/*
 * sim_test.c - the input format, the simulator and the oracle, checked
 * against known answers: every test here fails if the tool goes blind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/harness.h"
#include "fuzz/input.h"
#include "fuzz/sim.h"
#include "lib/mt_access.h"
#include "lib/mt_internal.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static struct mt_program prog, prog2;
static uint8_t bytes[MT_IN_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_RECORD_LEN];
static uint8_t bytes2[sizeof(bytes)];

static size_t encode_text(const char *text, uint8_t *out)
{
	char err[256];

	if (mt_in_parse_text(text, &prog, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		abort();
	}
	size_t n = mt_in_encode(&prog, out, sizeof(bytes));
	CHECK(n > 0);
	return n;
}

static int run_text(const char *text, const char *impl)
{
	size_t n = encode_text(text, bytes);
	const struct mt_ops *ops = mt_harness_impl(impl);
	CHECK(ops);
	return mt_harness_run(bytes, n, ops, NULL);
}

/* B1 (shared/maptrack-history.md 2): the thief stalls before its CAS. */
static const char *b1_text =
	"maptrack-input v1\nvcpus 2\nper_page 8\nmax_frames 1\n"
	"v0 get\n"
	"v1 get until=ZOO_POP_CAS_HEAD   # production never reaches this site\n"
	"v0 get\nv0 get\nv0 put-own idx=1\n"
	"v0 get\nv0 get\nv0 get\nv0 get\nv0 get\n"
	"v1 nop\nv0 get\n";

/* B3: a double put of one handle. */
static const char *b3_text =
	"maptrack-input v1\nvcpus 1\nper_page 4\nmax_frames 1\n"
	"v0 get\nv0 get\nv0 put-own idx=0\nv0 put-bad bad=double\nv0 get\nv0 get\n";

/* B5: allocation fails below the frame limit while v0 has spare entries. */
static const char *b5_text =
	"maptrack-input v1\nvcpus 2\nper_page 4\nmax_frames 4\nalloc_fail 0x02\n"
	"v0 get\nv1 get rand=0/0/0\n";

static void test_round_trip(void)
{
	char line[128], text[8192];
	size_t n = encode_text(b1_text, bytes), len = 0;

	/* bytes -> program -> text -> program -> bytes */
	mt_in_decode(bytes, n, &prog2);
	CHECK(prog2.nr_records == prog.nr_records && prog2.per_page == 8 && prog2.nr_vcpus == 2);
	FILE *f = fmemopen(text, sizeof(text), "w");
	CHECK(f);
	mt_in_print_header(&prog2, f);
	for (unsigned i = 0; i < prog2.nr_records; i++)
		fprintf(f, "%s\n", mt_in_record_text(&prog2.rec[i], line, sizeof(line)));
	fclose(f);
	size_t n2 = encode_text(text, bytes2);
	CHECK(n2 == n && !memcmp(bytes, bytes2, n));

	/* every record kind and run mode survives text */
	for (unsigned op = 0; op < MT_OP_COUNT; op++)
		for (unsigned arg = 0; arg < 256; arg += 37)
			for (unsigned run = 0; run < 256; run += 51) {
				uint8_t in[8] = { 1, 3, 0, 2, 0, 0, (uint8_t)arg, (uint8_t)run };
				static const uint8_t slot[MT_OP_COUNT] = { 0, 10, 16, 20, 22, 28 };
				in[5] = (uint8_t)(slot[op] << 3 | 2);
				mt_in_decode(in, sizeof(in), &prog2);
				len = 0;
				len += (size_t)snprintf(text + len, sizeof(text) - len, "vcpus 4\nper_page 2\nmax_frames 3\n");
				snprintf(text + len, sizeof(text) - len, "%s\n",
				         mt_in_record_text(&prog2.rec[0], line, sizeof(line)));
				n2 = encode_text(text, bytes2);
				struct mt_program p3;
				mt_in_decode(bytes2, n2, &p3);
				CHECK(p3.rec[0].op == op && p3.rec[0].arg == arg && p3.rec[0].vcpu == 2);
				CHECK(p3.rec[0].run_mode == prog2.rec[0].run_mode && p3.rec[0].run_n == prog2.rec[0].run_n);
			}

	/* bad text is an error, not a crash */
	char err[128];
	CHECK(mt_in_parse_text("vcpus 2\nv3 get\n", &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("v0 fly\n", &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("v0 get until=NO_SUCH_SITE\n", &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("per_page 7000\n", &prog2, err, sizeof(err)) == -1);
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Random byte strings of every length: production and baseline clean,
 * and the same verdict twice. */
static void test_garbage_clean(void)
{
	static uint8_t in[400];
	const struct mt_ops *prod = mt_harness_impl("production");
	const struct mt_ops *base = mt_harness_impl("baseline");
	unsigned stops = 0, blocks = 0;

	CHECK(mt_harness_run(NULL, 0, prod, NULL) == 0);
	for (unsigned i = 0; i < 3000; i++) {
		size_t n = next_rand() % sizeof(in);
		for (size_t j = 0; j < n; j++)
			in[j] = (uint8_t)next_rand();
		if (i % 2)
			in[2] = (uint8_t)(next_rand() % 7);   /* small pages half of the time */
		if (mt_harness_run(in, n, prod, NULL)) {
			mt_harness_report(stderr);
			abort();
		}
		stops += mt_sim_stats()->stops;
		blocks += mt_sim_stats()->blocks;
		if (mt_harness_run(in, n, base, NULL)) {
			mt_harness_report(stderr);
			abort();
		}
	}
	/* the programs did interleave (else this test proves little) */
	CHECK(stops > 1000 && blocks > 10);
}

static void test_historical(void)
{
	CHECK(run_text(b1_text, "production") == 0);
	CHECK(run_text(b1_text, "baseline") == 0);
	CHECK(run_text(b1_text, "b1-xsa228-aba") == 1);
	CHECK(strstr(mt_sim_finding(), "I5") || strstr(mt_sim_finding(), "I7"));
	unsigned first_points = mt_sim_stats()->points;
	CHECK(run_text(b1_text, "b1-xsa228-aba") == 1);        /* deterministic */
	CHECK(mt_sim_stats()->points == first_points);

	CHECK(run_text(b3_text, "production") == 0);
	CHECK(run_text(b3_text, "b3-double-put") == 1);
	CHECK(strstr(mt_sim_finding(), "I7"));

	CHECK(run_text(b5_text, "production") == 0);
	CHECK(run_text(b5_text, "b5-oom-no-steal") == 1);
	CHECK(strstr(mt_sim_finding(), "I10"));
}

/* Pair coverage counts switches, and only when switched on. */
static void test_pair_counters(void)
{
	static uint8_t counters[64 * 64];
	unsigned sum = 0;

	const char *switching = "vcpus 2\nper_page 4\nmax_frames 2\n"
		"v0 get\nv1 get run=3\nv0 get run=2\nv1 nop\nv0 nop\n";

	mt_sim_pair_counters = counters;
	CHECK(run_text(switching, "production") == 0);
	CHECK(mt_sim_stats()->stops >= 2);
	mt_sim_pair_counters = NULL;
	for (unsigned i = 0; i < sizeof(counters); i++)
		sum += counters[i];
	CHECK(sum > 0);
	memset(counters, 0, sizeof(counters));
	CHECK(run_text(switching, "production") == 0);
	for (unsigned i = 0; i < sizeof(counters); i++)
		CHECK(counters[i] == 0);
}

/* A broken implementation whose get takes a lock it never drops: two
 * VCPUs deadlock; one whose get never returns: livelock. */
static struct mt_lock test_lock;
static _Atomic uint32_t spin_word;

static int deadlock_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	mt_lock(&test_lock, MT_SITE_POP_LOCK);
	return mt_ops_production.get(t, vcpu, out);
}

static int livelock_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	(void)t; (void)vcpu; (void)out;
	while (mt_load_relaxed(&spin_word, MT_SITE_POP_READ_HEAD) != 12345u)
		;                        /* nobody ever stores 12345 */
	return MT_ERR_NOSPACE;
}

static void test_deadlock_livelock(void)
{
	struct mt_ops dl = mt_ops_production, ll = mt_ops_production;
	const char *two_gets = "vcpus 2\nper_page 4\nmax_frames 2\nv0 get\nv1 get\n";
	size_t n = encode_text(two_gets, bytes);

	dl.name = "test-deadlock";
	dl.get = deadlock_get;
	mt_lock_init(&test_lock);
	CHECK(mt_harness_run(bytes, n, &dl, NULL) == 1);
	CHECK(strstr(mt_sim_finding(), "deadlock"));

	ll.name = "test-livelock";
	ll.get = livelock_get;
	CHECK(mt_harness_run(bytes, n, &ll, NULL) == 1);
	CHECK(strstr(mt_sim_finding(), "livelock"));

	/* the simulator recovers: the next run is clean */
	CHECK(run_text(b1_text, "production") == 0);
}

int main(void)
{
	test_round_trip();
	test_historical();
	test_pair_counters();
	test_deadlock_livelock();
	test_garbage_clean();
	printf("SUMMARY test=sim_test result=pass\n");
	return 0;
}
