/* ckfl.c - see ckfl.h.  Built with CK_USE_CC_BUILTINS=1 so ck_pr's atomics
 * are compiler builtins (inline assembly would be invisible). */
#include "examples/ck_stack/ckfl.h"

#include <ck_stack.h>
#include <stdlib.h>

struct ckfl {
	ck_stack_t *stacks;
	ck_stack_entry_t *nodes;
	uint32_t n;
	unsigned nr_stacks;
};

struct ckfl *ckfl_new(uint32_t n, unsigned stacks)
{
	struct ckfl *f = calloc(1, sizeof(*f));

	if (!f || !(f->stacks = calloc(stacks, sizeof(*f->stacks))) ||
	    !(f->nodes = calloc(n, sizeof(*f->nodes)))) {
		ckfl_free(f);
		return NULL;
	}
	f->n = n;
	f->nr_stacks = stacks;
	for (unsigned s = 0; s < stacks; s++)
		ck_stack_init(&f->stacks[s]);
	for (uint32_t i = n; i-- > 0;)
		ck_stack_push_upmc(&f->stacks[i % stacks], &f->nodes[i]);
	return f;
}

void ckfl_free(struct ckfl *f)
{
	if (!f)
		return;
	free(f->stacks);
	free(f->nodes);
	free(f);
}

uint32_t ckfl_pop(struct ckfl *f, unsigned s)
{
	ck_stack_entry_t *e = ck_stack_pop_upmc(&f->stacks[s % f->nr_stacks]);

	return e ? (uint32_t)(e - f->nodes) : CKFL_NIL;
}

void ckfl_push(struct ckfl *f, uint32_t i)
{
	ck_stack_push_upmc(&f->stacks[i % f->nr_stacks], &f->nodes[i]);
}

uint32_t ckfl_size(const struct ckfl *f)
{
	return f->n;
}
