/*
 * atomic128_test.c - the runtime's 16-byte atomics (ix_atomic128.c)
 * outside a run: every one clang emits (atomic128.c) links, computes the
 * C11 result on all 16 bytes, and is a site of its own kind (load128,
 * store128, xchg128, add128, ..., cas128).  A compare-and-swap whose
 * expected value differs only in the upper half (a {pointer, tag} whose
 * tag moved) fails and returns the value found: a runtime that compared
 * 8 bytes fails here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/instrument/atomic128.h"
#include "fuzz/instrument/ix.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

#define W(hi, lo) (((a128_t)(hi) << 64) | (a128_t)(lo))

static int has_kind(const char *kind)
{
	const struct mt_site_table *t = mt_ix_site_tables[0];
	size_t n = strlen(kind);

	for (unsigned i = 0; i < mt_ix_nr_found(); i++) {
		size_t l = strlen(t->sites[i].id);
		if (l > n && t->sites[i].id[l - n - 1] == '.' && !strcmp(t->sites[i].id + l - n, kind))
			return 1;
	}
	return 0;
}

int main(void)
{
	_Alignas(16) static _Atomic a128_t x;
	_Alignas(16) static a128_t y;
	unsigned checks = 0;

	a128_store(&x, W(7, 1));
	CHECK(a128_load(&x) == W(7, 1));
	CHECK(a128_xchg(&x, W(8, 2)) == W(7, 1) && a128_load(&x) == W(8, 2));
	CHECK(a128_add(&x, W(0, ~0ull)) == W(8, 2) && a128_load(&x) == W(9, 1));   /* carries */
	CHECK(a128_sub(&x, W(0, 2)) == W(9, 1) && a128_load(&x) == W(8, ~0ull));    /* borrows */
	CHECK(a128_and(&x, W(0xc, 0xf0)) == W(8, ~0ull) && a128_load(&x) == W(8, 0xf0));
	CHECK(a128_or(&x, W(1, 1)) == W(8, 0xf0) && a128_load(&x) == W(9, 0xf1));
	CHECK(a128_xor(&x, W(9, 0)) == W(9, 0xf1) && a128_load(&x) == W(0, 0xf1));
	y = W(3, 5);
	CHECK(a128_nand(&y, W(1, 4)) == W(3, 5) && y == ~W(1, 4));
	checks += 8;

	a128_t e = W(1, 0xf1);               /* the pointer half matches, the tag does not */
	CHECK(!a128_cas_strong(&x, &e, W(2, 2)) && e == W(0, 0xf1) && a128_load(&x) == W(0, 0xf1));
	CHECK(a128_cas_strong(&x, &e, W(2, 2)) && a128_load(&x) == W(2, 2));
	e = W(3, 2);
	CHECK(!a128_cas_weak(&x, &e, W(4, 4)) && e == W(2, 2));
	CHECK(a128_cas_weak(&x, &e, W(4, 4)) && a128_load(&x) == W(4, 4));
	y = W(6, 6);
	CHECK(a128_sync_cas(&y, W(7, 6), W(1, 1)) == W(6, 6) && y == W(6, 6));
	CHECK(a128_sync_cas(&y, W(6, 6), W(1, 1)) == W(6, 6) && y == W(1, 1));
	checks += 6;

	static const char *const kinds[] = { "load128", "store128", "xchg128", "add128", "sub128",
	                                     "and128", "or128", "xor128", "nand128", "cas128" };
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++, checks++)
		if (!has_kind(kinds[i])) {
			fprintf(stderr, "no site of kind %s (sites: %u)\n", kinds[i], mt_ix_nr_found());
			mt_ix_print_sites(stderr);
			abort();
		}
	printf("SUMMARY test=atomic128 checks=%u fail=0\n", checks);
	return 0;
}
