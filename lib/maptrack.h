/*
 * maptrack.h - per-VCPU grant-table "maptrack" free lists, in userspace.
 *
 * The public interface of lib/: one prefix (mt_ / MT_), one opaque table
 * type, one operations table per implementation.  Names carry their Xen
 * counterparts ("Xen: ...") so `grep -n 'Xen:'` maps the two code bases.
 *
 * Implementations (pick one by name with mt_ops_find()):
 *   "production"  per-VCPU lists: lock-free put (tail swing + link), per-VCPU
 *                 consumer lock for get/steal (the XSA-228 fix), growth
 *                 under one table lock.                   (lib/maptrack.c)
 *   "baseline"    the pre-2015 design: one table-wide LIFO list under one
 *                 lock.                                   (lib/baseline.c)
 * The bug zoo (lib/variants/) adds more names; it is never part of this
 * library and is reached through lib/variants/zoo.h.
 *
 * Free-list layout of one VCPU (production):
 *
 *   head ──> [h0] ──ref──> [h1] ──ref──> ... ──> [tail] ──ref──> MT_TAIL
 *            popped by get/steal              appended by put (any VCPU)
 *
 * Synchronization table (production).  Row op may run concurrently with
 * column op on the same VCPU list when marked "-" (no external sync; the
 * library's own atomics make it safe) or "L" (serialised inside the library
 * by that list's freelist_lock).  "G" means serialised by the table lock.
 *
 *                 get(own)  steal(of v)  put(to v)  grow(v)  verify/destroy
 *   get(own)        L          L            -          L        caller
 *   steal(of v)     L          L            -          L        caller
 *   put(to v)       -          -            -          -        caller
 *   grow(v)         L          L            -          G        caller
 *
 * "caller": verify, destroy and the introspection calls need a quiescent
 * table (no operation in flight); that is the caller's job.  Calls naming
 * the same vcpu may overlap (each step above is safe for it), although Xen
 * never does that (a vCPU runs one hypercall at a time).
 *
 * Why this is free of the XSA-228 ABA (B1): every consumer of a list (the
 * owner's get and any thief's steal) pops under that list's freelist_lock,
 * so at most one consumer reads head/next and writes head at a time; a
 * consumer never takes the last entry (entry(head).ref == MT_TAIL), so the
 * only entry a concurrent put can write (the current tail's .ref) is never
 * the one being popped.  A put swings the tail with one atomic exchange and
 * then links the old tail with a release store; until that link is visible
 * the consumer sees the old tail as "last" and leaves it alone.  Puts take no
 * lock: that is the point of the 2015 design, kept here.
 *
 * Memory orders.  Every acquire, release and acq_rel below was weakened in
 * turn and run through the engines (tools/orderings; the table is in
 * docs/memory-model.md).  Sixteen of nineteen weakenings are caught under
 * the c11 model.  The ones nobody caught, and why they stay:
 * - PAGE_READ (acquire) and GROW_STORE_PAGE (release): redundant today.
 *   Nobody reaches an entry of page n without first synchronizing with
 *   the grow that made it: put reads limit with acquire, and the release
 *   store of limit comes after the page store in grow; a get reaches the
 *   new entries only through the grower's own list (program order) or,
 *   for a thief, through that list's freelist_lock; a put's old tail was
 *   published by the previous put's release exchange (weakening that
 *   exchange is caught: a NULL page).  They are kept as the pair that
 *   makes maptrack_entry() safe on its own (Xen's XSA-218 fix ordered
 *   exactly these two).  The model also cannot show a stale page's
 *   entries: grow initialises them with atomic_init, which no accessor
 *   reports, so the model treats them as written before the run.
 * - PUT_CLAIM's release half: not needed.  The put has written nothing
 *   before its claim, and the state FREE it stores is acquired by nobody
 *   (the next get overwrites it with its release store of IN_USE; a
 *   racing put's claim fails on it).  acq_rel is kept for symmetry with
 *   Xen's cmpxchg, a full barrier.  Its acquire half is needed (it orders
 *   the owner written by get before our read of it: weakened, a put may
 *   return the handle to a stale owner's list, I4); a 20 s campaign finds
 *   that one in most runs (1.3 s and 13.1 s), not in all.
 * - PUT_SWING_TAIL's exchange also orders the previous put's
 *   "entry.ref = TAIL" before our link store into that entry.  The model
 *   cannot show a loss from that: its modification order is the order the
 *   schedule ran the stores in (no store-store reordering, 2+2W in the
 *   litmus table).  Keep acq_rel.
 *
 * Handles come from an untrusted caller.  put() of a handle that is out of
 * range, not handed out, or already free returns an error and changes
 * nothing.  Nothing in the library aborts: errors are MT_* codes, readable
 * through mt_strerror().  mt_verify() is for quiescent points only.
 */
