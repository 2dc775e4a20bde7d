/*
 * mt_sites.h - every schedule point of every implementation, by name.
 *
 * A schedule point sits before each shared access and lock operation (see
 * mt_access.h).  The deterministic simulator switches VCPUs only there, and
 * names the point in its readable interleavings; the interleaving coverage
 * counts (preempted point, next point) pairs.  Variants add their own lines.
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
#ifndef MT_SITES_H
#define MT_SITES_H

#define MT_SITE_LIST(X) \
	X(NONE,               R,   "-") \
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
	X(PUT_LINK,           W,   "put: link old tail") \
	/* baseline, one list under one lock */ \
	X(BASE_LOCK,          RW,  "base: lock") \
	X(BASE_READ_HEAD,     RP,  "base: read head") \
	X(BASE_READ_NEXT,     RP,  "base: read head.ref") \
	X(BASE_WRITE_HEAD,    WP,  "base: write head") \
	X(BASE_GROW,          WP,  "base: grow") \
	X(BASE_CLAIM,         RWP, "base: check/flip state") \
	X(BASE_LINK,          WP,  "base: link to head") \
	X(BASE_UNLOCK,        RW,  "base: unlock") \
	/* bug zoo (lib/variants/) only; appended so earlier site numbers stay put */ \
	X(ZOO_POP_CAS_HEAD,   RW,  "pop: cas head (lock-free, no freelist_lock)")

enum mt_site {
#define MT_SITE_ENUM(id, kind, text) MT_SITE_##id,
	MT_SITE_LIST(MT_SITE_ENUM)
#undef MT_SITE_ENUM
	MT_SITE_COUNT
};

/* Access kinds (the second column): bits. */
enum mt_site_kind {
	MT_SK_R = 1,                 /* reads the named memory */
	MT_SK_W = 2,                 /* writes it (or may: RMW, lock operations) */
	MT_SK_RW = MT_SK_R | MT_SK_W,
	MT_SK_P = 4,                 /* private to the accessing VCPU (see above) */
	MT_SK_RP = MT_SK_R | MT_SK_P,
	MT_SK_WP = MT_SK_W | MT_SK_P,
	MT_SK_RWP = MT_SK_RW | MT_SK_P,
};

/* Human-readable name of a site ("put: swing tail"). */
const char *mt_site_name(int site);

/* The access kind of a site (enum mt_site_kind bits); MT_SK_RW if unknown. */
unsigned mt_site_kind(int site);

#endif /* MT_SITES_H */
