/*
 * production_ix.c - lib/maptrack.c as a user would bring it: compiled
 * WITHOUT the schedule hook (MT_SCHED() is empty), only through the
 * compiler's instrumentation (fuzz/instrument/ix.h).  Registered as
 * "production-ix" with the instrumented sites; the maptrack oracle runs on
 * it unchanged (it has view/list_ends/entry).
 *
 * The hooked library is linked into the same binary (the engine needs
 * it), so every external name of this copy gets an _ix suffix, and its
 * own registration (as "production") is swallowed: this file registers
 * the copy under its own name.
 */
/* //lib:maptrack_hooked's `defines` reach every dependent: off here. */
#undef MT_SCHED_HOOK

#include "fuzz/instrument/ix_renames.h"
#define mt_ops_register mt_ix_swallow_registration

#include "fuzz/instrument/maptrack.inc"     /* lib/maptrack.c, copied by a genrule */

#undef mt_ops_register
void mt_ops_register(struct mt_registration *r);

#include "fuzz/instrument/ix.h"

void mt_ix_swallow_registration(struct mt_registration *r)
{
	(void)r;
}

static struct mt_ops production_ix;

__attribute__((constructor(101))) static void production_ix_init(void)
{
	production_ix = mt_ops_production_ix_inner;
	production_ix.name = "production-ix";
	production_ix.summary = "production, no schedule hook: schedule points from the instrumentation";
	production_ix.site_tables = mt_ix_site_tables;
}
MT_REGISTER_IMPL(production_ix, 2, NULL)
