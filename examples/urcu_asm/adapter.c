/* adapter.c - liburcu's lfstack as a free list for the toolkit
 * (fuzz/checkers/contract.h). */
#include <urcu/lfstack.h>           /* without _LGPL_SOURCE: liburcu-cds.so's functions */

#include "examples/urcu_asm/lfs.h"
#include "fuzz/checkers/contract.h"

static void *create(const struct mt_config *cfg) { return lfs_new(cfg->per_page ? cfg->per_page : 8); }
static void destroy(void *f) { lfs_free(f); }
static int get_locked(void *f, unsigned v, uint32_t *h) { (void)v; return (*h = lfs_pop_locked(f)) != LFS_NIL; }
static int get_unlocked(void *f, unsigned v, uint32_t *h) { (void)v; return (*h = lfs_pop_unlocked(f)) != LFS_NIL; }
static int put(void *f, unsigned v, uint32_t h) { (void)v; lfs_push(f, h); return 0; }
static unsigned limit(void *f) { return lfs_size(f); }

/* As documented: pops serialised by the stack's mutex. */
static const struct mt_fl_adapter lfs_locked = {
	.name = "urcu-lfs", .summary = "liburcu lfstack, cds_lfs_pop_blocking (mutex)",
	.create = create, .destroy = destroy, .get = get_locked, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(lfs_locked)

/* The slip: __cds_lfs_pop with neither the mutex nor RCU (ABA). */
static const struct mt_fl_adapter lfs_unlocked = {
	.name = "urcu-lfs-unlocked", .summary = "liburcu lfstack, __cds_lfs_pop unprotected (ABA)",
	.create = create, .destroy = destroy, .get = get_unlocked, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(lfs_unlocked)

/* The slip: a get that deadlocks holding the stack's mutex.  After the
 * finding, destroy (cds_lfs_destroy: asserts pthread_mutex_destroy()
 * succeeds) runs with the abandoned VCPU's mutex released by the runtime. */
static int get_relock(void *f, unsigned v, uint32_t *h) { (void)v; return (*h = lfs_pop_relock(f)) != LFS_NIL; }

static const struct mt_fl_adapter lfs_relock = {
	.name = "urcu-lfs-relock", .summary = "liburcu lfstack, pop mutex taken twice (deadlock)",
	.create = create, .destroy = destroy, .get = get_relock, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(lfs_relock)

/* Not built by the macro: push and pop are liburcu-cds.so's own
 * (cds_lfs_push, cds_lfs_pop_blocking), uninstrumented.  Its mutex calls
 * still stop the VCPU, at sites named by the library's function
 * ("cds_lfs_pop_blocking+0x.. in liburcu-cds.so.8"); a put passes no
 * schedule point at all, and the runtime says so (blind.h). */
static int get_so(void *f, unsigned v, uint32_t *h)
{
	(void)v;
	return (*h = lfs_index(f, cds_lfs_pop_blocking(lfs_stack(f)))) != LFS_NIL;
}
static int put_so(void *f, unsigned v, uint32_t h)
{
	(void)v;
	cds_lfs_push(lfs_stack(f), lfs_node(f, h));
	return 0;
}

static const struct mt_fl_adapter lfs_so = {
	.name = "urcu-lfs-so", .summary = "liburcu lfstack from liburcu-cds.so (not instrumented)",
	.create = create, .destroy = destroy, .get = get_so, .put = put_so, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(lfs_so)
