/*
 * history_test.c - the historical bugs B1-B5 (../shared/maptrack-history.md,
 * section 2) as scripted interleavings against the production library.
 *
 * Single-threaded, in the style of concurrencykit's ck_stack serial.c: a
 * trigger (lib/testing/script.h) stalls one VCPU's operation just before a
 * named schedule point, runs other VCPUs' operations inline, and lets the
 * stalled operation resume.  Each test then asserts the fixed outcome: no
 * duplicate hand-out, mt_verify() clean, conservation (I6) holds.
 *
 * Where the historical interleaving is impossible by construction (the
 * stalled operation holds the lock the injected one would need), the test
 * asserts that the lock is held, which is what makes it impossible; the
 * script hook aborts if an injected operation ever waits for a held lock.
 */
#include <stdio.h>
#include <string.h>

#include "lib/mt_internal.h"
#include "lib/testing/script.h"
#include "lib/mt_pv_sites.h"
#include "lib/mt_test_util.h"

#define PV(t) ((struct mt_pv_table *)(t))

/* What the triggers work on (one scenario at a time). */
static struct scene {
	struct mt_table *t;
	struct tu_held held;
	struct tu_alloc alloc;
	struct tu_random rnd;
	int rc[8];
	mt_handle_t h[8];
	unsigned in_window;
} sc;

static void scene_start(unsigned nr_vcpus, unsigned per_page, unsigned max_frames)
{
	memset(&sc, 0, sizeof(sc));
	sc.rnd.seq[0] = 0;                   /* steal scans start at VCPU 0 unless set */
	sc.rnd.n = 1;
	struct mt_config cfg = { .nr_vcpus = nr_vcpus, .per_page = per_page,
	                         .max_frames = max_frames, .alloc = tu_allocator(&sc.alloc),
	                         .random = tu_random_next, .random_ctx = &sc.rnd };
	MT_CHECK_RC(mt_create(&mt_ops_production, &cfg, &sc.t), MT_OK);
	mt_script_reset();
}

static void scene_end(void)
{
	MT_CHECK_VERIFY(sc.t);
	tu_check_conservation(sc.t, &sc.held);
	mt_destroy(sc.t);
	MT_CHECK(sc.alloc.live == 0);
	mt_script_reset();
}

static mt_handle_t get_ok(unsigned v)
{
	mt_handle_t h = MT_INVALID_HANDLE;

	MT_CHECK_RC(mt_get(sc.t, v, &h), MT_OK);
	tu_took(&sc.held, h);                /* aborts on a duplicate hand-out */
	return h;
}

static void put_ok(unsigned caller, mt_handle_t h)
{
	MT_CHECK_RC(mt_put(sc.t, caller, h), MT_OK);
	tu_gave(&sc.held, h);
}

static bool freelist_held(unsigned v)
{
	return !mt_lock_is_free(&PV(sc.t)->vcpus[v].freelist_lock);
}

static unsigned list_of(unsigned v, mt_handle_t *out)
{
	return tu_list(sc.t, v, out, TU_MAX_HANDLES);
}

/* The list of v must be exactly want[0..n). */
static void check_list(unsigned v, const mt_handle_t *want, unsigned n, int line)
{
	mt_handle_t got[TU_MAX_HANDLES];
	unsigned len = list_of(v, got);
	bool same = len == n;

	for (unsigned i = 0; same && i < n; i++)
		same = got[i] == want[i];
	if (!same) {
		fprintf(stderr, "%s:%d: list %u is", __FILE__, line, v);
		for (unsigned i = 0; i < len; i++)
			fprintf(stderr, " %u", got[i]);
		fprintf(stderr, ", want");
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, " %u", want[i]);
		fprintf(stderr, "\n");
		abort();
	}
}
#define CHECK_LIST(v, ...) do { const mt_handle_t w_[] = { __VA_ARGS__ }; \
	check_list((v), w_, sizeof(w_) / sizeof(w_[0]), __LINE__); } while (0)

/* ------------------------------------------------------------------ */
/* B1: XSA-228 part 1, ABA on the head pop by a stealer.                */
/* ------------------------------------------------------------------ */

