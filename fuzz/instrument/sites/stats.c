/*
 * stats.c - an unrelated function added to the Treiber suite's code: a
 * counter the free list never uses.  Its accesses are sites of the
 * executable like any other; its function name sorts before treiber_*,
 * which under the old function.ordinal numbering moved the byte id of
 * every Treiber site (sites_test).
 */
#include "fuzz/instrument/sites/stats.h"

void stats_note(struct stats *s, unsigned n)
{
	s->calls++;
	s->total += n;
	if (n > s->max)
		s->max = n;
}

/* Called once at start-up (outside any run: the accesses just happen),
 * through a volatile pointer, so that no build drops it as unused: -c opt
 * would otherwise run a direct call at compile time (clang evaluates
 * constructors it can) and then --gc-sections drops the function. */
struct stats stats_at_start;
static void (*volatile stats_note_at_start)(struct stats *, unsigned) = stats_note;

__attribute__((constructor)) static void stats_start(void)
{
	stats_note_at_start(&stats_at_start, 1);
}
