/*
 * mt_test_util.h - helpers shared by the lib/ unit tests (header only, testonly).
 *
 * Everything here reads a table through its public introspection
 * operations (view, list_ends, entry), so it works on every implementation
 * and never depends on the hook build.  Quiescent points only, except where
 * a test knows which fields the stalled operation has not touched yet.
 */
#ifndef MT_TEST_UTIL_H
#define MT_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/maptrack.h"

#ifndef MT_CHECK
/* Checks that never compile out (same as lib/testing/script.h). */
#define MT_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)
#define MT_CHECK_RC(expr, want) do { int rc_ = (expr); if (rc_ != (want)) { \
	fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
	        #expr, rc_, mt_strerror(rc_), (want), mt_strerror(want)); abort(); } } while (0)
#endif

/* mt_verify() must pass; print the report if not. */
#define MT_CHECK_VERIFY(t) do { struct mt_report r_; int v_ = mt_verify((t), &r_); \
	if (v_ != MT_OK) { fprintf(stderr, "%s:%d: verify: %s (%s)\n", __FILE__, __LINE__, \
	        mt_strerror(v_), r_.detail); abort(); } } while (0)

/* A table-wide limit for the test tables: small geometries only. */
#define TU_MAX_HANDLES 4096u

/* The entries of list `l`, head first (bounded walk); returns the count. */
static inline unsigned tu_list(struct mt_table *t, unsigned l, mt_handle_t *out, unsigned max)
{
	const struct mt_ops *ops = mt_table_ops(t);
	struct mt_view v;
	mt_handle_t head, tail, cur;
	unsigned n = 0;

	ops->view(t, &v);
	ops->list_ends(t, l, &head, &tail);
	for (cur = head; cur != MT_TAIL && n < max && n <= v.limit; n++) {
		struct mt_entry_view e;

		out[n] = cur;
		if (ops->entry(t, cur, &e) != MT_OK)
			return n + 1;
		cur = e.link;
	}
	return n;
}

static inline mt_handle_t tu_head(struct mt_table *t, unsigned l)
{
	mt_handle_t h, tl;

	mt_table_ops(t)->list_ends(t, l, &h, &tl);
	return h;
}

static inline mt_handle_t tu_tail(struct mt_table *t, unsigned l)
{
	mt_handle_t h, tl;

	mt_table_ops(t)->list_ends(t, l, &h, &tl);
	return tl;
}

static inline mt_handle_t tu_limit(struct mt_table *t)
{
	struct mt_view v;

	mt_table_ops(t)->view(t, &v);
	return v.limit;
}

static inline struct mt_entry_view tu_entry(struct mt_table *t, mt_handle_t h)
{
	struct mt_entry_view e;

	MT_CHECK_RC(mt_table_ops(t)->entry(t, h, &e), MT_OK);
	return e;
}

/* Is h on list l? */
static inline bool tu_on_list(struct mt_table *t, unsigned l, mt_handle_t h)
{
	mt_handle_t buf[TU_MAX_HANDLES];
	unsigned n = tu_list(t, l, buf, TU_MAX_HANDLES);

	for (unsigned i = 0; i < n; i++)
		if (buf[i] == h)
			return true;
	return false;
}

/* Everything a put could change: the view, every list's ends, every entry. */
struct tu_snapshot {
	struct mt_view view;
	unsigned nr_lists;
	mt_handle_t heads[16], tails[16];
	struct mt_entry_view entries[TU_MAX_HANDLES];
};

static inline void tu_snap(struct mt_table *t, struct tu_snapshot *s)
{
	const struct mt_ops *ops = mt_table_ops(t);

	memset(s, 0, sizeof(*s));
	ops->view(t, &s->view);
	MT_CHECK(s->view.nr_lists <= 16 && s->view.limit <= TU_MAX_HANDLES);
	s->nr_lists = s->view.nr_lists;
	for (unsigned l = 0; l < s->nr_lists; l++)
		ops->list_ends(t, l, &s->heads[l], &s->tails[l]);
	for (mt_handle_t h = 0; h < s->view.limit; h++)
		MT_CHECK_RC(ops->entry(t, h, &s->entries[h]), MT_OK);
}

