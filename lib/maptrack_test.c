/*
 * maptrack_test.c - unit tests of every path of lib/ (no schedule hook).
 *
 * Generic API tests run over every builtin implementation ("production"
 * and "baseline", through the same ops table); production-only tests cover
 * the per-VCPU paths (fresh fill, steal, sentinel steal, remote put) and
 * mt_verify() on tables corrupted by reaching into struct mt_pv_table.
 * One line per test; a failing check aborts with file:line.
 */
#include <stdio.h>
#include <string.h>

#include "lib/mt_internal.h"
#include "lib/mt_test_util.h"

#define PV(t) ((struct mt_pv_table *)(t))

static struct mt_table *make(const struct mt_ops *ops, unsigned nr_vcpus,
                             unsigned per_page, unsigned max_frames)
{
	struct mt_config cfg = { .nr_vcpus = nr_vcpus, .per_page = per_page, .max_frames = max_frames };
	struct mt_table *t = NULL;

	MT_CHECK_RC(mt_create(ops, &cfg, &t), MT_OK);
	MT_CHECK(t != NULL && mt_table_ops(t) == ops);
	MT_CHECK_VERIFY(t);
	return t;
}

static struct mt_entry *pv_entry(struct mt_table *t, mt_handle_t h)
{
	return mt_pv_entry(PV(t), h);
}

/* ------------------------------------------------------------------ */
/* Generic tests: every builtin implementation.                       */
/* ------------------------------------------------------------------ */

/* Bad configurations and bad arguments are refused with MT_ERR_INVAL. */
static void test_bad_config(const struct mt_ops *ops)
{
	struct mt_table *t = (struct mt_table *)0x1;  /* must stay untouched */
	struct tu_alloc a = { 0 };
	struct mt_config bad[] = {
		{ .nr_vcpus = 0 },
		{ .nr_vcpus = MT_MAX_VCPUS + 1 },
		{ .nr_vcpus = 1, .per_page = 1 },
		{ .nr_vcpus = 1, .per_page = MT_MAX_PER_PAGE + 1 },
		{ .nr_vcpus = 1, .per_page = MT_MAX_PER_PAGE, .max_frames = 65536 },  /* 2^32 handles */
		{ .nr_vcpus = 1, .alloc = { .alloc_page = tu_alloc_page, .ctx = &a } },
		{ .nr_vcpus = 1, .alloc = { .free_page = tu_free_page, .ctx = &a } },
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		MT_CHECK_RC(mt_create(ops, &bad[i], &t), MT_ERR_INVAL);
		MT_CHECK(t == (struct mt_table *)0x1);
	}
	MT_CHECK_RC(mt_create(ops, NULL, &t), MT_ERR_INVAL);
	struct mt_config ok = { .nr_vcpus = 2 };
	MT_CHECK_RC(mt_create(ops, &ok, NULL), MT_ERR_INVAL);
	MT_CHECK_RC(mt_create(NULL, &ok, &t), MT_ERR_INVAL);
	MT_CHECK(t == (struct mt_table *)0x1);

	/* The edges that are valid. */
	struct mt_config edge[] = {
		{ .nr_vcpus = 1, .per_page = MT_MIN_PER_PAGE, .max_frames = 1 },
		{ .nr_vcpus = MT_MAX_VCPUS, .per_page = MT_MAX_PER_PAGE, .max_frames = 2 },
	};
	for (unsigned i = 0; i < 2; i++) {
		MT_CHECK_RC(mt_create(ops, &edge[i], &t), MT_OK);
		mt_destroy(t);
	}

	/* Defaults are filled in. */
	t = make(ops, 2, 0, 0);
	struct mt_view v;
	ops->view(t, &v);
	MT_CHECK(v.per_page == MT_DEFAULT_PER_PAGE && v.max_frames == MT_DEFAULT_MAX_FRAMES);
	MT_CHECK(v.nr_frames == 0 && v.limit == 0);

	/* VCPU out of range, NULL out. */
	mt_handle_t h = 12345;
	MT_CHECK_RC(mt_get(t, 2, &h), MT_ERR_INVAL);
	MT_CHECK_RC(mt_get(t, -1u, &h), MT_ERR_INVAL);
	MT_CHECK_RC(mt_get(t, 0, NULL), MT_ERR_INVAL);
	MT_CHECK(h == 12345);
	MT_CHECK_RC(mt_grow(t, 2), MT_ERR_INVAL);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK_RC(mt_put(t, 2, h), MT_ERR_INVAL);
	MT_CHECK(tu_entry(t, h).in_use);     /* the refused put changed nothing */
	MT_CHECK_RC(mt_put(t, 1, h), MT_OK);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
	mt_destroy(NULL);                    /* allowed, like free(NULL) */
}

/* Get until the table is full: distinct handles, verify and conservation
 * after every step, then put everything back. */
