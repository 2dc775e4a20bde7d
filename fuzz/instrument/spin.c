/* spin.c - instrumented code for spin_test: a stack of handles under an
 * unannotated lock, either a test-and-test-and-set spinlock with
 * sched_yield() (C11 atomics), a compare-and-swap lock that re-reads the
 * word until it is free (lib/mt_access.h's mt_lock without the hook), a
 * pthread mutex, or two CAS locks taken in opposite orders by get and put
 * (a deadlock); gated: the CAS lock, and a get first waits (re-reading
 * five flags in turn) until no put is in flight.  With patience, a get
 * that finds the stack empty waits a bounded number of re-reads for a put
 * before it gives up. */
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

static void cas_lock(_Atomic uint32_t *word)
{
	for (;;) {
		uint32_t free_val = 0;
		if (atomic_compare_exchange_weak_explicit(word, &free_val, 1, memory_order_acquire,
		                                          memory_order_relaxed))
			return;
		while (atomic_load_explicit(word, memory_order_relaxed))
			;
	}
}

/* Until no put is in flight (every busy flag down). */
static void gate_wait(struct spin_stack *s)
{
	uint32_t any;

	do {
		any = 0;
		for (unsigned i = 0; i < SPIN_STRIPES; i++)
			any |= atomic_load_explicit(&s->busy[i], memory_order_acquire);
	} while (any);
}

/* put: 1 for a put of handle h (SPIN_ABBA takes its locks the other way
 * round, SPIN_GATED raises h's busy flag). */
static int lock(struct spin_stack *s, int put, uint32_t h)
{
	int kind = s->use_mutex;

	if (kind == SPIN_GATED) {
		if (put)
			atomic_store_explicit(&s->busy[h % SPIN_STRIPES], 1, memory_order_relaxed);
		else
			gate_wait(s);
		cas_lock(&s->spin);
	} else if (kind == SPIN_MUTEX) {
		pthread_mutex_lock(&s->mutex);
	} else if (kind == SPIN_CAS) {
		cas_lock(&s->spin);
	} else if (kind == SPIN_ABBA) {
		cas_lock(put ? &s->spin2 : &s->spin);
		cas_lock(put ? &s->spin : &s->spin2);
	} else {
		spin_lock(s);
	}
	return kind;
}

static void unlock(struct spin_stack *s, int kind, int put, uint32_t h)
{
	if (kind == SPIN_MUTEX) {
		pthread_mutex_unlock(&s->mutex);
		return;
	}
	if (kind == SPIN_ABBA)
		atomic_store_explicit(&s->spin2, 0, memory_order_release);
	atomic_store_explicit(&s->spin, 0, memory_order_release);
	if (kind == SPIN_GATED && put)   /* release: the push before the flag goes down */
		atomic_store_explicit(&s->busy[h % SPIN_STRIPES], 0, memory_order_release);
}

static int get_once(struct spin_stack *s, uint32_t *out)
{
	int kind = lock(s, 0, 0);
	int ok = s->top > 0;
	if (ok)
		*out = s->h[--s->top];
	unlock(s, kind, 0, 0);
	return ok;
}

int spin_get(struct spin_stack *s, uint32_t *out)
{
	if (get_once(s, out))
		return 1;
	unsigned patience = s->patience;
	if (!patience)
		return 0;
	/* Empty: wait (a bounded spin) for a put, then try once more. */
	uint32_t seen = atomic_load_explicit(&s->puts, memory_order_relaxed);
	for (unsigned n = 0; n < patience; n++)
		if (atomic_load_explicit(&s->puts, memory_order_relaxed) != seen)
			return get_once(s, out);
	return 0;
}

void spin_put(struct spin_stack *s, uint32_t h)
{
	int kind = lock(s, 1, h);
	s->h[s->top++] = h;
	unlock(s, kind, 1, h);
	if (s->patience)
		atomic_fetch_add_explicit(&s->puts, 1, memory_order_relaxed);
}
