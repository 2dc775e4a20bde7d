/*
 * mt_access.h - the one layer through which lib/ touches shared memory.
 *
 * Every accessor is named for its memory order and takes the schedule
 * point (a const struct mt_site *, mt_sites.h) it stands for.  There are no stand-alone fences:
 * ThreadSanitizer does not model them, so every ordering sits on an access
 * and each call site says in a comment which access it pairs with.
 *
 * Schedule hook: in a production build MT_SCHED() is empty.  A build with
 * -DMT_SCHED_HOOK calls mt_sched_point() before each access (the
 * deterministic simulator switches VCPUs there; stress binaries inject
 * seeded yields), and mt_sched_blocked() when a lock is found held.
 * The driver that links the hooked library defines both functions.
 */
#ifndef MT_ACCESS_H
#define MT_ACCESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sched.h>

#include "lib/mt_sites.h"

/*
 * What an access does, as the hook is told (checkers that model memory,
 * such as the race detector, need it): an operation and, for atomics, the
 * memory order.  MT_ACC_NONE: a schedule point that touches no shared
 * memory (an allocation, the random source).
 */
enum mt_acc {
	MT_ACC_NONE = 0,
	MT_ACC_LOAD = 1,
	MT_ACC_STORE = 2,
	MT_ACC_RMW = 3,              /* read-modify-write (exchange, CAS, lock) */
	MT_ACC_OP_MASK = 3,
	MT_ACC_PLAIN = 0 << 2,       /* not atomic */
	MT_ACC_RELAXED = 1 << 2,
	MT_ACC_ACQUIRE = 2 << 2,
	MT_ACC_RELEASE = 3 << 2,
	MT_ACC_ACQ_REL = 4 << 2,
	MT_ACC_SEQ_CST = 5 << 2,
	MT_ACC_ORDER_MASK = 7 << 2,
};

#ifdef MT_SCHED_HOOK
void mt_sched_point(const struct mt_site *site, const void *addr, unsigned acc);
void mt_sched_blocked(const struct mt_site *site, const void *lock);
#define MT_SCHED(site, addr, acc) mt_sched_point((site), (const void *)(addr), (acc))
#else
/* sizeof: the arguments are never evaluated (an address such as
 * &mt_pv_entry(t, h)->ref would otherwise be computed twice). */
#define MT_SCHED(site, addr, acc) ((void)sizeof(site), (void)sizeof(addr), (void)sizeof(acc))
#endif

#define mt_load_relaxed(p, site) \
	(MT_SCHED(site, p, MT_ACC_LOAD | MT_ACC_RELAXED), atomic_load_explicit((p), memory_order_relaxed))
#define mt_load_acquire(p, site) \
	(MT_SCHED(site, p, MT_ACC_LOAD | MT_ACC_ACQUIRE), atomic_load_explicit((p), memory_order_acquire))
#define mt_store_relaxed(p, v, site) \
	(MT_SCHED(site, p, MT_ACC_STORE | MT_ACC_RELAXED), \
	 atomic_store_explicit((p), (v), memory_order_relaxed))
#define mt_store_release(p, v, site) \
	(MT_SCHED(site, p, MT_ACC_STORE | MT_ACC_RELEASE), \
	 atomic_store_explicit((p), (v), memory_order_release))
#define mt_xchg_acq_rel(p, v, site) \
	(MT_SCHED(site, p, MT_ACC_RMW | MT_ACC_ACQ_REL), \
	 atomic_exchange_explicit((p), (v), memory_order_acq_rel))
/* Strong compare-and-swap; *expected is updated on failure.  (The hook is
 * told RMW acq_rel before the outcome is known: a failed CAS is only an
 * acquire read, so a checker sees one release too many there, which can
 * hide a race but never invent one.) */
#define mt_cas_acq_rel(p, expected, desired, site) \
	(MT_SCHED(site, p, MT_ACC_RMW | MT_ACC_ACQ_REL), \
	 atomic_compare_exchange_strong_explicit((p), (expected), \
		(desired), memory_order_acq_rel, memory_order_acquire))

/*
 * Deliberately plain (non-atomic) accesses to an _Atomic field.  Only the
 * bug zoo uses them, to reproduce code that raced (the v7 patch's link
 * store); ThreadSanitizer reports them when they race, as it should.
 */
#define mt_load_plain(p, site) \
	(MT_SCHED(site, p, MT_ACC_LOAD | MT_ACC_PLAIN), *(const volatile uint32_t *)(const void *)(p))
#define mt_store_plain(p, v, site) \
	(MT_SCHED(site, p, MT_ACC_STORE | MT_ACC_PLAIN), (void)(*(volatile uint32_t *)(void *)(p) = (v)))

/* A test-and-test-and-set spinlock.  Xen: spinlock_t. */
struct mt_lock {
	_Atomic uint32_t held;
};

static inline void mt_lock_init(struct mt_lock *l)
{
	atomic_init(&l->held, 0);
}

static inline bool mt_lock_is_free(const struct mt_lock *l)
{
	return atomic_load_explicit(&((struct mt_lock *)l)->held, memory_order_relaxed) == 0;
}

static inline void mt_lock(struct mt_lock *l, const struct mt_site *site)
{
	for (;;) {
		uint32_t free_val = 0;
		MT_SCHED(site, l, MT_ACC_RMW | MT_ACC_ACQUIRE);
		/* Acquire pairs with the release in mt_unlock(): the critical
		 * section of the previous holder happens before ours. */
		if (atomic_compare_exchange_weak_explicit(&l->held, &free_val, 1,
				memory_order_acquire, memory_order_relaxed))
			return;
#ifdef MT_SCHED_HOOK
		mt_sched_blocked(site, l);
#endif
		for (unsigned spins = 0; !mt_lock_is_free(l); spins++) {
			if (spins >= 64)
				sched_yield();   /* the holder may be preempted: do not burn its slice */
		}
	}
}

static inline void mt_unlock(struct mt_lock *l, const struct mt_site *site)
{
	/* Release pairs with the acquire CAS in mt_lock(). */
	mt_store_release(&l->held, 0, site);
}

#endif /* MT_ACCESS_H */
