/*
 * mutate.h - a structure-aware mutation of inputs for the fuzzers, beside
 * the byte mutations (docs/memory-model.md, "How a campaign reaches stale
 * reads").
 *
 * The byte mutations reach schedule choices easily (every record has a run
 * length) but the memory model's choices hardly: an input must be v2 with
 * the c11 model in its header, and hold read-from records.  From an empty
 * corpus a libFuzzer campaign kept about one c11 input in eighty, and the
 * weakened orderings took it 10^5 executions and more.  On some calls
 * mt_in_mutate() decodes the input and
 *   - turns it into a c11 program (the same records, re-encoded as v2), and
 *     half the time also inserts a read-from record;
 *   - or inserts a read-from record (one to three stores back, for a VCPU
 *     that runs there or any VCPU) anywhere in the records: it serves that
 *     VCPU's next load with a choice to make;
 *   - or changes the store of an existing read-from record;
 * and encodes it again.  On the other calls, and whenever the result would
 * not fit, it hands the bytes to the byte mutator (libFuzzer's
 * LLVMFuzzerMutate).  Every output is an ordinary v1 or v2 input: the
 * format is unchanged, and it replays the same in every driver.
 */
#ifndef MT_FUZZ_FORMAT_MUTATE_H
#define MT_FUZZ_FORMAT_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz/format/input.h"

/* The byte mutator: mutate data[0..size) in place, at most max bytes;
 * returns the new size. */
typedef size_t (*mt_in_byte_mutator)(uint8_t *data, size_t size, size_t max);

/* Structure-aware mutations: MT_IN_MUTATE_SHARE calls out of every
 * MT_IN_MUTATE_OUT_OF (on average; the rest go to the byte mutator). */
/* The mutations' random numbers: xorshift32 from a fuzzer's seed (never 0). */
static inline uint32_t mt_in_rng_seed(unsigned seed)
{
	return seed * 2654435761u | 1u;
}

static inline uint32_t mt_in_rng_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

#define MT_IN_MUTATE_SHARE 1u
#define MT_IN_MUTATE_OUT_OF 8u

/* Mutate data (size bytes, room for max) for the implementation whose
 * sites are s; seed: the fuzzer's random seed for this call.  forced: the
 * model every input runs under (MT_MEMORY_MODEL; -1: each input's
 * header).  Under a forced sc only the byte mutator runs.  Returns the new
 * size (<= max). */
size_t mt_in_mutate(uint8_t *data, size_t size, size_t max, unsigned seed, const struct mt_in_sites *s,
                    int forced, mt_in_byte_mutator bytes);

/* LLVMFuzzerCustomMutator's body for a libFuzzer driver (libfuzzer_main.c,
 * byo_fuzzer_main.c): mt_in_mutate with libFuzzer's byte mutator, or that
 * mutator alone under MT_MUTATOR=bytes.  bytes is the driver's weak
 * LLVMFuzzerMutate: NULL in an AFL++ binary, where nobody calls this (the
 * input is then left as it is). */
size_t mt_in_mutate_libfuzzer(uint8_t *data, size_t size, size_t max, unsigned seed,
                              const struct mt_in_sites *s, int forced, mt_in_byte_mutator bytes);

/* The structure-aware mutation alone, every call (an engine with byte
 * mutations of its own: AFL++'s custom mutator, fuzz/drivers/afl_mutator.c):
 * the new size, or 0 when it has nothing to do (a forced sc, an input of no
 * records, a result that would not fit in max); data is then unchanged. */
size_t mt_in_mutate_structure(uint8_t *data, size_t size, size_t max, unsigned seed,
                              const struct mt_in_sites *s, int forced);

/* For a libFuzzer driver that links the mutator, from its
 * LLVMFuzzerInitialize: libFuzzer turns -len_control off when a custom
 * mutator is linked (inputs would start long and every run costs more:
 * 0.44x the executions on production); this puts its default,
 * -len_control=100, back unless the command line sets it. */
void mt_in_mutate_keep_len_control(int *argc, char ***argv);

#endif /* MT_FUZZ_FORMAT_MUTATE_H */
