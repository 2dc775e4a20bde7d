/*
 * toy.h - a test-only free list for the real-threads driver
 * (stress_adapter_main.c): n handles on a stack under one mutex, bad puts
 * refused, and one planted slip per mode, each at the SLIP_AT-th operation
 * of its kind (counted under the lock: the same operation in every run).
 */
#ifndef STRESS_TOY_H
#define STRESS_TOY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define TOY_SLIP_AT 100u

enum toy_mode {
	TOY_OK,
	TOY_DUP,          /* C1: a get hands out a handle that is out already */
	TOY_REFUSE,       /* C2: a put of a held handle is refused */
	TOY_DOUBLE_PUT,   /* C3: a put of a free handle is accepted (and stacked twice) */
	TOY_LEAK,         /* C5: a put is accepted and the handle dropped */
};

struct toy {
	pthread_mutex_t lock;        /* protects everything below */
	uint32_t *stack, top, n;
	bool *out;                   /* out[h]: handed out, not put back */
	uint32_t last_out;           /* the handle the last get handed out */
	unsigned gets, puts;
	enum toy_mode mode;
	bool slipped;
};

int toy_init(struct toy *t, uint32_t n, enum toy_mode mode);
void toy_fini(struct toy *t);
/* 1: *h handed out; 0: empty. */
int toy_get(struct toy *t, uint32_t *h);
/* 0: accepted; -1: refused (out of range, not out). */
int toy_put(struct toy *t, uint32_t h);

#endif /* STRESS_TOY_H */
