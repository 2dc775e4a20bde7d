/* casfail_adapter.c - the failure-order test as adapters: VCPU 0's get
 * publishes, every other VCPU's get claims (casfail.h); the handles are
 * the adapter's own (a stack here, no schedule points).  The race
 * detector is on (.races): the relaxed claim races, I12. */
#include <stdlib.h>

#include "fuzz/checkers/contract.h"
#include "fuzz/instrument/casfail.h"

#define NR 8u

struct box {
	struct casfail m;
	uint32_t top, h[NR];
};

static void *create(const struct mt_config *cfg)
{
	(void)cfg;
	struct box *b = calloc(1, sizeof(*b));
	for (uint32_t i = 0; b && i < NR; i++)
		b->h[b->top++] = i;
	return b;
}
static void destroy(void *b) { free(b); }
static int take(struct box *b, uint32_t *h) { return b->top ? (*h = b->h[--b->top], 1) : 0; }
static int get_relaxed(void *p, unsigned v, uint32_t *h)
{
	struct box *b = p;
	if (v == 0)
		casfail_publish(&b->m);
	else
		(void)casfail_claim_relaxed(&b->m);
	return take(b, h);
}
static int get_acquire(void *p, unsigned v, uint32_t *h)
{
	struct box *b = p;
	if (v == 0)
		casfail_publish(&b->m);
	else
		(void)casfail_claim_acquire(&b->m);
	return take(b, h);
}
static int put(void *p, unsigned v, uint32_t h) { struct box *b = p; (void)v; b->h[b->top++] = h; return 0; }
static unsigned limit(void *p) { (void)p; return NR; }

static const struct mt_fl_adapter relaxed = {
	.name = "casfail-relaxed", .summary = "a failed CAS with relaxed failure order, then a plain read",
	.create = create, .destroy = destroy, .get = get_relaxed, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(relaxed)

static const struct mt_fl_adapter acquire = {
	.name = "casfail-acquire", .summary = "a failed CAS with acquire failure order, then a plain read",
	.create = create, .destroy = destroy, .get = get_acquire, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(acquire)
