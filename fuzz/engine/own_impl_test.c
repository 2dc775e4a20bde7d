/*
 * own_impl_test.c - an implementation from outside lib/ plugs in without
 * editing any central file, and brings more than 64 schedule points.
 *
 * "example-many-sites" is production with a get that first passes 100
 * schedule points of its own (reads of a private word, each its own site:
 * EXTRA_000 .. EXTRA_099).  It registers itself below (MT_REGISTER_IMPL),
 * names its sites in its own table (after the per-VCPU family's 29), and
 * must then be found by name, decoded, scheduled to any of its 129 sites,
 * round-tripped through format v2 and counted in pair coverage (hashed:
 * 129 x 129 pairs do not fit the fuzzer's 4096 counters).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "lib/mt_access.h"
#include "lib/mt_pv_sites.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

#define NR_EXTRA 100u

static char extra_id[NR_EXTRA][16], extra_text[NR_EXTRA][32];
static struct mt_site extra_sites[NR_EXTRA];
static const struct mt_site_table extra_table = { .name = "example-many-sites", .count = NR_EXTRA,
                                                  .sites = extra_sites };
static const struct mt_site_table *const tables[] = { &mt_pv_site_table, &extra_table, NULL };
static _Atomic uint32_t private_word;

static int many_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	for (unsigned i = 0; i < NR_EXTRA; i++)
		(void)mt_load_relaxed(&private_word, &extra_sites[i]);
	return mt_ops_production.get(t, vcpu, out);
}

static struct mt_ops many_ops;

/* Registration, as any implementation outside lib/ would do it (the ops
 * are filled in first: constructors with a lower priority run earlier). */
__attribute__((constructor(101))) static void many_init(void)
{
	for (unsigned i = 0; i < NR_EXTRA; i++) {
		snprintf(extra_id[i], sizeof(extra_id[i]), "EXTRA_%03u", i);
		snprintf(extra_text[i], sizeof(extra_text[i]), "extra point %u", i);
		extra_sites[i] = (struct mt_site){ extra_id[i], MT_SK_R, extra_text[i] };
	}
	many_ops = mt_ops_production;
	many_ops.name = "example-many-sites";
	many_ops.summary = "production behind 100 extra schedule points (a test of site tables)";
	many_ops.get = many_get;
	many_ops.site_tables = tables;
}
MT_REGISTER_IMPL(many_ops, 2, NULL)

int main(void)
{
	const struct mt_ops *ops = mt_harness_impl("example-many-sites");
	CHECK(ops == &many_ops);

	struct mt_harness *h = mt_harness_new(ops);
	CHECK(h->sites.count == 29 + NR_EXTRA);

	/* a text naming site 119 of the run (EXTRA_090): v0 stops there */
	static struct mt_program p, q;
	char err[256];
	CHECK(mt_harness_parse(h, "vcpus 2\nv0 get until=EXTRA_090\nv1 get\nv0 nop\n", &p, err, sizeof(err)) == 0);
	CHECK(p.rec[0].run_mode == MT_RUN_UNTIL && p.rec[0].run_n == 29 + 90);
	char *trace = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&trace, &len);
	CHECK(f);
	CHECK(mt_harness_run_program(h, &p, f) == 0);
	fclose(f);
	CHECK(strstr(trace, "v0 get stopped before 'extra point 90' (point 91 of the op)"));
	free(trace);

	/* v2 bytes carry the id; they decode to the same program */
	static uint8_t bytes[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];
	size_t n = mt_in_encode(&p, bytes, sizeof(bytes));
	CHECK(n > 0);
	mt_harness_decode(h, bytes, n, &q);
	CHECK(q.nr_records == p.nr_records && q.rec[0].run_n == p.rec[0].run_n);

	/* pair coverage: 129 x 129 pairs hashed into 4096 counters */
	static uint8_t counters[4096];
	mt_sim_set_pair_counters(h->sim, counters, sizeof(counters));
	CHECK(mt_harness_run_program(h, &p, NULL) == 0);
	unsigned hits = 0;
	for (unsigned i = 0; i < sizeof(counters); i++)
		hits += counters[i] != 0;
	CHECK(hits > 0);
	CHECK(mt_sim_pair_index(29 + 90, 0, h->sites.count, sizeof(counters)) < sizeof(counters));

	mt_harness_free(h);
	printf("SUMMARY test=own_impl sites=%u pair_hits=%u\n", 29 + NR_EXTRA, hits);
	return 0;
}
