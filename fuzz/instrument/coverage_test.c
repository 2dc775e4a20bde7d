/*
 * coverage_test.c - in the libFuzzer build, instrumented code (covered.c)
 * reports its edges to libFuzzer (the extra-counters section, through
 * ix_coverage.c) and its accesses are still exactly its own: the
 * runtime's scan finds covered.c's read and write and nothing more (inline
 * 8-bit counters would add a __tsan_write1 site per edge).  The two
 * branches light different counters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/instrument/covered.h"
#include "fuzz/instrument/ix.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

extern uint8_t __start___libfuzzer_extra_counters[] __attribute__((weak));
extern uint8_t __stop___libfuzzer_extra_counters[] __attribute__((weak));

/* The lit counters' indices into lit (at most cap); returns how many. */
static size_t lit_counters(size_t *lit, size_t cap)
{
	size_t n = 0;
	for (uint8_t *c = __start___libfuzzer_extra_counters; c < __stop___libfuzzer_extra_counters; c++)
		if (*c && n < cap)
			lit[n++] = (size_t)(c - __start___libfuzzer_extra_counters);
	return n;
}

int main(void)
{
	size_t a[16], b[16];
	int cell = 5;

	fprintf(stderr, "coverage_test: sites=%u extra_counters=%zu\n", mt_ix_nr_found(),
	        (size_t)(__stop___libfuzzer_extra_counters - __start___libfuzzer_extra_counters));
	CHECK(mt_ix_nr_found() == 2);
	CHECK(__start___libfuzzer_extra_counters < __stop___libfuzzer_extra_counters);
	CHECK(lit_counters(a, 16) == 0);

	CHECK(covered_branch(&cell, 1) == 5);
	size_t na = lit_counters(a, 16);
	memset(__start___libfuzzer_extra_counters, 0,
	       (size_t)(__stop___libfuzzer_extra_counters - __start___libfuzzer_extra_counters));
	CHECK(covered_branch(&cell, -1) == 0 && cell == -1);
	size_t nb = lit_counters(b, 16);
	fprintf(stderr, "coverage_test: x > 0 lit %zu counters, x <= 0 lit %zu\n", na, nb);
	CHECK(na > 0 && nb > 0);
	CHECK(na != nb || memcmp(a, b, na * sizeof(a[0])) != 0);
	printf("SUMMARY test=coverage sites=%u edges_then=%zu edges_else=%zu result=ok\n",
	       mt_ix_nr_found(), na, nb);
	return 0;
}
