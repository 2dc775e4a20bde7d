/*
 * byo_fuzzer_main.c - the libFuzzer target for a free list of your own:
 * decode, run under the generic contract (fuzz/instrument/byo.h).
 *   MT_IMPL=name   the adapter (default: the first registered one)
 *   MT_KNOWN, MT_CONTINUE, MT_STOP_ON_NEW, MT_FINDINGS_DIR: what a finding
 *                  does, as in the maptrack fuzzer (fuzz/drivers/harness.h,
 *                  "fuzzing campaigns"): without them the finding and its
 *                  interleaving are printed and the process abort()s (the
 *                  engine saves the input); with them known findings
 *                  return, each new signature is saved once as
 *                  MT_FINDINGS_DIR/new-<signature> and the campaign goes
 *                  on.  At exit: "byo_fuzzer: SUMMARY-KNOWN execs=N ...".
 * The read-from mutator (fuzz/format/mutate.h) as in maptrack_fuzzer.
 * The interleaving coverage (pairs of sites around each VCPU switch) is
 * given to libFuzzer as extra counters.  Built by Bazel (freelist_fuzz_suite)
 * and by .clusterfuzzlite/build.sh (MT_BYO=DIR; tools/afl --impl NAME).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/format/mutate.h"
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
/* libFuzzer's byte mutator.  Weak: the same file links into AFL++ binaries
 * (afl_main.c, tools/afl; AFL++'s libFuzzer driver), which have none and
 * never call the custom mutator below. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* -len_control stays as libFuzzer sets it with a custom mutator (off):
	 * on the examples' c11 slips the long inputs find them in 10^2-10^3
	 * executions, with it on in none of 1.4 x 10^5 (docs/memory-model.md). */
	(void)argc;
	(void)argv;
	const char *name = getenv("MT_IMPL");
	if (!name || !*name)
		name = mt_byo_first();
	byo = mt_byo_new(name);
	/* The first line: the memory model every input runs under. */
	fprintf(stderr, "byo_fuzzer: %s\n", mt_harness_model_text(byo->h));
	mt_sim_set_pair_counters(byo->h->sim, byo_pairs, BYO_PAIR_COUNTERS);
	int keep_going = mt_campaign_init(byo->h, "byo_fuzzer");
	fprintf(stderr, "byo_fuzzer: impl=%s sites=%u model=%s known=%u%s%s%s\n", byo->h->ops->name,
	        mt_ix_nr_found(), byo->h->model < 0 ? "input" : mt_in_model_name((unsigned)byo->h->model),
	        mt_known_count(byo->h->known), keep_going ? " (findings continue)" : "",
	        mt_ix_problem()[0] ? " problem: " : "", mt_ix_problem());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return mt_campaign_input(data, size);
}

/* Stale reads the mutator can reach (fuzz/format/mutate.h), as in
 * maptrack_fuzzer; MT_MUTATOR=bytes: libFuzzer's byte mutations only. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	return mt_in_mutate_libfuzzer(data, size, max, seed, &byo->h->sites, byo->h->model, LLVMFuzzerMutate);
}
