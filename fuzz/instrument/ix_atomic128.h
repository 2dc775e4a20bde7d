/*
 * ix_atomic128.h - the runtime's 16-byte atomics (ix_atomic128.c) and what
 * they use of ix.c.  Internal to //fuzz/instrument:runtime.
 *
 * clang -fsanitize=thread calls __tsan_atomic128_* for every 16-byte
 * atomic (a {pointer, tag} head updated by cmpxchg16b) when the code is
 * compiled with -mcx16 (IX_COPTS in defs.bzl adds it); without -mcx16
 * clang calls libatomic (__atomic_load, __atomic_compare_exchange, ...)
 * instead, which the runtime does not serve: such code does not link.
 */
#ifndef MT_FUZZ_INSTRUMENT_IX_ATOMIC128_H
#define MT_FUZZ_INSTRUMENT_IX_ATOMIC128_H

#include <stddef.h>
#include <stdint.h>

/* ThreadSanitizer's a128 (compiler-rt tsan_interface_atomic.h). */
typedef __int128 mt_ix_a128;

/* The hooks, in ThreadSanitizer's signatures (mo, fmo: memory orders,
 * 0 relaxed .. 5 seq_cst). */
mt_ix_a128 __tsan_atomic128_load(const volatile mt_ix_a128 *a, int mo);
void __tsan_atomic128_store(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_exchange(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_add(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_sub(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_and(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_or(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_xor(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
mt_ix_a128 __tsan_atomic128_fetch_nand(volatile mt_ix_a128 *a, mt_ix_a128 v, int mo);
int __tsan_atomic128_compare_exchange_strong(volatile mt_ix_a128 *a, mt_ix_a128 *c, mt_ix_a128 v, int mo,
                                             int fmo);
int __tsan_atomic128_compare_exchange_weak(volatile mt_ix_a128 *a, mt_ix_a128 *c, mt_ix_a128 v, int mo,
                                           int fmo);
mt_ix_a128 __tsan_atomic128_compare_exchange_val(volatile mt_ix_a128 *a, mt_ix_a128 c, mt_ix_a128 v, int mo,
                                                 int fmo);

/* From ix.c.  The schedule point of an access of [addr, addr + size) at
 * pc that happens right after it returns (kind: enum mt_site_kind bits,
 * acc: enum mt_acc); the VCPU, or -1 outside a simulated VCPU. */
int mt_ix_point(uintptr_t pc, const void *addr, size_t size, unsigned kind, unsigned acc);
/* ... the same for a compare-and-swap: checked as a write, counted as a
 * read for spinning until it succeeds (mt_ix_cas_done). */
int mt_ix_cas_point(uintptr_t pc, const void *addr, size_t size, unsigned acc);
/* VCPU v's compare-and-swap at addr happened (ok: it wrote). */
void mt_ix_cas_done(int v, const void *addr, size_t size, int ok);
/* ThreadSanitizer's memory order argument -> enum mt_acc's order bits. */
unsigned mt_ix_order(int mo);

#endif /* MT_FUZZ_INSTRUMENT_IX_ATOMIC128_H */