/* Inside S's steal of V0's head: S has read head = A and is about to read
 * A.ref (first stall) or to write head (second stall). */
static void b1_window(void *arg)
{
	unsigned stall = (unsigned)(uintptr_t)arg;

	sc.in_window++;
	/* S is in V0's pop: V0's head is still A (5), and S holds V0's lock. */
	MT_CHECK(tu_head(sc.t, 0) == 5);
	/* So V0's get (steps 2 and 4 of the B1 interleaving) would wait here:
	 * the ABA window cannot contain a pop of V0's list. */
	MT_CHECK(freelist_held(0));
	/* S holds one freelist lock only (innermost, I11). */
	MT_CHECK(!freelist_held(1));
	/* Puts take no lock: V0's own put (step 3) and a remote put from S's
	 * VCPU run inside the window. */
	if (stall == 1) {
		put_ok(0, 1);                    /* V0 unmaps one of its handles */
		put_ok(1, 2);                    /* VCPU 1 unmaps a handle of V0's */
	} else {
		put_ok(0, 3);
	}
	MT_CHECK(tu_tail(sc.t, 0) == (stall == 1 ? 2u : 3u));
}

static void test_b1_steal_window(void)
{
	scene_start(2, 8, 2);
	MT_CHECK(get_ok(0) == 0);            /* page 0 -> V0 */
	MT_CHECK(get_ok(1) == 8);            /* page 1 -> V1: the table is at its limit */
	for (unsigned i = 9; i < 15; i++)
		MT_CHECK(get_ok(1) == i);        /* V1 keeps only its last entry, 15 */
	for (unsigned i = 1; i < 5; i++)
		MT_CHECK(get_ok(0) == i);
	CHECK_LIST(0, 5, 6, 7);              /* V0: A -> B -> C */
	CHECK_LIST(1, 15);

	/* S = V1: its own pop fails (one entry), growth is at the limit, so it
	 * steals, scanning from V0.  Its own pop reads next once; the second
	 * read of head.ref is in V0's list.  Its own pop never writes head. */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(POP_READ_NEXT), 2, b1_window, (void *)1);
	mt_script_at(MT_PV_SITE(POP_WRITE_HEAD), 1, b1_window, (void *)2);
	mt_handle_t s = get_ok(1);
	MT_CHECK(mt_script_fired() == 2 && sc.in_window == 2);

	/* Outcome: S got A, V0's list goes on from B with the puts appended. */
	MT_CHECK(s == 5);
	MT_CHECK(tu_entry(sc.t, 5).owner == 1 && tu_entry(sc.t, 5).in_use);
	CHECK_LIST(0, 6, 7, 1, 2, 3);
	CHECK_LIST(1, 15);
	MT_CHECK_VERIFY(sc.t);
	tu_check_conservation(sc.t, &sc.held);

	/* V0 carries on (steps 2 and 4): no duplicate of A, nothing lost. */
	MT_CHECK(get_ok(0) == 6);
	MT_CHECK(get_ok(0) == 7);
	MT_CHECK(get_ok(0) == 1);
	MT_CHECK(get_ok(0) == 2);
	CHECK_LIST(0, 3);
	put_ok(0, 5);                        /* A goes back to its thief */
	CHECK_LIST(1, 15, 5);
	scene_end();
}

/* A put between swinging the tail and linking the old tail: the old tail
 * still looks last, so a consumer leaves it alone (it grows instead). */
static void b1_put_limbo(void *arg)
{
	(void)arg;
	sc.in_window++;
	MT_CHECK(tu_tail(sc.t, 0) == 0);     /* tail already swung to the put handle */
	MT_CHECK(tu_entry(sc.t, 3).link == MT_TAIL);   /* old tail not linked yet */
	MT_CHECK(!freelist_held(0));
	mt_handle_t h = get_ok(0);           /* V0's pop refuses 3: grows */
	MT_CHECK(h == 4);
	CHECK_LIST(0, 5, 6, 7, 3);           /* 0 is in limbo: on no list yet */
	sc.h[0] = h;
}

