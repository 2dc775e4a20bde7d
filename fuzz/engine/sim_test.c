/*
 * sim_test.c - the input format, the engine and the standard checkers,
 * checked against known answers: every test here fails if the tool goes
 * blind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "lib/mt_access.h"
#include "lib/mt_internal.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static struct mt_program prog, prog2;
static uint8_t bytes[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];
static uint8_t bytes2[sizeof(bytes)];
static struct mt_harness *H;          /* bound to the implementation of the test */
static struct mt_in_sites b1_sites;   /* the per-VCPU family's sites + b1's own */

static struct mt_harness *on(const char *impl)
{
	const struct mt_ops *ops = mt_harness_impl(impl);

	CHECK(ops);
	mt_harness_set_impl(H, ops);
	return H;
}

#define FINDING() mt_harness_finding(H)
#define STATS() mt_sim_stats(H->sim)

/* Texts name sites of b1-xsa228-aba's tables (a superset of production's). */
static size_t encode_text(const char *text, uint8_t *out)
{
	char err[256];

	if (mt_in_parse_text(text, &b1_sites, &prog, err, sizeof(err))) {
		fprintf(stderr, "parse: %s\n", err);
		abort();
	}
	size_t n = mt_in_encode(&prog, out, sizeof(bytes));
	CHECK(n > 0);
	return n;
}

/* The text against impl: the program as parsed (b1's site ids; a site
 * the implementation lacks is out of its range and never reached). */
