/*
 * planted.c - a test-only implementation for the stress binary (never in
 * the zoo, never in lib/): production with a benign data race and a
 * planted loss behind it.  It exists to show that stress runs past a race
 * and still catches what hides behind it (//stress:planted_* tests).
 *
 *   benign race: every put swings a "last putter" hint with an atomic
 *       exchange, and every get of VCPU 0 reads that hint with a plain
 *       load (the pattern of an owner that reads its own tail unlocked
 *       while remote puts exchange it).  Nothing depends on the value read,
 *       so the race is harmless, but ThreadSanitizer reports it.  Both
 *       sides run in functions named planted_benign_*, so the suppression
 *       "race:planted_benign_" matches it.
 *   planted loss: the PLANTED_LOSS_AT-th put (counted over all threads)
 *       reports success without returning the handle: the entry stays in
 *       use with no holder and on no list, which the conservation check
 *       must report (a violation).  Deterministic: it depends on the count
 *       of puts only, not on timing.
 * Everything else is the production library, unchanged.
 */
#include <stdatomic.h>

#include "stress/stress_common.h"

#define PLANTED_LOSS_AT 20000u

static unsigned planted_hint;                /* the racy "last putter" hint */
static volatile unsigned planted_sink;       /* keeps the plain read alive */
static _Atomic uint64_t planted_puts;

__attribute__((noinline)) static void planted_benign_note_put(unsigned vcpu)
{
	__atomic_exchange_n(&planted_hint, vcpu + 1, __ATOMIC_ACQ_REL);
}

__attribute__((noinline)) static void planted_benign_peek(void)
{
	planted_sink = *(volatile unsigned *)&planted_hint;
}

static int planted_create(const struct mt_config *cfg, struct mt_table **out)
{
	return mt_ops_production.create(cfg, out);
}

static void planted_destroy(struct mt_table *t)
{
	mt_ops_production.destroy(t);
}

static int planted_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	if (vcpu == 0)
		planted_benign_peek();
	return mt_ops_production.get(t, vcpu, out);
}

static int planted_put(struct mt_table *t, unsigned vcpu, mt_handle_t h)
{
	uint64_t n = atomic_fetch_add_explicit(&planted_puts, 1, memory_order_relaxed) + 1;

	if (n == PLANTED_LOSS_AT)
		return MT_OK;                /* the planted loss: h is never returned */
	int rc = mt_ops_production.put(t, vcpu, h);
	planted_benign_note_put(vcpu);
	return rc;
}

static int planted_grow(struct mt_table *t, unsigned vcpu)
{
	return mt_ops_production.grow(t, vcpu);
}

static int planted_verify(struct mt_table *t, struct mt_report *r)
{
	return mt_ops_production.verify(t, r);
}

static void planted_view(struct mt_table *t, struct mt_view *v)
{
	mt_ops_production.view(t, v);
}

static void planted_list_ends(struct mt_table *t, unsigned list, mt_handle_t *head, mt_handle_t *tail)
{
	mt_ops_production.list_ends(t, list, head, tail);
}

static int planted_entry(struct mt_table *t, mt_handle_t h, struct mt_entry_view *e)
{
	return mt_ops_production.entry(t, h, e);
}

const struct mt_ops stress_planted_race_loss = {
	.name = "planted-race-loss",
	.summary = "TEST ONLY: production + a benign race (race:planted_benign_) + the 20000th put lost",
	.create = planted_create,
	.destroy = planted_destroy,
	.get = planted_get,
	.put = planted_put,
	.grow = planted_grow,
	.verify = planted_verify,
	.view = planted_view,
	.list_ends = planted_list_ends,
	.entry = planted_entry,
};