static void test_b1_put_limbo(void)
{
	scene_start(1, 4, 4);
	for (unsigned i = 0; i < 3; i++)
		MT_CHECK(get_ok(0) == i);
	CHECK_LIST(0, 3);
	mt_script_reset();
	mt_script_at(MT_PV_SITE(PUT_LINK), 1, b1_put_limbo, NULL);
	put_ok(0, 0);
	MT_CHECK(mt_script_fired() == 1);
	CHECK_LIST(0, 5, 6, 7, 3, 0);
	scene_end();
}

/* ------------------------------------------------------------------ */
/* B2: XSA-228 part 2, the stolen sentinel keeps its victim's link.     */
/* ------------------------------------------------------------------ */

static void b2_sentinel_reset(void *arg)
{
	(void)arg;
	sc.in_window++;
	/* Just before the reset: the stolen entry (A = 1, V0's old head) still
	 * links to its victim's next entry.  Without the reset, V1's list would
	 * be A -> 2 -> ... and share V0's suffix. */
	MT_CHECK(tu_head(sc.t, 0) == 2);
	MT_CHECK(tu_entry(sc.t, 1).link == 2);
	MT_CHECK(tu_head(sc.t, 1) == MT_TAIL);
}

static void test_b2_sentinel(void)
{
	mt_handle_t a[TU_MAX_HANDLES], b[TU_MAX_HANDLES];

	scene_start(3, 8, 2);
	sc.rnd.seq[0] = 0;                   /* sentinel steal scans from V0 ... */
	sc.rnd.seq[1] = 2;                   /* ... the next steals from V2 */
	sc.rnd.n = 2;
	MT_CHECK(get_ok(0) == 0);            /* page 0 -> V0: 1..7 */
	MT_CHECK(get_ok(2) == 8);            /* page 1 -> V2: 9..15, at the limit */

	/* V1 maps for the first time, at the limit. */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(SENTINEL_RESET), 1, b2_sentinel_reset, NULL);
	mt_handle_t h = get_ok(1);
	MT_CHECK(mt_script_fired() == 1);
	MT_CHECK(h == 9);                    /* second steal: V2's head */
	CHECK_LIST(1, 1);                    /* V1: the sentinel alone */
	MT_CHECK(tu_entry(sc.t, 1).link == MT_TAIL && tu_entry(sc.t, 1).owner == 1);
	CHECK_LIST(0, 2, 3, 4, 5, 6, 7);     /* no shared suffix */
	CHECK_LIST(2, 10, 11, 12, 13, 14, 15);
	MT_CHECK_VERIFY(sc.t);

	/* V1 keeps mapping (the historical steps 2 and 3): every handle is a
	 * fresh steal, never the sentinel, never a duplicate. */
	unsigned n = 1;
	while (mt_get(sc.t, 1, &h) == MT_OK) {
		MT_CHECK(h != 1);
		tu_took(&sc.held, h);
		MT_CHECK(tu_entry(sc.t, h).owner == 1);
		n++;
		/* The three lists stay disjoint after every map. */
		unsigned la = list_of(0, a), lb = list_of(1, b);
		for (unsigned i = 0; i < la; i++)
			for (unsigned j = 0; j < lb; j++)
				MT_CHECK(a[i] != b[j]);
		MT_CHECK_VERIFY(sc.t);
	}
	MT_CHECK(n == 11);                   /* 9..14 and 2..6: everything but one per list */
	CHECK_LIST(0, 7);
	CHECK_LIST(1, 1);
	CHECK_LIST(2, 15);
	tu_check_conservation(sc.t, &sc.held);
	/* Puts from anyone go back to V1's list behind the sentinel. */
	put_ok(0, 9);
	put_ok(2, 2);
	CHECK_LIST(1, 1, 9, 2);
	scene_end();
}

/* A never-filled VCPU whose sentinel steal found nothing must not steal
 * for the caller either, even if a put lands in between: the handle would
 * be owned by a list with no tail for its put to swing. */
