/* shift.h - instrumented code for the copy hooks' test (BUILD, copies_*):
 * a free list kept as an array under a mutex, whose get takes the first
 * handle and moves the rest down with memmove (a size known only at run
 * time: a call of the C library's memmove at every optimisation level). */
#ifndef MT_FUZZ_INSTRUMENT_SHIFT_H
#define MT_FUZZ_INSTRUMENT_SHIFT_H

#include <pthread.h>
#include <stdint.h>

#define SHIFT_NIL UINT32_MAX

struct shift {
	pthread_mutex_t lock;
	uint32_t count, n;
	uint32_t *slots;             /* protected by lock: slots[0, count) are free */
};

int shift_init(struct shift *s, uint32_t n);
void shift_fini(struct shift *s);
/* Takes slots[0] and moves the rest down, under the lock. */
uint32_t shift_get(struct shift *s);
/* The slip: the move happens after the unlock (another get can take the
 * same slots[0] before it). */
uint32_t shift_get_late_move(struct shift *s);
void shift_put(struct shift *s, uint32_t h);

#endif
