/* adapter.c - liburcu's lfstack with RCU, for the toolkit (fuzz/checkers/contract.h). */
#include "examples/urcu_rcu/urcu_rcu.h"
#include "fuzz/checkers/contract.h"

static void *create(int grace, const struct mt_config *cfg)
{
	return urcu_fl_new(cfg->per_page ? cfg->per_page : 8, grace);
}
static void *create_rcu(const struct mt_config *cfg) { return create(1, cfg); }
static void *create_no_grace(const struct mt_config *cfg) { return create(0, cfg); }
static void destroy(void *f) { urcu_fl_free(f); }
static int get(void *f, unsigned v, uint32_t *h) { (void)v; return (*h = urcu_fl_get(f)) != URCU_FL_NIL; }
static int put(void *f, unsigned v, uint32_t h) { (void)v; urcu_fl_put(f, h); return 0; }
static unsigned limit(void *f) { return urcu_fl_limit(f); }

static const struct mt_fl_adapter urcu_lfs_rcu = {
	.name = "urcu-lfs-rcu", .summary = "liburcu lfstack, __cds_lfs_pop under rcu_read_lock, grace period before reuse",
	.create = create_rcu, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(urcu_lfs_rcu)

static const struct mt_fl_adapter urcu_lfs_no_grace = {
	.name = "urcu-lfs-no-grace", .summary = "liburcu lfstack under rcu_read_lock, no grace period before reuse",
	.create = create_no_grace, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(urcu_lfs_no_grace)
