/*
 * memory_index_test.c - the memory model's address index (memory.c)
 * starts small and grows: whatever its size, a run numbers its locations
 * densely in the order it first touches them, finds a location again
 * under the same number after the index grew, tracks exactly
 * MT_MEM_LOCS of them and counts the rest as untracked, and a new run
 * numbers afresh.  Under sc and under c11, with the clocks of a release
 * and an acquire carried across a growth (a location found under a
 * wrong number would lose the edge).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/engine/memory.h"
#include "lib/mt_access.h"

#define N (MT_MEM_LOCS + 40u)

static uint64_t cell[N];
static unsigned failures;

static void expect(int ok, const char *what, unsigned i, long got, long want)
{
	if (ok)
		return;
	if (failures++ < 10)
		fprintf(stderr, "FAIL: %s (cell %u: got %ld, want %ld)\n", what, i, got, want);
}

/* Touch cell[order(i)] for i < n and check the numbers: first touch
 * numbered in touch order, untracked past MT_MEM_LOCS. */
static void pass(struct mt_mem *m, unsigned n, unsigned (*order)(unsigned), int first)
{
	const unsigned acc = MT_ACC_LOAD | MT_ACC_RELAXED | MT_ACC_SZ(8);

	for (unsigned i = 0; i < n; i++) {
		unsigned c = order(i);
		mt_mem_access(m, 0, -1, &cell[c], acc);
		long want = first ? (i < MT_MEM_LOCS ? (long)i : -1L) : (long)c;
		expect(mt_mem_last_loc(m) == want, first ? "first touch numbered in order" : "found again",
		       c, mt_mem_last_loc(m), want);
	}
}

static unsigned forward(unsigned i) { return i; }
static unsigned scattered(unsigned i) { return (i * 2654435761u) % MT_MEM_LOCS; }  /* a permutation */
static unsigned backward(unsigned i) { return MT_MEM_LOCS - 1u - i; }

static void run(int c11)
{
	struct mt_mem *m = mt_mem_new();
	if (!m) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (int round = 0; round < 2; round++) {   /* the second run starts on a grown index */
		mt_mem_begin(m, c11);
		pass(m, N, forward, 1);
		expect(mt_mem_untracked(m) == N - MT_MEM_LOCS, "untracked past MT_MEM_LOCS", 0,
		       (long)mt_mem_untracked(m), (long)(N - MT_MEM_LOCS));
		pass(m, MT_MEM_LOCS, scattered, 0);
		/* a new run numbers afresh: backward, cell[LOCS-1] is 0 now */
		mt_mem_begin(m, c11);
		pass(m, 3, backward, 1);
		expect(mt_mem_untracked(m) == 0, "a new run counts nothing untracked", 0,
		       (long)mt_mem_untracked(m), 0);
	}
	/* happens-before across growths: v1 releases cell[0], 2,000 new
	 * locations later v0 acquires it and must have v1's clock entry */
	mt_mem_begin(m, c11);
	const unsigned st = MT_ACC_STORE | MT_ACC_RELEASE | MT_ACC_SZ(8);
	const unsigned ld = MT_ACC_LOAD | MT_ACC_ACQUIRE | MT_ACC_SZ(8);
	mt_mem_access(m, 1, -1, &cell[0], st);
	uint32_t v1 = mt_mem_clock(m, 1)[1];
	for (unsigned i = 1; i < 2000; i++)
		mt_mem_access(m, 1, -1, &cell[i], MT_ACC_LOAD | MT_ACC_RELAXED | MT_ACC_SZ(8));
	mt_mem_access(m, 0, -1, &cell[0], ld);
	expect(mt_mem_last_loc(m) == 0, "the released location after growths", 0, mt_mem_last_loc(m), 0);
	expect(mt_mem_clock(m, 0)[1] >= v1, "the acquire sees the release", 0, (long)mt_mem_clock(m, 0)[1],
	       (long)v1);
	mt_mem_free(m);
}

int main(void)
{
	run(0);
	run(1);
	if (failures) {
		fprintf(stderr, "memory_index_test: %u failures\n", failures);
		return 1;
	}
	printf("memory_index_test: ok (%u locations, sc and c11)\n", N);
	return 0;
}
