/* adapter.c - the magazine free list for the toolkit (fuzz/checkers/contract.h). */
#include <stdlib.h>

#include "examples/magazine/magazine.h"
#include "fuzz/checkers/contract.h"

static void *create(int slip, const struct mt_config *cfg)
{
	struct magazine *m = malloc(sizeof(*m));
	if (m && magazine_init(m, cfg->per_page ? cfg->per_page : 8, cfg->nr_vcpus, slip) == 0)
		return m;
	free(m);
	return NULL;
}
static void *create_ok(const struct mt_config *cfg) { return create(0, cfg); }
static void *create_slip(const struct mt_config *cfg) { return create(1, cfg); }
static void destroy(void *m) { magazine_fini(m); free(m); }
static int get(void *m, unsigned v, uint32_t *h) { return (*h = magazine_get(m, v)) != MAG_NIL; }
static int put(void *m, unsigned v, uint32_t h) { magazine_put(m, v, h); return 0; }
static unsigned limit(void *m) { return ((struct magazine *)m)->n; }

/* A CPU's loaded magazine keeps up to MAG_ROUNDS free handles from the others. */
static const struct mt_fl_adapter magazine = {
	.name = "magazine", .summary = "per-CPU magazines over a locked depot", .create = create_ok,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = MAG_ROUNDS };
MT_FL_REGISTER(magazine)

static const struct mt_fl_adapter magazine_slip = {
	.name = "magazine-unlocked-remote", .summary = "magazines, remote frees skip the depot lock",
	.create = create_slip, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .reserve = MAG_ROUNDS };
MT_FL_REGISTER(magazine_slip)
