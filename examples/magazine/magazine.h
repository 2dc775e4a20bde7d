/*
 * magazine.h - a free list of n handles kept in per-CPU caches over a
 * shared depot, in the style of slab allocators' magazines and jemalloc's
 * tcache (a user's code: it knows nothing of the toolkit).
 *
 * Handles travel in magazines of MAG_ROUNDS rounds.  Each CPU has one
 * loaded magazine that only it touches (no lock).  When it is empty, a get
 * swaps it for a full magazine from the depot; when it is full, a put
 * swaps it for an empty one.  A handle freed by a CPU other than the one
 * that got it (a remote free) goes back through the depot: into the
 * depot's remote magazine, which joins the full ones when it fills and
 * which a get takes when there is no full magazine.  The depot is under
 * one pthread mutex.
 *
 *   cpu 0: loaded [h h . .]      depot (mutex): full -> [h h h h] -> [h h h h]
 *   cpu 1: loaded [. . . .]                     empty -> [. . . .]
 *                                               remote   [h . . .]
 *
 * A CPU keeps at most MAG_ROUNDS free handles from the others.
 */
#ifndef MAGAZINE_H
#define MAGAZINE_H

#include <pthread.h>
#include <stdint.h>

#define MAG_NIL 0xffffffffu
#define MAG_ROUNDS 2u

struct mag {
	struct mag *next;            /* on the depot's full or empty list */
	unsigned count;              /* rounds[0 .. count) are free handles */
	uint32_t rounds[MAG_ROUNDS];
};

struct mag_depot {
	pthread_mutex_t lock;        /* protects everything below */
	struct mag *full, *empty;
	struct mag *remote;          /* remote frees; never NULL, never full */
};

struct magazine {
	struct mag_depot depot;
	struct mag **loaded;         /* loaded[cpu]: touched by that CPU only */
	uint16_t *owner;             /* owner[h]: the CPU that got h (written by it) */
	struct mag *mags;            /* every magazine, allocated once */
	uint32_t n;
	unsigned cpus;
	/* The planted slip: a remote free appends to the depot's remote
	 * magazine without the lock while it has room ("the lock only when it
	 * fills").  Two remote frees, or a remote free and a get that takes
	 * the remote magazine, then lose or duplicate a handle. */
	int unlocked_remote;
};

/* All n handles free, in the depot.  0 ok, -1 out of memory. */
int magazine_init(struct magazine *m, uint32_t n, unsigned cpus, int unlocked_remote);
void magazine_fini(struct magazine *m);
/* A free handle for cpu, or MAG_NIL if cpu's cache and the depot are empty. */
uint32_t magazine_get(struct magazine *m, unsigned cpu);
/* Give back h (one magazine_get returned) on cpu. */
void magazine_put(struct magazine *m, unsigned cpu, uint32_t h);

#endif /* MAGAZINE_H */
