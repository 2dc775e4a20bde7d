/* magazine_tls.c - see magazine_tls.h. */
#include "examples/magazine_tls/magazine_tls.h"

#include <stdlib.h>

/* The calling thread's cache: valid for the allocator of epoch `epoch`. */
struct mtls_cache {
	unsigned long epoch;
	unsigned id;
	struct mtls_mag *loaded;
};

static _Thread_local struct mtls_cache cache;
static unsigned long epochs;     /* allocators made so far (under no lock: init is single-threaded) */

static struct mtls_mag *pop(struct mtls_mag **list)
{
	struct mtls_mag *g = *list;

	if (g)
		*list = g->next;
	return g;
}

static void push(struct mtls_mag **list, struct mtls_mag *g)
{
	g->next = *list;
	*list = g;
}

int mtls_init(struct mtls *m, uint32_t n, unsigned threads, int unlocked_remote)
{
	/* Full magazines hold n / MTLS_ROUNDS at most; one loaded per
	 * thread (and the scheduler's, should it call), the remote one. */
	unsigned nmags = n / MTLS_ROUNDS + threads + 2;

	m->owner = calloc(n ? n : 1, sizeof(*m->owner));
	m->mags = calloc(nmags, sizeof(*m->mags));
	if (!m->owner || !m->mags || pthread_mutex_init(&m->lock, NULL)) {
		free(m->owner);
		free(m->mags);
		return -1;
	}
	m->n = n;
	m->threads = 0;
	m->epoch = ++epochs;
	m->unlocked_remote = unlocked_remote;
	m->full = m->empty = NULL;
	unsigned g = 0;
	m->remote = &m->mags[g++];
	for (uint32_t h = n; h-- > 0;) {
		struct mtls_mag *r = m->remote;
		r->rounds[r->count++] = h;
		if (r->count == MTLS_ROUNDS) {
			push(&m->full, r);
			m->remote = &m->mags[g++];
		}
	}
	while (g < nmags)
		push(&m->empty, &m->mags[g++]);
	return 0;
}

void mtls_fini(struct mtls *m)
{
	pthread_mutex_destroy(&m->lock);
	free(m->owner);
	free(m->mags);
}

/* The calling thread's cache for m: on its first call, an id and an empty
 * magazine from the depot. */
static struct mtls_cache *my_cache(struct mtls *m)
{
	struct mtls_cache *c = &cache;

	if (c->epoch != m->epoch) {
		pthread_mutex_lock(&m->lock);
		c->id = m->threads++;
		c->loaded = pop(&m->empty);
		pthread_mutex_unlock(&m->lock);
		c->epoch = m->epoch;
	}
	return c;
}

uint32_t mtls_get(struct mtls *m)
{
	struct mtls_cache *c = my_cache(m);
	struct mtls_mag *g = c->loaded;

	if (g->count == 0) {
		/* Swap the empty loaded magazine for a full one, else for the
		 * remote one if it has anything. */
		pthread_mutex_lock(&m->lock);
		struct mtls_mag *f = pop(&m->full);
		if (f) {
			push(&m->empty, g);
		} else if (m->remote->count) {
			f = m->remote;
			m->remote = g;
		}
		pthread_mutex_unlock(&m->lock);
		if (!f)
			return MTLS_NIL;
		c->loaded = g = f;
	}
	unsigned k = g->count - 1;
	g->count = k;
	uint32_t h = g->rounds[k];
	m->owner[h] = (uint16_t)c->id;
	return h;
}

/* A remote free: into the depot's remote magazine.  Kept out of line so
 * its accesses are named put_remote in every build (scenarios/ name them). */
__attribute__((noinline)) static void put_remote(struct mtls *m, uint32_t h)
{
	if (m->unlocked_remote) {
		/* THE SLIP: room is checked and the round added outside the lock. */
		struct mtls_mag *r = m->remote;
		unsigned k = r->count;
		if (k + 1 < MTLS_ROUNDS) {
			r->rounds[k] = h;
			r->count = k + 1;
			return;
		}
	}
	pthread_mutex_lock(&m->lock);
	struct mtls_mag *r = m->remote;
	r->rounds[r->count++] = h;
	if (r->count == MTLS_ROUNDS) {
		push(&m->full, r);
		m->remote = pop(&m->empty);
	}
	pthread_mutex_unlock(&m->lock);
}

void mtls_put(struct mtls *m, uint32_t h)
{
	struct mtls_cache *c = my_cache(m);

	if (m->owner[h] != c->id) {
		put_remote(m, h);
		return;
	}
	struct mtls_mag *g = c->loaded;
	if (g->count == MTLS_ROUNDS) {
		/* Swap the full loaded magazine for an empty one. */
		pthread_mutex_lock(&m->lock);
		push(&m->full, g);
		g = pop(&m->empty);
		pthread_mutex_unlock(&m->lock);
		c->loaded = g;
	}
	g->rounds[g->count++] = h;
}