static void test_fill_and_drain(const struct mt_ops *ops)
{
	const unsigned per_page = 8, frames = 4, nv = 3;
	struct mt_table *t = make(ops, nv, per_page, frames);
	struct tu_held held = { 0 };
	mt_handle_t got[64];
	unsigned n = 0;
	int rc;

	for (;;) {
		mt_handle_t h = MT_INVALID_HANDLE;
		rc = mt_get(t, n % nv, &h);
		if (rc != MT_OK)
			break;
		MT_CHECK(h < tu_limit(t));
		MT_CHECK(tu_entry(t, h).in_use);
		tu_took(&held, h);
		got[n++] = h;
		MT_CHECK(n <= per_page * frames);
		MT_CHECK_VERIFY(t);
		tu_check_conservation(t, &held);
	}
	MT_CHECK_RC(rc, MT_ERR_NOSPACE);
	MT_CHECK(tu_limit(t) == per_page * frames);
	MT_CHECK_RC(mt_grow(t, 0), MT_ERR_LIMIT);
	struct mt_view v;
	ops->view(t, &v);
	/* Baseline hands out everything; per-VCPU lists keep one entry back
	 * on each initialised list (I10): here all three lists were filled. */
	MT_CHECK(n == per_page * frames - (v.has_tail ? nv : 0));
	for (unsigned i = 0; i < n; i++) {
		MT_CHECK_RC(mt_put(t, (i + 1) % nv, got[i]), MT_OK);
		tu_gave(&held, got[i]);
		MT_CHECK_VERIFY(t);
		tu_check_conservation(t, &held);
	}
	/* Everything is free again, and can all be had again. */
	for (unsigned i = 0; i < n; i++) {
		mt_handle_t h;
		MT_CHECK_RC(mt_get(t, i % nv, &h), MT_OK);
		tu_took(&held, h);
	}
	tu_check_conservation(t, &held);
	mt_destroy(t);
}

