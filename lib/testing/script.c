/* script.c - the schedule hook behind script.h. */
#include "lib/testing/script.h"

#define MAX_TRIGGERS 16

static struct trigger {
	int site;
	unsigned nth;
	void (*fn)(void *);
	void *arg;
	int done;
} triggers[MAX_TRIGGERS];
static unsigned nr_triggers, fired, counts[MT_SITE_COUNT];
static int inside;               /* a trigger is running: do not nest */

void mt_script_reset(void)
{
	nr_triggers = fired = 0;
	for (int i = 0; i < MT_SITE_COUNT; i++)
		counts[i] = 0;
}

void mt_script_at(int site, unsigned nth, void (*fn)(void *), void *arg)
{
	MT_CHECK(nr_triggers < MAX_TRIGGERS && site > 0 && site < MT_SITE_COUNT && nth > 0);
	triggers[nr_triggers++] = (struct trigger){ site, nth, fn, arg, 0 };
}

unsigned mt_script_fired(void)
{
	return fired;
}

unsigned mt_script_count(int site)
{
	return site >= 0 && site < MT_SITE_COUNT ? counts[site] : 0;
}

void mt_sched_point(int site, const void *addr)
{
	(void)addr;
	if (inside || site < 0 || site >= MT_SITE_COUNT)
		return;
	counts[site]++;
	for (unsigned i = 0; i < nr_triggers; i++) {
		struct trigger *t = &triggers[i];
		if (!t->done && t->site == site && t->nth == counts[site]) {
			t->done = 1;
			fired++;
			inside = 1;
			t->fn(t->arg);
			inside = 0;
		}
	}
}

void mt_sched_blocked(int site, const void *lock)
{
	/* Single-threaded: nobody will ever release it. */
	fprintf(stderr, "script: blocked forever on lock %p at '%s'; an injected "
	        "operation must not wait for a lock its stalled caller holds\n",
	        lock, mt_site_name(site));
	abort();
}
