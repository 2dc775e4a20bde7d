/*
 * ix_atomic128.c - 16-byte atomics of instrumented code (ix_atomic128.h).
 *
 * Each hook is one schedule point, then the access, performed here with
 * cmpxchg16b (this file is built with -mcx16): nothing runs between the
 * point and the access, so the 16 bytes change together (no VCPU can see
 * a new pointer with an old tag), inside a run and under real threads.
 * The engine is told one access of 16 bytes (MT_ACC_SZ(16)): the memory
 * model and the race detector take it as one access of both 8-byte
 * halves (fuzz/engine/memory.h), so an 8-byte access of either half meets
 * it.  The model decides it at the schedule point: 16-byte locations
 * read their newest store (no older value under c11: stronger than C11),
 * and a CAS is an RMW for the model and the race detector even when it
 * fails, as the 1- to 8-byte CAS of ix.c (docs/memory-model.md).
 */
#include "fuzz/instrument/ix_atomic128.h"

#include "fuzz/engine/sim.h"
#include "lib/mt_access.h"

typedef mt_ix_a128 a128;

#define IX_PC() ((uintptr_t)__builtin_return_address(0))

/* The access for the engine: op, order, 16 bytes; no MT_ACC_DEFER (the
 * model decides at the point: there is no older value to give). */
#define ACC(op, mo) ((op) | mt_ix_order(mo) | MT_ACC_SZ(16))

/* The real 16-byte compare-and-swap (lock cmpxchg16b): the value found. */
static inline a128 cas_real(volatile a128 *a, a128 expect, a128 v)
{
	return __sync_val_compare_and_swap((a128 *)a, expect, v);
}

/* An atomic read-modify-write by a compare-and-swap loop (no VCPU runs
 * during the loop: in a run it succeeds at once). */
#define RMW_LOOP(a, old, expr) \
	do { \
		a128 seen = cas_real((a), 0, 0); \
		do { \
			(old) = seen; \
			seen = cas_real((a), (old), (expr)); \
		} while (seen != (old)); \
	} while (0)

__attribute__((noinline)) a128 __tsan_atomic128_load(const volatile a128 *a, int mo)
{
	mt_ix_point(IX_PC(), (const void *)a, 16, MT_SK_R, ACC(MT_ACC_LOAD, mo));
	/* cmpxchg16b is the only 16-byte atomic load (it writes back what it
	 * found: the memory must be writable, as for the compiled code). */
	return cas_real((volatile a128 *)a, 0, 0);
}

__attribute__((noinline)) void __tsan_atomic128_store(volatile a128 *a, a128 v, int mo)
{
	a128 old;

	mt_ix_point(IX_PC(), (const void *)a, 16, MT_SK_W, ACC(MT_ACC_STORE, mo));
	RMW_LOOP(a, old, v);
	(void)old;
}

#define RMW(name, expr) \
	__attribute__((noinline)) a128 __tsan_atomic128_##name(volatile a128 *a, a128 v, int mo) \
	{ \
		a128 old; \
		mt_ix_point(IX_PC(), (const void *)a, 16, MT_SK_RW, ACC(MT_ACC_RMW, mo)); \
		RMW_LOOP(a, old, expr); \
		return old; \
	}

RMW(exchange, v)
RMW(fetch_add, (a128)((unsigned __int128)old + (unsigned __int128)v))
RMW(fetch_sub, (a128)((unsigned __int128)old - (unsigned __int128)v))
RMW(fetch_and, old & v)
RMW(fetch_or, old | v)
RMW(fetch_xor, old ^ v)
RMW(fetch_nand, ~(old & v))

/* A compare-and-swap of all 16 bytes: *c gets the value found if it
 * differs (weak never fails spuriously here). */
static int cas128(uintptr_t pc, volatile a128 *a, a128 *c, a128 v, int mo)
{
	int w = mt_ix_cas_point(pc, (const void *)a, 16, ACC(MT_ACC_RMW, mo));
	a128 want = *c, found = cas_real(a, want, v);
	int ok = found == want;

	if (!ok)
		*c = found;
	if (w >= 0)
		mt_ix_cas_done(w, (const void *)a, 16, ok);
	return ok;
}

__attribute__((noinline)) int __tsan_atomic128_compare_exchange_strong(volatile a128 *a, a128 *c, a128 v, int mo,
                                                                       int fmo)
{
	(void)fmo;
	return cas128(IX_PC(), a, c, v, mo);
}

__attribute__((noinline)) int __tsan_atomic128_compare_exchange_weak(volatile a128 *a, a128 *c, a128 v, int mo,
                                                                     int fmo)
{
	(void)fmo;
	return cas128(IX_PC(), a, c, v, mo);
}

__attribute__((noinline)) a128 __tsan_atomic128_compare_exchange_val(volatile a128 *a, a128 c, a128 v, int mo,
                                                                     int fmo)
{
	(void)fmo;
	cas128(IX_PC(), a, &c, v, mo);
	return c;
}