static void b2_put_after_failed_sentinel(void *arg)
{
	(void)arg;
	if (sc.in_window++)
		return;                              /* armed twice: act at the first */
	MT_CHECK(tu_head(sc.t, 1) == MT_TAIL);   /* the sentinel steal found nothing */
	put_ok(0, 0);                            /* now V0 has two entries: stealable */
	CHECK_LIST(0, 3, 0);
}

static void test_b2_failed_sentinel(void)
{
	scene_start(2, 4, 1);
	for (unsigned i = 0; i < 3; i++)
		MT_CHECK(get_ok(0) == i);        /* V0: only its last entry, 3 */
	mt_script_reset();
	/* After the failed sentinel steal: at the re-check of the own list, or
	 * (in a library without it) at the start of the caller's steal. */
	mt_script_at(MT_PV_SITE(SENTINEL_CHECK), 2, b2_put_after_failed_sentinel, NULL);
	mt_script_at(MT_PV_SITE(STEAL_RANDOM), 2, b2_put_after_failed_sentinel, NULL);
	mt_handle_t h;
	MT_CHECK_RC(mt_get(sc.t, 1, &h), MT_ERR_NOSPACE);
	MT_CHECK(sc.in_window == 1);
	MT_CHECK(tu_head(sc.t, 1) == MT_TAIL && tu_tail(sc.t, 1) == MT_TAIL);
	MT_CHECK_VERIFY(sc.t);
	/* With enough on V0, the next get of V1 takes a sentinel and a handle. */
	put_ok(0, 1);
	MT_CHECK(get_ok(1) == 0);
	CHECK_LIST(1, 3);
	CHECK_LIST(0, 1);
	scene_end();
}

/* ------------------------------------------------------------------ */
/* B3: XSA-218 bug 2, double put.                                       */
/* ------------------------------------------------------------------ */

static void test_b3_double_put(void)
{
	static struct tu_snapshot before, after;

	scene_start(2, 8, 2);
	mt_handle_t x = get_ok(0);
	mt_handle_t z = get_ok(0);
	put_ok(1, x);
	tu_snap(sc.t, &before);
	MT_CHECK_RC(mt_put(sc.t, 1, x), MT_ERR_NOT_HELD);   /* put #2 of X */
	MT_CHECK_RC(mt_put(sc.t, 0, x), MT_ERR_NOT_HELD);
	tu_snap(sc.t, &after);
	MT_CHECK(tu_snap_equal(&before, &after));           /* no self-loop, nothing at all */
	MT_CHECK(tu_entry(sc.t, x).link == MT_TAIL);
	/* Re-allocated, X can be put once more, and again only once. */
	mt_handle_t y;
	put_ok(0, z);                        /* X is no longer the last entry */
	while ((y = get_ok(0)) != x)
		;
	put_ok(0, x);
	MT_CHECK_RC(mt_put(sc.t, 0, x), MT_ERR_NOT_HELD);
	scene_end();
}

/* The second put of X, injected just before the first one claims it. */
static void b3_racing_put(void *arg)
{
	(void)arg;
	sc.in_window++;
	sc.rc[1] = mt_put(sc.t, 1, sc.h[0]);
}

/* The second put of X, injected after the first claimed it (X is in limbo),
 * and a get of X's owner: neither may touch X. */
static void b3_after_claim(void *arg)
{
	(void)arg;
	sc.in_window++;
	sc.rc[1] = mt_put(sc.t, 1, sc.h[0]);
	mt_handle_t h = get_ok(0);
	MT_CHECK(h != sc.h[0]);
	sc.h[1] = h;
}

