/* adapter.c - the thread-cached magazine free list for the toolkit
 * (fuzz/checkers/contract.h).  The VCPU number is not passed on: the
 * allocator finds the caller's cache through _Thread_local. */
#include <stdlib.h>

#include "examples/magazine_tls/magazine_tls.h"
#include "fuzz/checkers/contract.h"

static void *create(int slip, const struct mt_config *cfg)
{
	struct mtls *m = malloc(sizeof(*m));
	if (m && mtls_init(m, cfg->per_page ? cfg->per_page : 8, cfg->nr_vcpus, slip) == 0)
		return m;
	free(m);
	return NULL;
}
static void *create_ok(const struct mt_config *cfg) { return create(0, cfg); }
static void *create_slip(const struct mt_config *cfg) { return create(1, cfg); }
static void destroy(void *m) { mtls_fini(m); free(m); }
static int get(void *m, unsigned v, uint32_t *h) { (void)v; return (*h = mtls_get(m)) != MTLS_NIL; }
static int put(void *m, unsigned v, uint32_t h) { (void)v; mtls_put(m, h); return 0; }
static unsigned limit(void *m) { return ((struct mtls *)m)->n; }

/* A thread's loaded magazine keeps up to MTLS_ROUNDS free handles from the others. */
static const struct mt_fl_adapter magazine_tls = {
	.name = "magazine-tls", .summary = "per-thread magazines found through _Thread_local",
	.create = create_ok, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = MTLS_ROUNDS };
MT_FL_REGISTER(magazine_tls)

static const struct mt_fl_adapter magazine_tls_slip = {
	.name = "magazine-tls-unlocked-remote", .summary = "per-thread magazines, remote frees skip the depot lock",
	.create = create_slip, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = MTLS_ROUNDS };
MT_FL_REGISTER(magazine_tls_slip)
