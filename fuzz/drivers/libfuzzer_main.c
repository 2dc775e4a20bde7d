/*
 * libfuzzer_main.c - the libFuzzer target (maptrack_fuzzer): decode, run, check.
 *
 * Environment:
 *   MT_IMPL=name          implementation (default "production"; any builtin
 *                         or bug-zoo name, see maptrack_replay --list-impls)
 *   MT_PAIR_COVERAGE=0    turn off the interleaving coverage (extra counters
 *                         indexed by (preempted site, site run next): exact
 *                         for up to 64 sites, hashed beyond)
 *   MT_I11=0              do not check private claims (I11): a bug that I11
 *                         would stop first shows its own corruption
 *   MT_RACES=0            do not look for data races (I12, the happens-before
 *                         detector): the engine as it was before it
 *   MT_MEMORY_MODEL=c11   run every input under the c11 memory model (else
 *                         each input's header says: v1 inputs are sc); the
 *                         reproducers saved per signature carry the model
 *   MT_MUTATOR=bytes      libFuzzer's byte mutations only (default: one
 *                         call in 8 goes to fuzz/format/mutate.h: c11
 *                         headers and read-from records)
 *   MT_KNOWN, MT_CONTINUE, MT_STOP_ON_NEW, MT_FINDINGS_DIR: what a finding
 *                         does (fuzz/drivers/harness.h, shared with the
 *                         adapters' fuzzer): without them it prints the
 *                         invariant, the handle and the interleaving, then
 *                         abort()s so libFuzzer saves the input; with them
 *                         a known finding returns, a new signature is saved
 *                         once as MT_FINDINGS_DIR/new-<signature> and the
 *                         campaign goes on; a crash (signal, ASan or UBSan
 *                         report) is such a finding too, recovered in
 *                         process (signature crash:KIND:FRAME).  At exit:
 *                         "maptrack_fuzzer: SUMMARY-KNOWN execs=N known=N new=N new_sigs=... stale=N crashes=N".
 * The first line printed names the memory model and what it means.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/format/mutate.h"

/* libFuzzer treats this section as extra coverage counters.  Not static:
 * the AFL++ driver (afl_main.c) copies them into AFL's map. */
#define MT_PAIR_COUNTERS 4096u
__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t mt_fuzz_pair_counters[MT_PAIR_COUNTERS];
/* The counters in use (NULL: MT_PAIR_COVERAGE=0). */
uint8_t *mt_fuzz_pairs;

static struct mt_harness *harness;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* libFuzzer's byte mutator.  Weak: the same file links into AFL++ binaries
 * (afl_main.c, tools/afl; AFL++'s libFuzzer driver), which have none and
 * never call the custom mutator below. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (LLVMFuzzerMutate)            /* libFuzzer's flags; AFL++'s driver takes files */
		mt_in_mutate_keep_len_control(argc, argv);
	const char *name = getenv("MT_IMPL");
	if (!name || !*name)
		name = "production";
	const struct mt_ops *impl = mt_harness_impl(name);
	if (!impl) {
		fprintf(stderr, "maptrack_fuzzer: unknown MT_IMPL '%s'; known:\n", name);
		mt_harness_list_impls(stderr);
		exit(2);
	}
	const char *pc = getenv("MT_PAIR_COVERAGE");
	harness = mt_harness_new(impl);
	/* The first line: the memory model every input runs under. */
	fprintf(stderr, "maptrack_fuzzer: %s\n", mt_harness_model_text(harness));
	const char *i11 = getenv("MT_I11");
	mt_claims_enable(harness->claims, !(i11 && !strcmp(i11, "0")));
	const char *races = getenv("MT_RACES");
	mt_races_enable(harness->races, !(races && !strcmp(races, "0")));
	int keep_going = mt_campaign_init(harness, "maptrack_fuzzer");
	mt_fuzz_pairs = pc && !strcmp(pc, "0") ? NULL : mt_fuzz_pair_counters;
	mt_sim_set_pair_counters(harness->sim, mt_fuzz_pairs, MT_PAIR_COUNTERS);
	fprintf(stderr, "maptrack_fuzzer: impl=%s model=%s pair_coverage=%s sites=%u i11=%s known=%u%s\n",
	        impl->name, harness->model < 0 ? "input" : mt_in_model_name((unsigned)harness->model),
	        mt_fuzz_pairs ? "on" : "off", harness->sites.count, mt_claims_enabled(harness->claims) ? "on" : "off",
	        mt_known_count(harness->known), keep_going ? " (findings continue)" : "");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return mt_campaign_input(data, size);
}

/* Stale reads the mutator can reach (fuzz/format/mutate.h); the byte
 * mutations otherwise.  MT_MUTATOR=bytes: the byte mutations only. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	return mt_in_mutate_libfuzzer(data, size, max, seed, &harness->sites, harness->model, LLVMFuzzerMutate);
}