/* Explicit grow adds one free page; at max_frames it returns MT_ERR_LIMIT. */
static void test_grow(const struct mt_ops *ops)
{
	struct mt_table *t = make(ops, 2, 4, 3);
	struct tu_held held = { 0 };

	for (unsigned f = 1; f <= 3; f++) {
		MT_CHECK_RC(mt_grow(t, f % 2), MT_OK);
		struct mt_view v;
		ops->view(t, &v);
		MT_CHECK(v.nr_frames == f && v.limit == 4 * f);
		for (mt_handle_t h = 4 * (f - 1); h < 4 * f; h++)
			MT_CHECK(!tu_entry(t, h).in_use);
		MT_CHECK_VERIFY(t);
		tu_check_conservation(t, &held);   /* every entry of the page is on a list */
	}
	MT_CHECK_RC(mt_grow(t, 0), MT_ERR_LIMIT);
	MT_CHECK_RC(mt_grow(t, 1), MT_ERR_LIMIT);
	MT_CHECK(tu_limit(t) == 12);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* Every invalid put returns its code and changes nothing at all. */
static void test_invalid_put(const struct mt_ops *ops)
{
	static struct tu_snapshot before, after;
	struct mt_table *t = make(ops, 2, 8, 2);
	mt_handle_t a, b, c;

	/* Empty table: everything is out of range. */
	tu_snap(t, &before);
	MT_CHECK_RC(mt_put(t, 0, 0), MT_ERR_RANGE);
	MT_CHECK_RC(mt_put(t, 0, MT_TAIL), MT_ERR_RANGE);
	tu_snap(t, &after);
	MT_CHECK(tu_snap_equal(&before, &after));

	MT_CHECK_RC(mt_get(t, 0, &a), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &b), MT_OK);
	MT_CHECK_RC(mt_get(t, 1, &c), MT_OK);
	MT_CHECK_RC(mt_put(t, 1, b), MT_OK);   /* b: handed out once, now free on a list */
	MT_CHECK_VERIFY(t);

	mt_handle_t limit = tu_limit(t);
	mt_handle_t never = MT_TAIL;          /* a free handle never handed out */
	for (mt_handle_t h = 0; h < limit; h++)
		if (!tu_entry(t, h).in_use && h != b) {
			never = h;
			break;
		}
	MT_CHECK(never != MT_TAIL);

	struct { mt_handle_t h; int want; } cases[] = {
		{ limit, MT_ERR_RANGE },          /* first handle past the limit */
		{ limit + 100, MT_ERR_RANGE },
		{ MT_TAIL, MT_ERR_RANGE },        /* the list terminator */
		{ MT_INVALID_HANDLE - 1, MT_ERR_RANGE },
		{ never, MT_ERR_NOT_HELD },       /* never handed out */
		{ b, MT_ERR_NOT_HELD },           /* double put: free on a list */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (unsigned caller = 0; caller < 2; caller++) {
			tu_snap(t, &before);
			MT_CHECK_RC(mt_put(t, caller, cases[i].h), cases[i].want);
			tu_snap(t, &after);
			MT_CHECK(tu_snap_equal(&before, &after));
			MT_CHECK_VERIFY(t);
		}
	/* Every free handle, one by one (each is on some list). */
	for (mt_handle_t h = 0; h < limit; h++) {
		if (tu_entry(t, h).in_use)
			continue;
		tu_snap(t, &before);
		MT_CHECK_RC(mt_put(t, 0, h), MT_ERR_NOT_HELD);
		tu_snap(t, &after);
		MT_CHECK(tu_snap_equal(&before, &after));
	}
	/* The valid puts still work afterwards. */
	MT_CHECK_RC(mt_put(t, 0, a), MT_OK);
	MT_CHECK_RC(mt_put(t, 0, c), MT_OK);
	MT_CHECK_RC(mt_put(t, 0, c), MT_ERR_NOT_HELD);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* Explicit grow fails with MT_ERR_NOMEM when the allocator does; destroy
 * frees every page it allocated (counted; LSan checks the rest). */
static void test_alloc_and_destroy(const struct mt_ops *ops)
{
	struct tu_alloc a = { 0 };
	struct mt_config cfg = { .nr_vcpus = 2, .per_page = 4, .max_frames = 8,
	                         .alloc = tu_allocator(&a) };
	struct mt_table *t;
	mt_handle_t h[8];

	MT_CHECK_RC(mt_create(ops, &cfg, &t), MT_OK);
	MT_CHECK(a.allocs == 0);             /* lazily filled: no page at creation */
	for (unsigned i = 0; i < 5; i++)
		MT_CHECK_RC(mt_get(t, i % 2, &h[i]), MT_OK);
	MT_CHECK_RC(mt_grow(t, 1), MT_OK);
	unsigned pages = a.allocs;
	MT_CHECK(pages >= 2 && a.live == (long)pages);
	struct mt_view v;
	ops->view(t, &v);
	MT_CHECK(v.nr_frames == pages);

	a.fail = 1;
	MT_CHECK_RC(mt_grow(t, 0), MT_ERR_NOMEM);
	MT_CHECK_RC(mt_grow(t, 1), MT_ERR_NOMEM);
	MT_CHECK(a.failed == 2 && a.allocs == pages);
	ops->view(t, &v);
	MT_CHECK(v.nr_frames == pages);      /* a failed grow adds nothing */
	MT_CHECK_VERIFY(t);
	a.fail = 0;

	mt_destroy(t);                       /* with handles still out */
	MT_CHECK(a.frees == a.allocs && a.live == 0);

	/* A table that never grew frees nothing through the allocator. */
	struct tu_alloc b = { 0 };
	cfg.alloc = tu_allocator(&b);
	MT_CHECK_RC(mt_create(ops, &cfg, &t), MT_OK);
	mt_destroy(t);
	MT_CHECK(b.allocs == 0 && b.frees == 0);
}

/* Both implementations work with the minimum geometry. */
static void test_min_geometry(const struct mt_ops *ops)
{
	struct mt_table *t = make(ops, 1, MT_MIN_PER_PAGE, 1);
	struct tu_held held = { 0 };
	mt_handle_t h;

	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	tu_took(&held, h);
	struct mt_view v;
	mt_table_ops(t)->view(t, &v);
	if (v.has_tail) {                    /* per-VCPU: the other entry is the sentinel */
		MT_CHECK_RC(mt_get(t, 0, &h), MT_ERR_NOSPACE);
	} else {
		MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
		tu_took(&held, h);
		MT_CHECK_RC(mt_get(t, 0, &h), MT_ERR_NOSPACE);
	}
	tu_check_conservation(t, &held);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* ------------------------------------------------------------------ */
/* Production only: the per-VCPU paths.                               */
/* ------------------------------------------------------------------ */

/* First get on a fresh list grows a page, returns its first entry, and puts
 * the rest on the list; the list never becomes empty (get grows instead of
 * taking the last entry). */
static void test_fresh_fill(void)
{
	const unsigned n = 8;
	struct mt_table *t = make(&mt_ops_production, 2, n, 4);
	mt_handle_t h, list[16];

	MT_CHECK(tu_head(t, 0) == MT_TAIL && tu_tail(t, 0) == MT_TAIL);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK(h == 0);                    /* Xen: handle = maptrack_limit, returned directly */
	MT_CHECK(tu_limit(t) == n);
	MT_CHECK(tu_list(t, 0, list, 16) == n - 1);
	for (unsigned i = 0; i < n - 1; i++)
		MT_CHECK(list[i] == i + 1);      /* 1 -> 2 -> ... -> n-1 */
	MT_CHECK(tu_head(t, 0) == 1 && tu_tail(t, 0) == n - 1);
	MT_CHECK(tu_entry(t, 0).in_use && tu_entry(t, 0).link == MT_TAIL && tu_entry(t, 0).owner == 0);
	for (unsigned i = 1; i < n; i++)
		MT_CHECK(tu_entry(t, i).owner == 0 && !tu_entry(t, i).in_use);
	MT_CHECK(tu_head(t, 1) == MT_TAIL);  /* VCPU 1 untouched */
	MT_CHECK_VERIFY(t);

	/* Pop 1 .. n-2 from the head in order. */
	for (unsigned i = 1; i < n - 1; i++) {
		MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
		MT_CHECK(h == i && tu_limit(t) == n);
	}
	/* Only the tail is left: the next get grows instead of taking it. */
	MT_CHECK(tu_list(t, 0, list, 16) == 1 && list[0] == n - 1);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK(h == n && tu_limit(t) == 2 * n);
	/* The new page is prepended: n+1 .. 2n-1, then the old tail. */
	unsigned len = tu_list(t, 0, list, 16);
	MT_CHECK(len == n);
	for (unsigned i = 0; i < n - 1; i++)
		MT_CHECK(list[i] == n + 1 + i);
	MT_CHECK(list[n - 1] == n - 1 && tu_tail(t, 0) == n - 1);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* mt_grow on production puts the whole page on the named VCPU's list. */
static void test_pv_grow_owner(void)
{
	struct mt_table *t = make(&mt_ops_production, 3, 4, 4);
	mt_handle_t list[16];

	MT_CHECK_RC(mt_grow(t, 2), MT_OK);
	MT_CHECK(tu_head(t, 2) == 0 && tu_tail(t, 2) == 3);
	MT_CHECK(tu_list(t, 2, list, 16) == 4);
	for (unsigned i = 0; i < 4; i++)
		MT_CHECK(list[i] == i && tu_entry(t, i).owner == 2);
	MT_CHECK(tu_head(t, 0) == MT_TAIL && tu_head(t, 1) == MT_TAIL);
	/* A second grow prepends. */
	MT_CHECK_RC(mt_grow(t, 2), MT_OK);
	MT_CHECK(tu_head(t, 2) == 4 && tu_tail(t, 2) == 3);
	MT_CHECK(tu_list(t, 2, list, 16) == 8);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* At max_frames, get steals from another VCPU's list; the thief owns the
 * stolen handle, and a steal never takes a victim's last entry. */
static void test_limit_steal(void)
{
	struct tu_random rnd = { .seq = { 0 }, .n = 1 };    /* steal scan starts at VCPU 0 */
	struct mt_config cfg = { .nr_vcpus = 2, .per_page = 8, .max_frames = 2,
	                         .random = tu_random_next, .random_ctx = &rnd };
	struct mt_table *t;
	struct tu_held held = { 0 };
	mt_handle_t h, list[16];

	MT_CHECK_RC(mt_create(&mt_ops_production, &cfg, &t), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);   /* page 0 -> VCPU 0: 1..7 listed */
	tu_took(&held, h);
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);   /* page 1 -> VCPU 1: 9..15 listed */
	tu_took(&held, h);
	MT_CHECK(h == 8);
	MT_CHECK_RC(mt_grow(t, 0), MT_ERR_LIMIT);
	/* Drain VCPU 1's own list down to its last entry. */
	for (unsigned i = 9; i < 15; i++) {
		MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
		MT_CHECK(h == i);
		tu_took(&held, h);
	}
	MT_CHECK(tu_list(t, 1, list, 16) == 1 && list[0] == 15);
	/* Next get of VCPU 1: own list has one entry, at the limit: steal from 0. */
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
	tu_took(&held, h);
	MT_CHECK(h == 1);                       /* VCPU 0's head */
	MT_CHECK(tu_entry(t, 1).owner == 1);    /* the thief owns it now */
	MT_CHECK(tu_head(t, 0) == 2 && tu_list(t, 1, list, 16) == 1);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);

	/* Steal the rest: VCPU 0 keeps its last entry, then NOSPACE. */
	unsigned stolen = 1;
	while (mt_get(t, 1, &h) == MT_OK) {
		tu_took(&held, h);
		MT_CHECK(tu_entry(t, h).owner == 1);
		stolen++;
	}
	MT_CHECK(stolen == 6);                  /* 1..6; 7 stays as VCPU 0's last */
	MT_CHECK(tu_list(t, 0, list, 16) == 1 && list[0] == 7);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_ERR_NOSPACE);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);

	/* A stolen handle goes back to the thief's list, whoever puts it. */
	MT_CHECK_RC(mt_put(t, 0, 3), MT_OK);
	tu_gave(&held, 3);
	MT_CHECK(tu_tail(t, 1) == 3 && tu_on_list(t, 1, 3) && !tu_on_list(t, 0, 3));
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);
	mt_destroy(t);
}

