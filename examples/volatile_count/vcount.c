/* vcount.c - see vcount.h. */
#include "examples/volatile_count/vcount.h"

#include <stdlib.h>

int vcount_init(struct vcount *s, uint32_t n)
{
	s->next = calloc(n, sizeof(*s->next));
	if (!s->next)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		s->next[i] = i + 1 < n ? i + 1 : VCOUNT_NIL;
	s->top = n ? 0 : VCOUNT_NIL;
	s->nfree = n;
	s->n = n;
	return pthread_mutex_init(&s->lock, NULL);
}

void vcount_fini(struct vcount *s)
{
	pthread_mutex_destroy(&s->lock);
	free(s->next);
}

uint32_t vcount_pop(struct vcount *s)
{
	/* The fast path: no lock for an empty stack.  Pairs with the
	 * WRITE_ONCEs below (a stale 0 only fails this get early). */
	if (READ_ONCE(s->nfree) == 0)
		return VCOUNT_NIL;
	pthread_mutex_lock(&s->lock);
	uint32_t top = s->top;
	if (top != VCOUNT_NIL) {
		s->top = s->next[top];
		WRITE_ONCE(s->nfree, s->nfree - 1);
	}
	pthread_mutex_unlock(&s->lock);
	return top;
}

void vcount_push(struct vcount *s, uint32_t i)
{
	pthread_mutex_lock(&s->lock);
	s->next[i] = s->top;
	s->top = i;
	WRITE_ONCE(s->nfree, s->nfree + 1);
	pthread_mutex_unlock(&s->lock);
}
