/* spin.h - see spin.c. */
#ifndef MT_FUZZ_INSTRUMENT_SPIN_H
#define MT_FUZZ_INSTRUMENT_SPIN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define SPIN_N 4u

struct spin_stack {
	int use_mutex;
	_Atomic uint32_t spin;
	pthread_mutex_t mutex;
	uint32_t top, h[SPIN_N];
};

int spin_get(struct spin_stack *s, uint32_t *out);
void spin_put(struct spin_stack *s, uint32_t h);
#endif