/* A put from any VCPU lands at the tail of the owner's list. */
static void test_remote_put(void)
{
	struct mt_table *t = make(&mt_ops_production, 3, 8, 4);
	struct tu_held held = { 0 };
	mt_handle_t a, b, c, list[32];

	MT_CHECK_RC(mt_get(t, 0, &a), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &b), MT_OK);
	MT_CHECK_RC(mt_get(t, 2, &c), MT_OK);
	tu_took(&held, a);
	tu_took(&held, b);
	tu_took(&held, c);
	unsigned len0 = tu_list(t, 0, list, 32), len2 = tu_list(t, 2, list, 32);

	MT_CHECK_RC(mt_put(t, 1, a), MT_OK);    /* VCPU 1 frees VCPU 0's handle */
	tu_gave(&held, a);
	MT_CHECK(tu_tail(t, 0) == a && tu_entry(t, a).link == MT_TAIL && !tu_entry(t, a).in_use);
	MT_CHECK(tu_list(t, 0, list, 32) == len0 + 1 && list[len0] == a);
	MT_CHECK(tu_head(t, 1) == MT_TAIL);     /* the caller's list is not involved */
	MT_CHECK_RC(mt_put(t, 2, b), MT_OK);    /* another caller, same owner: appended after a */
	tu_gave(&held, b);
	MT_CHECK(tu_tail(t, 0) == b && tu_entry(t, a).link == b);
	MT_CHECK_RC(mt_put(t, 0, c), MT_OK);    /* VCPU 0 frees VCPU 2's handle */
	tu_gave(&held, c);
	MT_CHECK(tu_tail(t, 2) == c && tu_list(t, 2, list, 32) == len2 + 1);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);
	mt_destroy(t);
}

