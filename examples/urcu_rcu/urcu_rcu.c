/* urcu_rcu.c - see urcu_rcu.h.  liburcu's lfstack and the mb flavour's
 * read side are inline here (_LGPL_SOURCE), so instrumented;
 * synchronize_rcu() and the reader registry are in liburcu-mb.so. */
#define _LGPL_SOURCE
#define RCU_MB
#include <urcu.h>
#include <urcu/lfstack.h>

#include <pthread.h>
#include <stdlib.h>

#include "examples/urcu_rcu/urcu_rcu.h"

struct fl_node {
	struct cds_lfs_node lfs;
	uint32_t h;
};

struct urcu_fl {
	struct cds_lfs_stack s;
	struct fl_node *nodes;
	uint32_t n;
	int grace;
};

/* This thread is a registered RCU reader. */
static _Thread_local int registered;
static pthread_key_t unregister_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void unregister_reader(void *unused)
{
	(void)unused;
	rcu_unregister_thread();
}

static void make_key(void)
{
	if (pthread_key_create(&unregister_key, unregister_reader))
		abort();
}

static void reader(void)
{
	if (registered)
		return;
	rcu_register_thread();
	registered = 1;
	pthread_setspecific(unregister_key, &registered);   /* non-NULL: the destructor runs */
}

struct urcu_fl *urcu_fl_new(uint32_t n, int grace)
{
	struct urcu_fl *f = malloc(sizeof(*f));

	if (!f || pthread_once(&key_once, make_key))
		goto fail;
	f->nodes = calloc(n ? n : 1, sizeof(*f->nodes));
	if (!f->nodes)
		goto fail;
	f->n = n;
	f->grace = grace;
	cds_lfs_init(&f->s);
	for (uint32_t h = 0; h < n; h++) {
		f->nodes[h].h = h;
		cds_lfs_node_init(&f->nodes[h].lfs);
		cds_lfs_push(&f->s, &f->nodes[h].lfs);
	}
	return f;
fail:
	free(f);
	return NULL;
}

void urcu_fl_free(struct urcu_fl *f)
{
	cds_lfs_destroy(&f->s);
	free(f->nodes);
	free(f);
}

uint32_t urcu_fl_limit(const struct urcu_fl *f)
{
	return f->n;
}

uint32_t urcu_fl_get(struct urcu_fl *f)
{
	reader();
	rcu_read_lock();
	struct cds_lfs_node *n = __cds_lfs_pop(&f->s);
	rcu_read_unlock();
	return n ? caa_container_of(n, struct fl_node, lfs)->h : URCU_FL_NIL;
}

void urcu_fl_put(struct urcu_fl *f, uint32_t h)
{
	reader();
	if (f->grace)
		synchronize_rcu();   /* no reader still holds the node from a pop */
	cds_lfs_push(&f->s, &f->nodes[h].lfs);
}
