/* vstack.c - see vstack.h. */
#include "examples/volatile_stack/vstack.h"

#include <stdlib.h>

static uint64_t pack(uint64_t version, uint32_t index)
{
	return version << 32 | index;
}

int vstack_init(struct vstack *s, uint32_t n)
{
	s->next = calloc(n, sizeof(*s->next));
	if (!s->next)
		return -1;
	s->n = n;
	for (uint32_t i = 0; i < n; i++)
		s->next[i] = i + 1 < n ? i + 1 : VSTACK_NIL;
	atomic_init(&s->head, pack(0, n ? 0 : VSTACK_NIL));
	return 0;
}

void vstack_fini(struct vstack *s)
{
	free(s->next);
}

uint32_t vstack_pop(struct vstack *s)
{
	/* Acquire pairs with the release CAS in vstack_push(): the
	 * WRITE_ONCE of next[top] happens before the READ_ONCE below. */
	uint64_t old = atomic_load_explicit(&s->head, memory_order_acquire);

	for (;;) {
		uint32_t top = (uint32_t)old;
		if (top == VSTACK_NIL)
			return VSTACK_NIL;
		uint32_t below = READ_ONCE(s->next[top]);
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, below),
		                                          memory_order_acq_rel, memory_order_acquire))
			return top;
	}
}

void vstack_push(struct vstack *s, uint32_t i)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		WRITE_ONCE(s->next[i], (uint32_t)old);
		/* Release pairs with the acquire load in vstack_pop(). */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, i),
		                                          memory_order_release, memory_order_relaxed))
			return;
	}
}

void vstack_push_relaxed(struct vstack *s, uint32_t i)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		WRITE_ONCE(s->next[i], (uint32_t)old);
		/* The slip: relaxed, so a pop that reads this head is not
		 * ordered after the WRITE_ONCE just above. */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack((old >> 32) + 1, i),
		                                          memory_order_relaxed, memory_order_relaxed))
			return;
	}
}