/* A never-filled VCPU at the limit steals a sentinel for its own list, then
 * steals again for the caller; afterwards exactly one entry per initialised
 * list is unusable (I10). */
static void test_sentinel_steal(void)
{
	struct tu_random rnd = { .seq = { 0 }, .n = 1 };
	struct mt_config cfg = { .nr_vcpus = 4, .per_page = 8, .max_frames = 2,
	                         .random = tu_random_next, .random_ctx = &rnd };
	struct mt_table *t;
	struct tu_held held = { 0 };
	mt_handle_t h, list[16];

	MT_CHECK_RC(mt_create(&mt_ops_production, &cfg, &t), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);   /* page 0 -> VCPU 0 */
	tu_took(&held, h);
	MT_CHECK_RC(mt_grow(t, 3), MT_OK);      /* page 1 -> VCPU 3: 8..15 */
	MT_CHECK(tu_head(t, 1) == MT_TAIL);

	/* VCPU 1 has never mapped and the table is at its limit. */
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
	tu_took(&held, h);
	/* Sentinel: VCPU 0's head (1) became VCPU 1's whole list, with its
	 * link reset; the handle returned is the next steal (2). */
	MT_CHECK(tu_head(t, 1) == 1 && tu_tail(t, 1) == 1);
	MT_CHECK(tu_entry(t, 1).link == MT_TAIL && tu_entry(t, 1).owner == 1 && !tu_entry(t, 1).in_use);
	MT_CHECK(h == 2 && tu_entry(t, 2).owner == 1 && tu_entry(t, 2).in_use);
	MT_CHECK(tu_head(t, 0) == 3);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);

	/* VCPU 1 never hands out its own sentinel. */
	while (mt_get(t, 1, &h) == MT_OK) {
		MT_CHECK(h != 1);
		tu_took(&held, h);
	}
	MT_CHECK(tu_list(t, 1, list, 16) == 1 && list[0] == 1);

	/* VCPU 2 too: sentinel steal, then nothing left to steal. */
	MT_CHECK_RC(mt_get(t, 2, &h), MT_ERR_NOSPACE);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);

	/* I10: with every list at one entry, the unusable entries are exactly
	 * one per initialised list. */
	unsigned initialised = 0;
	for (unsigned v = 0; v < 4; v++) {
		if (tu_head(t, v) == MT_TAIL)
			continue;
		initialised++;
		MT_CHECK(tu_list(t, v, list, 16) == 1);
	}
	MT_CHECK(held.count + initialised == tu_limit(t));
	for (unsigned v = 0; v < 4; v++)
		MT_CHECK_RC(mt_get(t, v, &h), MT_ERR_NOSPACE);

	/* Entries come back and are usable again. */
	MT_CHECK_RC(mt_put(t, 0, 2), MT_OK);    /* 2 is owned by VCPU 1 now */
	tu_gave(&held, 2);
	MT_CHECK(tu_tail(t, 1) == 2);
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);   /* pops the sentinel 1 now: 2 is the new last */
	MT_CHECK(h == 1);
	tu_took(&held, h);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);
	mt_destroy(t);
}

/* A sentinel steal with nothing to steal leaves the VCPU uninitialised. */
static void test_sentinel_nothing(void)
{
	struct mt_table *t = make(&mt_ops_production, 2, 4, 1);
	mt_handle_t h;

	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	for (unsigned i = 0; i < 2; i++)
		MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_ERR_NOSPACE);   /* VCPU 0: only its last entry */
	MT_CHECK_RC(mt_get(t, 1, &h), MT_ERR_NOSPACE);   /* VCPU 1: nothing for a sentinel */
	MT_CHECK(tu_head(t, 1) == MT_TAIL && tu_tail(t, 1) == MT_TAIL);
	MT_CHECK_VERIFY(t);
	mt_destroy(t);
}

/* Allocation failure below the limit: get steals instead (Xen d02f1a0b75);
 * explicit grow reports MT_ERR_NOMEM. */
