/* wfs.c - instrumented code for spin_test: a stack of handles in the shape
 * of liburcu's wfstack.  A push exchanges the head, then writes the new
 * top's link; a pop (under a mutex, so no ABA) that finds the top's link
 * not written yet waits for it, re-reading it (and, with a back-off,
 * sleeping every WFS_ADAPT_ATTEMPTS re-reads as liburcu does with
 * poll(NULL, 0, 10)), then swings the head with a compare-and-swap. */
#include "fuzz/instrument/wfs.h"

#include <poll.h>
#include <time.h>
#include <unistd.h>

/* glibc's (declared by <bits/poll2.h> only when fortifying) */
extern int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);

void wfs_push(struct wfs *s, uint32_t h)
{
	atomic_store_explicit(&s->next[h], WFS_WAIT, memory_order_relaxed);
	/* Release: the WAIT above is seen by a popper that sees h on top. */
	uint32_t below = atomic_exchange_explicit(&s->head, h, memory_order_acq_rel);
	/* Release pairs with the acquire load in wait_next(). */
	atomic_store_explicit(&s->next[h], below, memory_order_release);
}

void wfs_nap(const struct wfs *s)
{
	switch (s->wait) {
	case WFS_POLL:
		(void)poll(NULL, 0, 10);
		break;
	case WFS_USLEEP:
		(void)usleep(10000);
		break;
	case WFS_NANOSLEEP: {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10000000 };
		(void)nanosleep(&ts, NULL);
		break;
	}
	case WFS_POLL_CHK: {
		/* What gcc's fortified poll() (-O2 -D_FORTIFY_SOURCE=2) calls
		 * for an array and a count not known at compile time; clang 14
		 * with glibc 2.36 calls poll itself. */
		struct pollfd fds[2] = { { .fd = -1 }, { .fd = -1 } };   /* never ready */
		(void)__poll_chk(fds, 2, 10, sizeof(fds));
		break;
	}
	default:
		(void)sleep(1);
		break;
	}
}

/* The link below top, once its push has written it. */
static uint32_t wait_next(struct wfs *s, uint32_t top)
{
	uint32_t next;
	unsigned attempt = 0;
	int kind = s->wait;

	while ((next = atomic_load_explicit(&s->next[top], memory_order_acquire)) == WFS_WAIT) {
		if (kind != WFS_SPIN && ++attempt >= WFS_ADAPT_ATTEMPTS) {
			wfs_nap(s);
			attempt = 0;
		}
	}
	return next;
}

int wfs_pop(struct wfs *s, uint32_t *out)
{
	int ok = 0;

	pthread_mutex_lock(&s->pop_lock);
	for (;;) {
		/* Acquire pairs with the exchange in wfs_push(). */
		uint32_t top = atomic_load_explicit(&s->head, memory_order_acquire);
		if (top == WFS_END)
			break;
		uint32_t next = wait_next(s, top);
		if (atomic_compare_exchange_strong_explicit(&s->head, &top, next, memory_order_acq_rel,
		                                            memory_order_acquire)) {
			*out = top;
			ok = 1;
			break;
		}
	}
	pthread_mutex_unlock(&s->pop_lock);
	return ok;
}
