/* spin.c - instrumented code for spin_test: a stack of handles under an
 * unannotated lock, either a test-and-test-and-set spinlock with
 * sched_yield() (C11 atomics), a compare-and-swap lock that re-reads the
 * word until it is free (lib/mt_access.h's mt_lock without the hook), or a
 * pthread mutex. */
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

static void cas_lock(struct spin_stack *s)
{
	for (;;) {
		uint32_t free_val = 0;
		if (atomic_compare_exchange_weak_explicit(&s->spin, &free_val, 1, memory_order_acquire,
		                                          memory_order_relaxed))
			return;
		while (atomic_load_explicit(&s->spin, memory_order_relaxed))
			;
	}
}

static void lock(struct spin_stack *s)
{
	int kind = s->use_mutex;

	if (kind == SPIN_MUTEX)
		pthread_mutex_lock(&s->mutex);
	else if (kind == SPIN_CAS)
		cas_lock(s);
	else
		spin_lock(s);
}

static void unlock(struct spin_stack *s)
{
	if (s->use_mutex == SPIN_MUTEX)
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
