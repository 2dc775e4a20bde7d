/* lfs.h - liburcu 0.13's lock-free stack (urcu/lfstack.h, unmodified) as
 * a free list of a fixed set of nodes: a handle is a node's index. */
#ifndef LFS_H
#define LFS_H

#include <stdint.h>

#define LFS_NIL UINT32_MAX

struct lfs;

struct lfs *lfs_new(uint32_t n);
void lfs_free(struct lfs *f);
/* cds_lfs_pop_blocking(): pops serialised by the stack's mutex, as
 * lfstack.h documents for a pop without RCU. */
uint32_t lfs_pop_locked(struct lfs *f);
/* __cds_lfs_pop() with neither the mutex nor an RCU read-side lock: a
 * node pushed back while another pop is between its loads and its
 * compare-and-swap is the ABA. */
uint32_t lfs_pop_unlocked(struct lfs *f);
/* The slip: takes the pop mutex, then calls cds_lfs_pop_blocking(),
 * which takes it again (a self-deadlock, with the mutex held). */
uint32_t lfs_pop_relock(struct lfs *f);
void lfs_push(struct lfs *f, uint32_t i);
uint32_t lfs_size(const struct lfs *f);

/* For an adapter that calls liburcu's shared library itself (adapter.c,
 * urcu-lfs-so): the stack, a node, a node's index (no memory access). */
struct cds_lfs_stack;
struct cds_lfs_node;
struct cds_lfs_stack *lfs_stack(struct lfs *f);
struct cds_lfs_node *lfs_node(struct lfs *f, uint32_t i);
uint32_t lfs_index(struct lfs *f, const struct cds_lfs_node *node);

#endif
