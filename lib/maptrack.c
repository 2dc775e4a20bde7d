/*
 * maptrack.c - per-VCPU maptrack free lists: the production implementation.
 *
 * Follows the design of Xen dff515dfea + e76ff6c156 (2015-06-19, per-VCPU
 * lists with a lock-free put, stealing) with every later fix applied:
 *   02cbeeb620 (XSA-228): consumers pop under the list's freelist_lock; a
 *              stolen sentinel gets .ref = MAPTRACK_TAIL;
 *   4b78efa91c (XSA-218): publish the page pointer before the limit;
 *   d02f1a0b75: steal also when page allocation fails;
 *   b7f6cbb9d4 (XSA-218): a put of a handle not in use is refused (here by
 *              the library itself, through the entry's state).
 * Written from the descriptions in ../shared/maptrack-history.md.
 * The synchronization argument is in maptrack.h.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/mt_internal.h"

struct mt_entry *mt_pv_entry(struct mt_pv_table *t, mt_handle_t h)
{
	unsigned n = t->base.cfg.per_page;
	/* Acquire pairs with the release store of pages[] in mt_pv_add_frame():
	 * the page's initialised entries are visible with its pointer. */
	unsigned page_no = t->page_shift ? h >> t->page_shift : h / n;
	unsigned slot = t->page_shift ? h & (n - 1) : h % n;
	struct mt_entry *page = mt_load_acquire(&t->pages[page_no], MT_PV_SITE(PAGE_READ));
	return &page[slot];          /* Xen: maptrack_entry(t, e) */
}

uint32_t mt_pv_random(struct mt_pv_table *t)
{
	MT_SCHED(MT_PV_SITE(STEAL_RANDOM), &t->rng, MT_ACC_NONE);
	if (t->base.cfg.random)
		return t->base.cfg.random(t->base.cfg.random_ctx);
	/* splitmix32 over a shared counter; relaxed: any value will do. */
	uint32_t z = atomic_fetch_add_explicit(&t->rng, 0x9e3779b9u, memory_order_relaxed);
	z = (z ^ (z >> 16)) * 0x85ebca6bu;
	z = (z ^ (z >> 13)) * 0xc2b2ae35u;
	return z ^ (z >> 16);
}

/* Xen: _get_maptrack_handle() as of 02cbeeb620. */
int mt_pv_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];
	int rc = MT_ERR_NOSPACE;

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	/* Relaxed: head is written only under freelist_lock, which we hold. */
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	if (head != MT_TAIL) {       /* MT_TAIL: this list was never filled */
		struct mt_entry *e = mt_pv_entry(t, head);
		/* Acquire pairs with the release link store in mt_pv_put(): the
		 * next entry's own .ref = MT_TAIL is visible before we reach it. */
		uint32_t next = mt_load_acquire(&e->ref, MT_PV_SITE(POP_READ_NEXT));
		/* Xen: "Always keep one entry in the free list to make it easier
		 * to add free entries to the tail."  A put may be about to link
		 * the last entry; never take it, so nobody drops this later. */
		if (next != MT_TAIL) {
			mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
			*out = head;
			rc = MT_OK;
		}
	}
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	return rc;
}

void mt_pv_hand_out(struct mt_pv_table *t, unsigned taker, mt_handle_t h, int set_owner)
{
	struct mt_entry *e = mt_pv_entry(t, h);

	/* Relaxed: h is off every list, so no put or pop can touch its .ref;
	 * an entry in use carries no link (checked by mt_verify(), I9). */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(GET_CLEAR_LINK));
	if (set_owner)               /* Xen: maptrack_entry(t, h).vcpu = curr->vcpu_id */
		mt_store_relaxed(&e->vcpu, taker, MT_PV_SITE(GET_SET_OWNER));
	/* Release pairs with the acquire CAS in mt_pv_put(): whoever puts h
	 * sees its .vcpu.  This is get's last shared access: until it, a put of
	 * h is refused (the handle is not handed out yet). */
	mt_store_release(&e->state, MT_STATE_IN_USE, MT_PV_SITE(GET_HAND_OUT));
}