static void test_alloc_fail_steal(void)
{
	struct tu_alloc a = { 0 };
	struct tu_random rnd = { .seq = { 0 }, .n = 1 };
	struct mt_config cfg = { .nr_vcpus = 2, .per_page = 8, .max_frames = 16,
	                         .alloc = tu_allocator(&a), .random = tu_random_next, .random_ctx = &rnd };
	struct mt_table *t;
	struct tu_held held = { 0 };
	mt_handle_t h;

	MT_CHECK_RC(mt_create(&mt_ops_production, &cfg, &t), MT_OK);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	tu_took(&held, h);
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
	tu_took(&held, h);
	while (tu_list(t, 1, (mt_handle_t[16]){ 0 }, 16) > 1) {
		MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
		tu_took(&held, h);
	}
	MT_CHECK(a.allocs == 2);

	a.fail = 1;
	MT_CHECK_RC(mt_grow(t, 1), MT_ERR_NOMEM);
	unsigned failed = a.failed;
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);   /* allocation tried, failed, stole */
	tu_took(&held, h);
	MT_CHECK(a.failed == failed + 1);
	MT_CHECK(h < 8 && tu_entry(t, h).owner == 1);
	MT_CHECK(tu_limit(t) == 16);
	MT_CHECK_VERIFY(t);
	tu_check_conservation(t, &held);
	a.fail = 0;
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);   /* memory is back: grows again */
	tu_took(&held, h);
	MT_CHECK(h == 16 && tu_limit(t) == 24);
	tu_check_conservation(t, &held);
	mt_destroy(t);
	MT_CHECK(a.live == 0 && a.frees == a.allocs);
}

/* ------------------------------------------------------------------ */
/* mt_verify() on deliberately corrupted production tables.            */
/* ------------------------------------------------------------------ */

/* Two filled lists: VCPU 0 holds 0, lists 1..7; VCPU 1 holds 8, lists
 * 9..15; VCPU 2 never filled.  VCPU 0 also holds 1 (so 0 and 1 are live). */
static struct mt_table *corrupt_base(void)
{
	struct mt_table *t = make(&mt_ops_production, 3, 8, 4);
	mt_handle_t h;

	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK_RC(mt_get(t, 1, &h), MT_OK);
	MT_CHECK(h == 8);
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK(h == 1);
	MT_CHECK_VERIFY(t);
	return t;
}

static void expect_verify(struct mt_table *t, int want, const char *tag, int line)
{
	struct mt_report r;
	int rc = mt_verify(t, &r);

	if (rc != want || r.err != want || !r.detail[0]) {
		fprintf(stderr, "%s:%d: corruption %s: verify returned %d (%s: %s), want %d (%s)\n",
		        __FILE__, line, tag, rc, mt_strerror(rc), r.detail, want, mt_strerror(want));
		abort();
	}
	/* The code's text names the invariant ("I2 chain: ..."). */
	MT_CHECK(strncmp(mt_strerror(rc), tag, strlen(tag)) == 0);
	printf("     verify %-3s -> %s (%s)\n", tag, mt_strerror(rc), r.detail);
}
#define EXPECT_VERIFY(t, want, tag) expect_verify((t), (want), (tag), __LINE__)