static void test_b3_racing_put(void)
{
	scene_start(2, 8, 2);
	sc.h[0] = get_ok(0);
	sc.h[2] = get_ok(0);

	/* Put #2 runs first and wins; put #1's claim then fails. */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(PUT_CLAIM), 1, b3_racing_put, NULL);
	sc.rc[0] = mt_put(sc.t, 0, sc.h[0]);
	MT_CHECK(mt_script_fired() == 1);
	MT_CHECK((sc.rc[0] == MT_OK) + (sc.rc[1] == MT_OK) == 1);   /* exactly one */
	MT_CHECK_RC(sc.rc[1], MT_OK);
	MT_CHECK_RC(sc.rc[0], MT_ERR_NOT_HELD);
	tu_gave(&sc.held, sc.h[0]);
	MT_CHECK(tu_tail(sc.t, 0) == sc.h[0]);
	MT_CHECK_VERIFY(sc.t);
	tu_check_conservation(sc.t, &sc.held);

	/* Put #1 has claimed X (X is off every list, not yet linked): put #2
	 * fails, and a get by X's owner does not hand X out. */
	sc.h[0] = sc.h[2];                    /* X: the other handle V0 holds */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(PUT_SWING_TAIL), 1, b3_after_claim, NULL);
	sc.rc[0] = mt_put(sc.t, 0, sc.h[0]);
	MT_CHECK(mt_script_fired() == 1);
	MT_CHECK_RC(sc.rc[0], MT_OK);
	MT_CHECK_RC(sc.rc[1], MT_ERR_NOT_HELD);
	tu_gave(&sc.held, sc.h[0]);
	MT_CHECK(tu_tail(sc.t, 0) == sc.h[0] && tu_on_list(sc.t, 0, sc.h[0]));
	scene_end();
}

/* Put #2 of X injected at every schedule point that put #1 reaches (each
 * site, each occurrence): whatever the point, exactly one put succeeds and
 * X ends up on its owner's list exactly once. */
static void test_b3_racing_put_everywhere(void)
{
	unsigned tried = 0;

	for (unsigned si = 0; si < mt_pv_site_table.count; si++)
		for (unsigned nth = 1; nth <= 3; nth++) {
			scene_start(2, 8, 2);
			sc.h[0] = get_ok(0);
			get_ok(0);
			get_ok(1);
			sc.rc[1] = 1;
			mt_script_reset();
			mt_script_at(&mt_pv_sites[si], nth, b3_racing_put, NULL);
			sc.rc[0] = mt_put(sc.t, 0, sc.h[0]);
			if (!mt_script_fired()) {
				mt_destroy(sc.t);
				continue;            /* put #1 never reaches this point */
			}
			tried++;
			if ((sc.rc[0] == MT_OK) + (sc.rc[1] == MT_OK) != 1) {
				fprintf(stderr, "second put at '%s' #%u: put #1 -> %s, put #2 -> %s\n",
				        mt_pv_sites[si].text, nth, mt_strerror(sc.rc[0]), mt_strerror(sc.rc[1]));
				MT_CHECK(!"exactly one of two puts of one handle succeeds");
			}
			MT_CHECK(sc.rc[0] == MT_ERR_NOT_HELD || sc.rc[1] == MT_ERR_NOT_HELD);
			tu_gave(&sc.held, sc.h[0]);
			MT_CHECK(tu_on_list(sc.t, 0, sc.h[0]) && tu_tail(sc.t, 0) == sc.h[0]);
			scene_end();
		}
	/* put reads limit, the page, claims, reads owner, marks, swings, links. */
	MT_CHECK(tried >= 7);
	printf("     second put injected at %u schedule points of the first\n", tried);
}

/* ------------------------------------------------------------------ */
/* B4a: the limit covers only published pages.                          */
/* ------------------------------------------------------------------ */

/* Handles of the page being grown: 4..7. */
static void b4a_before_page(void *arg)
{
	(void)arg;
	sc.in_window++;
	MT_CHECK(atomic_load(&PV(sc.t)->pages[1]) == NULL);
	MT_CHECK(tu_limit(sc.t) == 4);
	MT_CHECK_RC(mt_put(sc.t, 1, 4), MT_ERR_RANGE);      /* would be a NULL page */
	MT_CHECK_RC(mt_put(sc.t, 0, 7), MT_ERR_RANGE);
}

static void b4a_before_limit(void *arg)
{
	(void)arg;
	sc.in_window++;
	/* The page pointer is stored; the limit that covers it is not yet. */
	MT_CHECK(atomic_load(&PV(sc.t)->pages[1]) != NULL);
	MT_CHECK(tu_limit(sc.t) == 4);
	MT_CHECK_RC(mt_put(sc.t, 1, 4), MT_ERR_RANGE);
	MT_CHECK_RC(mt_put(sc.t, 1, 5), MT_ERR_RANGE);
}

