/* script.c - the schedule hook behind script.h. */
#include "lib/testing/script.h"

#define MAX_TRIGGERS 16

static struct trigger {
	const struct mt_site *site;
	unsigned nth;
	void (*fn)(void *);
	void *arg;
	int done;
} triggers[MAX_TRIGGERS];
#define MAX_COUNTED 256

static unsigned nr_triggers, fired;
static struct { const struct mt_site *site; unsigned n; } counts[MAX_COUNTED];
static unsigned nr_counted;
static int inside;               /* a trigger is running: do not nest */

void mt_script_reset(void)
{
	nr_triggers = fired = 0;
	nr_counted = 0;
}

/* The count slot of site (created at 0 when bump is set), or NULL. */
static unsigned *count_of(const struct mt_site *site, int bump)
{
	for (unsigned i = 0; i < nr_counted; i++)
		if (counts[i].site == site)
			return &counts[i].n;
	if (!bump)
		return NULL;
	MT_CHECK(nr_counted < MAX_COUNTED);
	counts[nr_counted].site = site;
	counts[nr_counted].n = 0;
	return &counts[nr_counted++].n;
}

void mt_script_at(const struct mt_site *site, unsigned nth, void (*fn)(void *), void *arg)
{
	MT_CHECK(nr_triggers < MAX_TRIGGERS && site != NULL && nth > 0);
	triggers[nr_triggers++] = (struct trigger){ site, nth, fn, arg, 0 };
}

unsigned mt_script_fired(void)
{
	return fired;
}

unsigned mt_script_count(const struct mt_site *site)
{
	unsigned *n = count_of(site, 0);

	return n ? *n : 0;
}

void mt_sched_point(const struct mt_site *site, const void *addr, unsigned acc)
{
	(void)acc;
	(void)addr;
	if (inside || !site)
		return;
	unsigned *n = count_of(site, 1);
	++*n;
	for (unsigned i = 0; i < nr_triggers; i++) {
		struct trigger *t = &triggers[i];
		if (!t->done && t->site == site && t->nth == *n) {
			t->done = 1;
			fired++;
			inside = 1;
			t->fn(t->arg);
			inside = 0;
		}
	}
}

void mt_sched_blocked(const struct mt_site *site, const void *lock)
{
	/* Single-threaded: nobody will ever release it. */
	fprintf(stderr, "script: blocked forever on lock %p at '%s'; an injected "
	        "operation must not wait for a lock its stalled caller holds\n",
	        lock, site->text);
	abort();
}

/* Real memory is the only memory here: nothing to record after an access. */
void mt_sched_after(const void *addr, unsigned acc, void *val)
{
	(void)addr;
	(void)acc;
	(void)val;
}
