/*
 * mt_sites.h - every schedule point of every implementation, by name.
 *
 * A schedule point sits before each shared access and lock operation (see
 * mt_access.h).  The deterministic simulator switches VCPUs only there, and
 * names the point in its readable interleavings; the interleaving coverage
 * counts (preempted point, next point) pairs.  Variants add their own lines.
 */
#ifndef MT_SITES_H
#define MT_SITES_H

#define MT_SITE_LIST(X) \
	X(NONE,               "-") \
	/* get fast path, Xen: _get_maptrack_handle() */ \
	X(POP_LOCK,           "pop: lock freelist") \
	X(POP_READ_HEAD,      "pop: read head") \
	X(POP_READ_NEXT,      "pop: read head.ref") \
	X(POP_WRITE_HEAD,     "pop: advance head") \
	X(POP_UNLOCK,         "pop: unlock freelist") \
	X(PAGE_READ,          "entry: read page pointer") \
	X(GET_SET_OWNER,      "get: set .vcpu to taker") \
	X(GET_CLEAR_LINK,     "get: ref = TAIL (in use)") \
	X(GET_HAND_OUT,       "get: mark in use") \
	/* slow path, Xen: get_maptrack_handle() */ \
	X(GROW_LOCK,          "grow: lock maptrack_lock") \
	X(GROW_ALLOC,         "grow: allocate page") \
	X(GROW_STORE_PAGE,    "grow: store page pointer") \
	X(GROW_PUBLISH_LIMIT, "grow: publish limit") \
	X(GROW_UNLOCK,        "grow: unlock maptrack_lock") \
	X(THREAD_LOCK,        "thread: lock freelist") \
	X(THREAD_READ_HEAD,   "thread: read head") \
	X(THREAD_LINK,        "thread: link page to old head") \
	X(THREAD_WRITE_HEAD,  "thread: write head") \
	X(THREAD_WRITE_TAIL,  "thread: write tail (first page)") \
	X(THREAD_UNLOCK,      "thread: unlock freelist") \
	X(STEAL_RANDOM,       "steal: random start") \
	X(SENTINEL_RESET,     "sentinel: ref = TAIL") \
	X(SENTINEL_CHECK,     "slow: own list never filled?") \
	/* put, Xen: put_maptrack_handle() */ \
	X(PUT_READ_LIMIT,     "put: read limit") \
	X(PUT_CLAIM,          "put: claim (in use -> free)") \
	X(PUT_READ_OWNER,     "put: read .vcpu") \
	X(PUT_MARK_TAIL,      "put: ref = TAIL") \
	X(PUT_SWING_TAIL,     "put: swing tail") \
	X(PUT_LINK,           "put: link old tail") \
	/* baseline, one list under one lock */ \
	X(BASE_LOCK,          "base: lock") \
	X(BASE_READ_HEAD,     "base: read head") \
	X(BASE_READ_NEXT,     "base: read head.ref") \
	X(BASE_WRITE_HEAD,    "base: write head") \
	X(BASE_GROW,          "base: grow") \
	X(BASE_CLAIM,         "base: check/flip state") \
	X(BASE_LINK,          "base: link to head") \
	X(BASE_UNLOCK,        "base: unlock") \
	/* bug zoo (lib/variants/) only; appended so earlier site numbers stay put */ \
	X(ZOO_POP_CAS_HEAD,   "pop: cas head (lock-free, no freelist_lock)")

enum mt_site {
#define MT_SITE_ENUM(id, text) MT_SITE_##id,
	MT_SITE_LIST(MT_SITE_ENUM)
#undef MT_SITE_ENUM
	MT_SITE_COUNT
};

/* Human-readable name of a site ("put: swing tail"). */
const char *mt_site_name(int site);

#endif /* MT_SITES_H */
