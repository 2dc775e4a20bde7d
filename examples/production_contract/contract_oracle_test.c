/*
 * contract_oracle_test.c - the generic contract, alone, on our production
 * library (production-contract, adapter.c): no false positive where the
 * contract used to give one, and a zoo bug still caught.
 *
 *   C3 overlap: v1's bad put of a free handle is stopped after n points
 *      (n = 0 .. 40) while v0's get hands that handle out; the put then
 *      claims a handle in use and is accepted: right.  Clean for every n,
 *      and accepted for some.
 *   C4 after an injected allocation failure: v1's first get meets a
 *      failed page allocation and only v0's sentinel is free: its failure
 *      is right.  b5-oom-no-steal-contract, which fails the same get while
 *      v0's list has handles to steal, is C4.
 *   Sentinels: a lone get fails with only the two lists' sentinels free
 *      (C4), and the end-of-run gets hand out all but the sentinels (C5).
 *   Every file given on the command line (the proof scenarios): clean.
 *   Every zoo variant has its <variant>-contract adapter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/instrument/byo.h"
#include "lib/variants/zoo.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

/* A failed expectation is printed, and the test goes on (exit 1 at the end). */
static unsigned failures;
#define EXPECT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* What the runs did (an observer beside the contract). */
struct seen {
	unsigned bad_accepted;       /* bad puts accepted */
	unsigned failed_after_alloc; /* gets that failed after an injected allocation failure */
};

static void seen_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	struct seen *s = ctx;

	(void)sim;
	(void)v;
	if (op->kind == MT_OP_PUT_BAD && op->rc == MT_OK)
		s->bad_accepted++;
	if (op->kind == MT_OP_GET && op->rc != MT_OK && op->alloc_fail)
		s->failed_after_alloc++;
}

static const struct mt_sim_observer seen_observer = { .name = "seen", .op_returned = seen_returned };

static struct mt_byo *harness(const char *impl, struct seen *s)
{
	struct mt_byo *b = mt_byo_new(impl);
	CHECK(mt_sim_attach(b->sim, &seen_observer, s) == 0);
	return b;
}

/* 0 clean, else prints the finding and returns 1. */
static int run(struct mt_byo *b, const char *what, const char *text)
{
	int rc = mt_byo_run_text(b, text, NULL);
	CHECK(rc >= 0);
	if (rc)
		printf("  %s: %s\n", what, mt_sim_finding(b->sim));
	return rc;
}

int main(int argc, char **argv)
{
	struct seen s = { 0 };
	struct mt_byo *b = harness("production-contract", &s);
	char text[512];
	unsigned flagged = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);      /* in order with stderr's failures */

	/* C3: the bad put overlapped by a get that hands its handle out. */
	for (unsigned n = 0; n <= 40; n++) {
		snprintf(text, sizeof(text), "vcpus 2\nper_page 4\nmax_frames 2\nv0 get\n"
		         "v1 put-bad bad=never run=%u\nv0 get\nv0 get\nv1 nop\n", n);
		flagged += (unsigned)run(b, "c3-overlap", text);
	}
	printf("c3-overlap: 41 stops, %u bad puts accepted after a get handed the handle out, %u flagged\n",
	       s.bad_accepted, flagged);
	EXPECT(flagged == 0 && s.bad_accepted > 0);

	/* C4: allocation 1 fails; v0 holds 3 of 4 handles, the 4th is its sentinel. */
	static const char c4_alloc[] = "vcpus 2\nper_page 4\nmax_frames 4\nalloc_fail 0x02\n"
	                               "v0 get\nv0 get\nv0 get\nv1 get\n";
	EXPECT(!run(b, "c4-alloc-fail", c4_alloc) && s.failed_after_alloc == 1);
	printf("c4-alloc-fail: %u get failed after an injected allocation failure\n", s.failed_after_alloc);

	/* Sentinels: v0's third get fails (two pages, two lists, two sentinels
	 * free); the end-of-run gets hand out 2 of 4 handles. */
	EXPECT(!run(b, "sentinel-c4", "vcpus 2\nper_page 2\nmax_frames 2\nv0 get\nv1 get\nv0 get\n"));
	EXPECT(!run(b, "sentinel-c5", "vcpus 3\nper_page 4\nmax_frames 3\nv0 get\nv1 get\nv2 put-bad bad=never\n"));
	printf("sentinels: done\n");

	for (int i = 1; i < argc; i++) {
		size_t n;
		char *d = (char *)mt_harness_read_file(argv[i], &n);
		CHECK(d);
		EXPECT(!run(b, argv[i], d));
		free(d);
	}
	printf("scenarios: %d clean\n", argc - 1);
	mt_byo_free(b);

	/* The contract alone still catches B5 on the same get. */
	b = harness("b5-oom-no-steal-contract", &s);
	static const char b5[] = "vcpus 2\nper_page 4\nmax_frames 4\nalloc_fail 0x02\nv0 get\nv1 get\n";
	EXPECT(mt_byo_run_text(b, b5, NULL) == 1 && !strncmp(mt_sim_finding(b->sim), "C4", 2));
	printf("b5-oom-no-steal-contract: %s\n", mt_sim_finding(b->sim));
	mt_byo_free(b);

	/* Every variant of the zoo has an adapter. */
	const struct mt_variant_info *vi;
	unsigned variants = 0;
	for (unsigned i = 0; (vi = mt_zoo_at(i)) != NULL; i++) {
		const char *name = vi->ops->name;
		size_t len = strlen(name);
		if (len > 3 && !strcmp(name + len - 3, "-ix"))
			continue;
		snprintf(text, sizeof(text), "%s-contract", name);
		if (!mt_ops_find(text) || !mt_fl_adapter_of(mt_ops_find(text)))
			fprintf(stderr, "no adapter %s in adapter.c\n", text);
		EXPECT(mt_ops_find(text) && mt_fl_adapter_of(mt_ops_find(text)));
		variants++;
	}
	CHECK(variants > 0);
	printf("SUMMARY test=production_contract c3_stops=41 bad_accepted=%u scenarios=%d variants=%u "
	       "failures=%u\n", s.bad_accepted, argc - 1, variants, failures);
	return failures ? 1 : 0;
}
