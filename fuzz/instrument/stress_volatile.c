/*
 * stress_volatile.c - volatile accesses as relaxed atomics under clang's own
 * ThreadSanitizer, for a suite built with volatile = "relaxed"
 * (fuzz/instrument/defs.bzl): there, -tsan-distinguish-volatile=1 makes
 * clang call __tsan_volatile_readN / writeN before a volatile access, and
 * clang 14's runtime has no such entry points (the link fails).  The
 * toolkit's runtime (ix.c) counts them as relaxed atomics; so do these:
 * a read is a relaxed atomic load, a write a relaxed fetch_add of 0 (an
 * atomic write to ThreadSanitizer that leaves the value as it is; the
 * program's own store follows).  Weak: a runtime that has its own wins.
 * Only aligned 1-, 2-, 4- and 8-byte accesses (the sizes clang emits for
 * C scalars); the 16-byte ones are left undefined, so a suite that needs
 * them fails to link rather than being judged wrongly.
 */
#include <stdint.h>

enum { RELAXED = 0 };                /* ThreadSanitizer's morder: mo_relaxed */

#define SIZES(X) X(1, 8) X(2, 16) X(4, 32) X(8, 64)

#define DECLARE(n, bits)                                                                 \
	int##bits##_t __tsan_atomic##bits##_load(const volatile int##bits##_t *a, int mo);      \
	int##bits##_t __tsan_atomic##bits##_fetch_add(volatile int##bits##_t *a, int##bits##_t v, int mo); \
	void __tsan_volatile_read##n(void *addr);                                             \
	void __tsan_volatile_write##n(void *addr);
SIZES(DECLARE)

#define DEFINE(n, bits)                                                                  \
	__attribute__((weak)) void __tsan_volatile_read##n(void *addr)                        \
	{ (void)__tsan_atomic##bits##_load((const volatile int##bits##_t *)addr, RELAXED); } \
	__attribute__((weak)) void __tsan_volatile_write##n(void *addr)                       \
	{ (void)__tsan_atomic##bits##_fetch_add((volatile int##bits##_t *)addr, 0, RELAXED); }
SIZES(DEFINE)
