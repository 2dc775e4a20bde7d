/*
 * maptrack_fuzzer.c - the libFuzzer target: decode, run, check.
 *
 * Environment:
 *   MT_IMPL=name          implementation (default "production"; any builtin
 *                         or bug-zoo name, see maptrack_replay --list-impls)
 *   MT_PAIR_COVERAGE=0    turn off the interleaving coverage (extra counters
 *                         indexed by (preempted site, site run next))
 * A finding prints the invariant, the handle and the interleaving, then
 * abort()s so libFuzzer saves the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/harness.h"
#include "fuzz/sim.h"

/* libFuzzer treats this section as extra coverage counters. */
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t pair_counters[64 * 64];

static const struct mt_ops *impl;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *name = getenv("MT_IMPL");
	if (!name || !*name)
		name = "production";
	impl = mt_harness_impl(name);
	if (!impl) {
		fprintf(stderr, "maptrack_fuzzer: unknown MT_IMPL '%s'; known:\n", name);
		mt_harness_list_impls(stderr);
		exit(2);
	}
	const char *pc = getenv("MT_PAIR_COVERAGE");
	mt_sim_pair_counters = pc && !strcmp(pc, "0") ? NULL : pair_counters;
	fprintf(stderr, "maptrack_fuzzer: impl=%s pair_coverage=%s\n", impl->name,
	        mt_sim_pair_counters ? "on" : "off");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mt_harness_run(data, size, impl, NULL)) {
		mt_harness_report(stderr);
		fflush(stderr);
		abort();
	}
	return 0;
}
