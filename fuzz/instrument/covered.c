/* covered.c - instrumented code for coverage_test: two edges, two accesses
 * (a read on one, a write on the other), nothing else. */
#include "fuzz/instrument/covered.h"

int covered_branch(int *cell, int x)
{
	if (x > 0)
		return *cell;
	*cell = x;
	return 0;
}
