/* atomic128.c - see atomic128.h (built with -mcx16: IX_COPTS). */
#include "fuzz/instrument/atomic128.h"

#include <stdatomic.h>

a128_t a128_load(_Atomic a128_t *p) { return atomic_load_explicit(p, memory_order_acquire); }
void a128_store(_Atomic a128_t *p, a128_t v) { atomic_store_explicit(p, v, memory_order_release); }
a128_t a128_xchg(_Atomic a128_t *p, a128_t v) { return atomic_exchange(p, v); }
a128_t a128_add(_Atomic a128_t *p, a128_t v) { return atomic_fetch_add(p, v); }
a128_t a128_sub(_Atomic a128_t *p, a128_t v) { return atomic_fetch_sub(p, v); }
a128_t a128_and(_Atomic a128_t *p, a128_t v) { return atomic_fetch_and(p, v); }
a128_t a128_or(_Atomic a128_t *p, a128_t v) { return atomic_fetch_or(p, v); }
a128_t a128_xor(_Atomic a128_t *p, a128_t v) { return atomic_fetch_xor(p, v); }
a128_t a128_nand(a128_t *p, a128_t v) { return __atomic_fetch_nand(p, v, __ATOMIC_SEQ_CST); }

int a128_cas_strong(_Atomic a128_t *p, a128_t *expect, a128_t v)
{
	return atomic_compare_exchange_strong(p, expect, v);
}

int a128_cas_weak(_Atomic a128_t *p, a128_t *expect, a128_t v)
{
	return atomic_compare_exchange_weak_explicit(p, expect, v, memory_order_acq_rel, memory_order_acquire);
}

a128_t a128_sync_cas(a128_t *p, a128_t expect, a128_t v) { return __sync_val_compare_and_swap(p, expect, v); }
