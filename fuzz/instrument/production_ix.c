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

#define mt_ops_production mt_ops_production_ix_inner
#define mt_pv_add_frame mt_pv_add_frame_ix
#define mt_pv_create mt_pv_create_ix
#define mt_pv_destroy mt_pv_destroy_ix
#define mt_pv_entry mt_pv_entry_ix
#define mt_pv_hand_out mt_pv_hand_out_ix
#define mt_pv_ops_destroy mt_pv_ops_destroy_ix
#define mt_pv_ops_entry mt_pv_ops_entry_ix
#define mt_pv_ops_get mt_pv_ops_get_ix
#define mt_pv_ops_grow mt_pv_ops_grow_ix
#define mt_pv_ops_list_ends mt_pv_ops_list_ends_ix
#define mt_pv_ops_put mt_pv_ops_put_ix
#define mt_pv_ops_verify mt_pv_ops_verify_ix
#define mt_pv_ops_view mt_pv_ops_view_ix
#define mt_pv_pop mt_pv_pop_ix
#define mt_pv_production_steps mt_pv_production_steps_ix
#define mt_pv_put mt_pv_put_ix
#define mt_pv_random mt_pv_random_ix
#define mt_pv_sentinel mt_pv_sentinel_ix
#define mt_pv_site_table mt_pv_site_table_ix
#define mt_pv_site_tables mt_pv_site_tables_ix
#define mt_pv_sites mt_pv_sites_ix
#define mt_pv_slow mt_pv_slow_ix
#define mt_pv_steal mt_pv_steal_ix
#define mt_pv_thread mt_pv_thread_ix
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
