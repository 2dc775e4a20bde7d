/* shift.c - see shift.h. */
#include "fuzz/instrument/shift.h"

#include <stdlib.h>
#include <string.h>

int shift_init(struct shift *s, uint32_t n)
{
	if (!(s->slots = calloc(n, sizeof(*s->slots))))
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	s->n = s->count = n;
	for (uint32_t i = 0; i < n; i++)
		s->slots[i] = i;
	return 0;
}

void shift_fini(struct shift *s)
{
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
}

uint32_t shift_get(struct shift *s)
{
	uint32_t h = SHIFT_NIL;

	pthread_mutex_lock(&s->lock);
	if (s->count) {
		h = s->slots[0];
		s->count--;
		memmove(&s->slots[0], &s->slots[1], s->count * sizeof(s->slots[0]));
	}
	pthread_mutex_unlock(&s->lock);
	return h;
}

uint32_t shift_get_late_move(struct shift *s)
{
	uint32_t h = SHIFT_NIL, left = 0;

	pthread_mutex_lock(&s->lock);
	if (s->count) {
		h = s->slots[0];
		left = --s->count;
	}
	pthread_mutex_unlock(&s->lock);
	if (h != SHIFT_NIL)
		memmove(&s->slots[0], &s->slots[1], left * sizeof(s->slots[0]));
	return h;
}

void shift_put(struct shift *s, uint32_t h)
{
	pthread_mutex_lock(&s->lock);
	s->slots[s->count++] = h;
	pthread_mutex_unlock(&s->lock);
}
