/*
 * mt_internal.h - private to lib/ (and the bug zoo in lib/variants/).
 *
 * The per-VCPU implementation is built from small steps (pop, put, grow a
 * frame, thread a page, steal, sentinel, slow path).  The production table
 * of steps lives in maptrack.c; each zoo variant reuses every production
 * step but the one it breaks, so a variant file shows just its bug.
 */
#ifndef MT_INTERNAL_H
#define MT_INTERNAL_H

#include "lib/maptrack.h"
#include "lib/mt_access.h"
#include "lib/mt_pv_sites.h"

/* Every implementation's table starts with this. */
struct mt_table {
	const struct mt_ops *ops;
	struct mt_config cfg;        /* defaults filled in */
};

/* Validate cfg and fill in defaults; MT_ERR_INVAL if unusable. */
int mt_internal_config(const struct mt_config *in, struct mt_config *out);
void *mt_internal_alloc_page(const struct mt_config *cfg, size_t bytes);
void mt_internal_free_page(const struct mt_config *cfg, void *page);

/* Library-owned state of an entry (Xen keeps it in .flags, set by the caller). */
enum { MT_STATE_FREE = 0, MT_STATE_IN_USE = 1 };

/* Xen: struct grant_mapping (16 bytes; our payload is the state). */
struct mt_entry {
	_Atomic uint32_t ref;        /* Xen: .ref - next free entry while free; written by
	                              * the list's consumer (under freelist_lock) or, for the
	                              * tail only, by one put's link store */
	_Atomic uint32_t vcpu;       /* Xen: .vcpu - list the entry returns to; written only
	                              * while the entry is off every list (grow, steal) */
	_Atomic uint32_t state;      /* MT_STATE_*; FREE->IN_USE is get's last store,
	                              * IN_USE->FREE is put's first (a CAS) */
	uint32_t pad;
};

/* Xen: the maptrack fields of struct vcpu, one cache line each. */
struct mt_vcpu {
	struct mt_lock freelist_lock;  /* Xen: maptrack_freelist_lock.  Protects head and
	                                * the entries on this list against other consumers.
	                                * Innermost lock: never held with another freelist_lock. */
	_Atomic uint32_t head;         /* Xen: maptrack_head.  Protected by freelist_lock. */
	char consumer_pad[64 - 2 * sizeof(uint32_t)];
	/* Own cache line: remote puts swing it without bouncing the consumer's line. */
	_Atomic uint32_t tail;         /* Xen: maptrack_tail.  Set under freelist_lock when the
	                                * list is first filled; afterwards swung lock-free by put. */
	char producer_pad[64 - sizeof(uint32_t)];
};

/* The per-VCPU table (production and every zoo variant). */
struct mt_pv_table {
	struct mt_table base;
	struct mt_lock maptrack_lock;  /* Xen: maptrack_lock.  Protects nr_frames and the
	                                * writes of pages[] and limit (growth only). */
	unsigned nr_frames;            /* Xen: nr_maptrack_frames().  Protected by maptrack_lock. */
	_Atomic uint32_t limit;        /* Xen: maptrack_limit.  Written under maptrack_lock with
	                                * release; read lock-free with acquire. */
	_Atomic(struct mt_entry *) *pages;  /* Xen: maptrack[]; max_frames slots, each written
	                                     * once under maptrack_lock before limit grows */
	struct mt_vcpu *vcpus;
	_Atomic uint32_t rng;          /* state of the internal steal-start generator */
	const struct mt_pv_steps *steps;
	unsigned page_shift;           /* log2(per_page) when a power of two (Xen's always is), else 0 */
};