static void b4a_before_thread(void *arg)
{
	(void)arg;
	sc.in_window++;
	/* Published, not yet threaded, not handed out: in range, refused. */
	MT_CHECK(tu_limit(sc.t) == 8);
	MT_CHECK_RC(mt_put(sc.t, 1, 4), MT_ERR_NOT_HELD);
	MT_CHECK_RC(mt_put(sc.t, 1, 6), MT_ERR_NOT_HELD);
	MT_CHECK(!tu_entry(sc.t, 4).in_use && tu_entry(sc.t, 6).link == 7);
}

static void b4a_before_hand_out(void *arg)
{
	(void)arg;
	sc.in_window++;
	/* The get has threaded 5..7 and is about to mark 4 in use. */
	CHECK_LIST(0, 5, 6, 7, 3);
	MT_CHECK_RC(mt_put(sc.t, 1, 4), MT_ERR_NOT_HELD);
}

static void b4a_grow_before_limit(void *arg)
{
	(void)arg;
	MT_CHECK(atomic_load(&PV(sc.t)->pages[2]) != NULL && tu_limit(sc.t) == 8);
	MT_CHECK_RC(mt_put(sc.t, 0, 8), MT_ERR_RANGE);
	MT_CHECK_RC(mt_put(sc.t, 0, 11), MT_ERR_RANGE);
}

static void test_b4a_publish(void)
{
	scene_start(2, 4, 4);
	for (unsigned i = 0; i < 3; i++)
		MT_CHECK(get_ok(0) == i);
	CHECK_LIST(0, 3);
	mt_script_reset();
	mt_script_at(MT_PV_SITE(GROW_STORE_PAGE), 1, b4a_before_page, NULL);
	mt_script_at(MT_PV_SITE(GROW_PUBLISH_LIMIT), 1, b4a_before_limit, NULL);
	mt_script_at(MT_PV_SITE(THREAD_LOCK), 1, b4a_before_thread, NULL);
	mt_script_at(MT_PV_SITE(GET_HAND_OUT), 1, b4a_before_hand_out, NULL);
	MT_CHECK(get_ok(0) == 4);            /* V0 grows; the new page's first handle */
	MT_CHECK(mt_script_fired() == 4 && sc.in_window == 4);
	put_ok(1, 4);                        /* now it is handed out: the put works */
	CHECK_LIST(0, 5, 6, 7, 3, 4);

	/* The same through explicit grow (page 2: 8..11). */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(GROW_PUBLISH_LIMIT), 1, b4a_grow_before_limit, NULL);
	MT_CHECK_RC(mt_grow(sc.t, 1), MT_OK);
	MT_CHECK(mt_script_fired() == 1);
	MT_CHECK_RC(mt_put(sc.t, 0, 8), MT_ERR_NOT_HELD);
	CHECK_LIST(1, 8, 9, 10, 11);
	scene_end();
}

/* ------------------------------------------------------------------ */
/* B4b: put + steal while a grow threads its page.                      */
/* ------------------------------------------------------------------ */

/* V0 has published its new page and is about to lock its list to thread
 * it.  P puts X into V0's list (T -> X), S steals T (head = X). */
static void b4b_before_thread(void *arg)
{
	(void)arg;
	sc.in_window++;
	MT_CHECK(!freelist_held(0));
	MT_CHECK(mt_lock_is_free(&PV(sc.t)->maptrack_lock));   /* grow dropped it */
	MT_CHECK(tu_head(sc.t, 0) == 3);
	put_ok(1, 0);                        /* P: X = 0 back to V0 */
	CHECK_LIST(0, 3, 0);
	sc.alloc.fail = 1;                   /* S's own growth fails (Xen d02f1a0b75) */
	sc.h[0] = get_ok(1);                 /* S steals T */
	sc.alloc.fail = 0;
	MT_CHECK(sc.h[0] == 3 && tu_entry(sc.t, 3).owner == 1);
	CHECK_LIST(0, 0);
}

