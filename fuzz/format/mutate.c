/* mutate.c - structure-aware mutations for the memory model (mutate.h). */
#include "fuzz/format/mutate.h"

#include <stdlib.h>
#include <string.h>

/* 1-3 stores back: 0 (the newest) is what a load reads anyway. */
static uint8_t stale_store(uint32_t *x)
{
	return (uint8_t)(1u + mt_in_rng_next(x) % 3u);
}

static struct mt_program prog;
static uint8_t out[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];

size_t mt_in_mutate_structure(uint8_t *data, size_t size, size_t max, unsigned seed,
                              const struct mt_in_sites *s, int forced)
{
	uint32_t x = mt_in_rng_seed(seed);

	if (forced == MT_MODEL_SC || !s)
		return 0;
	mt_in_rng_next(&x);              /* (mt_in_mutate's draw: the same choices from a seed) */
	mt_in_decode(data, size, s, &prog);
	if (!prog.nr_records)
		return 0;
	unsigned rf = 0;
	for (unsigned i = 0; i < prog.nr_records; i++)
		rf += prog.rec[i].op == MT_OP_READ_FROM;
	/* 0, 2, 3: insert a read-from record; 1: change one's store; 4: none */
	unsigned what = mt_in_rng_next(&x) % 4u;
	if (forced < 0 && prog.model != MT_MODEL_C11) {
		prog.model = MT_MODEL_C11;   /* the same records under c11 ... */
		what = mt_in_rng_next(&x) % 2u ? 4u : 0u;   /* ... and half the time a read-from */
	}
	if (what == 1 && rf) {
		unsigned k = mt_in_rng_next(&x) % rf, i = 0;
		while (prog.rec[i].op != MT_OP_READ_FROM || k--)
			i++;
		prog.rec[i].arg = stale_store(&x);
	} else if (what != 4 && prog.nr_records < MT_IN_MAX_RECORDS) {
		/* Before record `at`, for the VCPU that runs there or any VCPU. */
		unsigned at = mt_in_rng_next(&x) % (prog.nr_records + 1u);
		unsigned v = at < prog.nr_records && mt_in_rng_next(&x) % 2u ? prog.rec[at].vcpu : mt_in_rng_next(&x) % prog.nr_vcpus;
		memmove(&prog.rec[at + 1], &prog.rec[at], (prog.nr_records - at) * sizeof(prog.rec[0]));
		prog.rec[at] = (struct mt_in_record){ .vcpu = (uint8_t)v, .op = MT_OP_READ_FROM,
		                                      .arg = stale_store(&x), .run_mode = MT_RUN_ALL };
		prog.nr_records++;
	}
	size_t n = mt_in_encode(&prog, out, sizeof(out));
	if (!n || n > max)
		return 0;
	memcpy(data, out, n);
	return n;
}

size_t mt_in_mutate(uint8_t *data, size_t size, size_t max, unsigned seed, const struct mt_in_sites *s,
                    int forced, mt_in_byte_mutator bytes)
{
	uint32_t x = mt_in_rng_seed(seed);
	size_t n = 0;

	if (mt_in_rng_next(&x) % MT_IN_MUTATE_OUT_OF < MT_IN_MUTATE_SHARE)
		n = mt_in_mutate_structure(data, size, max, seed, s, forced);
	return n ? n : bytes(data, size, max);
}

size_t mt_in_mutate_libfuzzer(uint8_t *data, size_t size, size_t max, unsigned seed,
                              const struct mt_in_sites *s, int forced, mt_in_byte_mutator bytes)
{
	static int bytes_only = -1;

	if (!bytes)
		return size;
	if (bytes_only < 0)
		bytes_only = getenv("MT_MUTATOR") && !strcmp(getenv("MT_MUTATOR"), "bytes");
	if (bytes_only)
		return bytes(data, size, max);
	return mt_in_mutate(data, size, max, seed, s, forced, bytes);
}

void mt_in_mutate_keep_len_control(int *argc, char ***argv)
{
	static char flag[] = "-len_control=100";
	for (int i = 1; i < *argc; i++)
		if (!strncmp((*argv)[i], "-len_control=", 13))
			return;
	char **a = calloc((size_t)*argc + 2, sizeof(*a));
	if (!a)
		return;
	memcpy(a, *argv, (size_t)*argc * sizeof(*a));
	a[(*argc)++] = flag;
	*argv = a;
}