/* Xen: put_maptrack_handle() (2015 lock-free form; steps numbered as there). */
int mt_pv_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h)
{
	(void)caller;                /* any VCPU may put any handle */
	/* Acquire pairs with the release store of limit in mt_pv_add_frame():
	 * pages[h / per_page] is set for every h below what we read. */
	uint32_t limit = mt_load_acquire(&t->limit, MT_PV_SITE(PUT_READ_LIMIT));
	if (h >= limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = mt_pv_entry(t, h);

	/* Claim: only a handle in use may be put, and only once (XSA-218 bug 2).
	 * Acquire pairs with the release store of IN_USE in mt_pv_hand_out(). */
	uint32_t expect = MT_STATE_IN_USE;
	if (!mt_cas_acq_rel(&e->state, &expect, MT_STATE_FREE, MT_PV_SITE(PUT_CLAIM)))
		return MT_ERR_NOT_HELD;
	/* Relaxed: written before the IN_USE release our claim acquired. */
	uint32_t owner = mt_load_relaxed(&e->vcpu, MT_PV_SITE(PUT_READ_OWNER));

	/* 1. Set entry to be a tail.  Relaxed: published by the release half of
	 *    the exchange below (a later put's exchange acquires it). */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(PUT_MARK_TAIL));

	/* 2. Add entry to the tail of the owner's list.  acq_rel: acquire pairs
	 *    with the previous put's exchange (its .ref = TAIL is ordered before
	 *    our link store into it); release publishes step 1 to the next put. */
	uint32_t prev = mt_xchg_acq_rel(&t->vcpus[owner].tail, h, MT_PV_SITE(PUT_SWING_TAIL));

	/* 3. Link the old tail to the new entry.  Release pairs with the acquire
	 *    load of .ref in mt_pv_pop(): a consumer that sees the link sees
	 *    step 1.  Xen: write_atomic(&maptrack_entry(t, prev_tail).ref, handle) */
	mt_store_release(&mt_pv_entry(t, prev)->ref, h, MT_PV_SITE(PUT_LINK));
	return MT_OK;
}

/* Caller holds maptrack_lock.  Xen: the page part of get_maptrack_handle(). */
int mt_pv_add_frame(struct mt_pv_table *t, unsigned curr, mt_handle_t *base_out)
{
	const struct mt_config *cfg = &t->base.cfg;
	unsigned nr = t->nr_frames;  /* protected by maptrack_lock, held */

	if (nr >= cfg->max_frames)
		return MT_ERR_LIMIT;
	MT_SCHED(MT_PV_SITE(GROW_ALLOC), NULL, MT_ACC_NONE);
	struct mt_entry *page = mt_internal_alloc_page(cfg, cfg->per_page * sizeof(*page));
	if (!page)
		return MT_ERR_NOMEM;

	mt_handle_t base = nr * cfg->per_page;
	for (unsigned i = 0; i < cfg->per_page; i++) {
		/* Not yet shared: plain initialisation. */
		atomic_init(&page[i].ref, i + 1 < cfg->per_page ? base + i + 1 : MT_TAIL);
		atomic_init(&page[i].vcpu, curr);
		atomic_init(&page[i].state, MT_STATE_FREE);
	}
	/* Release pairs with the acquire load in mt_pv_entry(). */
	mt_store_release(&t->pages[nr], page, MT_PV_SITE(GROW_STORE_PAGE));
	t->nr_frames = nr + 1;
	/* Release pairs with the acquire load of limit in mt_pv_put(): the page
	 * pointer is visible before the limit that covers it (XSA-218). */
	mt_store_release(&t->limit, base + cfg->per_page, MT_PV_SITE(GROW_PUBLISH_LIMIT));
	*base_out = base;
	return MT_OK;
}

/* Put the chain first -> ... -> last (last.ref == MT_TAIL) on curr's list. */
void mt_pv_thread(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last)
{
	struct mt_vcpu *vc = &t->vcpus[curr];

	mt_lock(&vc->freelist_lock, MT_PV_SITE(THREAD_LOCK));
	/* Relaxed: head is written only under freelist_lock, which we hold. */
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(THREAD_READ_HEAD));
	if (head == MT_TAIL) {
		/* First fill.  Only curr moves its own list out of the never-filled
		 * state, and no entry names curr as owner until it is handed out,
		 * so no put targets this list yet.  Relaxed: the first put into
		 * it acquires a handle that curr handed out (release) after this. */
		mt_store_relaxed(&vc->tail, last, MT_PV_SITE(THREAD_WRITE_TAIL));
	} else {
		/* Prepend (Xen: the locked prepend of 4f1858763b).  Puts touch only
		 * the tail, never head or these new entries.  Relaxed: readers
		 * hold freelist_lock. */
		mt_store_relaxed(&mt_pv_entry(t, last)->ref, head, MT_PV_SITE(THREAD_LINK));
	}
	mt_store_relaxed(&vc->head, first, MT_PV_SITE(THREAD_WRITE_HEAD));
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(THREAD_UNLOCK));
}

