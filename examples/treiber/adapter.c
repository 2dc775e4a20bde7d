/* adapter.c - the Treiber free list for the toolkit (fuzz/checkers/contract.h). */
#include <stdlib.h>

#include "examples/treiber/treiber.h"
#include "fuzz/checkers/contract.h"

static void *create(int versioned, const struct mt_config *cfg)
{
	struct treiber *s = malloc(sizeof(*s));
	if (s && treiber_init(s, cfg->per_page ? cfg->per_page : 8, versioned) == 0)
		return s;
	free(s);
	return NULL;
}
static void *create_v(const struct mt_config *cfg) { return create(1, cfg); }
static void *create_u(const struct mt_config *cfg) { return create(0, cfg); }
static void destroy(void *s) { treiber_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = treiber_pop(s)) != TREIBER_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; treiber_push(s, h); return 0; }
static unsigned limit(void *s) { return ((struct treiber *)s)->n; }

static const struct mt_fl_adapter treiber_versioned = {
	.name = "treiber", .summary = "Treiber stack, versioned head", .create = create_v,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(treiber_versioned)

static const struct mt_fl_adapter treiber_aba = {
	.name = "treiber-aba", .summary = "Treiber stack, unversioned head (ABA)", .create = create_u,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(treiber_aba)
