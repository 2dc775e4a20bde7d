/*
 * vstale_test.c - under the c11 model a volatile load of code built with
 * volatile = "relaxed" may read an older store, and the compiled code
 * really gets that value (ix.c: the hook puts it in memory for the load
 * and writes the newest back at the VCPU's next hook).
 *
 * v0 stores 1, 2, 4 and 8-byte fields with WRITE_ONCE (0 before); v1 reads
 * them with READ_ONCE after four read-from records "store=1" (one back:
 * the value before the run), and stops before its next schedule point;
 * v2 then reads them plainly; v1 finishes.  Checked:
 *   - c11, store=1: v1's code got 0 in each field; v2, running while v1
 *     is stopped right after its last stale load, sees the newest values
 *     (the restore happens at v1's next hook, before its schedule point);
 *     memory holds the newest values when v1's get returns; four stale
 *     volatile loads, four restores.  This also shows volatile stores are
 *     recorded with their value: a store the model did not see would
 *     restart the location's history, leaving one store to read.
 *   - c11, store=0, and sc with store=1: v1 reads the newest, no restore.
 * A runtime whose volatile loads read only the newest store fails the
 * first check; one that restored only at __tsan_func_exit fails v2's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/checkers/contract.h"
#include "fuzz/instrument/byo.h"
#include "fuzz/instrument/ix.h"
#include "fuzz/instrument/vstale.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

#define N 4u

static const struct vstale_vals newest = { 0x11, 0x2222, 0x44444444u, 0x8888888888888888ull };

/* What the last run saw (kept past destroy). */
static struct {
	int v1_read, v2_read;
	struct vstale_vals v1, v2;   /* v1: READ_ONCE's values; v2: plain reads */
	struct vstale_vals after_v1; /* memory when v1's read returned (uninstrumented) */
	int v1_state_at_v2;          /* mt_sim_vcpu(v1) while v2 read */
	unsigned long stale_at_v2;   /* ix stale_volatile while v2 read */
} seen;

struct box {
	struct vstale_vals s;        /* the shared fields */
	uint32_t top, h[N];          /* the handles: the adapter's own (no schedule points) */
	int probed[3];
};

static void *create(const struct mt_config *cfg)
{
	(void)cfg;
	struct box *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	for (uint32_t i = 0; i < N; i++)
		b->h[b->top++] = i;
	memset(&seen, 0, sizeof(seen));
	return b;
}

static void destroy(void *b) { free(b); }

static int get(void *p, unsigned v, uint32_t *h)
{
	struct box *b = p;

	if (v < 3 && !b->probed[v]) {
		b->probed[v] = 1;
		if (v == 0) {
			vstale_write(&b->s, &newest);
		} else if (v == 1) {
			vstale_read(&b->s, &seen.v1);
			seen.after_v1 = b->s;
			seen.v1_read = 1;
		} else {
			seen.v1_state_at_v2 = mt_sim_vcpu(mt_sim_active(), 1, NULL);
			seen.stale_at_v2 = mt_ix_stats()->stale_volatile;
			vstale_plain(&b->s, &seen.v2);
			seen.v2_read = 1;
		}
	}
	if (!b->top)
		return 0;
	*h = b->h[--b->top];
	return 1;
}

static int put(void *p, unsigned v, uint32_t h)
{
	struct box *b = p;

	(void)v;
	b->h[b->top++] = h;
	return 0;
}

static unsigned limit(void *b) { (void)b; return N; }

static const struct mt_fl_adapter vstale = {
	.name = "vstale", .summary = "volatile stores and loads of 1, 2, 4, 8 bytes", .create = create,
	.destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true };
MT_FL_REGISTER(vstale)

static int same(const struct vstale_vals *a, const struct vstale_vals *b)
{
	return a->x1 == b->x1 && a->x2 == b->x2 && a->x4 == b->x4 && a->x8 == b->x8;
}

static void show(const char *who, const struct vstale_vals *x)
{
	printf("  %s: x1=%#x x2=%#x x4=%#x x8=%#llx\n", who, x->x1, x->x2, x->x4, (unsigned long long)x->x8);
}

/* Runs the scenario under model with read-from choice k; returns the
 * stale volatile loads and the restores it made. */
static void run(struct mt_byo *b, const char *model, unsigned k, unsigned long *stale, unsigned long *restores)
{
	char text[512];
	struct mt_ix_stats before = *mt_ix_stats();

	snprintf(text, sizeof(text),
	         "model %s\nvcpus 3\nper_page 4\n"
	         "v0 get\n"
	         "v1 read-from store=%u\nv1 read-from store=%u\nv1 read-from store=%u\nv1 read-from store=%u\n"
	         "v1 get run=4\n"          /* the four loads, then stop before the next point */
	         "v2 get\n"
	         "v1 nop\n",               /* v1 resumes and returns */
	         model, k, k, k, k);
	int rc = mt_byo_run_text(b, text, NULL);
	printf("model %s, read-from store=%u: %s\n", model, k, rc ? mt_sim_finding(b->sim) : "clean");
	CHECK(rc == 0);
	CHECK(seen.v1_read && seen.v2_read);
	show("v1 READ_ONCE", &seen.v1);
	show("v2 plain", &seen.v2);
	/* v2 ran while v1 was stopped inside its get (not vacuous). */
	CHECK(seen.v1_state_at_v2 == MT_SIM_PARKED);
	CHECK(same(&seen.v2, &newest));
	CHECK(same(&seen.after_v1, &newest));
	*stale = mt_ix_stats()->stale_volatile - before.stale_volatile;
	*restores = mt_ix_stats()->restores - before.restores;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct mt_byo *b = mt_byo_new("vstale");
	const struct vstale_vals zero = { 0, 0, 0, 0 };
	unsigned long stale, restores;

	unsigned long base = mt_ix_stats()->stale_volatile;
	run(b, "c11", 1, &stale, &restores);
	CHECK(same(&seen.v1, &zero));            /* the code got the older store's value */
	CHECK(stale == 4 && restores == 4);
	CHECK(seen.stale_at_v2 - base == 4);     /* v2 read after all four stale loads */
	CHECK(mt_sim_stats(b->sim)->weak_reads == 4);
	unsigned long c11_stale = stale;

	run(b, "c11", 0, &stale, &restores);
	CHECK(same(&seen.v1, &newest));
	CHECK(stale == 0 && restores == 0);

	run(b, "sc", 1, &stale, &restores);
	CHECK(same(&seen.v1, &newest));
	CHECK(stale == 0 && restores == 0);

	mt_byo_free(b);
	printf("SUMMARY test=vstale c11_stale_loads=%lu c11_newest=ok sc_newest=ok\n", c11_stale);
	return 0;
}
