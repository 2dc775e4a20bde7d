/* lfs.c - see lfs.h.  Built two ways (BUILD): with liburcu's shipped x86
 * uatomic (inline assembly: the runtime cannot see its compare-and-swap,
 * and says so at start-up), and through shim/urcu/uatomic.h (liburcu's
 * generic uatomic: compiler builtins, every atomic a schedule point). */
#define _LGPL_SOURCE            /* the static inline lfstack: compiled here, instrumented */
#include "examples/urcu_asm/lfs.h"

#include <stdlib.h>
#include <urcu/lfstack.h>

/* The nodes inline: a node's address and index are arithmetic, no load. */
struct lfs {
	struct cds_lfs_stack stack;
	uint32_t n;
	struct cds_lfs_node nodes[];
};

struct lfs *lfs_new(uint32_t n)
{
	struct lfs *f = calloc(1, sizeof(*f) + n * sizeof(f->nodes[0]));

	if (!f)
		return NULL;
	f->n = n;
	cds_lfs_init(&f->stack);
	for (uint32_t i = n; i-- > 0;) {
		cds_lfs_node_init(&f->nodes[i]);
		cds_lfs_push(&f->stack, &f->nodes[i]);
	}
	return f;
}

void lfs_free(struct lfs *f)
{
	if (!f)
		return;
	cds_lfs_destroy(&f->stack);   /* asserts the mutex is not held */
	free(f);
}

static uint32_t index_of(const struct lfs *f, const struct cds_lfs_node *node)
{
	return node ? (uint32_t)(node - f->nodes) : LFS_NIL;
}

uint32_t lfs_pop_locked(struct lfs *f)
{
	return index_of(f, cds_lfs_pop_blocking(&f->stack));
}

uint32_t lfs_pop_relock(struct lfs *f)
{
	cds_lfs_pop_lock(&f->stack);
	return index_of(f, cds_lfs_pop_blocking(&f->stack));   /* waits for itself */
}

uint32_t lfs_pop_unlocked(struct lfs *f)
{
	return index_of(f, __cds_lfs_pop(&f->stack));
}

void lfs_push(struct lfs *f, uint32_t i)
{
	cds_lfs_push(&f->stack, &f->nodes[i]);
}

struct cds_lfs_stack *lfs_stack(struct lfs *f)
{
	return &f->stack;
}

struct cds_lfs_node *lfs_node(struct lfs *f, uint32_t i)
{
	return &f->nodes[i];
}

uint32_t lfs_index(struct lfs *f, const struct cds_lfs_node *node)
{
	return index_of(f, node);
}

uint32_t lfs_size(const struct lfs *f)
{
	return f->n;
}
