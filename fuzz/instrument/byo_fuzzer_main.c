/*
 * byo_fuzzer_main.c - the libFuzzer target for a free list of your own:
 * decode, run under the generic contract, abort on a finding.
 *   MT_IMPL=name   the adapter (default: the first registered one)
 * The interleaving coverage (pairs of sites around each VCPU switch) is
 * given to libFuzzer as extra counters.  Built by Bazel (freelist_fuzz_suite)
 * and by .clusterfuzzlite/build.sh (MT_BYO=DIR; tools/afl --impl NAME).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"

#define BYO_PAIR_COUNTERS 4096u
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t byo_pairs[BYO_PAIR_COUNTERS];

static struct mt_byo *byo;

/* The counters as fuzz/drivers/afl_main.c finds them (AFL++ 4.04c reads no
 * extra-counters section; the AFL driver copies them into its map). */
uint8_t *mt_fuzz_pairs = byo_pairs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *name = getenv("MT_IMPL");
	if (!name || !*name) {
		for (unsigned i = 0; mt_ops_at(i); i++)
			if (mt_fl_adapter_of(mt_ops_at(i)->ops)) {
				name = mt_ops_at(i)->ops->name;
				break;
			}
	}
	byo = mt_byo_new(name);
	mt_sim_set_pair_counters(byo->sim, byo_pairs, BYO_PAIR_COUNTERS);
	fprintf(stderr, "byo_fuzzer: impl=%s sites=%u%s%s\n", byo->ops->name, mt_ix_nr_found(),
	        mt_ix_problem()[0] ? " problem: " : "", mt_ix_problem());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mt_byo_run(byo, data, size, NULL)) {
		fprintf(stderr, "FINDING %s\n", mt_sim_finding(byo->sim));
		mt_sim_report(byo->sim, stderr);
		fflush(stderr);
		abort();
	}
	return 0;
}
