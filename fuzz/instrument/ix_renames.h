/*
 * ix_renames.h - the external names of lib/maptrack.c, renamed for its
 * instrumented copy (production_ix.c) and for the code built on it (the
 * instrumented zoo, zoo_ix.c): the hooked library is linked into the same
 * binary under the original names.
 */
#ifndef MT_FUZZ_INSTRUMENT_IX_RENAMES_H
#define MT_FUZZ_INSTRUMENT_IX_RENAMES_H

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

#endif /* MT_FUZZ_INSTRUMENT_IX_RENAMES_H */
