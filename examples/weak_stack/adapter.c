/* adapter.c - the weak stack for the toolkit (fuzz/checkers/contract.h). */
#include <stdlib.h>

#include "examples/weak_stack/weak_stack.h"
#include "fuzz/checkers/contract.h"

static void *create(const struct mt_config *cfg)
{
	struct weak_stack *s = malloc(sizeof(*s));
	if (s && weak_stack_init(s, cfg->per_page ? cfg->per_page : 8) == 0)
		return s;
	free(s);
	return NULL;
}
static void destroy(void *s) { weak_stack_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = weak_stack_pop(s)) != WEAK_STACK_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; weak_stack_push(s, h); return 0; }
static int put_relaxed(void *s, unsigned v, uint32_t h) { (void)v; weak_stack_push_relaxed(s, h); return 0; }
static unsigned limit(void *s) { return ((struct weak_stack *)s)->n; }

static const struct mt_fl_adapter weak_stack = {
	.name = "weak-stack", .summary = "Treiber stack, release push", .create = create,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(weak_stack)

static const struct mt_fl_adapter weak_stack_relaxed = {
	.name = "weak-stack-relaxed-push", .summary = "Treiber stack, relaxed push (c11 only)",
	.create = create, .destroy = destroy, .get = get, .put = put_relaxed, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(weak_stack_relaxed)
