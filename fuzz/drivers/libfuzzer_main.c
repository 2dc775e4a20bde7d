/*
 * libfuzzer_main.c - the libFuzzer target (maptrack_fuzzer): decode, run, check.
 *
 * Environment:
 *   MT_IMPL=name          implementation (default "production"; any builtin
 *                         or bug-zoo name, see maptrack_replay --list-impls)
 *   MT_PAIR_COVERAGE=0    turn off the interleaving coverage (extra counters
 *                         indexed by (preempted site, site run next): exact
 *                         for up to 64 sites, hashed beyond)
 * A finding prints the invariant, the handle and the interleaving, then
 * abort()s so libFuzzer saves the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
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
	mt_fuzz_pairs = pc && !strcmp(pc, "0") ? NULL : mt_fuzz_pair_counters;
	mt_sim_set_pair_counters(harness->sim, mt_fuzz_pairs, MT_PAIR_COUNTERS);
	fprintf(stderr, "maptrack_fuzzer: impl=%s pair_coverage=%s sites=%u\n", impl->name,
	        mt_fuzz_pairs ? "on" : "off", harness->sites.count);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mt_harness_run(harness, data, size, NULL)) {
		mt_harness_report(harness, stderr);
		fflush(stderr);
		abort();
	}
	return 0;
}
