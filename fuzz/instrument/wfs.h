/* wfs.h - see wfs.c. */
#ifndef MT_FUZZ_INSTRUMENT_WFS_H
#define MT_FUZZ_INSTRUMENT_WFS_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define WFS_N 4u
#define WFS_END UINT32_MAX            /* below the bottom handle: empty */
#define WFS_WAIT (UINT32_MAX - 1u)    /* a link not written yet (push half done) */
#define WFS_ADAPT_ATTEMPTS 10u        /* liburcu's CDS_WFS_ADAPT_ATTEMPTS */

/* How a popper waits for a link: re-reading it only, or re-reading it
 * WFS_ADAPT_ATTEMPTS times, then a sleep (liburcu's wfstack: poll). */
enum { WFS_SPIN, WFS_POLL, WFS_USLEEP, WFS_NANOSLEEP, WFS_SLEEP,
       WFS_POLL_CHK,                  /* poll of an array, fortified: __poll_chk */
       WFS_NR_WAITS };

struct wfs {
	int wait;                         /* enum above (read once per wait) */
	_Atomic uint32_t head;            /* the top handle, or WFS_END */
	_Atomic uint32_t next[WFS_N];     /* below each handle: a handle, WFS_END or WFS_WAIT */
	pthread_mutex_t pop_lock;         /* one popper at a time (no ABA), as liburcu's pop */
};

void wfs_push(struct wfs *s, uint32_t h);
int wfs_pop(struct wfs *s, uint32_t *out);
/* One sleep of the kind s->wait says (WFS_POLL ..), as a waiter makes it. */
void wfs_nap(const struct wfs *s);
#endif