/* V0 holds its freelist lock and has read head: a steal of V0's list would
 * wait now (the 2017 window), but a put still runs. */
static void b4b_in_thread(void *arg)
{
	(void)arg;
	sc.in_window++;
	MT_CHECK(freelist_held(0));
	put_ok(1, 1);                        /* appended behind X */
	CHECK_LIST(0, 0, 1);
}

static void test_b4b_grow_thread(void)
{
	scene_start(2, 4, 4);
	for (unsigned i = 0; i < 3; i++)
		MT_CHECK(get_ok(0) == i);        /* V0: T = 3 left */
	for (unsigned i = 4; i < 7; i++)
		MT_CHECK(get_ok(1) == i);        /* V1: 7 left */
	CHECK_LIST(0, 3);
	CHECK_LIST(1, 7);

	mt_script_reset();
	mt_script_at(MT_PV_SITE(THREAD_LOCK), 1, b4b_before_thread, NULL);
	mt_script_at(MT_PV_SITE(THREAD_LINK), 1, b4b_in_thread, NULL);
	MT_CHECK(get_ok(0) == 8);            /* V0 grows page 2 */
	MT_CHECK(mt_script_fired() == 2 && sc.alloc.failed == 1);
	/* The page went in front of what was really there: X and the later put;
	 * T is with its thief, not on V0's list; nothing lost. */
	CHECK_LIST(0, 9, 10, 11, 0, 1);
	CHECK_LIST(1, 7);
	MT_CHECK(tu_tail(sc.t, 0) == 1);
	MT_CHECK_VERIFY(sc.t);
	tu_check_conservation(sc.t, &sc.held);
	/* Everything stays usable: drain V0 down to its last entry. */
	for (mt_handle_t want = 9; want < 12; want++)
		MT_CHECK(get_ok(0) == want);
	MT_CHECK(get_ok(0) == 0);
	CHECK_LIST(0, 1);
	scene_end();
}

/* ------------------------------------------------------------------ */
/* B5: allocation failure below the limit: steal instead of failing.    */
/* ------------------------------------------------------------------ */

static void test_b5_alloc_fail(void)
{
	scene_start(2, 4, 8);
	MT_CHECK(get_ok(0) == 0);            /* V0: 1, 2, 3 */
	sc.alloc.fail = 1;
	mt_script_reset();
	mt_handle_t h = get_ok(1);           /* fresh V1, far below the limit */
	MT_CHECK(mt_script_count(MT_PV_SITE(GROW_ALLOC)) == 1 && sc.alloc.failed == 1);
	MT_CHECK(mt_script_count(MT_PV_SITE(SENTINEL_RESET)) == 1);
	MT_CHECK(h == 2 && tu_entry(sc.t, 2).owner == 1);
	CHECK_LIST(1, 1);                    /* its sentinel */
	CHECK_LIST(0, 3);
	MT_CHECK(tu_limit(sc.t) == 4);
	MT_CHECK_RC(mt_grow(sc.t, 1), MT_ERR_NOMEM);

	/* Now no list has two entries: the failure is justified (I10). */
	MT_CHECK_RC(mt_get(sc.t, 1, &h), MT_ERR_NOSPACE);
	MT_CHECK_RC(mt_get(sc.t, 0, &h), MT_ERR_NOSPACE);
	/* A put makes one stealable again. */
	put_ok(1, 0);
	MT_CHECK(get_ok(1) == 3);
	sc.alloc.fail = 0;
	MT_CHECK(get_ok(1) == 4);            /* memory back: grows */
	scene_end();
}

int main(void)
{
	TU_RUN(test_b1_steal_window);
	TU_RUN(test_b1_put_limbo);
	TU_RUN(test_b2_sentinel);
	TU_RUN(test_b2_failed_sentinel);
	TU_RUN(test_b3_double_put);
	TU_RUN(test_b3_racing_put);
	TU_RUN(test_b3_racing_put_everywhere);
	TU_RUN(test_b4a_publish);
	TU_RUN(test_b4b_grow_thread);
	TU_RUN(test_b5_alloc_fail);
	printf("SUMMARY test=history_test passed=10 failed=0\n");
	return 0;
}
