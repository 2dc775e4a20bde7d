/*
 * mt_pv_sites.h - the schedule points of the per-VCPU family (production and
 * every zoo variant built from its steps).
 *
 * What a site is: mt_sites.h.  A variant that adds an access brings a table
 * of its own (b1_xsa228_aba.c); the baseline has its own (baseline.c).
 *
 * Columns: identifier, access kind, text.  The kind says what the access
 * does to the memory it names (R read, W write, RW read-modify-write or
 * lock operation) and, with P, claims that the data is private to the
 * accessing VCPU at that moment: no other VCPU can touch it from this access
 * until the VCPU's next access without P.  Why each claim holds in the
 * production library (docs/explore.md has the full argument):
 *   head under freelist_lock (POP_READ_HEAD, THREAD_*_HEAD): every write of
 *     head is made under the lock, and the only unlocked read
 *     (SENTINEL_CHECK) is by the owner, who alone writes THREAD_WRITE_HEAD;
 *     POP_WRITE_HEAD is not claimed (a stealer writes, the owner may read);
 *   PAGE_READ: pages[k] is written once, before any limit covering it;
 *   an entry off every list and not in use (GET_*, SENTINEL_RESET,
 *     THREAD_LINK, PUT_READ_OWNER, PUT_MARK_TAIL after a won claim): pops
 *     read only heads, puts touch .ref/.vcpu only after claiming an entry
 *     in use, and links write only into a tail;
 *   THREAD_WRITE_TAIL: no put targets a list that was never filled;
 *   GROW_ALLOC, GROW_STORE_PAGE: under maptrack_lock, before the limit;
 *   BASE_* between the baseline's lock and unlock.
 * The simulator checks every claim at every access of every run (finding
 * I11): a wrong claim, or a variant that breaks the discipline, is reported,
 * never silently assumed.  tools/explore skips switches before claimed
 * accesses, which is sound only because the claims are checked.
 */
#ifndef MT_PV_SITES_H
#define MT_PV_SITES_H

#include "lib/mt_sites.h"

#define MT_PV_SITE_LIST(X) \
	/* get fast path, Xen: _get_maptrack_handle() */ \
	X(POP_LOCK,           RW,  "pop: lock freelist") \
	X(POP_READ_HEAD,      RP,  "pop: read head") \
	X(POP_READ_NEXT,      R,   "pop: read head.ref") \
	X(POP_WRITE_HEAD,     W,   "pop: advance head") \
	X(POP_UNLOCK,         RW,  "pop: unlock freelist") \
	X(PAGE_READ,          RP,  "entry: read page pointer") \
	X(GET_SET_OWNER,      WP,  "get: set .vcpu to taker") \
	X(GET_CLEAR_LINK,     WP,  "get: ref = TAIL (in use)") \
	X(GET_HAND_OUT,       W,   "get: mark in use") \
	/* slow path, Xen: get_maptrack_handle() */ \
	X(GROW_LOCK,          RW,  "grow: lock maptrack_lock") \
	X(GROW_ALLOC,         WP,  "grow: allocate page") \
	X(GROW_STORE_PAGE,    WP,  "grow: store page pointer") \
	X(GROW_PUBLISH_LIMIT, W,   "grow: publish limit") \
	X(GROW_UNLOCK,        RW,  "grow: unlock maptrack_lock") \
	X(THREAD_LOCK,        RW,  "thread: lock freelist") \
	X(THREAD_READ_HEAD,   RP,  "thread: read head") \
	X(THREAD_LINK,        WP,  "thread: link page to old head") \
	X(THREAD_WRITE_HEAD,  WP,  "thread: write head") \
	X(THREAD_WRITE_TAIL,  WP,  "thread: write tail (first page)") \
	X(THREAD_UNLOCK,      RW,  "thread: unlock freelist") \
	X(STEAL_RANDOM,       R,   "steal: random start") \
	X(SENTINEL_RESET,     WP,  "sentinel: ref = TAIL") \
	X(SENTINEL_CHECK,     R,   "slow: own list never filled?") \
	/* put, Xen: put_maptrack_handle() */ \
	X(PUT_READ_LIMIT,     R,   "put: read limit") \
	X(PUT_CLAIM,          RW,  "put: claim (in use -> free)") \
	X(PUT_READ_OWNER,     RP,  "put: read .vcpu") \
	X(PUT_MARK_TAIL,      WP,  "put: ref = TAIL") \
	X(PUT_SWING_TAIL,     RW,  "put: swing tail") \
	X(PUT_LINK,           W,   "put: link old tail")

enum mt_pv_site_index {
#define MT_PV_SITE_ENUM(id, kind, text) MT_PV_SITE_INDEX_##id,
	MT_PV_SITE_LIST(MT_PV_SITE_ENUM)
#undef MT_PV_SITE_ENUM
	MT_PV_NR_SITES
};

extern const struct mt_site mt_pv_sites[MT_PV_NR_SITES];
extern const struct mt_site_table mt_pv_site_table;
/* The table list of an implementation made of production steps only. */
extern const struct mt_site_table *const mt_pv_site_tables[];

/* The site an accessor passes: MT_PV_SITE(POP_LOCK). */
#define MT_PV_SITE(id) (&mt_pv_sites[MT_PV_SITE_INDEX_##id])

#endif /* MT_PV_SITES_H */