#ifndef MT_MAPTRACK_H
#define MT_MAPTRACK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t mt_handle_t;                 /* Xen: grant_handle_t */

#define MT_TAIL           (~0u)               /* Xen: MAPTRACK_TAIL */
#define MT_INVALID_HANDLE (~0u)               /* Xen: INVALID_MAPTRACK_HANDLE; equal to MT_TAIL by coincidence only */
#define MT_DEFAULT_PER_PAGE   256u            /* Xen: MAPTRACK_PER_PAGE on 4 KiB pages */
#define MT_DEFAULT_MAX_FRAMES 1024u           /* Xen: DEFAULT_MAX_MAPTRACK_FRAMES */
#define MT_MAX_VCPUS          4096u
#define MT_MIN_PER_PAGE       2u
#define MT_MAX_PER_PAGE       65536u

/* Error codes: 0 is success, every failure is negative. */
enum mt_error {
	MT_OK = 0,
	MT_ERR_NOSPACE   = -1,  /* get: no free handle (Xen: GNTST_no_space) */
	MT_ERR_RANGE     = -2,  /* put: handle >= limit */
	MT_ERR_NOT_HELD  = -3,  /* put: handle is free (never handed out, or already put) */
	MT_ERR_INVAL     = -4,  /* bad argument (VCPU out of range, bad config) */
	MT_ERR_NOMEM     = -5,  /* allocation failed (create; grow with no fallback) */
	MT_ERR_LIMIT     = -6,  /* grow: table at its frame limit */
	/* mt_verify(): the first broken invariant (../shared/maptrack-history.md, section 3) */
	MT_ERR_I1_PAIRING   = -11,  /* head/tail both MT_TAIL or both < limit */
	MT_ERR_I2_CHAIN     = -12,  /* head reaches tail within limit steps; only tail links MT_TAIL */
	MT_ERR_I3_EMPTY     = -13,  /* an initialised list is never empty */
	MT_ERR_I4_OWNER     = -14,  /* every entry on list v has .vcpu == v and is free */
	MT_ERR_I5_DISJOINT  = -15,  /* no entry on two lists */
	MT_ERR_I6_CONSERVE  = -16,  /* entries on lists + handed out == limit */
	MT_ERR_I8_LIMITS    = -18,  /* limit % per_page == 0, frames <= max, pages present */
	MT_ERR_I9_LIVE_LINK = -19,  /* an entry in use carries a list link (a put wrote into it) */
};

/* A readable name for any MT_* code ("I2 chain: ..."); never NULL. */
const char *mt_strerror(int err);

/* Page allocator; NULL functions mean calloc()/free().  alloc_page must
 * return zeroed memory or NULL (failure is handled: steal, as Xen since
 * d02f1a0b75). */
struct mt_allocator {
	void *(*alloc_page)(void *ctx, size_t bytes);
	void (*free_page)(void *ctx, void *page);
	void *ctx;
};

/* Table geometry, fixed at creation.  Zero fields take the defaults. */
struct mt_config {
	unsigned nr_vcpus;          /* 1 .. MT_MAX_VCPUS */
	unsigned per_page;          /* entries per page, 2 .. 65536; 0 = 256 */
	unsigned max_frames;        /* Xen: max_maptrack_frames; 0 = 1024 */
	struct mt_allocator alloc;
	/* Source of steal's random start (Xen: get_random()); NULL = internal. */
	uint32_t (*random)(void *ctx);
	void *random_ctx;
};

struct mt_table;                 /* opaque; each implementation extends it */
struct mt_site_table;            /* its schedule points (lib/mt_sites.h) */