static void test_verify_corrupt(void)
{
	struct mt_table *t = corrupt_base();
	struct mt_pv_table *pv = PV(t);
	uint32_t save, save2;

	/* I1: head set, tail TAIL. */
	save = atomic_load(&pv->vcpus[0].tail);
	atomic_store(&pv->vcpus[0].tail, MT_TAIL);
	EXPECT_VERIFY(t, MT_ERR_I1_PAIRING, "I1");
	atomic_store(&pv->vcpus[0].tail, save);
	/* I1: tail set on a never-filled list. */
	atomic_store(&pv->vcpus[2].tail, 3);
	EXPECT_VERIFY(t, MT_ERR_I1_PAIRING, "I1");
	atomic_store(&pv->vcpus[2].tail, MT_TAIL);
	/* I1: head beyond the limit. */
	save = atomic_load(&pv->vcpus[1].head);
	atomic_store(&pv->vcpus[1].head, 100);
	EXPECT_VERIFY(t, MT_ERR_I1_PAIRING, "I1");
	atomic_store(&pv->vcpus[1].head, save);
	MT_CHECK_VERIFY(t);

	/* I2 cycle: 3 links back to 2 (2 -> 3 -> 2 ...), B3's self-loop shape. */
	save = atomic_load(&pv_entry(t, 3)->ref);
	atomic_store(&pv_entry(t, 3)->ref, 2);
	EXPECT_VERIFY(t, MT_ERR_I2_CHAIN, "I2");
	/* I2 self-loop on the tail: 7 -> 7. */
	atomic_store(&pv_entry(t, 3)->ref, save);
	atomic_store(&pv_entry(t, 7)->ref, 7);
	EXPECT_VERIFY(t, MT_ERR_I2_CHAIN, "I2");
	atomic_store(&pv_entry(t, 7)->ref, MT_TAIL);
	MT_CHECK_VERIFY(t);

	/* I2 wrong end: the chain stops at 4, but the tail is 7. */
	save = atomic_load(&pv_entry(t, 4)->ref);
	atomic_store(&pv_entry(t, 4)->ref, MT_TAIL);
	EXPECT_VERIFY(t, MT_ERR_I2_CHAIN, "I2");
	atomic_store(&pv_entry(t, 4)->ref, save);
	/* I2 wrong end: tail says 5, but the chain runs on past it. */
	save = atomic_load(&pv->vcpus[0].tail);
	atomic_store(&pv->vcpus[0].tail, 5);
	EXPECT_VERIFY(t, MT_ERR_I2_CHAIN, "I2");
	atomic_store(&pv->vcpus[0].tail, save);
	/* I2: a link beyond the limit (a grant ref read as a handle, B1b). */
	save = atomic_load(&pv_entry(t, 5)->ref);
	atomic_store(&pv_entry(t, 5)->ref, 1000);
	EXPECT_VERIFY(t, MT_ERR_I2_CHAIN, "I2");
	atomic_store(&pv_entry(t, 5)->ref, save);
	MT_CHECK_VERIFY(t);

	/* I4 owner: an entry on list 0 says it belongs to VCPU 1. */
	save = atomic_load(&pv_entry(t, 4)->vcpu);
	atomic_store(&pv_entry(t, 4)->vcpu, 1);
	EXPECT_VERIFY(t, MT_ERR_I4_OWNER, "I4");
	atomic_store(&pv_entry(t, 4)->vcpu, save);
	/* I4: an entry on a list is in use (a duplicate hand-out, B1a). */
	atomic_store(&pv_entry(t, 4)->state, MT_STATE_IN_USE);
	EXPECT_VERIFY(t, MT_ERR_I4_OWNER, "I4");
	atomic_store(&pv_entry(t, 4)->state, MT_STATE_FREE);
	MT_CHECK_VERIFY(t);

	/* I5 two lists: VCPU 1's head points into VCPU 0's list (B2's shared suffix). */
	save = atomic_load(&pv->vcpus[1].head);
	atomic_store(&pv->vcpus[1].head, 5);
	EXPECT_VERIFY(t, MT_ERR_I5_DISJOINT, "I5");
	atomic_store(&pv->vcpus[1].head, save);
	MT_CHECK_VERIFY(t);

	/* I6 lost: 3 -> 5 skips 4, which is free but on no list (B1d). */
	save = atomic_load(&pv_entry(t, 3)->ref);
	atomic_store(&pv_entry(t, 3)->ref, 5);
	EXPECT_VERIFY(t, MT_ERR_I6_CONSERVE, "I6");
	atomic_store(&pv_entry(t, 3)->ref, save);
	/* I6 lost: a whole list's head moved past its entries. */
	save = atomic_load(&pv->vcpus[1].head);
	atomic_store(&pv->vcpus[1].head, 13);
	EXPECT_VERIFY(t, MT_ERR_I6_CONSERVE, "I6");
	atomic_store(&pv->vcpus[1].head, save);
	MT_CHECK_VERIFY(t);

	/* I8: limit not a whole number of frames. */
	save = atomic_load(&pv->limit);
	atomic_store(&pv->limit, save - 1);
	EXPECT_VERIFY(t, MT_ERR_I8_LIMITS, "I8");
	atomic_store(&pv->limit, save);
	/* I8: a page pointer below the limit is missing (B4a). */
	struct mt_entry *page = atomic_load(&pv->pages[1]);
	atomic_store(&pv->pages[1], NULL);
	EXPECT_VERIFY(t, MT_ERR_I8_LIMITS, "I8");
	atomic_store(&pv->pages[1], page);
	/* I8: more frames than the maximum. */
	save2 = pv->nr_frames;
	pv->nr_frames = 5;
	atomic_store(&pv->limit, 5 * 8);
	EXPECT_VERIFY(t, MT_ERR_I8_LIMITS, "I8");
	pv->nr_frames = save2;
	atomic_store(&pv->limit, save);
	MT_CHECK_VERIFY(t);

	/* I9: a handed-out entry carries a list link (a put wrote into it, B1c/B2). */
	save = atomic_load(&pv_entry(t, 1)->ref);
	atomic_store(&pv_entry(t, 1)->ref, 4);
	EXPECT_VERIFY(t, MT_ERR_I9_LIVE_LINK, "I9");
	atomic_store(&pv_entry(t, 1)->ref, save);

	/* Restored: clean again, and the table still works. */
	MT_CHECK_VERIFY(t);
	mt_handle_t h;
	MT_CHECK_RC(mt_get(t, 0, &h), MT_OK);
	MT_CHECK_RC(mt_put(t, 1, h), MT_OK);
	MT_CHECK_VERIFY(t);
	MT_CHECK_RC(mt_verify(t, NULL), MT_OK);   /* a NULL report is allowed */
	mt_destroy(t);
}

/* ------------------------------------------------------------------ */
/* Names and registry.                                                */
/* ------------------------------------------------------------------ */

