/* byo.c - the driver library for adapters (see byo.h). */
#include "fuzz/instrument/byo.h"

#include <stdlib.h>
#include <string.h>

void mt_byo_list(FILE *out)
{
	const struct mt_registration *r;

	for (unsigned i = 0; (r = mt_ops_at(i)) != NULL; i++)
		if (mt_fl_adapter_of(r->ops))
			fprintf(out, "  %s: %s\n", r->ops->name, r->ops->summary ? r->ops->summary : "");
}

/* The instrumentation runtime's (fuzz/instrument/ix.h); weak: contract
 * tests on toy lists link no runtime. */
void mt_ix_settle(void) __attribute__((weak));

/* An operation returned: a volatile load's restore still due (ix.c,
 * ix_settle(); only for code built without __tsan_func_exit) is done
 * before any checker sees memory.  Attached first: observers are told in
 * the order of attachment. */
static void settle_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	(void)ctx;
	(void)sim;
	(void)v;
	(void)op;
	mt_ix_settle();
}

static const struct mt_sim_observer settle_observer = {
	.name = "ix-settle",
	.op_returned = settle_returned,
};

struct mt_byo *mt_byo_new(const char *name)
{
	const struct mt_ops *ops = name ? mt_ops_find(name) : NULL;

	if (!ops || !mt_fl_adapter_of(ops)) {
		fprintf(stderr, "byo: no free list with an adapter named '%s'; known:\n", name ? name : "");
		mt_byo_list(stderr);
		exit(2);
	}
	struct mt_byo *b = calloc(1, sizeof(*b));
	if (!b || !(b->sim = mt_sim_new()) || !(b->contract = mt_contract_new()) ||
	    (mt_ix_settle && mt_sim_attach(b->sim, &settle_observer, NULL)) ||
	    mt_sim_attach(b->sim, &mt_contract_observer, b->contract)) {
		fprintf(stderr, "byo: out of memory\n");
		exit(2);
	}
	if (mt_fl_adapter_of(ops)->races &&
	    (!(b->races = mt_races_new()) || mt_sim_attach(b->sim, &mt_races_observer, b->races))) {
		fprintf(stderr, "byo: out of memory\n");
		exit(2);
	}
	b->ops = ops;
	mt_in_sites_init(&b->sites, ops->site_tables);
	const char *model = getenv("MT_MEMORY_MODEL");
	b->model = model && *model ? mt_in_model_of(model) : -1;
	if (model && *model && b->model < 0) {
		fprintf(stderr, "byo: MT_MEMORY_MODEL='%s' is not a memory model (sc, c11)\n", model);
		exit(2);
	}
	return b;
}

void mt_byo_free(struct mt_byo *b)
{
	if (!b)
		return;
	mt_sim_free(b->sim);
	mt_contract_free(b->contract);
	mt_races_free(b->races);
	free(b);
}

int mt_byo_run(struct mt_byo *b, const uint8_t *data, size_t size, FILE *trace)
{
	mt_in_decode(data, size, &b->sites, &b->prog);
	if (b->model >= 0)
		b->prog.model = (uint8_t)b->model;
	return mt_sim_run(b->sim, &b->prog, b->ops, trace);
}

int mt_byo_run_text(struct mt_byo *b, const char *text, FILE *trace)
{
	char err[256];

	if (mt_in_parse_text(text, &b->sites, &b->prog, err, sizeof(err))) {
		fprintf(stderr, "byo: %s\n", err);
		return -1;
	}
	if (b->model >= 0)
		b->prog.model = (uint8_t)b->model;
	return mt_sim_run(b->sim, &b->prog, b->ops, trace);
}
