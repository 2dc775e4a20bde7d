/*
 * mt_sites.h - schedule points: what one is, and how an implementation
 * names its own.
 *
 * A schedule point sits before each shared access and lock operation (see
 * mt_access.h).  The deterministic simulator switches VCPUs only there and
 * names the point in its readable interleavings; the interleaving coverage
 * counts (preempted point, next point) pairs.
 *
 * There is no central list.  Each implementation brings its own tables of
 * sites (struct mt_ops.site_tables): the per-VCPU family shares
 * mt_pv_site_table (mt_pv_sites.h), the baseline has its own, a zoo
 * variant that adds an access brings a second table.  An accessor names a
 * site by the address of its descriptor, so two tables never collide and
 * there is no cap on their number or size.  In one run, a site's id is its
 * position in the concatenation of the implementation's tables (what the
 * input format's `until` field and the pair coverage use).
 */
#ifndef MT_SITES_H
#define MT_SITES_H

/* Access kinds: bits. */
enum mt_site_kind {
	MT_SK_R = 1,                 /* reads the named memory */
	MT_SK_W = 2,                 /* writes it (or may: RMW, lock operations) */
	MT_SK_RW = MT_SK_R | MT_SK_W,
	MT_SK_P = 4,                 /* private to the accessing VCPU at that moment:
	                              * no other VCPU can touch it from this access until
	                              * the VCPU's next access without P (checked: I11) */
	MT_SK_RP = MT_SK_R | MT_SK_P,
	MT_SK_WP = MT_SK_W | MT_SK_P,
	MT_SK_RWP = MT_SK_RW | MT_SK_P,
};

/* One schedule point. */
struct mt_site {
	const char *id;              /* "POP_LOCK": names it in the input's text form */
	unsigned kind;               /* enum mt_site_kind bits */
	const char *text;            /* "pop: lock freelist": names it in reports */
};

/* The sites of one source of schedule points (a family of implementations,
 * one variant's additions, or later the sites found in instrumented code). */
struct mt_site_table {
	const char *name;            /* "maptrack-pv" */
	unsigned count;
	const struct mt_site *sites;
};

/* One row of a site list: X(id, kind, text) -> { "id", MT_SK_kind, text }. */
#define MT_SITE_ROW(id, kind, text) { #id, MT_SK_##kind, text },

struct mt_ops;

/* The site of an implementation with that id (searched through its
 * tables in order), or NULL. */
const struct mt_site *mt_ops_site(const struct mt_ops *ops, const char *id);

#endif /* MT_SITES_H */
