/* adapter.c - the counted stack for the toolkit (fuzz/checkers/contract.h).
 * .races: a data race is a finding (I12). */
#include <stdlib.h>

#include "examples/volatile_count/vcount.h"
#include "fuzz/checkers/contract.h"

static void *create(const struct mt_config *cfg)
{
	struct vcount *s = malloc(sizeof(*s));
	if (s && vcount_init(s, cfg->per_page ? cfg->per_page : 8) == 0)
		return s;
	free(s);
	return NULL;
}
static void destroy(void *s) { vcount_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = vcount_pop(s)) != VCOUNT_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; vcount_push(s, h); return 0; }
static unsigned limit(void *s) { return ((struct vcount *)s)->n; }

static const struct mt_fl_adapter vcount = {
	.name = "vcount", .summary = "locked stack, READ_ONCE empty check", .create = create,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(vcount)
