/*
 * weak_stack.h - a Treiber stack of n nodes with a versioned head (no
 * ABA), in two builds of its push: one publishes the node with a release
 * compare-and-swap, the other (the slip) with a relaxed one.  Nothing of
 * the toolkit is included: this is "your" code.
 *
 * The slip is invisible one access at a time (sequential consistency):
 * only a memory model in which a load may read an older store shows it.
 * A pop that reads the new head without synchronizing with the push may
 * read the node's link from before the push (the value it had when the
 * node was last on the stack), and swing the head to a node somebody else
 * holds: the same handle handed out twice.
 */
#ifndef EXAMPLES_WEAK_STACK_H
#define EXAMPLES_WEAK_STACK_H

#include <stdatomic.h>
#include <stdint.h>

#define WEAK_STACK_NIL UINT32_MAX

struct weak_stack {
	_Atomic uint64_t head;       /* version << 32 | index of the top node */
	_Atomic uint32_t *next;      /* next[i]: the node below i */
	uint32_t n;
};

int weak_stack_init(struct weak_stack *s, uint32_t n);
void weak_stack_fini(struct weak_stack *s);
/* The top node, or WEAK_STACK_NIL if empty. */
uint32_t weak_stack_pop(struct weak_stack *s);
/* Push node i: publishes next[i] with a release CAS on head. */
void weak_stack_push(struct weak_stack *s, uint32_t i);
/* The slip: the same push with a relaxed CAS. */
void weak_stack_push_relaxed(struct weak_stack *s, uint32_t i);

#endif /* EXAMPLES_WEAK_STACK_H */
