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
	MT_ACC_SIZE_SHIFT = 5,       /* bytes accessed: 0 unknown, 1..5 = 1, 2, 4, 8, 16 */
	MT_ACC_SIZE_MASK = 7 << 5,
	MT_ACC_DEFER = 1 << 8,       /* mt_sched_after() follows the access: a memory
	                              * model decides the access there */
	MT_ACC_CAS = 1 << 9,         /* with DEFER, a compare-exchange: decided at
	                              * mt_sched_after() under every model, where a
	                              * failed one is a load with the order given
	                              * there (its failure order) */
};

/* The size bits of enum mt_acc for an access of n bytes. */
#define MT_ACC_SZ(n) ((unsigned)((n) == 16 ? 5 : (n) == 8 ? 4 : (n) == 4 ? 3 : (n) == 2 ? 2 : (n) == 1 ? 1 : 0) \
                      << MT_ACC_SIZE_SHIFT)
/* ... and back: the bytes an access of acc touches (0: unknown). */
static inline unsigned mt_acc_bytes(unsigned acc)
{
	static const unsigned char bytes[8] = { 0, 1, 2, 4, 8, 16, 0, 0 };
	return bytes[(acc & MT_ACC_SIZE_MASK) >> MT_ACC_SIZE_SHIFT];
}

#ifdef MT_SCHED_HOOK
void mt_sched_point(const struct mt_site *site, const void *addr, unsigned acc);
void mt_sched_blocked(const struct mt_site *site, const void *lock);
/* After the real access: a memory model records what a store wrote and may
 * replace what an atomic load read (*val) with an older store it allows;
 * an RMW that did not write (failed CAS) is told as a load. */
void mt_sched_after(const void *addr, unsigned acc, void *val);
#define MT_SCHED(site, addr, acc) mt_sched_point((site), (const void *)(addr), (acc))
#define MT_AFTER(addr, acc, val) mt_sched_after((const void *)(addr), (acc), (val))
#else
/* sizeof: the arguments are never evaluated (an address such as
 * &mt_pv_entry(t, h)->ref would otherwise be computed twice). */
#define MT_SCHED(site, addr, acc) ((void)sizeof(site), (void)sizeof(addr), (void)sizeof(acc))
#define MT_AFTER(addr, acc, val) ((void)0)
#endif

/* The access of every accessor: schedule point, the access, the model.
 * The address is evaluated twice, once for the schedule point and once
 * for the access (it may itself pass schedule points, as mt_pv_entry()
 * does): committed inputs count schedule points, so this stays as it was. */
#define MT_ACC_OF(p, what) ((what) | MT_ACC_SZ(sizeof(*(p))) | MT_ACC_DEFER)
#define MT_LOAD_AS(p, site, order, mo) __extension__({ \
	MT_SCHED(site, p, MT_ACC_OF(p, MT_ACC_LOAD | (order))); \
	__typeof__(p) mt_p_ = (p); \
	__typeof__(atomic_load_explicit(mt_p_, mo)) mt_v_ = atomic_load_explicit(mt_p_, mo); \
	MT_AFTER(mt_p_, MT_ACC_OF(mt_p_, MT_ACC_LOAD | (order)), &mt_v_); \
	mt_v_; })
#define MT_STORE_AS(p, v, site, order, mo) __extension__({ \
	MT_SCHED(site, p, MT_ACC_OF(p, MT_ACC_STORE | (order))); \
	__typeof__(p) mt_p_ = (p); \
	atomic_store_explicit(mt_p_, (v), mo); \
	MT_AFTER(mt_p_, MT_ACC_OF(mt_p_, MT_ACC_STORE | (order)), (void *)0); })

#define mt_load_relaxed(p, site) MT_LOAD_AS(p, site, MT_ACC_RELAXED, memory_order_relaxed)
#define mt_load_acquire(p, site) MT_LOAD_AS(p, site, MT_ACC_ACQUIRE, memory_order_acquire)
#define mt_store_relaxed(p, v, site) MT_STORE_AS(p, v, site, MT_ACC_RELAXED, memory_order_relaxed)
#define mt_store_release(p, v, site) MT_STORE_AS(p, v, site, MT_ACC_RELEASE, memory_order_release)
#define mt_xchg_acq_rel(p, v, site) __extension__({ \
	MT_SCHED(site, p, MT_ACC_OF(p, MT_ACC_RMW | MT_ACC_ACQ_REL)); \
	__typeof__(p) mt_p_ = (p); \
	__typeof__(atomic_load_explicit(mt_p_, memory_order_relaxed)) mt_v_ = \
		atomic_exchange_explicit(mt_p_, (v), memory_order_acq_rel); \
	MT_AFTER(mt_p_, MT_ACC_OF(mt_p_, MT_ACC_RMW | MT_ACC_ACQ_REL), (void *)0); \
	mt_v_; })
/* Strong compare-and-swap; *expected is updated on failure.  (The schedule
 * point is told RMW acq_rel before the outcome is known: a failed CAS is
 * only an acquire read, so the race checker sees one release too many
 * there, which can hide a race but never invent one; the memory model is
 * told the outcome afterwards, and a failed one reads the newest store:
 * the value the code saw is memory's.) */
#define mt_cas_acq_rel(p, expected, desired, site) __extension__({ \
	MT_SCHED(site, p, MT_ACC_OF(p, MT_ACC_RMW | MT_ACC_ACQ_REL)); \
	__typeof__(p) mt_p_ = (p); \
	_Bool mt_ok_ = atomic_compare_exchange_strong_explicit(mt_p_, (expected), (desired), \
		memory_order_acq_rel, memory_order_acquire); \
	MT_AFTER(mt_p_, MT_ACC_OF(mt_p_, (mt_ok_ ? MT_ACC_RMW : MT_ACC_LOAD) | MT_ACC_ACQ_REL), \
	         (void *)0); \
	mt_ok_; })

/*
 * Deliberately plain (non-atomic) accesses to an _Atomic field.  Only the
 * bug zoo uses them, to reproduce code that raced (the v7 patch's link
 * store); ThreadSanitizer reports them when they race, as it should.
 */
#define mt_load_plain(p, site) __extension__({ \
	MT_SCHED(site, p, MT_ACC_LOAD | MT_ACC_PLAIN | MT_ACC_SZ(4)); \
	const void *mt_p_ = (const void *)(p); \
	*(const volatile uint32_t *)mt_p_; })
#define mt_store_plain(p, v, site) __extension__({ \
	MT_SCHED(site, p, MT_ACC_STORE | MT_ACC_PLAIN | MT_ACC_SZ(4) | MT_ACC_DEFER); \
	void *mt_p_ = (void *)(p); \
	*(volatile uint32_t *)mt_p_ = (v); \
	MT_AFTER(mt_p_, MT_ACC_STORE | MT_ACC_PLAIN | MT_ACC_SZ(4), (void *)0); })

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
		MT_SCHED(site, l, MT_ACC_RMW | MT_ACC_ACQUIRE | MT_ACC_SZ(4) | MT_ACC_DEFER);
		/* Acquire pairs with the release in mt_unlock(): the critical
		 * section of the previous holder happens before ours. */
		bool won = atomic_compare_exchange_weak_explicit(&l->held, &free_val, 1,
				memory_order_acquire, memory_order_relaxed);
		MT_AFTER(l, (won ? MT_ACC_RMW : MT_ACC_LOAD) | MT_ACC_ACQUIRE | MT_ACC_SZ(4), (void *)0);
		if (won)
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
