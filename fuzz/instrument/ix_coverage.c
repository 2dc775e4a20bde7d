/*
 * ix_coverage.c - libFuzzer's edge coverage of instrumented code (the
 * libFuzzer build only: fuzz/instrument/defs.bzl, IX_COVERAGE_COPTS).
 *
 * clang 14 runs SanitizerCoverage before ThreadSanitizer, and its
 * ThreadSanitizer instruments the updates of the inline 8-bit counters
 * (-fsanitize=fuzzer-no-link): every edge of the user's code would call
 * __tsan_write1, a schedule point of the engine and a shared write that
 * no source line makes.  Instrumented code is built with
 * -fsanitize-coverage=trace-pc-guard instead: an edge is a call, which
 * ThreadSanitizer leaves alone: no counter update becomes a hook call
 * for the runtime's scan (ix.c) to find.  libFuzzer 14 defines the
 * trace-pc-guard callbacks only to reject that mode, so the link wraps
 * them (--wrap, BUILD) and they are served here: an edge taken sets its
 * byte in libFuzzer's extra-counters section to 1, which libFuzzer clears
 * before each run and reads as features after it (ft:, not cov:, which
 * counts the pc tables of inline-counter modules only).  Taken or not,
 * no hit counts: saturating 8-bit counts found later on the examples and
 * the zoo (docs/figures.md, "Coverage of your code").
 */
#include <stdint.h>

#define IX_COV_COUNTERS 16384u   /* a power of two; more edges share a byte */

__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t ix_cov[IX_COV_COUNTERS];

static uint32_t ix_cov_edges;

/* Every instrumented module's constructor passes the bounds of the whole
 * guard section of the executable: number the guards once. */
void __wrap___sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __wrap___sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
	if (start == stop || *start)
		return;
	for (uint32_t *g = start; g < stop; g++)
		*g = ++ix_cov_edges;
}

void __wrap___sanitizer_cov_trace_pc_guard(uint32_t *guard);
void __wrap___sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
	uint32_t g = *guard;

	if (g)
		ix_cov[(g - 1) & (IX_COV_COUNTERS - 1)] = 1;
}
