/* tagged_stack.c - see tagged_stack.h. */
#include "examples/tagged_stack/tagged_stack.h"

#include <stdlib.h>

int tagged_stack_init(struct tagged_stack *s, uint32_t n, int bump, enum ts_read read)
{
	s->nodes = calloc(n ? n : 1, sizeof(*s->nodes));
	if (!s->nodes)
		return -1;
	s->n = n;
	s->bump = bump ? 1 : 0;
	s->read = read;
	for (uint32_t i = 0; i < n; i++)
		atomic_init(&s->nodes[i].next, i + 1 < n ? &s->nodes[i + 1] : NULL);
	atomic_init(&s->head, ((struct ts_head){ n ? &s->nodes[0] : NULL, 0 }));
	return 0;
}

void tagged_stack_fini(struct tagged_stack *s)
{
	free(s->nodes);
}

/* The head as pop first reads it (s->read).  Acquire pairs with the
 * release CAS in push: top->next is then the value the pusher wrote. */
static struct ts_head load_head(struct tagged_stack *s)
{
	_Atomic uintptr_t *half = (_Atomic uintptr_t *)(void *)&s->head;   /* [0] top, [1] tag */
	struct ts_head h;

	switch (s->read) {
	case TS_READ_HALVES:
		h.tag = atomic_load_explicit(&half[1], memory_order_acquire);
		h.top = (struct ts_node *)atomic_load_explicit(&half[0], memory_order_acquire);
		return h;
	case TS_READ_PLAIN_TAG:
		h.top = (struct ts_node *)atomic_load_explicit(&half[0], memory_order_acquire);
		h.tag = ((const uintptr_t *)(const void *)&s->head)[1];   /* the slip: not atomic */
		return h;
	default:
		return atomic_load_explicit(&s->head, memory_order_acquire);
	}
}

uint32_t tagged_stack_pop(struct tagged_stack *s)
{
	struct ts_head old = load_head(s);

	for (;;) {
		if (!old.top)
			return TAGGED_STACK_NIL;
		struct ts_node *below = atomic_load_explicit(&old.top->next, memory_order_relaxed);
		struct ts_head new = { below, old.tag + s->bump };
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, new, memory_order_acq_rel,
		                                          memory_order_acquire))
			return (uint32_t)(old.top - s->nodes);
	}
}

void tagged_stack_push(struct tagged_stack *s, uint32_t i)
{
	struct ts_node *node = &s->nodes[i];
	struct ts_head old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		atomic_store_explicit(&node->next, old.top, memory_order_relaxed);
		struct ts_head new = { node, old.tag + s->bump };
		/* Release pairs with the acquire load in pop. */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, new, memory_order_release,
		                                          memory_order_relaxed))
			return;
	}
}
