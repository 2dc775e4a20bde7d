/* weak_stack.c - see weak_stack.h. */
#include "examples/weak_stack/weak_stack.h"

#include <stdlib.h>

static uint64_t pack(uint64_t version, uint32_t index)
{
	return version << 32 | index;
}

int weak_stack_init(struct weak_stack *s, uint32_t n)
{
	s->next = calloc(n, sizeof(*s->next));
	if (!s->next)
		return -1;
	s->n = n;
	for (uint32_t i = 0; i < n; i++)
		atomic_init(&s->next[i], i + 1 < n ? i + 1 : WEAK_STACK_NIL);
	atomic_init(&s->head, pack(0, n ? 0 : WEAK_STACK_NIL));
	return 0;
}

void weak_stack_fini(struct weak_stack *s)
{
	free(s->next);
}

uint32_t weak_stack_pop(struct weak_stack *s)
{
	/* Acquire pairs with the release CAS in weak_stack_push(): next[top]
	 * is then the link the pusher wrote. */
	uint64_t old = atomic_load_explicit(&s->head, memory_order_acquire);

	for (;;) {
		uint32_t top = (uint32_t)old;
		if (top == WEAK_STACK_NIL)
			return WEAK_STACK_NIL;
		uint32_t below = atomic_load_explicit(&s->next[top], memory_order_relaxed);
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, below),
		                                          memory_order_acq_rel, memory_order_acquire))
			return top;
	}
}

void weak_stack_push(struct weak_stack *s, uint32_t i)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		atomic_store_explicit(&s->next[i], (uint32_t)old, memory_order_relaxed);
		/* Release pairs with the acquire load in weak_stack_pop(). */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, i),
		                                          memory_order_release, memory_order_relaxed))
			return;
	}
}

void weak_stack_push_relaxed(struct weak_stack *s, uint32_t i)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		atomic_store_explicit(&s->next[i], (uint32_t)old, memory_order_relaxed);
		/* The slip: relaxed, so a pop that reads this head does not see
		 * the link stored just above. */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, i),
		                                          memory_order_relaxed, memory_order_relaxed))
			return;
	}
}
