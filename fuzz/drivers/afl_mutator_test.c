/*
 * afl_mutator_test.c - the AFL++ custom mutator library (afl_mutator.c),
 * loaded as afl-fuzz loads it (dlopen, the afl_custom_* names): from a
 * seed (a v1 program under the model its header names), chained calls
 * make c11 programs with read-from records that decode into range; under
 * MT_MEMORY_MODEL=sc the stage asks for no calls; an input the mutation
 * cannot serve (empty) still comes back changed or empty, never the
 * library's crash.
 *
 *   afl_mutator_test LIBRARY SEED
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/drivers/harness.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	exit(1); } } while (0)

typedef void *(*init_fn)(void *, unsigned);
typedef size_t (*fuzz_fn)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t);
typedef uint32_t (*count_fn)(void *, const uint8_t *, size_t);
typedef void (*deinit_fn)(void *);

static init_fn init;
static fuzz_fn fuzz;
static count_fn count;
static deinit_fn deinit;

static void load(const char *path)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "afl_mutator_test: %s\n", dlerror());
		exit(1);
	}
	*(void **)&init = dlsym(lib, "afl_custom_init");
	*(void **)&fuzz = dlsym(lib, "afl_custom_fuzz");
	*(void **)&count = dlsym(lib, "afl_custom_fuzz_count");
	*(void **)&deinit = dlsym(lib, "afl_custom_deinit");
	CHECK(init && fuzz && count && deinit);
}

int main(int argc, char **argv)
{
	static uint8_t seed[65536], cur[65536];
	static struct mt_program p;

	if (argc != 3) {
		fprintf(stderr, "usage: afl_mutator_test LIBRARY SEED\n");
		return 2;
	}
	load(argv[1]);
	FILE *f = fopen(argv[2], "rb");
	CHECK(f);
	size_t n = fread(seed, 1, sizeof(seed), f);
	fclose(f);
	CHECK(n > 0);

	const struct mt_ops *ops = mt_harness_impl("production");
	CHECK(ops);
	struct mt_harness *h = mt_harness_new(ops);
	CHECK(h);

	/* Each input's own model (no MT_MEMORY_MODEL): the stage runs. */
	unsetenv("MT_MEMORY_MODEL");
	setenv("MT_IMPL", "production", 1);
	void *m = init(NULL, 7);
	CHECK(m);
	CHECK(count(m, seed, n) > 0);
	memcpy(cur, seed, n);
	size_t len = n;
	unsigned c11 = 0, with_rf = 0, changed = 0;
	for (unsigned i = 0; i < 200; i++) {
		uint8_t *out = NULL;
		size_t k = fuzz(m, cur, len, &out, NULL, 0, sizeof(cur));
		CHECK(out && k <= sizeof(cur));
		changed += k != len || memcmp(out, cur, k);
		memmove(cur, out, k);
		len = k;
		mt_harness_decode(h, cur, len, &p);
		c11 += p.model == MT_MODEL_C11;
		unsigned rf = 0;
		for (unsigned r = 0; r < p.nr_records; r++)
			rf += p.rec[r].op == MT_OP_READ_FROM;
		with_rf += rf > 0;
	}
	printf("chained from %s: 200 calls, %u changed, %u c11 programs, %u with read-from records\n",
	       argv[2], changed, c11, with_rf);
	CHECK(changed == 200);
	CHECK(c11 > 100);
	CHECK(with_rf > 100);

	/* Nothing to work on: an empty input comes back as it can (a bit of
	 * nothing flipped is still nothing), without a crash. */
	uint8_t *out = NULL;
	size_t k = fuzz(m, cur, 0, &out, NULL, 0, sizeof(cur));
	CHECK(out && k == 0);
	deinit(m);

	/* A forced sc campaign: stale reads cannot happen, the stage is off. */
	setenv("MT_MEMORY_MODEL", "sc", 1);
	m = init(NULL, 7);
	CHECK(m);
	CHECK(count(m, seed, n) == 0);
	deinit(m);

	/* An unknown implementation: no mutator (afl-fuzz stops on it). */
	unsetenv("MT_MEMORY_MODEL");
	setenv("MT_IMPL", "no-such-impl", 1);
	CHECK(init(NULL, 7) == NULL);
	mt_harness_free(h);
	printf("afl_mutator_test: ok\n");
	return 0;
}
