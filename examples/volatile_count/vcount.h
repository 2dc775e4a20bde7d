/*
 * vcount.h - a locked stack of n nodes with a lock-free "empty?" fast
 * path, kernel style: the count of free nodes is written with WRITE_ONCE
 * under the lock and read with READ_ONCE without it.  Both are volatile
 * accesses.  Whether that is a data race depends on what a volatile
 * access is taken to be: a plain access (C11: the unlocked read races
 * with the locked write) or a relaxed atomic (the Linux kernel's memory
 * model: a marked access, no race).  Nothing of the toolkit is included.
 */
#ifndef EXAMPLES_VCOUNT_H
#define EXAMPLES_VCOUNT_H

#include <pthread.h>
#include <stdint.h>

#define VCOUNT_NIL UINT32_MAX

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

struct vcount {
	pthread_mutex_t lock;
	uint32_t *next;              /* protected by lock */
	uint32_t top;                /* protected by lock */
	uint32_t nfree;              /* WRITE_ONCE under lock; READ_ONCE without */
	uint32_t n;
};

int vcount_init(struct vcount *s, uint32_t n);
void vcount_fini(struct vcount *s);
/* A free node, or VCOUNT_NIL: none (an empty stack is seen without the lock). */
uint32_t vcount_pop(struct vcount *s);
void vcount_push(struct vcount *s, uint32_t i);

#endif /* EXAMPLES_VCOUNT_H */
