/* treiber.c - see treiber.h. */
#include "examples/treiber/treiber.h"

#include <stdlib.h>

static uint64_t pack(uint64_t version, uint32_t index)
{
	return version << 32 | index;
}

int treiber_init(struct treiber *s, uint32_t n, int versioned)
{
	s->next = calloc(n, sizeof(*s->next));
	if (!s->next)
		return -1;
	s->n = n;
	s->versioned = versioned;
	for (uint32_t i = 0; i < n; i++)
		atomic_init(&s->next[i], i + 1 < n ? i + 1 : TREIBER_NIL);
	atomic_init(&s->head, pack(0, n ? 0 : TREIBER_NIL));
	return 0;
}

void treiber_fini(struct treiber *s)
{
	free(s->next);
}

uint32_t treiber_pop(struct treiber *s)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_acquire);

	for (;;) {
		uint32_t top = (uint32_t)old;
		if (top == TREIBER_NIL)
			return TREIBER_NIL;
		/* Acquire on head pairs with the release CAS in push: next[top] is
		 * the value the pusher wrote. */
		uint32_t below = atomic_load_explicit(&s->next[top], memory_order_relaxed);
		uint64_t version = s->versioned ? (old >> 32) + 1 : 0;
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack(version, below),
		                                          memory_order_acq_rel, memory_order_acquire))
			return top;
	}
}

void treiber_push(struct treiber *s, uint32_t i)
{
	uint64_t old = atomic_load_explicit(&s->head, memory_order_relaxed);

	for (;;) {
		atomic_store_explicit(&s->next[i], (uint32_t)old, memory_order_relaxed);
		uint64_t version = s->versioned ? (old >> 32) + 1 : 0;
		/* Release pairs with the acquire load in pop. */
		if (atomic_compare_exchange_weak_explicit(&s->head, &old, pack(version, i),
		                                          memory_order_release, memory_order_relaxed))
			return;
	}
}
