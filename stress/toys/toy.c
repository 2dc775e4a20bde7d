/* toy.c - see toy.h. */
#include "stress/toys/toy.h"

#include <stdlib.h>

int toy_init(struct toy *t, uint32_t n, enum toy_mode mode)
{
	t->stack = calloc(n + 1, sizeof(*t->stack));
	t->out = calloc(n, sizeof(*t->out));
	if (!t->stack || !t->out || pthread_mutex_init(&t->lock, NULL)) {
		free(t->stack);
		free(t->out);
		return -1;
	}
	t->n = n;
	t->top = 0;
	for (uint32_t h = n; h-- > 0;)
		t->stack[t->top++] = h;
	t->last_out = n;
	t->gets = t->puts = 0;
	t->mode = mode;
	t->slipped = false;
	return 0;
}

void toy_fini(struct toy *t)
{
	pthread_mutex_destroy(&t->lock);
	free(t->stack);
	free(t->out);
}

/* The slip of this mode is due (once). */
static bool due(struct toy *t, enum toy_mode mode, unsigned count)
{
	if (t->mode != mode || t->slipped || count < TOY_SLIP_AT)
		return false;
	t->slipped = true;
	return true;
}

int toy_get(struct toy *t, uint32_t *h)
{
	int ok = 0;

	pthread_mutex_lock(&t->lock);
	t->gets++;
	if (t->last_out < t->n && t->out[t->last_out] && due(t, TOY_DUP, t->gets)) {
		*h = t->last_out;            /* THE SLIP: handed out again */
		ok = 1;
	} else if (t->top) {
		*h = t->stack[--t->top];
		t->out[*h] = true;
		t->last_out = *h;
		ok = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

int toy_put(struct toy *t, uint32_t h)
{
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	t->puts++;
	if (h >= t->n || (!t->out[h] && t->mode != TOY_DOUBLE_PUT)) {
		rc = -1;                     /* a bad put: refused */
	} else if (due(t, TOY_REFUSE, t->puts)) {
		rc = -1;                     /* THE SLIP: a valid put refused */
	} else if (due(t, TOY_LEAK, t->puts)) {
		t->out[h] = false;           /* THE SLIP: accepted, never stacked */
	} else if (t->top <= t->n) {
		/* TOY_DOUBLE_PUT accepts a free handle: stacked twice (the stack
		 * has room for one extra). */
		t->out[h] = false;
		t->stack[t->top++] = h;
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}
