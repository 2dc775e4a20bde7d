/* casfail.c - see casfail.h. */
#include "fuzz/instrument/casfail.h"

void casfail_publish(struct casfail *m)
{
	m->data = 1;
	/* Release pairs with the failed CAS's acquire in casfail_claim_acquire(). */
	atomic_store_explicit(&m->flag, 1, memory_order_release);
}

uint32_t casfail_claim_relaxed(struct casfail *m)
{
	uint32_t expected = 0;

	if (atomic_compare_exchange_strong_explicit(&m->flag, &expected, 2, memory_order_acquire,
	                                            memory_order_relaxed))
		return 0;
	return m->data;              /* not ordered after the publish: a data race */
}

uint32_t casfail_claim_acquire(struct casfail *m)
{
	uint32_t expected = 0;

	if (atomic_compare_exchange_strong_explicit(&m->flag, &expected, 2, memory_order_acquire,
	                                            memory_order_acquire))
		return 0;
	return m->data;
}
