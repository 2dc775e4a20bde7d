/*
 * afl_mutator.c - the memory model's mutations for AFL++ (a custom
 * mutator library: AFL_CUSTOM_MUTATOR_LIBRARY, loaded by afl-fuzz).
 *
 * libFuzzer campaigns get the structure-aware mutation of
 * fuzz/format/mutate.h in process (libfuzzer_main.c); afl-fuzz mutates in
 * its own process, so the same mutation comes to it as a shared library
 * built from the same sources (tools/afl builds it with
 * .clusterfuzzlite/build.sh, MT_SHARED=1).  AFL++ keeps its own byte
 * mutations (havoc, splicing, the dictionary); this library adds a stage
 * of its own: each call turns the queue entry into a c11 program, inserts
 * a read-from record (a VCPU's next load reads one to three stores back)
 * or changes one's store.  Without it, a read-from record must be built
 * byte by byte (a v2 header, the record's op, a store within range).
 *
 * The implementation (MT_IMPL, default production) gives the sites that
 * inputs name; MT_MEMORY_MODEL=sc turns the stage into a no-op (every
 * input then runs under sc: stale reads cannot happen).  An input the
 * mutation cannot serve (no records, no room, or four draws that all
 * gave the entry back unchanged) gets one random bit flipped, so no call
 * hands back the entry unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/format/mutate.h"

/* AFL++'s custom mutator interface (its docs/custom_mutators.md): the
 * names afl-fuzz looks up in the library. */
void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size);
void afl_custom_deinit(void *data);

/* Calls of the stage per queue entry and cycle (AFL++'s havoc stage runs
 * 256 x the entry's performance score / 100).  32 did not find
 * w-relaxed-next in 60 s (seed 1, 189,519 executions); 256 found it in
 * 55 s and 52 s (seeds 1, 2), and w-relaxed-limit in 9 s and 48 s, which
 * the byte mutations alone did not find in 60 s (docs/memory-model.md). */
#define AFL_MUT_CALLS 256u

struct afl_mut {
	struct mt_harness *h;
	uint32_t x;                      /* xorshift32: this mutator's random numbers */
	uint8_t *buf;
	size_t cap;
	unsigned long calls, structured;
};

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	const char *name = getenv("MT_IMPL");
	if (!name || !*name)
		name = "production";
	const struct mt_ops *impl = mt_harness_impl(name);
	if (!impl) {
		fprintf(stderr, "afl_mutator: unknown MT_IMPL '%s'\n", name);
		return NULL;
	}
	struct afl_mut *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->h = mt_harness_new(impl);
	if (!m->h) {
		free(m);
		return NULL;
	}
	m->x = mt_in_rng_seed(seed);
	return m;
}

uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size)
{
	struct afl_mut *m = data;
	(void)buf;
	(void)buf_size;
	return m->h->model == MT_MODEL_SC ? 0u : AFL_MUT_CALLS;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size)
{
	struct afl_mut *m = data;
	(void)add_buf;
	(void)add_buf_size;
	size_t room = max_size > buf_size ? max_size : buf_size;
	if (room > m->cap) {
		uint8_t *b = realloc(m->buf, room);
		if (!b) {
			*out_buf = buf;          /* no memory: the entry as it is */
			return buf_size;
		}
		m->buf = b;
		m->cap = room;
	}
	m->calls++;
	/* A store changed to the one it was, or a c11 program made c11: the
	 * same input again, a wasted execution; a few draws, then a bit. */
	size_t n = 0;
	for (unsigned tries = 0; tries < 4 && !n; tries++) {
		memcpy(m->buf, buf, buf_size);
		n = mt_in_mutate_structure(m->buf, buf_size, max_size, mt_in_rng_next(&m->x), &m->h->sites, m->h->model);
		if (n == buf_size && !memcmp(m->buf, buf, n))
			n = 0;
	}
	if (n) {
		m->structured++;
	} else {
		memcpy(m->buf, buf, buf_size);
		n = buf_size;
		if (n) {
			uint32_t r = mt_in_rng_next(&m->x);
			m->buf[r % n] ^= (uint8_t)(1u << (r >> 29));
		}
	}
	*out_buf = m->buf;
	return n;
}

void afl_custom_deinit(void *data)
{
	struct afl_mut *m = data;
	if (!m)
		return;
	if (getenv("MT_AFL_MUTATOR_STATS"))
		fprintf(stderr, "afl_mutator: %lu calls, %lu structured\n", m->calls, m->structured);
	mt_harness_free(m->h);
	free(m->buf);
	free(m);
}