/* Xen: steal_maptrack_handle(): random start, every VCPU once, cyclically. */
int mt_pv_steal(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	(void)curr;                  /* Xen does not exclude the thief either */
	unsigned n = t->base.cfg.nr_vcpus;
	unsigned first = mt_pv_random(t) % n, i = first;

	do {
		/* A never-filled list (head == MT_TAIL) and a one-entry list both
		 * refuse: the sentinel rule of pop. */
		if (t->steps->pop(t, i, out) == MT_OK)
			return MT_OK;
		i = (i + 1) % n;
	} while (i != first);
	return MT_ERR_NOSPACE;
}

/* curr's list was never filled and no page can be had: steal its sentinel. */
void mt_pv_sentinel(struct mt_pv_table *t, unsigned curr)
{
	mt_handle_t s;

	if (t->steps->steal(t, curr, &s) != MT_OK)
		return;
	struct mt_entry *e = mt_pv_entry(t, s);
	/* XSA-228 part 2 (Xen 02cbeeb620): the stolen entry must not keep its
	 * victim's link.  Relaxed: s is off every list, ours alone. */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(SENTINEL_RESET));
	mt_store_relaxed(&e->vcpu, curr, MT_PV_SITE(GET_SET_OWNER));
	t->steps->thread(t, curr, s, s);
}

/* Xen: get_maptrack_handle() after _get_maptrack_handle() failed. */
int mt_pv_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	mt_handle_t base;

	mt_lock(&t->maptrack_lock, MT_PV_SITE(GROW_LOCK));
	int rc = t->steps->add_frame(t, curr, &base);
	mt_unlock(&t->maptrack_lock, MT_PV_SITE(GROW_UNLOCK));
	if (rc == MT_OK) {
		/* Xen: the first new entry (handle = maptrack_limit) is returned
		 * directly, the rest are threaded onto curr's list. */
		t->steps->thread(t, curr, base + 1, base + t->base.cfg.per_page - 1);
		t->steps->hand_out(t, curr, base, 0);
		*out = base;
		return MT_OK;
	}
	/* At the limit or out of memory: steal (Xen d02f1a0b75).  Relaxed read
	 * of our own head without the lock: only curr fills its own list, so
	 * "never filled" cannot change under us. */
	if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL) {
		t->steps->sentinel(t, curr);
		/* No sentinel, no handle: a handle owned by curr must never be
		 * handed out while curr's list has no tail for its put to swing
		 * (a steal could succeed now if a put landed meanwhile). */
		if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL)
			return MT_ERR_NOSPACE;
	}
	rc = t->steps->steal(t, curr, out);
	if (rc == MT_OK)
		t->steps->hand_out(t, curr, *out, 1);
	return rc;
}

void mt_pv_destroy(struct mt_pv_table *t)
{
	for (unsigned i = 0; i < t->nr_frames; i++)
		mt_internal_free_page(&t->base.cfg,
			atomic_load_explicit(&t->pages[i], memory_order_relaxed));
	free(t->pages);
	free(t->vcpus);
	free(t);
}

