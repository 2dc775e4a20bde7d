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

const char *mt_byo_first(void)
{
	const struct mt_registration *r;

	for (unsigned i = 0; (r = mt_ops_at(i)) != NULL; i++)
		if (mt_fl_adapter_of(r->ops))
			return r->ops->name;
	return NULL;
}

struct mt_byo *mt_byo_new(const char *name)
{
	const struct mt_ops *ops = name ? mt_ops_find(name) : NULL;

	if (!ops || !mt_fl_adapter_of(ops)) {
		fprintf(stderr, "byo: no free list with an adapter named '%s'; known:\n", name ? name : "");
		mt_byo_list(stderr);
		exit(2);
	}
	struct mt_byo *b = calloc(1, sizeof(*b));
	if (!b) {
		fprintf(stderr, "byo: out of memory\n");
		exit(2);
	}
	b->h = mt_harness_new(ops);
	b->sim = b->h->sim;
	b->ops = ops;
	return b;
}

void mt_byo_free(struct mt_byo *b)
{
	if (!b)
		return;
	mt_harness_free(b->h);
	free(b);
}

int mt_byo_run(struct mt_byo *b, const uint8_t *data, size_t size, FILE *trace)
{
	return mt_harness_run(b->h, data, size, trace);
}

int mt_byo_run_text(struct mt_byo *b, const char *text, FILE *trace)
{
	char err[256];

	if (mt_harness_parse(b->h, text, &b->h->prog, err, sizeof(err))) {
		fprintf(stderr, "byo: %s\n", err);
		return -1;
	}
	return mt_harness_run_program(b->h, &b->h->prog, trace);
}
