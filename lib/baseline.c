/*
 * baseline.c - the pre-2015 design: one table-wide LIFO free list under one
 * lock (Xen 5a9899ddc4: maptrack_lock, a single per-domain head).
 *
 * Every get and put takes the one lock; this is the contention the 2015
 * per-VCPU lists removed, and the baseline tools/bench compares against.
 * Same interface, same untrusted-handle rules, same verify.
 */
#include <stdlib.h>

#include "lib/mt_internal.h"

/* The baseline's own schedule points (lib/mt_sites.h).  Each is claimed
 * private (P): every one lies between the baseline's lock and unlock. */
#define BASE_SITE_LIST(X) \
	X(BASE_LOCK,          RW,  "base: lock") \
	X(BASE_READ_HEAD,     RP,  "base: read head") \
	X(BASE_READ_NEXT,     RP,  "base: read head.ref") \
	X(BASE_WRITE_HEAD,    WP,  "base: write head") \
	X(BASE_GROW,          WP,  "base: grow") \
	X(BASE_CLAIM,         RWP, "base: check/flip state") \
	X(BASE_LINK,          WP,  "base: link to head") \
	X(BASE_UNLOCK,        RW,  "base: unlock")

enum {
#define BASE_SITE_ENUM(id, kind, text) BASE_SITE_INDEX_##id,
	BASE_SITE_LIST(BASE_SITE_ENUM)
#undef BASE_SITE_ENUM
	BASE_NR_SITES
};

static const struct mt_site base_sites[BASE_NR_SITES] = {
	BASE_SITE_LIST(MT_SITE_ROW)
};

static const struct mt_site_table base_site_table = {
	.name = "maptrack-baseline", .count = BASE_NR_SITES, .sites = base_sites,
};

static const struct mt_site_table *const base_site_tables[] = { &base_site_table, NULL };

#define BASE_SITE(id) (&base_sites[BASE_SITE_INDEX_BASE_##id])

struct mt_base_table {
	struct mt_table base;
	struct mt_lock lock;         /* Xen: maptrack_lock.  Protects everything below
	                              * and every entry's .ref and .state. */
	_Atomic uint32_t head;       /* Xen: gt->maptrack_head (one list, no tail) */
	unsigned nr_frames;
	uint32_t limit;
	struct mt_entry **pages;     /* max_frames slots */
};

#define BT(tbl) ((struct mt_base_table *)(tbl))

static struct mt_entry *bentry(struct mt_base_table *t, mt_handle_t h)
{
	unsigned n = t->base.cfg.per_page;

	if ((n & (n - 1)) == 0)      /* same shift and mask as mt_pv_entry(): a fair comparison */
		return &t->pages[h >> __builtin_ctz(n)][h & (n - 1)];
	return &t->pages[h / n][h % n];
}

static int base_create(const struct mt_config *cfg_in, struct mt_table **out)
{
	struct mt_config cfg;
	int rc = mt_internal_config(cfg_in, &cfg);

	if (rc != MT_OK)
		return rc;
	if (!out)
		return MT_ERR_INVAL;
	struct mt_base_table *t = calloc(1, sizeof(*t));
	if (!t)
		return MT_ERR_NOMEM;
	t->pages = calloc(cfg.max_frames, sizeof(*t->pages));
	if (!t->pages) {
		free(t);
		return MT_ERR_NOMEM;
	}
	t->base.ops = &mt_ops_baseline;
	t->base.cfg = cfg;
	mt_lock_init(&t->lock);
	atomic_init(&t->head, MT_TAIL);
	*out = &t->base;
	return MT_OK;
}

static void base_destroy(struct mt_table *tbl)
{
	struct mt_base_table *t = BT(tbl);

	if (!t)
		return;
	for (unsigned i = 0; i < t->nr_frames; i++)
		mt_internal_free_page(&tbl->cfg, t->pages[i]);
	free(t->pages);
	free(t);
}

/* Under the lock: add a page, all of it on the list.  Whole page free. */
static int base_add_page(struct mt_base_table *t)
{
	const struct mt_config *cfg = &t->base.cfg;

	if (t->nr_frames >= cfg->max_frames)
		return MT_ERR_LIMIT;
	MT_SCHED(BASE_SITE(GROW), NULL, MT_ACC_NONE);
	struct mt_entry *page = mt_internal_alloc_page(cfg, cfg->per_page * sizeof(*page));
	if (!page)
		return MT_ERR_NOMEM;
	mt_handle_t base = t->limit;
	/* Relaxed: head is protected by the lock, which we hold. */
	uint32_t old_head = mt_load_relaxed(&t->head, BASE_SITE(READ_HEAD));
	for (unsigned i = 0; i < cfg->per_page; i++) {
		atomic_init(&page[i].ref, i + 1 < cfg->per_page ? base + i + 1 : old_head);
		atomic_init(&page[i].vcpu, 0);
		atomic_init(&page[i].state, MT_STATE_FREE);
	}
	t->pages[t->nr_frames++] = page;
	t->limit += cfg->per_page;
	mt_store_relaxed(&t->head, base, BASE_SITE(WRITE_HEAD));
	return MT_OK;
}

