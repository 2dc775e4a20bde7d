/* magazine.c - see magazine.h. */
#include "examples/magazine/magazine.h"

#include <stdlib.h>

static struct mag *pop(struct mag **list)
{
	struct mag *g = *list;

	if (g)
		*list = g->next;
	return g;
}

static void push(struct mag **list, struct mag *g)
{
	g->next = *list;
	*list = g;
}

int magazine_init(struct magazine *m, uint32_t n, unsigned cpus, int unlocked_remote)
{
	/* Full magazines hold n / MAG_ROUNDS handles at most; one loaded per
	 * CPU and the remote one: enough that an empty one is always there. */
	unsigned nmags = n / MAG_ROUNDS + cpus + 1;

	m->loaded = calloc(cpus, sizeof(*m->loaded));
	m->owner = calloc(n ? n : 1, sizeof(*m->owner));
	m->mags = calloc(nmags, sizeof(*m->mags));
	if (!m->loaded || !m->owner || !m->mags || pthread_mutex_init(&m->depot.lock, NULL)) {
		free(m->loaded);
		free(m->owner);
		free(m->mags);
		return -1;
	}
	m->n = n;
	m->cpus = cpus;
	m->unlocked_remote = unlocked_remote;
	m->depot.full = m->depot.empty = NULL;
	unsigned g = 0;
	for (unsigned c = 0; c < cpus; c++)
		m->loaded[c] = &m->mags[g++];
	m->depot.remote = &m->mags[g++];
	for (uint32_t h = n; h-- > 0;) {
		struct mag *r = m->depot.remote;
		r->rounds[r->count++] = h;
		if (r->count == MAG_ROUNDS) {
			push(&m->depot.full, r);
			m->depot.remote = &m->mags[g++];
		}
	}
	while (g < nmags)
		push(&m->depot.empty, &m->mags[g++]);
	return 0;
}

void magazine_fini(struct magazine *m)
{
	pthread_mutex_destroy(&m->depot.lock);
	free(m->loaded);
	free(m->owner);
	free(m->mags);
}

uint32_t magazine_get(struct magazine *m, unsigned cpu)
{
	struct mag *g = m->loaded[cpu];

	if (g->count == 0) {
		/* Swap the empty loaded magazine for a full one, else for the
		 * remote one if it has anything. */
		struct mag_depot *d = &m->depot;
		pthread_mutex_lock(&d->lock);
		struct mag *f = pop(&d->full);
		if (f) {
			push(&d->empty, g);
		} else if (d->remote->count) {
			f = d->remote;
			d->remote = g;
		}
		pthread_mutex_unlock(&d->lock);
		if (!f)
			return MAG_NIL;
		m->loaded[cpu] = g = f;
	}
	uint32_t h = g->rounds[--g->count];
	m->owner[h] = (uint16_t)cpu;
	return h;
}

/* A remote free: into the depot's remote magazine.  Kept out of line so
 * its accesses are put_remote.N in every build (scenarios/ name them). */
__attribute__((noinline)) static void put_remote(struct magazine *m, uint32_t h)
{
	struct mag_depot *d = &m->depot;

	if (m->unlocked_remote) {
		/* THE SLIP: room is checked and the round added outside the lock. */
		struct mag *r = d->remote;
		unsigned c = r->count;
		if (c + 1 < MAG_ROUNDS) {
			r->rounds[c] = h;
			r->count = c + 1;
			return;
		}
	}
	pthread_mutex_lock(&d->lock);
	struct mag *r = d->remote;
	r->rounds[r->count++] = h;
	if (r->count == MAG_ROUNDS) {
		push(&d->full, r);
		d->remote = pop(&d->empty);
	}
	pthread_mutex_unlock(&d->lock);
}

void magazine_put(struct magazine *m, unsigned cpu, uint32_t h)
{
	if (m->owner[h] != cpu) {
		put_remote(m, h);
		return;
	}
	struct mag *g = m->loaded[cpu];
	if (g->count == MAG_ROUNDS) {
		/* Swap the full loaded magazine for an empty one. */
		struct mag_depot *d = &m->depot;
		pthread_mutex_lock(&d->lock);
		push(&d->full, g);
		g = pop(&d->empty);
		pthread_mutex_unlock(&d->lock);
		m->loaded[cpu] = g;
	}
	g->rounds[g->count++] = h;
}
