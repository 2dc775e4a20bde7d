/*
 * magazine_tls.h - a free list of n handles kept in per-thread magazines
 * over a shared depot, the way tcache-style allocators find their cache:
 * through a _Thread_local variable, not a CPU number passed in (a user's
 * code: it knows nothing of the toolkit).
 *
 * Handles travel in magazines of MTLS_ROUNDS rounds.  A thread's first
 * call on an allocator gives it an id and an empty magazine from the depot
 * (its thread cache, found through `_Thread_local struct mtls_cache`).
 * Only that thread touches its loaded magazine (no lock).  When it is
 * empty, a get swaps it for a full magazine from the depot, else for the
 * depot's remote magazine; when it is full, a put swaps it for an empty
 * one.  A handle freed by a thread other than the one that got it (a
 * remote free) goes into the depot's remote magazine.  The depot is under
 * one pthread mutex.  A thread keeps at most MTLS_ROUNDS free handles.
 */
#ifndef MAGAZINE_TLS_H
#define MAGAZINE_TLS_H

#include <pthread.h>
#include <stdint.h>

#define MTLS_NIL 0xffffffffu
#define MTLS_ROUNDS 2u

struct mtls_mag {
	struct mtls_mag *next;       /* on the depot's full or empty list */
	unsigned count;              /* rounds[0 .. count) are free handles */
	uint32_t rounds[MTLS_ROUNDS];
};

struct mtls {
	pthread_mutex_t lock;        /* protects the five fields below */
	struct mtls_mag *full, *empty;
	struct mtls_mag *remote;     /* remote frees; never NULL, never full */
	unsigned threads;            /* ids given out */
	unsigned long epoch;         /* this allocator's life (thread caches name it) */
	uint16_t *owner;             /* owner[h]: id of the thread that got h (written by it) */
	struct mtls_mag *mags;       /* every magazine, allocated once */
	uint32_t n;
	/* The planted slip: a remote free appends to the depot's remote
	 * magazine without the lock while it has room.  Two remote frees then
	 * lose a handle.  Only a thread other than the getter frees remotely. */
	int unlocked_remote;
};

/* All n handles free, in the depot, for at most `threads` threads.
 * 0 ok, -1 out of memory. */
int mtls_init(struct mtls *m, uint32_t n, unsigned threads, int unlocked_remote);
void mtls_fini(struct mtls *m);
/* A free handle for the calling thread, or MTLS_NIL if its cache and the
 * depot are empty. */
uint32_t mtls_get(struct mtls *m);
/* Give back h (one mtls_get returned), from the calling thread. */
void mtls_put(struct mtls *m, uint32_t h);

#endif /* MAGAZINE_TLS_H */