/* The steps of the per-VCPU algorithm; production: mt_pv_production_steps. */
struct mt_pv_steps {
	/* Pop one entry from v's list, never its last.  Xen: _get_maptrack_handle() */
	int (*pop)(struct mt_pv_table *t, unsigned v, mt_handle_t *out);
	/* Put h on its owner's list.  Xen: put_maptrack_handle() */
	int (*put)(struct mt_pv_table *t, unsigned caller, mt_handle_t h);
	/* Under maptrack_lock: add one frame owned by `curr`; *base = its first handle. */
	int (*add_frame)(struct mt_pv_table *t, unsigned curr, mt_handle_t *base);
	/* Thread entries [first, last] of a new frame onto curr's list. */
	void (*thread)(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last);
	/* Pop one entry from any list, random start.  Xen: steal_maptrack_handle() */
	int (*steal)(struct mt_pv_table *t, unsigned curr, mt_handle_t *out);
	/* curr's list was never filled: steal one entry to be its sentinel. */
	void (*sentinel)(struct mt_pv_table *t, unsigned curr);
	/* get after pop failed: grow or steal.  Xen: get_maptrack_handle() slow path */
	int (*slow)(struct mt_pv_table *t, unsigned curr, mt_handle_t *out);
	/* Hand h out to `taker`: set owner if stolen, then mark in use (last store). */
	void (*hand_out)(struct mt_pv_table *t, unsigned taker, mt_handle_t h, int set_owner);
	/* Free every page and the table. */
	void (*destroy)(struct mt_pv_table *t);
};

extern const struct mt_pv_steps mt_pv_production_steps;

/* The production steps, for variants to reuse. */
int  mt_pv_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out);
int  mt_pv_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h);
int  mt_pv_add_frame(struct mt_pv_table *t, unsigned curr, mt_handle_t *base);
void mt_pv_thread(struct mt_pv_table *t, unsigned curr, mt_handle_t first, mt_handle_t last);
int  mt_pv_steal(struct mt_pv_table *t, unsigned curr, mt_handle_t *out);
void mt_pv_sentinel(struct mt_pv_table *t, unsigned curr);
int  mt_pv_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out);
void mt_pv_hand_out(struct mt_pv_table *t, unsigned taker, mt_handle_t h, int set_owner);
void mt_pv_destroy(struct mt_pv_table *t);

/* Helpers shared by the steps. */
struct mt_entry *mt_pv_entry(struct mt_pv_table *t, mt_handle_t h);  /* h < limit */
uint32_t mt_pv_random(struct mt_pv_table *t);

/* The generic mt_ops functions of any per-VCPU table; create takes the steps. */
int  mt_pv_create(const struct mt_ops *ops, const struct mt_pv_steps *steps,
                  const struct mt_config *cfg, struct mt_table **out);
void mt_pv_ops_destroy(struct mt_table *t);
int  mt_pv_ops_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out);
int  mt_pv_ops_put(struct mt_table *t, unsigned vcpu, mt_handle_t h);
int  mt_pv_ops_grow(struct mt_table *t, unsigned vcpu);
int  mt_pv_ops_verify(struct mt_table *t, struct mt_report *r);
void mt_pv_ops_view(struct mt_table *t, struct mt_view *v);
void mt_pv_ops_list_ends(struct mt_table *t, unsigned list, mt_handle_t *head, mt_handle_t *tail);
int  mt_pv_ops_entry(struct mt_table *t, mt_handle_t h, struct mt_entry_view *e);

/*
 * Declare a per-VCPU implementation from a steps table:
 *   MT_PV_DEFINE(mt_ops_b1, "b1-xsa228-aba", "summary", b1_steps);
 * MT_PV_DEFINE_SITES also names its site tables (a variant whose steps add
 * schedule points of their own); MT_PV_DEFINE uses mt_pv_site_tables.
 */
#define MT_PV_DEFINE(sym, nm, text, steps_var) \
	MT_PV_DEFINE_SITES(sym, nm, text, steps_var, mt_pv_site_tables)
#define MT_PV_DEFINE_SITES(sym, nm, text, steps_var, tables)                \
	static int sym##_create(const struct mt_config *cfg, struct mt_table **out); \
	const struct mt_ops sym = {                                          \
		.name = nm, .summary = text, .create = sym##_create,             \
		.destroy = mt_pv_ops_destroy, .get = mt_pv_ops_get,              \
		.put = mt_pv_ops_put, .grow = mt_pv_ops_grow,                    \
		.verify = mt_pv_ops_verify, .view = mt_pv_ops_view,              \
		.list_ends = mt_pv_ops_list_ends, .entry = mt_pv_ops_entry,      \
		.site_tables = tables,                                           \
	};                                                                   \
	static int sym##_create(const struct mt_config *cfg, struct mt_table **out) \
	{ return mt_pv_create(&sym, &steps_var, cfg, out); }

/* Shared verify over an mt_view + list walk (used by every implementation). */
int mt_internal_verify(struct mt_table *t, struct mt_report *r);

#endif /* MT_INTERNAL_H */
