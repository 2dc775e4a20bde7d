/* adapter.c - the volatile-link stack for the toolkit
 * (fuzz/checkers/contract.h).  .races: a data race is a finding (I12);
 * READ_ONCE against WRITE_ONCE is none (volatile = "relaxed"). */
#include <stdlib.h>

#include "examples/volatile_stack/vstack.h"
#include "fuzz/checkers/contract.h"

static void *create(const struct mt_config *cfg)
{
	struct vstack *s = malloc(sizeof(*s));
	if (s && vstack_init(s, cfg->per_page ? cfg->per_page : 8) == 0)
		return s;
	free(s);
	return NULL;
}
static void destroy(void *s) { vstack_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = vstack_pop(s)) != VSTACK_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; vstack_push(s, h); return 0; }
static int put_relaxed(void *s, unsigned v, uint32_t h) { (void)v; vstack_push_relaxed(s, h); return 0; }
static unsigned limit(void *s) { return ((struct vstack *)s)->n; }

static const struct mt_fl_adapter vstack = {
	.name = "vstack", .summary = "Treiber stack, volatile links, release push", .create = create,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(vstack)

static const struct mt_fl_adapter vstack_relaxed = {
	.name = "vstack-relaxed-push", .summary = "Treiber stack, volatile links, relaxed push (c11 only)",
	.create = create, .destroy = destroy, .get = get, .put = put_relaxed, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(vstack_relaxed)
