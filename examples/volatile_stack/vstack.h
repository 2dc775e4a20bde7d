/*
 * vstack.h - a Treiber stack of n nodes with a versioned head (no ABA)
 * whose links are kernel-style marked accesses: written with WRITE_ONCE
 * and read with READ_ONCE (volatile), the head an _Atomic word.  As in
 * examples/weak_stack, the push comes in two builds: one publishes the
 * node with a release compare-and-swap of the head, the other (the slip)
 * with a relaxed one.  Nothing of the toolkit is included.
 *
 * Built with volatile = "relaxed" (a volatile access is a relaxed atomic,
 * the Linux kernel's view), the slip shows only where a READ_ONCE may
 * read an older store: a pop that reads the new head without
 * synchronizing with the push may read the node's link from before the
 * push (what it was when the node was last on the stack) and swing the
 * head to a node somebody holds: the same handle handed out twice.  With
 * the release push, the pop's acquire load of the head orders the push's
 * WRITE_ONCE before its READ_ONCE, which then reads it.
 */
#ifndef EXAMPLES_VSTACK_H
#define EXAMPLES_VSTACK_H

#include <stdatomic.h>
#include <stdint.h>

#define VSTACK_NIL UINT32_MAX

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

struct vstack {
	_Atomic uint64_t head;       /* version << 32 | index of the top node */
	uint32_t *next;              /* next[i]: the node below i (READ_ONCE / WRITE_ONCE) */
	uint32_t n;
};

int vstack_init(struct vstack *s, uint32_t n);
void vstack_fini(struct vstack *s);
/* The top node, or VSTACK_NIL if empty. */
uint32_t vstack_pop(struct vstack *s);
/* Push node i: WRITE_ONCE its link, then a release CAS of the head. */
void vstack_push(struct vstack *s, uint32_t i);
/* The slip: the same push with a relaxed CAS. */
void vstack_push_relaxed(struct vstack *s, uint32_t i);

#endif /* EXAMPLES_VSTACK_H */