/* A consistent picture for checkers (quiescent points only). */
struct mt_view {
	unsigned nr_lists;           /* production: nr_vcpus; baseline: 1 */
	unsigned has_tail;           /* lists keep a tail pointer (put appends) */
	unsigned per_page;
	unsigned max_frames;
	unsigned nr_frames;
	mt_handle_t limit;           /* Xen: maptrack_limit */
};

struct mt_entry_view {
	uint32_t link;               /* Xen: .ref while free */
	uint32_t owner;              /* Xen: .vcpu */
	uint32_t in_use;             /* handed out by get, not yet put */
};

/* What mt_verify() found. */
struct mt_report {
	int err;                     /* MT_OK or MT_ERR_I* */
	unsigned list;               /* list (VCPU) where it was found, or -1u */
	mt_handle_t handle;          /* handle concerned, or MT_INVALID_HANDLE */
	char detail[160];
};

/* The operations table: one per implementation. */
struct mt_ops {
	const char *name;
	const char *summary;         /* one line: what it is (and, for a variant, what it breaks) */
	int  (*create)(const struct mt_config *cfg, struct mt_table **out);
	void (*destroy)(struct mt_table *t);
	/* get: a free handle for `vcpu`, or MT_ERR_NOSPACE.  Xen: get_maptrack_handle() */
	int  (*get)(struct mt_table *t, unsigned vcpu, mt_handle_t *out);
	/* put: return `h` to its owner's list, from any VCPU.  Xen: put_maptrack_handle() */
	int  (*put)(struct mt_table *t, unsigned vcpu, mt_handle_t h);
	/* grow: add one page to `vcpu`'s list (every entry stays free). */
	int  (*grow)(struct mt_table *t, unsigned vcpu);
	/* verify: walk every list with a bound; first broken invariant. */
	int  (*verify)(struct mt_table *t, struct mt_report *r);
	/* introspection for external checkers (quiescent points only) */
	void (*view)(struct mt_table *t, struct mt_view *v);
	void (*list_ends)(struct mt_table *t, unsigned list, mt_handle_t *head, mt_handle_t *tail);
	int  (*entry)(struct mt_table *t, mt_handle_t h, struct mt_entry_view *e);
	/* the tables naming its schedule points, NULL-terminated (lib/mt_sites.h) */
	const struct mt_site_table *const *site_tables;
};

extern const struct mt_ops mt_ops_production;
extern const struct mt_ops mt_ops_baseline;

/*
 * The registry.  An implementation registers itself in its own file:
 *   MT_REGISTER_IMPL(mt_ops_production, 0, NULL);
 * so linking the file is what makes it known: no central list to edit
 * (production, baseline, the zoo, an implementation outside lib/).  rank
 * orders the listing (0 production, 1 baseline, 2 anything else; then by
 * name); info is the registrant's own description (the zoo's
 * struct mt_variant_info), or NULL.  Registration runs before main().
 */
struct mt_registration {
	const struct mt_ops *ops;
	int rank;
	const void *info;
	struct mt_registration *next;    /* the registry's: leave 0 */
};
void mt_ops_register(struct mt_registration *r);
#define MT_REGISTER_IMPL(ops_sym, rank_, info_)                               \
	static struct mt_registration mt_registration_##ops_sym = {          \
		.ops = &ops_sym, .rank = (rank_), .info = (info_) };         \
	__attribute__((constructor)) static void mt_register_##ops_sym(void) \
	{ mt_ops_register(&mt_registration_##ops_sym); }

/* The i-th registered implementation (listing order), or NULL past the end. */
const struct mt_registration *mt_ops_at(unsigned i);
/* A registered implementation by name; NULL if unknown. */
const struct mt_ops *mt_ops_find(const char *name);

/* Convenience calls through the table's own ops. */
int  mt_create(const struct mt_ops *ops, const struct mt_config *cfg, struct mt_table **out);
void mt_destroy(struct mt_table *t);
int  mt_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out);
int  mt_put(struct mt_table *t, unsigned vcpu, mt_handle_t h);
int  mt_grow(struct mt_table *t, unsigned vcpu);
int  mt_verify(struct mt_table *t, struct mt_report *r);
const struct mt_ops *mt_table_ops(const struct mt_table *t);

#ifdef __cplusplus
}
#endif
#endif /* MT_MAPTRACK_H */
