/*
 * ckfl.h - a free list of n nodes on concurrencykit's ck_stack (Debian's
 * libck-dev, unmodified; its inline functions are compiled into ckfl.c).
 * Node i is handle i.  One stack shared by every VCPU, or one stack per
 * VCPU (handle i belongs to stack i % stacks).
 */
#ifndef CKFL_H
#define CKFL_H

#include <stdint.h>

#define CKFL_NIL 0xffffffffu

struct ckfl;

struct ckfl *ckfl_new(uint32_t n, unsigned stacks);
void ckfl_free(struct ckfl *f);
/* ck_stack_pop_upmc from stack s: a node, or CKFL_NIL. */
uint32_t ckfl_pop(struct ckfl *f, unsigned s);
/* ck_stack_push_upmc of node i onto its stack. */
void ckfl_push(struct ckfl *f, uint32_t i);
uint32_t ckfl_size(const struct ckfl *f);

#endif /* CKFL_H */