static inline bool tu_snap_equal(const struct tu_snapshot *a, const struct tu_snapshot *b)
{
	return memcmp(&a->view, &b->view, sizeof(a->view)) == 0 &&
	       a->nr_lists == b->nr_lists &&
	       memcmp(a->heads, b->heads, sizeof(a->heads)) == 0 &&
	       memcmp(a->tails, b->tails, sizeof(a->tails)) == 0 &&
	       memcmp(a->entries, b->entries, sizeof(a->entries)) == 0;
}

/*
 * The caller's shadow of which handles are handed out: a get must return a
 * handle that is not held (no duplicate hand-out, I7), a put releases it.
 */
struct tu_held {
	bool held[TU_MAX_HANDLES];
	unsigned count;
};

static inline void tu_took(struct tu_held *s, mt_handle_t h)
{
	MT_CHECK(h < TU_MAX_HANDLES);
	if (s->held[h]) {
		fprintf(stderr, "duplicate hand-out of handle %u\n", h);
		MT_CHECK(!s->held[h]);
	}
	s->held[h] = true;
	s->count++;
}

static inline void tu_gave(struct tu_held *s, mt_handle_t h)
{
	MT_CHECK(h < TU_MAX_HANDLES && s->held[h]);
	s->held[h] = false;
	s->count--;
}

/*
 * The conservation law (I6) and the shadow agree with the table: every
 * handle below the limit is either held by the shadow (and in use) or on
 * exactly one list (and free).
 */
static inline void tu_check_conservation(struct mt_table *t, const struct tu_held *s)
{
	static mt_handle_t buf[TU_MAX_HANDLES];
	static unsigned seen[TU_MAX_HANDLES];
	struct mt_view v;
	unsigned listed = 0;

	mt_table_ops(t)->view(t, &v);
	MT_CHECK(v.limit <= TU_MAX_HANDLES);
	memset(seen, 0, sizeof(seen));
	for (unsigned l = 0; l < v.nr_lists; l++) {
		unsigned n = tu_list(t, l, buf, TU_MAX_HANDLES);
		for (unsigned i = 0; i < n; i++) {
			MT_CHECK(buf[i] < v.limit);
			MT_CHECK(seen[buf[i]] == 0);      /* on one list only */
			seen[buf[i]] = 1;
			MT_CHECK(!s->held[buf[i]]);       /* never both listed and held */
		}
		listed += n;
	}
	for (mt_handle_t h = 0; h < v.limit; h++) {
		struct mt_entry_view e = tu_entry(t, h);
		MT_CHECK(e.in_use == s->held[h]);
		MT_CHECK(s->held[h] || seen[h]);
	}
	MT_CHECK(listed + s->count == v.limit);
}

/* A page allocator that counts and fails on demand. */
struct tu_alloc {
	unsigned allocs, frees, failed;
	int fail;                    /* nonzero: every alloc_page returns NULL */
	long live;
};

static inline void *tu_alloc_page(void *ctx, size_t bytes)
{
	struct tu_alloc *a = ctx;

	if (a->fail) {
		a->failed++;
		return NULL;
	}
	void *p = calloc(1, bytes);
	if (p) {
		a->allocs++;
		a->live++;
	}
	return p;
}

static inline void tu_free_page(void *ctx, void *page)
{
	struct tu_alloc *a = ctx;

	a->frees++;
	a->live--;
	free(page);
}

static inline struct mt_allocator tu_allocator(struct tu_alloc *a)
{
	return (struct mt_allocator){ tu_alloc_page, tu_free_page, a };
}

/* A scripted steal start: returns seq[i++] (the last value repeats). */
struct tu_random {
	uint32_t seq[16];
	unsigned n, i;
};

static inline uint32_t tu_random_next(void *ctx)
{
	struct tu_random *r = ctx;
	uint32_t v = r->seq[r->i < r->n ? r->i : r->n - 1];

	if (r->i < r->n)
		r->i++;
	return v;
}

/* The one-line-per-test runner. */
#define TU_RUN(fn, ...) do { fn(__VA_ARGS__); printf("ok   %s%s%s\n", #fn, \
	tu_run_tag[0] ? " " : "", tu_run_tag); fflush(stdout); } while (0)
static char tu_run_tag[64];

#endif /* MT_TEST_UTIL_H */
