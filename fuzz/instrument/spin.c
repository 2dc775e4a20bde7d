/* spin.c - instrumented code for spin_test: a stack of handles under an
 * unannotated lock, either a test-and-test-and-set spinlock with
 * sched_yield() (C11 atomics) or a pthread mutex. */
#include "fuzz/instrument/spin.h"

#include <sched.h>

static void spin_lock(struct spin_stack *s)
{
	for (;;) {
		if (!atomic_exchange_explicit(&s->spin, 1, memory_order_acquire))
			return;
		for (unsigned n = 0; atomic_load_explicit(&s->spin, memory_order_relaxed); n++)
			if (n > 100)
				sched_yield();
	}
}

static void lock(struct spin_stack *s)
{
	if (s->use_mutex)
		pthread_mutex_lock(&s->mutex);
	else
		spin_lock(s);
}

static void unlock(struct spin_stack *s)
{
	if (s->use_mutex)
		pthread_mutex_unlock(&s->mutex);
	else
		atomic_store_explicit(&s->spin, 0, memory_order_release);
}

int spin_get(struct spin_stack *s, uint32_t *out)
{
	lock(s);
	int ok = s->top > 0;
	if (ok)
		*out = s->h[--s->top];
	unlock(s);
	return ok;
}

void spin_put(struct spin_stack *s, uint32_t h)
{
	lock(s);
	s->h[s->top++] = h;
	unlock(s);
}
