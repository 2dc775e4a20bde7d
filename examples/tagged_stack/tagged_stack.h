/*
 * tagged_stack.h - a free list of n nodes on a Treiber stack whose head is
 * a {pointer, tag} pair updated by a double-width compare-and-swap
 * (cmpxchg16b; build with -mcx16).  A user's code: it knows nothing of
 * the toolkit.  Every successful CAS bumps the tag, so a pop's CAS fails
 * if the head was popped and pushed back meanwhile (the ABA problem), even
 * when the same node is on top again.  bump = 0 is the slip: the tag
 * never moves, and the 16-byte CAS protects no better than the pointer.
 *
 * How pop first reads the head (the CAS re-reads it whole when it fails):
 *   TS_READ_WHOLE      one 16-byte atomic load;
 *   TS_READ_HALVES     the tag, then the pointer, as two 8-byte acquire
 *                      loads (ck_stack_pop_mpmc's way: a torn pair only
 *                      makes the CAS fail);
 *   TS_READ_PLAIN_TAG  the pointer by an acquire load, the tag by a plain
 *                      read: a data race with other VCPUs' CAS.
 */
#ifndef TAGGED_STACK_H
#define TAGGED_STACK_H

#include <stdatomic.h>
#include <stdint.h>

#define TAGGED_STACK_NIL 0xffffffffu

struct ts_node {
	struct ts_node *_Atomic next;    /* the node below while this one is free */
};

struct ts_head {
	struct ts_node *top;
	uintptr_t tag;                   /* bumped by every successful CAS */
};

enum ts_read { TS_READ_WHOLE, TS_READ_HALVES, TS_READ_PLAIN_TAG };

struct tagged_stack {
	_Alignas(16) _Atomic struct ts_head head;   /* cmpxchg16b needs 16-byte alignment */
	struct ts_node *nodes;
	uint32_t n;
	uintptr_t bump;                  /* 1; 0: the tag never moves (open to ABA) */
	enum ts_read read;
};

/* All n nodes free.  0 ok, -1 out of memory. */
int tagged_stack_init(struct tagged_stack *s, uint32_t n, int bump, enum ts_read read);
void tagged_stack_fini(struct tagged_stack *s);
/* A free node's index, or TAGGED_STACK_NIL if none. */
uint32_t tagged_stack_pop(struct tagged_stack *s);
/* Give node i back (it must be one pop returned). */
void tagged_stack_push(struct tagged_stack *s, uint32_t i);

#endif /* TAGGED_STACK_H */
