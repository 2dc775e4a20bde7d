/*
 * treiber.h - a free list of n nodes on a Treiber stack (a user's code:
 * it knows nothing of the toolkit).  The head packs a version with the
 * top node's index so a pop's compare-and-swap fails if the head was
 * popped and pushed back meanwhile (the ABA problem).  versioned = 0
 * leaves the version at 0: the classic unversioned stack, open to ABA.
 */
#ifndef TREIBER_H
#define TREIBER_H

#include <stdatomic.h>
#include <stdint.h>

#define TREIBER_NIL 0xffffffffu

struct treiber {
	_Atomic uint64_t head;       /* version << 32 | index of the top node */
	_Atomic uint32_t *next;      /* next[i]: the node below i while i is free */
	uint32_t n;
	int versioned;
};

/* All n nodes free.  0 ok, -1 out of memory. */
int treiber_init(struct treiber *s, uint32_t n, int versioned);
void treiber_fini(struct treiber *s);
/* A free node's index, or TREIBER_NIL if none. */
uint32_t treiber_pop(struct treiber *s);
/* Give node i back (it must be one pop returned). */
void treiber_push(struct treiber *s, uint32_t i);

#endif /* TREIBER_H */
