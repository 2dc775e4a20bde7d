/* adapter.c - ck_stack as a free list for the toolkit (fuzz/checkers/contract.h). */
#include "examples/ck_stack/ckfl.h"
#include "fuzz/checkers/contract.h"

static unsigned nodes(const struct mt_config *cfg) { return cfg->per_page ? cfg->per_page : 8; }
static void *shared(const struct mt_config *cfg) { return ckfl_new(nodes(cfg), 1); }
static void *per_vcpu(const struct mt_config *cfg) { return ckfl_new(nodes(cfg) * cfg->nr_vcpus, cfg->nr_vcpus); }
static void destroy(void *f) { ckfl_free(f); }
static int get(void *f, unsigned v, uint32_t *h) { return (*h = ckfl_pop(f, v)) != CKFL_NIL; }
static int put(void *f, unsigned v, uint32_t h) { (void)v; ckfl_push(f, h); return 0; }
static unsigned limit(void *f) { return ckfl_size(f); }

/* Every VCPU pops the one stack: ck_stack_pop_upmc with several consumers. */
static const struct mt_fl_adapter ck_upmc = {
	.name = "ck-stack-upmc", .summary = "ck_stack, one stack, every VCPU pops (upmc)",
	.create = shared, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(ck_upmc)

/* One stack per VCPU: only its VCPU pops it; anyone pushes. */
static const struct mt_fl_adapter ck_1c = {
	.name = "ck-stack-1c", .summary = "ck_stack, a stack per VCPU, one consumer each",
	.create = per_vcpu, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = 0xffff };
MT_FL_REGISTER(ck_1c)
