/*
 * urcu_rcu.h - a free list of n handles on liburcu's lock-free stack
 * (cds_lfs), popped with __cds_lfs_pop() the way <urcu/lfstack.h>
 * documents it: inside an RCU read-side critical section, and every
 * popped node waits for a grace period (synchronize_rcu()) before it is
 * pushed back.  The RCU flavour is liburcu's "mb" one (liburcu-mb.so):
 * each thread registers itself as a reader, once (a _Thread_local flag),
 * and unregisters when it ends (a pthread key's destructor).
 *
 * Without the grace period (grace = 0) a pop that read the head and its
 * next pointer can be overtaken: the head is popped, its successor too,
 * the head pushed back, and the stale compare-and-swap succeeds (ABA).
 *
 * No _LGPL_SOURCE here: the adapter, compiled plainly, sees functions.
 */
#ifndef URCU_RCU_H
#define URCU_RCU_H

#include <stdint.h>

#define URCU_FL_NIL 0xffffffffu

struct urcu_fl;

/* n handles, all free; grace: wait for a grace period before reuse.
 * NULL if out of memory. */
struct urcu_fl *urcu_fl_new(uint32_t n, int grace);
void urcu_fl_free(struct urcu_fl *f);
uint32_t urcu_fl_limit(const struct urcu_fl *f);
/* A free handle, or URCU_FL_NIL: empty. */
uint32_t urcu_fl_get(struct urcu_fl *f);
/* Give back h, one urcu_fl_get returned. */
void urcu_fl_put(struct urcu_fl *f, uint32_t h);

#endif /* URCU_RCU_H */
