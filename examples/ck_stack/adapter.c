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

/* The same, with the race detector on (.races): I12, a data race.  ck
 * 0.7's ck_pr_load_ptr() (gcc/ck_pr.h) reads through
 * `*(volatile void *const *)target`: the volatile qualifies the pointee,
 * not the pointer loaded, so the load of the stack's head in
 * ck_stack_pop_upmc() and ck_stack_push_upmc() is a plain access, and
 * another VCPU's CAS of the head is not ordered before it.  ck counts on
 * its compiler barriers and on x86; C11 calls it a data race, and so does
 * ThreadSanitizer.  Reported in docs/bring-your-own.md, not suppressed. */
static const struct mt_fl_adapter ck_1c_races = {
	.name = "ck-stack-1c-races", .summary = "ck_stack, a stack per VCPU, one consumer each; races checked",
	.create = per_vcpu, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = 0xffff, .races = true };
MT_FL_REGISTER(ck_1c_races)