static int base_get(struct mt_table *tbl, unsigned vcpu, mt_handle_t *out)
{
	struct mt_base_table *t = BT(tbl);
	int rc = MT_OK;

	if (!out || vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	mt_lock(&t->lock, BASE_SITE(LOCK));
	/* Relaxed, here and below: everything is under the lock. */
	uint32_t h = mt_load_relaxed(&t->head, BASE_SITE(READ_HEAD));
	if (h == MT_TAIL) {
		rc = base_add_page(t);
		if (rc != MT_OK)
			rc = MT_ERR_NOSPACE;
		else
			h = mt_load_relaxed(&t->head, BASE_SITE(READ_HEAD));
	}
	if (rc == MT_OK) {
		struct mt_entry *e = bentry(t, h);
		mt_store_relaxed(&t->head, mt_load_relaxed(&e->ref, BASE_SITE(READ_NEXT)),
		                 BASE_SITE(WRITE_HEAD));
		atomic_store_explicit(&e->ref, MT_TAIL, memory_order_relaxed);
		atomic_store_explicit(&e->vcpu, vcpu, memory_order_relaxed);
		mt_store_relaxed(&e->state, MT_STATE_IN_USE, BASE_SITE(CLAIM));
		*out = h;
	}
	mt_unlock(&t->lock, BASE_SITE(UNLOCK));
	return rc;
}

static int base_put(struct mt_table *tbl, unsigned vcpu, mt_handle_t h)
{
	struct mt_base_table *t = BT(tbl);
	int rc = MT_OK;

	if (vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	mt_lock(&t->lock, BASE_SITE(LOCK));
	if (h >= t->limit) {
		rc = MT_ERR_RANGE;
	} else {
		struct mt_entry *e = bentry(t, h);
		if (mt_load_relaxed(&e->state, BASE_SITE(CLAIM)) != MT_STATE_IN_USE) {
			rc = MT_ERR_NOT_HELD;
		} else {
			atomic_store_explicit(&e->state, MT_STATE_FREE, memory_order_relaxed);
			mt_store_relaxed(&e->ref, mt_load_relaxed(&t->head, BASE_SITE(READ_HEAD)),
			                 BASE_SITE(LINK));
			mt_store_relaxed(&t->head, h, BASE_SITE(WRITE_HEAD));
		}
	}
	mt_unlock(&t->lock, BASE_SITE(UNLOCK));
	return rc;
}

static int base_grow(struct mt_table *tbl, unsigned vcpu)
{
	struct mt_base_table *t = BT(tbl);

	if (vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	mt_lock(&t->lock, BASE_SITE(LOCK));
	int rc = base_add_page(t);
	mt_unlock(&t->lock, BASE_SITE(UNLOCK));
	return rc;
}

static void base_view(struct mt_table *tbl, struct mt_view *v)
{
	struct mt_base_table *t = BT(tbl);

	v->nr_lists = 1;
	v->has_tail = 0;
	v->per_page = tbl->cfg.per_page;
	v->max_frames = tbl->cfg.max_frames;
	v->nr_frames = t->nr_frames;
	v->limit = t->limit;
}

static void base_list_ends(struct mt_table *tbl, unsigned list, mt_handle_t *head, mt_handle_t *tail)
{
	*tail = MT_TAIL;
	*head = list == 0 ? atomic_load_explicit(&BT(tbl)->head, memory_order_relaxed) : MT_TAIL;
}

static int base_entry(struct mt_table *tbl, mt_handle_t h, struct mt_entry_view *ev)
{
	struct mt_base_table *t = BT(tbl);

	if (h >= t->limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = bentry(t, h);
	ev->link = atomic_load_explicit(&e->ref, memory_order_relaxed);
	ev->owner = atomic_load_explicit(&e->vcpu, memory_order_relaxed);
	ev->in_use = atomic_load_explicit(&e->state, memory_order_relaxed) == MT_STATE_IN_USE;
	return MT_OK;
}

const struct mt_ops mt_ops_baseline = {
	.name = "baseline",
	.summary = "pre-2015 design: one table-wide LIFO free list under one lock",
	.create = base_create,
	.destroy = base_destroy,
	.get = base_get,
	.put = base_put,
	.grow = base_grow,
	.verify = mt_internal_verify,
	.site_tables = base_site_tables,
	.view = base_view,
	.list_ends = base_list_ends,
	.entry = base_entry,
};

MT_REGISTER_IMPL(mt_ops_baseline, 1, NULL)