static int run_text(const char *text, const char *impl)
{
	encode_text(text, bytes);
	return mt_harness_run_program(on(impl), &prog, NULL);
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
	mt_in_decode(bytes, n, &b1_sites, &prog2);
	CHECK(prog2.version == 2 && bytes[0] == MT_IN_V2_TAG);
	CHECK(prog2.nr_records == prog.nr_records && prog2.per_page == 8 && prog2.nr_vcpus == 2);
	FILE *f = fmemopen(text, sizeof(text), "w");
	CHECK(f);
	mt_in_print_header(&prog2, f);
	for (unsigned i = 0; i < prog2.nr_records; i++)
		fprintf(f, "%s\n", mt_in_record_text(&prog2.rec[i], &b1_sites, line, sizeof(line)));
	fclose(f);
	size_t n2 = encode_text(text, bytes2);
	CHECK(n2 == n && !memcmp(bytes, bytes2, n));

	/* every record kind and run mode survives text */
	for (unsigned op = 0; op < MT_OP_COUNT; op++)
		for (unsigned arg = 0; arg < 256; arg += 37)
			for (unsigned run = 0; run < 256; run += 51) {
				uint8_t in[10] = { MT_IN_V2_TAG, 3, 0, 2, 0, 0, 0, (uint8_t)arg, (uint8_t)run, 7 };
				static const uint8_t slot[MT_OP_COUNT] = { 0, 10, 16, 20, 22, 28, 30 };
				in[6] = (uint8_t)(slot[op] << 3 | 2);
				mt_in_decode(in, sizeof(in), &b1_sites, &prog2);
				len = 0;
				len += (size_t)snprintf(text + len, sizeof(text) - len, "vcpus 4\nper_page 2\nmax_frames 3\n");
				snprintf(text + len, sizeof(text) - len, "%s\n",
				         mt_in_record_text(&prog2.rec[0], &b1_sites, line, sizeof(line)));
				n2 = encode_text(text, bytes2);
				struct mt_program p3;
				mt_in_decode(bytes2, n2, &b1_sites, &p3);
				CHECK(p3.rec[0].op == op && p3.rec[0].arg == arg && p3.rec[0].vcpu == 2);
				CHECK(p3.rec[0].run_mode == prog2.rec[0].run_mode && p3.rec[0].run_n == prog2.rec[0].run_n);
			}

	/* bad text is an error, not a crash */
	char err[128];
	CHECK(mt_in_parse_text("vcpus 2\nv3 get\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("v0 fly\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("v0 get until=NO_SUCH_SITE\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("per_page 7000\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("model tso\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(mt_in_parse_text("v0 read-from store=1 run=3\n", &b1_sites, &prog2, err, sizeof(err)) == -1);
	/* a site of b1's own table is never reached by production: run=all,
	 * or an error when asked to be strict (tools/encode choosing the
	 * implementation) */
	struct mt_in_sites prod_sites;
	mt_in_sites_init(&prod_sites, mt_ops_production.site_tables);
	CHECK(mt_in_parse_text("v0 get until=ZOO_POP_CAS_HEAD\n", &prod_sites, &prog2, err, sizeof(err)) == 0);
	CHECK(prog2.rec[0].run_mode == MT_RUN_ALL);
	prod_sites.strict = 1;
	CHECK(mt_in_parse_text("v0 get until=ZOO_POP_CAS_HEAD\n", &prod_sites, &prog2, err, sizeof(err)) == -1);
	CHECK(strstr(err, "site of this implementation"));
}

/* Version 1 bytes keep their meaning: site numbers of the frozen v1 list
 * map by name onto each implementation's own tables. */
static void test_v1_sites(void)
{
	struct mt_in_sites base, prod;
	/* v1: 1 VCPU, get stopping before v1 site 30 (BASE_LOCK), then 1 (POP_LOCK) */
	const uint8_t v1[] = { 0x01, 0, 2, 1, 0, 0x00, 0, 0x80 | 30, 0x00, 0, 0x80 | 1 };

	mt_in_sites_init(&base, mt_ops_baseline.site_tables);
	mt_in_sites_init(&prod, mt_ops_production.site_tables);
	mt_in_decode(v1, sizeof(v1), &base, &prog2);
	CHECK(prog2.version == 1 && prog2.nr_records == 2);
	CHECK(prog2.rec[0].run_mode == MT_RUN_UNTIL && !strcmp(mt_in_site(&base, prog2.rec[0].run_n)->id, "BASE_LOCK"));
	CHECK(prog2.rec[1].run_mode == MT_RUN_ALL);          /* POP_LOCK: not a baseline site */
	mt_in_decode(v1, sizeof(v1), &prod, &prog2);
	CHECK(prog2.rec[0].run_mode == MT_RUN_ALL);          /* BASE_LOCK: not a production site */
	CHECK(prog2.rec[1].run_mode == MT_RUN_UNTIL && !strcmp(mt_in_site(&prod, prog2.rec[1].run_n)->id, "POP_LOCK"));
	CHECK(!strcmp(mt_in_v1_site_id(38), "ZOO_POP_CAS_HEAD") && mt_in_v1_site_id(64) == NULL);
	/* v2: ids of the upper half fold into range (the fuzzers' half); a
	 * lower-half id the tables lack is kept, and never reached */
	const uint8_t v2[] = { MT_IN_V2_TAG, 0, 2, 1, 0, 0, 0x00, 0, 0xbf, 0xff, 0x00, 0, 0x80, 29 };
	mt_in_decode(v2, sizeof(v2), &prod, &prog2);
	CHECK(prog2.rec[0].run_mode == MT_RUN_UNTIL && prog2.rec[0].run_n < prod.count);
	CHECK(prod.count == 29 && prog2.rec[1].run_mode == MT_RUN_UNTIL && prog2.rec[1].run_n == 29);
	mt_in_decode(v2, sizeof(v2), &b1_sites, &prog2);
	CHECK(prog2.rec[1].run_mode == MT_RUN_UNTIL &&
	      !strcmp(mt_in_site(&b1_sites, prog2.rec[1].run_n)->id, "ZOO_POP_CAS_HEAD"));
}

/* Read-from records (for the memory model) are kept and change nothing
 * under sc: the same verdict and the same schedule as without them. */
static void test_read_from_ignored(void)
{
	const char *with = "vcpus 2\nper_page 8\nmax_frames 1\n"
		"v0 get\nv1 read-from store=3\nv1 get until=ZOO_POP_CAS_HEAD\nv0 read-from store=0\n"
		"v0 get\nv0 get\nv0 put-own idx=1\nv0 get\nv0 get\nv0 get\nv0 get\nv0 get\nv1 nop\nv0 get\n";
	CHECK(run_text(with, "b1-xsa228-aba") == 1);
	char first[512];
	snprintf(first, sizeof(first), "%s", FINDING());
	unsigned points = STATS()->points;
	CHECK(prog.rec[1].op == MT_OP_READ_FROM && prog.rec[1].arg == 3);
	CHECK(run_text(b1_text, "b1-xsa228-aba") == 1);
	CHECK(!strcmp(first, FINDING()) && points == STATS()->points);
}

/* The c11 memory model: the committed w-relaxed-next reproducer (pop reads
 * the head entry's link relaxed) is a finding only under c11, where its
 * read-from record makes v0's load read an older store; the same program
 * under sc and production under c11 run clean; the model byte survives
 * the bytes; and production with that one load weakened at run time
 * (MT_WEAKEN, the orderings table's mutation) fails the same way. */
static const char *c11_text =
	"maptrack-input v2\nmodel c11\nvcpus 2\nper_page 8\nmax_frames 1\n"
	"v0 get rand=0/0/0 run=67\nv1 get rand=7/7/3 run=85\nv0 get rand=3/0/0 until=GROW_STORE_PAGE\n"
	"v0 get rand=7/7/3 run=all\nv0 get rand=6/7/3 run=80\nv1 get rand=4/1/1 run=65\n"
	"v1 put-own idx=255 run=all\nv0 get rand=2/3/1 run=79\nv0 read-from store=254\nv0 get run=0\n";

static void test_c11(void)
{
	char first[512];

	CHECK(run_text(c11_text, "w-relaxed-next") == 1);
	CHECK(prog.model == MT_MODEL_C11 && bytes[5] == MT_MODEL_C11);
	CHECK(STATS()->weak_reads >= 1);
	snprintf(first, sizeof(first), "%s", FINDING());
	CHECK(!strncmp(first, "I5", 2));
	unsigned weak = STATS()->weak_reads;
	CHECK(run_text(c11_text, "w-relaxed-next") == 1);      /* deterministic */
	CHECK(!strcmp(first, FINDING()) && weak == STATS()->weak_reads);
	mt_in_decode(bytes, mt_in_encode(&prog, bytes, sizeof(bytes)), &b1_sites, &prog2);
	CHECK(prog2.model == MT_MODEL_C11);
	CHECK(run_text(c11_text, "production") == 0);
	CHECK(STATS()->weak_reads == 0 || !mt_sim_failed(H->sim));
	/* under sc the read-from record has nothing to choose */
	char sc_text[1024];
	snprintf(sc_text, sizeof(sc_text), "%s", c11_text);
	memcpy(strstr(sc_text, "model c11"), "model sc ", 9);
	CHECK(run_text(sc_text, "w-relaxed-next") == 0);
	CHECK(STATS()->weak_reads == 0);
	/* production with POP_READ_NEXT weakened to relaxed at run time */
	on("production");
	CHECK(mt_harness_weaken(H, "POP_READ_NEXT") == 0);
	CHECK(run_text(c11_text, "production") == 1);
	CHECK(!strcmp(first, FINDING()));
	CHECK(mt_harness_weaken(H, NULL) == 0);
	CHECK(run_text(c11_text, "production") == 0);
	CHECK(mt_harness_weaken(H, "NO_SUCH_SITE") == -1 && mt_harness_weaken(H, "PUT_LINK=sometimes") == -1);
}

/* Several observers on one run: a counting observer beside the oracle and
 * the claims checker sees every event the engine counts. */
struct counts {
	unsigned begin, started, access, returned, quiescent, end;
};

static void c_begin(void *ctx, struct mt_sim *sim) { (void)sim; ((struct counts *)ctx)->begin++; }
static void c_started(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{ (void)sim; (void)v; (void)op; ((struct counts *)ctx)->started++; }
static void c_access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr, unsigned acc)
{ (void)v; (void)addr; (void)acc; CHECK(mt_sim_site(sim, site) != NULL); ((struct counts *)ctx)->access++; }
static void c_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{ (void)sim; (void)v; (void)op; ((struct counts *)ctx)->returned++; }
static void c_quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final)
{ (void)sim; (void)trace; (void)final; ((struct counts *)ctx)->quiescent++; }
static void c_end(void *ctx, struct mt_sim *sim) { (void)sim; ((struct counts *)ctx)->end++; }

static const struct mt_sim_observer counting = {
	.name = "counting", .begin = c_begin, .op_started = c_started, .access = c_access,
	.op_returned = c_returned, .quiescent = c_quiescent, .end = c_end,
};

static void test_observers(void)
{
	struct mt_harness *h = mt_harness_new(&mt_ops_production);
	struct counts c = { 0 };

	CHECK(mt_sim_attach(h->sim, &counting, &c) == 0);
	CHECK(mt_sim_attach(h->sim, &mt_oracle_observer, h->oracle) == -1);   /* one workload role */
	encode_text(b1_text, bytes);
	CHECK(mt_harness_run_program(h, &prog, NULL) == 0);
	const struct mt_sim_stats *st = mt_sim_stats(h->sim);
	CHECK(c.begin == 1 && c.end == 1);
	CHECK(c.started == st->ops_started && c.returned == st->ops_done && c.started > 5);
	CHECK(c.access == st->points && c.quiescent == st->quiescent_checks);
	mt_harness_free(h);
}

/* A get with a schedule point after it marked its handle in use (as
 * instrumented code has): a hostile put of that handle may win in between
 * and must be excused when the get then returns it; a hostile put accepted
 * while a get is in flight that hands out something else is still I7. */
static const struct mt_site late_site = { "LATE", MT_SK_R, "get: after the hand-out" };
static const struct mt_site_table late_table = { .name = "late", .count = 1, .sites = &late_site };
static const struct mt_site_table *const late_tables[] = { &mt_pv_site_table, &late_table, NULL };
static _Atomic uint32_t late_word;
static const struct mt_ops *late_inner;

static int late_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	int rc = late_inner->get(t, vcpu, out);
	(void)mt_load_relaxed(&late_word, &late_site);
	return rc;
}

static void test_hostile_put_wins_early(void)
{
	struct mt_ops late = mt_ops_production;
	late.name = "test-late-return";
	late.get = late_get;
	late.site_tables = late_tables;
	late_inner = &mt_ops_production;
	mt_harness_set_impl(H, &late);
	/* v0's get hands out 0 and stops before returning; v1's hostile put of
	 * the free handle 0 wins; v0 returns 0, already put back */
	const char *won = "vcpus 2\nper_page 4\nmax_frames 1\n"
		"v0 get until=LATE\nv1 put-bad bad=free k=0\nv0 nop\n";
	struct mt_in_sites late_sites;
	mt_in_sites_init(&late_sites, late_tables);
	char err[256];
	CHECK(mt_in_parse_text(won, &late_sites, &prog, err, sizeof(err)) == 0);
	CHECK(mt_harness_run_program(H, &prog, NULL) == 0);
	/* the same against b3 (accepts any free handle): a hostile put of a
	 * handle the in-flight get does not return is I7 */
	late_inner = mt_harness_impl("b3-double-put");
	late = *late_inner;
	late.name = "test-late-return-b3";
	late.get = late_get;
	late.site_tables = late_tables;
	mt_harness_set_impl(H, &late);
	const char *bad = "vcpus 2\nper_page 4\nmax_frames 1\n"
		"v0 get until=LATE\nv1 put-bad bad=free k=1\nv0 nop\n";
	CHECK(mt_in_parse_text(bad, &late_sites, &prog, err, sizeof(err)) == 0);
	CHECK(mt_harness_run_program(H, &prog, NULL) == 1);
	CHECK(strstr(FINDING(), "I7") == FINDING());
}

/* An implementation whose accessor names a site its tables do not hold is
 * told so (a registration mistake), not silently mis-scheduled. */
static const struct mt_site stray_site = { "STRAY", MT_SK_RW, "a site in no table" };
static _Atomic uint32_t stray_word;

static int stray_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	(void)mt_load_relaxed(&stray_word, &stray_site);
	return mt_ops_production.get(t, vcpu, out);
}

static void test_unknown_site(void)
{
	struct mt_ops st = mt_ops_production;

	st.name = "test-stray-site";
	st.get = stray_get;
	mt_harness_set_impl(H, &st);
	encode_text("vcpus 1\nv0 get\n", bytes);
	CHECK(mt_harness_run_program(H, &prog, NULL) == 1);
	CHECK(strstr(FINDING(), "site") == FINDING() && strstr(FINDING(), "a site in no table"));
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
	struct mt_harness *prod = mt_harness_new(mt_harness_impl("production"));
	struct mt_harness *base = mt_harness_new(mt_harness_impl("baseline"));
	unsigned stops = 0, blocks = 0;

	CHECK(mt_harness_run(prod, NULL, 0, NULL) == 0);
	for (unsigned i = 0; i < 3000; i++) {
		size_t n = next_rand() % sizeof(in);
		for (size_t j = 0; j < n; j++)
			in[j] = (uint8_t)next_rand();
		if (i % 2)
			in[2] = (uint8_t)(next_rand() % 7);   /* small pages half of the time */
		if (mt_harness_run(prod, in, n, NULL)) {
			mt_harness_report(prod, stderr);
			abort();
		}
		stops += mt_sim_stats(prod->sim)->stops;
		blocks += mt_sim_stats(prod->sim)->blocks;
		if (mt_harness_run(base, in, n, NULL)) {
			mt_harness_report(base, stderr);
			abort();
		}
	}
	mt_harness_free(prod);
	mt_harness_free(base);
	/* the programs did interleave (else this test proves little) */
	CHECK(stops > 1000 && blocks > 10);
}

static void test_historical(void)
{
	CHECK(run_text(b1_text, "production") == 0);
	CHECK(run_text(b1_text, "baseline") == 0);
	CHECK(run_text(b1_text, "b1-xsa228-aba") == 1);
	CHECK(strstr(FINDING(), "I5") || strstr(FINDING(), "I7"));
	unsigned first_points = STATS()->points;
	CHECK(run_text(b1_text, "b1-xsa228-aba") == 1);        /* deterministic */
	CHECK(STATS()->points == first_points);

	CHECK(run_text(b3_text, "production") == 0);
	CHECK(run_text(b3_text, "b3-double-put") == 1);
	CHECK(strstr(FINDING(), "I7"));

	CHECK(run_text(b5_text, "production") == 0);
	CHECK(run_text(b5_text, "b5-oom-no-steal") == 1);
	CHECK(strstr(FINDING(), "I10"));
}

/* Pair coverage counts switches, and only when switched on; with n*n
 * counters for n sites the index is exact, else hashed into range. */
static void test_pair_counters(void)
{
	static uint8_t counters[64 * 64];
	unsigned sum = 0;

	const char *switching = "vcpus 2\nper_page 4\nmax_frames 2\n"
		"v0 get\nv1 get run=3\nv0 get run=2\nv1 nop\nv0 nop\n";

	CHECK(mt_sim_pair_index(3, 5, 30, 4096) == 3 * 30 + 5);
	CHECK(mt_sim_pair_index(9000, 12000, 16384, 4096) < 4096);
	mt_sim_set_pair_counters(H->sim, counters, sizeof(counters));
	CHECK(run_text(switching, "production") == 0);
	CHECK(STATS()->stops >= 2);
	mt_sim_set_pair_counters(H->sim, NULL, 0);
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
	mt_lock(&test_lock, MT_PV_SITE(POP_LOCK));
	return mt_ops_production.get(t, vcpu, out);
}

static int livelock_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	(void)t; (void)vcpu; (void)out;
	while (mt_load_relaxed(&spin_word, MT_PV_SITE(POP_READ_HEAD)) != 12345u)
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
	mt_harness_set_impl(H, &dl);
	CHECK(mt_harness_run(H, bytes, n, NULL) == 1);
	CHECK(strstr(FINDING(), "deadlock"));

	ll.name = "test-livelock";
	ll.get = livelock_get;
	mt_harness_set_impl(H, &ll);
	CHECK(mt_harness_run(H, bytes, n, NULL) == 1);
	CHECK(strstr(FINDING(), "livelock"));

	/* the simulator recovers: the next run is clean */
	CHECK(run_text(b1_text, "production") == 0);
}

int main(void)
{
	H = mt_harness_new(&mt_ops_production);
	mt_in_sites_init(&b1_sites, mt_harness_impl("b1-xsa228-aba")->site_tables);
	test_round_trip();
	test_v1_sites();
	test_read_from_ignored();
	test_c11();
	test_observers();
	test_unknown_site();
	test_hostile_put_wins_early();
	test_historical();
	test_pair_counters();
	test_deadlock_livelock();
	test_garbage_clean();
	printf("SUMMARY test=sim_test result=pass\n");
	return 0;
}
