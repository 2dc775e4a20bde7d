/* spin.h - see spin.c. */
#ifndef MT_FUZZ_INSTRUMENT_SPIN_H
#define MT_FUZZ_INSTRUMENT_SPIN_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define SPIN_N 4u

enum { SPIN_TTAS, SPIN_MUTEX, SPIN_CAS,   /* SPIN_CAS: compare-and-swap, then re-read
                                              until free (mt_lock's shape) */
       SPIN_ABBA,                         /* two CAS locks, taken in opposite orders by
                                              get and put (a deadlock bug) */
       SPIN_GATED };                      /* SPIN_CAS, and a get first waits until no
                                              put is in flight (busy flags) */

#define SPIN_STRIPES 5u

struct spin_stack {
	int use_mutex;               /* SPIN_TTAS, SPIN_MUTEX, SPIN_CAS or SPIN_ABBA (one read per call) */
	unsigned patience;           /* a get that finds the stack empty re-reads puts up to
	                              * this many times for a put, then tries once more */
	_Atomic uint32_t spin, spin2;
	_Atomic uint32_t puts;       /* puts so far (bumped only when patience is set) */
	_Atomic uint32_t busy[SPIN_STRIPES];   /* SPIN_GATED: a put of a handle h is in
	                                        * flight while busy[h % SPIN_STRIPES] */
	pthread_mutex_t mutex;
	uint32_t top, h[SPIN_N];
};

int spin_get(struct spin_stack *s, uint32_t *out);
void spin_put(struct spin_stack *s, uint32_t h);
#endif
