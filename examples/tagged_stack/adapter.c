/* adapter.c - the tagged-pointer stack for the toolkit (fuzz/checkers/contract.h). */
#include <stdlib.h>

#include "examples/tagged_stack/tagged_stack.h"
#include "fuzz/checkers/contract.h"

static void *create(int bump, enum ts_read read, const struct mt_config *cfg)
{
	struct tagged_stack *s = aligned_alloc(_Alignof(struct tagged_stack), sizeof(*s));
	if (s && tagged_stack_init(s, cfg->per_page ? cfg->per_page : 8, bump, read) == 0)
		return s;
	free(s);
	return NULL;
}
static void *create_tag(const struct mt_config *cfg) { return create(1, TS_READ_WHOLE, cfg); }
static void *create_notag(const struct mt_config *cfg) { return create(0, TS_READ_WHOLE, cfg); }
static void *create_halves(const struct mt_config *cfg) { return create(1, TS_READ_HALVES, cfg); }
static void *create_plain_tag(const struct mt_config *cfg) { return create(1, TS_READ_PLAIN_TAG, cfg); }
static void destroy(void *s) { tagged_stack_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = tagged_stack_pop(s)) != TAGGED_STACK_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; tagged_stack_push(s, h); return 0; }
static unsigned limit(void *s) { return ((struct tagged_stack *)s)->n; }

static const struct mt_fl_adapter tagged_stack = {
	.name = "tagged-stack", .summary = "Treiber stack, {pointer, tag} head, 16-byte CAS", .create = create_tag,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(tagged_stack)

static const struct mt_fl_adapter tagged_stack_notag = {
	.name = "tagged-stack-notag", .summary = "the same, the tag never bumped (ABA)", .create = create_notag,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(tagged_stack_notag)

static const struct mt_fl_adapter tagged_stack_halves = {
	.name = "tagged-stack-halves", .summary = "the same, pop reads the head as two 8-byte halves (ck style)",
	.create = create_halves, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(tagged_stack_halves)

static const struct mt_fl_adapter tagged_stack_plain_tag = {
	.name = "tagged-stack-plain-tag", .summary = "the same, pop reads the tag half plainly (data race)",
	.create = create_plain_tag, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(tagged_stack_plain_tag)