const struct mt_pv_steps mt_pv_production_steps = {
	.pop = mt_pv_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

/* ---- the generic mt_ops of a per-VCPU table ---- */

int mt_pv_create(const struct mt_ops *ops, const struct mt_pv_steps *steps,
                 const struct mt_config *cfg_in, struct mt_table **out)
{
	struct mt_config cfg;
	int rc = mt_internal_config(cfg_in, &cfg);

	if (rc != MT_OK)
		return rc;
	if (!out)
		return MT_ERR_INVAL;
	struct mt_pv_table *t = calloc(1, sizeof(*t));
	if (!t)
		return MT_ERR_NOMEM;
	t->base.ops = ops;
	t->base.cfg = cfg;
	t->steps = steps;
	if ((cfg.per_page & (cfg.per_page - 1)) == 0)   /* shift and mask, not divide */
		t->page_shift = (unsigned)__builtin_ctz(cfg.per_page);
	mt_lock_init(&t->maptrack_lock);
	atomic_init(&t->limit, 0);
	atomic_init(&t->rng, 0);
	t->pages = calloc(cfg.max_frames, sizeof(*t->pages));
	/* Two cache lines per VCPU: consumer side, producer side. */
	t->vcpus = aligned_alloc(64, cfg.nr_vcpus * sizeof(*t->vcpus));
	if (!t->pages || !t->vcpus) {
		free(t->pages);
		free(t->vcpus);
		free(t);
		return MT_ERR_NOMEM;
	}
	for (unsigned i = 0; i < cfg.max_frames; i++)
		atomic_init(&t->pages[i], NULL);
	for (unsigned v = 0; v < cfg.nr_vcpus; v++) {
		/* Xen: grant_table_init_vcpu(): head = tail = MAPTRACK_TAIL. */
		mt_lock_init(&t->vcpus[v].freelist_lock);
		atomic_init(&t->vcpus[v].head, MT_TAIL);
		atomic_init(&t->vcpus[v].tail, MT_TAIL);
	}
	*out = &t->base;
	return MT_OK;
}

_Static_assert(sizeof(struct mt_vcpu) == 128, "two cache lines per VCPU");

#define PV(tbl) ((struct mt_pv_table *)(tbl))

void mt_pv_ops_destroy(struct mt_table *t)
{
	if (t)
		PV(t)->steps->destroy(PV(t));
}

int mt_pv_ops_get(struct mt_table *tbl, unsigned vcpu, mt_handle_t *out)
{
	struct mt_pv_table *t = PV(tbl);
	mt_handle_t h;

	if (!out || vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	if (t->steps->pop(t, vcpu, &h) == MT_OK) {
		t->steps->hand_out(t, vcpu, h, 0);
		*out = h;
		return MT_OK;
	}
	return t->steps->slow(t, vcpu, out);
}

int mt_pv_ops_put(struct mt_table *tbl, unsigned vcpu, mt_handle_t h)
{
	if (vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	return PV(tbl)->steps->put(PV(tbl), vcpu, h);
}

int mt_pv_ops_grow(struct mt_table *tbl, unsigned vcpu)
{
	struct mt_pv_table *t = PV(tbl);
	mt_handle_t base;

	if (vcpu >= tbl->cfg.nr_vcpus)
		return MT_ERR_INVAL;
	mt_lock(&t->maptrack_lock, MT_PV_SITE(GROW_LOCK));
	int rc = t->steps->add_frame(t, vcpu, &base);
	mt_unlock(&t->maptrack_lock, MT_PV_SITE(GROW_UNLOCK));
	if (rc == MT_OK)
		t->steps->thread(t, vcpu, base, base + tbl->cfg.per_page - 1);
	return rc;
}

int mt_pv_ops_verify(struct mt_table *t, struct mt_report *r)
{
	return mt_internal_verify(t, r);
}

void mt_pv_ops_view(struct mt_table *tbl, struct mt_view *v)
{
	struct mt_pv_table *t = PV(tbl);

	v->nr_lists = tbl->cfg.nr_vcpus;
	v->has_tail = 1;
	v->per_page = tbl->cfg.per_page;
	v->max_frames = tbl->cfg.max_frames;
	v->nr_frames = t->nr_frames;
	v->limit = atomic_load_explicit(&t->limit, memory_order_relaxed);
}

void mt_pv_ops_list_ends(struct mt_table *tbl, unsigned list, mt_handle_t *head, mt_handle_t *tail)
{
	struct mt_pv_table *t = PV(tbl);

	*head = *tail = MT_TAIL;
	if (list >= tbl->cfg.nr_vcpus)
		return;
	*head = atomic_load_explicit(&t->vcpus[list].head, memory_order_relaxed);
	*tail = atomic_load_explicit(&t->vcpus[list].tail, memory_order_relaxed);
}

int mt_pv_ops_entry(struct mt_table *tbl, mt_handle_t h, struct mt_entry_view *ev)
{
	struct mt_pv_table *t = PV(tbl);
	unsigned n = tbl->cfg.per_page;

	if (h >= atomic_load_explicit(&t->limit, memory_order_relaxed) || h / n >= tbl->cfg.max_frames)
		return MT_ERR_RANGE;
	struct mt_entry *page = atomic_load_explicit(&t->pages[h / n], memory_order_relaxed);
	if (!page)
		return MT_ERR_I8_LIMITS;
	ev->link = atomic_load_explicit(&page[h % n].ref, memory_order_relaxed);
	ev->owner = atomic_load_explicit(&page[h % n].vcpu, memory_order_relaxed);
	ev->in_use = atomic_load_explicit(&page[h % n].state, memory_order_relaxed) == MT_STATE_IN_USE;
	return MT_OK;
}

MT_PV_DEFINE(mt_ops_production, "production",
	"per-VCPU lists: lock-free put, per-VCPU consumer lock (XSA-228 fix), growth under one lock",
	mt_pv_production_steps)

MT_REGISTER_IMPL(mt_ops_production, 0, NULL)

/* The schedule points of the per-VCPU steps (mt_pv_sites.h). */
const struct mt_site mt_pv_sites[MT_PV_NR_SITES] = {
	MT_PV_SITE_LIST(MT_SITE_ROW)
};

const struct mt_site_table mt_pv_site_table = {
	.name = "maptrack-pv", .count = MT_PV_NR_SITES, .sites = mt_pv_sites,
};

const struct mt_site_table *const mt_pv_site_tables[] = { &mt_pv_site_table, NULL };