/* Every code has its own readable text; unknown codes too. */
static void test_strerror(void)
{
	static const int codes[] = {
		MT_OK, MT_ERR_NOSPACE, MT_ERR_RANGE, MT_ERR_NOT_HELD, MT_ERR_INVAL,
		MT_ERR_NOMEM, MT_ERR_LIMIT, MT_ERR_I1_PAIRING, MT_ERR_I2_CHAIN,
		MT_ERR_I3_EMPTY, MT_ERR_I4_OWNER, MT_ERR_I5_DISJOINT, MT_ERR_I6_CONSERVE,
		MT_ERR_I8_LIMITS, MT_ERR_I9_LIVE_LINK,
	};
	static const char *const prefix[] = {
		"ok", "no space", "handle out of range", "handle not handed out", "invalid",
		"out of memory", "table at its frame limit", "I1", "I2", "I3", "I4", "I5", "I6", "I8", "I9",
	};
	const unsigned n = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = mt_strerror(12345);

	MT_CHECK(unknown != NULL && strstr(unknown, "unknown"));
	MT_CHECK(mt_strerror(-7) == unknown && mt_strerror(-17) == unknown);
	for (unsigned i = 0; i < n; i++) {
		const char *s = mt_strerror(codes[i]);
		MT_CHECK(s != NULL && strlen(s) > 1 && s != unknown);
		MT_CHECK(strncmp(s, prefix[i], strlen(prefix[i])) == 0);
		for (unsigned j = 0; j < i; j++)
			MT_CHECK(strcmp(s, mt_strerror(codes[j])) != 0);
	}
	/* Site tables (named in readable interleavings and in the text form):
	 * every site has an id and a text, ids are unique within the family. */
	for (unsigned o = 0; mt_ops_at(o); o++) {
		const struct mt_ops *ops = mt_ops_at(o)->ops;
		MT_CHECK(ops->site_tables && ops->site_tables[0]);
		for (const struct mt_site_table *const *t = ops->site_tables; *t; t++) {
			MT_CHECK((*t)->count > 0 && (*t)->name && (*t)->name[0]);
			for (unsigned i = 0; i < (*t)->count; i++) {
				const struct mt_site *a = &(*t)->sites[i];
				MT_CHECK(a->id && a->id[0] && a->text && a->text[0]);
				MT_CHECK(a->kind & MT_SK_RW);
				for (unsigned j = 0; j < i; j++)
					MT_CHECK(strcmp(a->id, (*t)->sites[j].id) != 0);
			}
		}
	}
	MT_CHECK(strcmp(MT_PV_SITE(PUT_SWING_TAIL)->text, "put: swing tail") == 0);
	MT_CHECK(strcmp(MT_PV_SITE(PUT_SWING_TAIL)->id, "PUT_SWING_TAIL") == 0);
}

/* mt_ops_find() finds each registered implementation by name and nothing
 * else; linking lib/ registers exactly production and baseline, in that
 * order. */
static void test_ops_find(void)
{
	unsigned n = 0;

	MT_CHECK(mt_ops_find("production") == &mt_ops_production);
	MT_CHECK(mt_ops_find("baseline") == &mt_ops_baseline);
	MT_CHECK(mt_ops_find("Production") == NULL);
	MT_CHECK(mt_ops_find("") == NULL);
	MT_CHECK(mt_ops_find("no-such-impl") == NULL);
	MT_CHECK(mt_ops_find(NULL) == NULL);
	for (const struct mt_registration *r; (r = mt_ops_at(n)) != NULL; n++) {
		const struct mt_ops *o = r->ops;
		MT_CHECK(mt_ops_find(o->name) == o);
		MT_CHECK(o->summary && o->summary[0]);
		MT_CHECK(o->create && o->destroy && o->get && o->put && o->grow &&
		         o->verify && o->view && o->list_ends && o->entry && o->site_tables);
	}
	MT_CHECK(n == 2);
	MT_CHECK(mt_ops_at(0)->ops == &mt_ops_production && mt_ops_at(1)->ops == &mt_ops_baseline);
}

int main(void)
{
	unsigned n = 0;

	for (unsigned k = 0; mt_ops_at(k); k++) {
		const struct mt_ops *const *o = &mt_ops_at(k)->ops;
		snprintf(tu_run_tag, sizeof(tu_run_tag), "[%s]", (*o)->name);
		TU_RUN(test_bad_config, *o);
		TU_RUN(test_fill_and_drain, *o);
		TU_RUN(test_grow, *o);
		TU_RUN(test_invalid_put, *o);
		TU_RUN(test_alloc_and_destroy, *o);
		TU_RUN(test_min_geometry, *o);
		n += 6;
	}
	snprintf(tu_run_tag, sizeof(tu_run_tag), "[production]");
	TU_RUN(test_fresh_fill);
	TU_RUN(test_pv_grow_owner);
	TU_RUN(test_limit_steal);
	TU_RUN(test_remote_put);
	TU_RUN(test_sentinel_steal);
	TU_RUN(test_sentinel_nothing);
	TU_RUN(test_alloc_fail_steal);
	TU_RUN(test_verify_corrupt);
	tu_run_tag[0] = '\0';
	TU_RUN(test_strerror);
	TU_RUN(test_ops_find);
	n += 10;
	printf("SUMMARY test=maptrack_test passed=%u failed=0\n", n);
	return 0;
}
