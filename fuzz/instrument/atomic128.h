/* atomic128.h - every 16-byte atomic clang emits, instrumented (atomic128.c). */
#ifndef MT_FUZZ_INSTRUMENT_ATOMIC128_H
#define MT_FUZZ_INSTRUMENT_ATOMIC128_H

typedef unsigned __int128 a128_t;

a128_t a128_load(_Atomic a128_t *p);
void a128_store(_Atomic a128_t *p, a128_t v);
a128_t a128_xchg(_Atomic a128_t *p, a128_t v);
a128_t a128_add(_Atomic a128_t *p, a128_t v);
a128_t a128_sub(_Atomic a128_t *p, a128_t v);
a128_t a128_and(_Atomic a128_t *p, a128_t v);
a128_t a128_or(_Atomic a128_t *p, a128_t v);
a128_t a128_xor(_Atomic a128_t *p, a128_t v);
a128_t a128_nand(a128_t *p, a128_t v);
int a128_cas_strong(_Atomic a128_t *p, a128_t *expect, a128_t v);
int a128_cas_weak(_Atomic a128_t *p, a128_t *expect, a128_t v);
a128_t a128_sync_cas(a128_t *p, a128_t expect, a128_t v);
#endif
