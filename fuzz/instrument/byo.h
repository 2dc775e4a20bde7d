/*
 * byo.h - the driver library for a free list of your own: the harness
 * (fuzz/drivers/harness.h) bound to one adapter implementation
 * (MT_FL_REGISTER), which runs it under the generic contract checker
 * (fuzz/checkers/contract.h) and the race detector (I12,
 * fuzz/checkers/races.h) when the adapter sets .races.  The maptrack
 * oracle is not attached: an adapter has no introspection.  Known
 * findings, signatures and replayable bytes are the harness's
 * (mt_harness_load_known, mt_harness_classify, ...) on b->h.
 * MT_MEMORY_MODEL=sc|c11 runs every input under that memory model
 * whatever its header says (as the maptrack harness does); exit 2 on
 * another name.
 */
#ifndef MT_FUZZ_INSTRUMENT_BYO_H
#define MT_FUZZ_INSTRUMENT_BYO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/drivers/harness.h"

struct mt_byo {
	struct mt_harness *h;        /* h->sites, h->prog, h->model, h->known ... */
	struct mt_sim *sim;          /* h->sim (an adapter's harness keeps its context) */
	const struct mt_ops *ops;    /* h->ops */
};

/* A harness for the adapter implementation called name; exits 2 with the
 * list of adapters if there is none. */
struct mt_byo *mt_byo_new(const char *name);
void mt_byo_free(struct mt_byo *b);
/* Print the names of the registered adapters. */
void mt_byo_list(FILE *out);
/* The first registered adapter's name (NULL if none). */
const char *mt_byo_first(void);
/* Decode and run bytes / parse and run a text; 0 clean, 1 finding, -1 bad text. */
int mt_byo_run(struct mt_byo *b, const uint8_t *data, size_t size, FILE *trace);
int mt_byo_run_text(struct mt_byo *b, const char *text, FILE *trace);

#endif /* MT_FUZZ_INSTRUMENT_BYO_H */
