/*
 * zoo_detect_test - the checks are not blind: for every zoo variant that
 * the simulator ("sim") or LeakSanitizer ("lsan") can see and that a
 * single-threaded scripted schedule can trigger, play the bug's
 * interleaving (the other VCPUs' operations injected at a schedule point,
 * lib/testing/script.h) and require the expected violation; then play the
 * very same scenario against "production" and require it clean.
 * v7-plain-link (a data race only TSan sees) must behave exactly like
 * production single-threaded.
 *
 * A small oracle watches every scenario:
 *   - mt_verify() after every top-level operation (quiescent points only:
 *     never inside an injection, where an operation is in flight);
 *   - a shadow "handed out" array: a get returning a handle already held
 *     is I7 (duplicate), a put accepted for a handle not held is I7 (put
 *     precondition);
 *   - a failed get while some list still holds two or more entries is I10
 *     (nothing justified the failure; single-threaded, so exact);
 *   - a counting page allocator (which can be told to fail): a page not
 *     freed by destroy is a leak (freed here afterwards, so LeakSanitizer
 *     stays quiet under --config=asan);
 *   - b4a: inside the growth window, every handle below the published limit
 *     must have a page (ops->entry), instead of a put that would crash.
 */
#include <string.h>

#include "lib/testing/script.h"
#include "lib/mt_pv_sites.h"
#include "lib/variants/zoo.h"

/* What the oracle saw: one bit per kind of violation. */
enum {
	SAW_I1 = 1u << 1, SAW_I2 = 1u << 2, SAW_I3 = 1u << 3, SAW_I4 = 1u << 4,
	SAW_I5 = 1u << 5, SAW_I6 = 1u << 6, SAW_I8 = 1u << 8, SAW_I9 = 1u << 9,
	SAW_DUP_GET  = 1u << 10,     /* I7: get returned a handle already handed out */
	SAW_FREE_PUT = 1u << 11,     /* I7: put of a handle not handed out was accepted */
	SAW_SPURIOUS = 1u << 12,     /* I10: get failed although a list had >= 2 entries */
	SAW_LEAK     = 1u << 13,     /* a page survived destroy */
	SAW_OTHER    = 1u << 14,     /* verify returned something unexpected */
};

#define MAX_HANDLES 64u
#define MAX_PAGES   16u

struct world {
	const struct mt_ops *ops;
	struct mt_table *t;
	unsigned saw;                /* SAW_* bits */
	char first[200];             /* the first violation, for the log */
	unsigned char held[MAX_HANDLES];
	int in_injection;            /* an operation is stalled: no verify */
	int injected;                /* the one-shot injection ran */
	int variant;                 /* playing the variant (0: production) */
	int alloc_fail;              /* the page allocator fails while set */
	void *pages[MAX_PAGES];      /* live pages of the counting allocator */
	unsigned long trace;         /* hash of every result (v7-plain-link) */
	unsigned gets_ok, gets_failed, puts_ok, puts_refused, grows_ok, steals;
};

static void saw(struct world *w, unsigned bit, const char *what, unsigned h)
{
	if (!w->first[0])
		snprintf(w->first, sizeof(w->first), "%s (handle %u)", what, h);
	w->saw |= bit;
}

/* ---- counting page allocator ---- */

static void *w_alloc(void *ctx, size_t bytes)
{
	struct world *w = ctx;

	if (w->alloc_fail)
		return NULL;
	for (unsigned i = 0; i < MAX_PAGES; i++)
		if (!w->pages[i])
			return w->pages[i] = calloc(1, bytes);
	return NULL;
}

static void w_free(void *ctx, void *page)
{
	struct world *w = ctx;

	for (unsigned i = 0; i < MAX_PAGES; i++)
		if (w->pages[i] == page) {
			w->pages[i] = NULL;
			free(page);
			return;
		}
	MT_CHECK(!"free of a page the allocator never gave out");
}

static uint32_t zero_random(void *ctx)
{
	(void)ctx;
	return 0;                    /* steal always starts at VCPU 0 */
}

/* ---- the oracle ---- */

static void check(struct world *w)
{
	struct mt_report r;
	int rc;

	if (w->in_injection)
		return;
	rc = mt_verify(w->t, &r);
	if (rc == MT_OK)
		return;
	if (rc <= MT_ERR_I1_PAIRING && rc >= MT_ERR_I9_LIVE_LINK)
		saw(w, 1u << (unsigned)(MT_ERR_I1_PAIRING - rc + 1), r.detail, r.handle);
	else
		saw(w, SAW_OTHER, mt_strerror(rc), r.handle);
}

/* Some list still holds two or more entries (a steal could have served). */
static int some_list_has_two(struct world *w)
{
	struct mt_view v;

	w->ops->view(w->t, &v);
	for (unsigned l = 0; l < v.nr_lists; l++) {
		mt_handle_t head, tail;
		struct mt_entry_view e;

		w->ops->list_ends(w->t, l, &head, &tail);
		if (head != MT_TAIL && w->ops->entry(w->t, head, &e) == MT_OK && e.link != MT_TAIL)
			return 1;
	}
	return 0;
}

static void mix(struct world *w, unsigned long x)
{
	w->trace = (w->trace ^ x) * 1099511628211ul;
}

/* get for `v`; returns the handle or MT_INVALID_HANDLE. */
static mt_handle_t w_get(struct world *w, unsigned v)
{
	mt_handle_t h = MT_INVALID_HANDLE;
	int rc = mt_get(w->t, v, &h);

	mix(w, (unsigned long)(rc + 100) << 32 | (rc == MT_OK ? h : 0xffffffffu));
	if (rc == MT_OK) {
		w->gets_ok++;
		MT_CHECK(h < MAX_HANDLES);
		if (w->held[h])
			saw(w, SAW_DUP_GET, "get returned a handle already handed out", h);
		w->held[h] = 1;
	} else {
		MT_CHECK(rc == MT_ERR_NOSPACE);
		w->gets_failed++;
		h = MT_INVALID_HANDLE;
		if (!w->in_injection && some_list_has_two(w))
			saw(w, SAW_SPURIOUS, "get failed while a list held two free entries", v);
	}
	check(w);
	return h;
}

/* put from `v`; the harness may put anything (hostile caller). */
static int w_put(struct world *w, unsigned v, mt_handle_t h)
{
	int rc = mt_put(w->t, v, h);

	mix(w, (unsigned long)(rc + 100) << 32 | h);
	w->puts_ok += rc == MT_OK;
	w->puts_refused += rc != MT_OK;
	if (rc == MT_OK) {
		if (h >= MAX_HANDLES || !w->held[h])
			saw(w, SAW_FREE_PUT, "put of a handle not handed out was accepted", h);
		else
			w->held[h] = 0;
	}
	check(w);
	return rc;
}

static void w_grow(struct world *w, unsigned v)
{
	int rc = mt_grow(w->t, v);

	mix(w, (unsigned long)(rc + 100));
	w->grows_ok += rc == MT_OK;
	MT_CHECK(rc == MT_OK || rc == MT_ERR_LIMIT || rc == MT_ERR_NOMEM);
	check(w);
}

static void w_open(struct world *w, const struct mt_ops *ops, unsigned nr_vcpus, unsigned max_frames)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	struct mt_config cfg = {
		.nr_vcpus = nr_vcpus, .per_page = 4, .max_frames = max_frames,
		.alloc = { .alloc_page = w_alloc, .free_page = w_free, .ctx = w },
		.random = zero_random,
	};
	MT_CHECK_RC(mt_create(ops, &cfg, &w->t), MT_OK);
	mt_script_reset();
}

static void w_close(struct world *w)
{
	mt_script_reset();
	mt_destroy(w->t);
	w->t = NULL;
	for (unsigned i = 0; i < MAX_PAGES; i++)
		if (w->pages[i]) {
			saw(w, SAW_LEAK, "page not freed by destroy", i);
			free(w->pages[i]);
			w->pages[i] = NULL;
		}
}

/* Inject at whichever of the armed points comes first (the variant's
 * window, or the last legal point before production's lock). */
#define INJECT_ONCE(w) do { if ((w)->injected) return; (w)->injected = 1; \
	(w)->in_injection = 1; } while (0)
#define INJECT_END(w) ((w)->in_injection = 0)

/* ---- scenarios: each plays one interleaving on a fresh table ---- */

/* Drain V0 to its last entry and ask once more; then put one back.
 * v7-take-last hands out the last entry (I1, I3). */
static void s_drain(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0->1->2->3, at the limit */
	for (int i = 0; i < 4; i++)
		w_get(w, 0);                       /* production: 0, 1, 2, then NOSPACE */
	w_put(w, 0, 0);
	w_get(w, 0);
}

/* B1: S stalls in its steal of V0 after reading head = 0, next = 1. */
static void b1_inject(void *arg)
{
	struct world *w = arg;

	INJECT_ONCE(w);
	w_get(w, 0);                           /* 0 */
	w_get(w, 0);                           /* 1 */
	w_put(w, 0, 0);                        /* V0: 2->3->0 */
	w_get(w, 0);                           /* 2 */
	w_get(w, 0);                           /* 3: V0's list is 0 alone */
	INJECT_END(w);
}

static void s_b1_aba(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3 */
	w_grow(w, 1);                          /* V1: 4..7; both frames used */
	for (int i = 0; i < 3; i++)
		w_get(w, 1);                       /* V1: 7 alone, so V1 must steal */
	mt_script_reset();
	/* b1: the stealer's CAS on V0's head (first CAS of this get);
	 * production: before the stealer locks V0's list (second pop lock). */
	mt_script_at(mt_ops_site(mt_impl_find("b1-xsa228-aba"), "ZOO_POP_CAS_HEAD"), 1, b1_inject, w);
	mt_script_at(MT_PV_SITE(POP_LOCK), 2, b1_inject, w);
	w_get(w, 1);                           /* b1: steals 0 although V0.head moved on */
	MT_CHECK(w->injected);
	w_put(w, 0, 2);                        /* a put into V0 links its tail */
	w_get(w, 0);
}

/* B2 (and m-sentinel-no-owner): V1 never mapped, at the limit: its first
 * get steals a sentinel and then a handle from V0. */
static void s_sentinel(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3, the only frame */
	w_get(w, 1);                           /* sentinel 0, returns 1 */
	w_get(w, 1);                           /* b2: pops its own tail sentinel */
	w_get(w, 1);
}

/* B3: the caller puts one handle twice. */
static void s_double_put(struct world *w)
{
	w_grow(w, 0);
	mt_handle_t h = w_get(w, 0);
	MT_CHECK(h != MT_INVALID_HANDLE);
	MT_CHECK_RC(w_put(w, 0, h), MT_OK);
	w_put(w, 0, h);                        /* production: MT_ERR_NOT_HELD */
	for (int i = 0; i < 5; i++)
		w_get(w, 0);
}

/* B4a: inside V1's growth, look at every handle below the limit a guessed
 * put would see (ops->entry instead of a put that would crash). */
static void b4a_window(void *arg)
{
	struct world *w = arg;
	struct mt_view v;

	w->ops->view(w->t, &v);
	for (mt_handle_t h = 0; h < v.limit; h++) {
		struct mt_entry_view e;
		int rc = w->ops->entry(w->t, h, &e);

		if (rc == MT_ERR_I8_LIMITS) {
			saw(w, SAW_I8, "handle below the published limit has no page", h);
			break;
		}
		MT_CHECK_RC(rc, MT_OK);
	}
}

static void s_limit_window(struct world *w)
{
	w_grow(w, 0);
	mt_script_reset();
	/* b4a: limit first, so the page store comes after it; production:
	 * page first.  Look in both windows. */
	mt_script_at(MT_PV_SITE(GROW_STORE_PAGE), 1, b4a_window, w);
	mt_script_at(MT_PV_SITE(GROW_PUBLISH_LIMIT), 1, b4a_window, w);
	w_grow(w, 1);
	MT_CHECK(mt_script_fired() == 2);
	w_get(w, 1);
}

/* B4b: V0 (one entry, 3) grows; after it read its head, P puts 0 into V0
 * and S steals 3. */
static void b4b_inject(void *arg)
{
	struct world *w = arg;

	INJECT_ONCE(w);
	w_put(w, 1, 0);                        /* V0: 3->0 */
	w_get(w, 1);                           /* V1 (7 alone, at the limit) steals 3 */
	INJECT_END(w);
}

static void s_grow_vs_steal(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3 */
	w_grow(w, 1);                          /* V1: 4..7 */
	for (int i = 0; i < 3; i++) {
		w_get(w, 1);                       /* V1: 7 alone */
		w_get(w, 0);                       /* V0: 3 alone */
	}
	mt_script_reset();
	/* b4b: before the unlocked head write; production: before the
	 * freelist lock of the prepend. */
	mt_script_at(MT_PV_SITE(THREAD_WRITE_HEAD), 1, b4b_inject, w);
	mt_script_at(MT_PV_SITE(THREAD_LOCK), 1, b4b_inject, w);
	w_get(w, 0);                           /* grows the last frame: 8, list 9..11 */
	MT_CHECK(w->injected);
	for (int i = 0; i < 4; i++)
		w_get(w, 0);
}

/* B5: allocation fails below the limit while V0 has free entries. */
static void s_oom(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3; 3 more frames allowed */
	w->alloc_fail = 1;
	w_get(w, 1);                           /* production: sentinel 0, returns 1 */
	w_get(w, 0);                           /* own list: fine either way */
	w->alloc_fail = 0;
}

/* m-hand-out-early: a hostile put of the handle V0 is popping, injected
 * after the pop decided to take it and before head moves. */
static void early_inject(void *arg)
{
	struct world *w = arg;

	INJECT_ONCE(w);
	w_put(w, 1, 0);                        /* production: MT_ERR_NOT_HELD */
	INJECT_END(w);
}

static void s_hostile_put(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3 */
	mt_script_reset();
	mt_script_at(MT_PV_SITE(POP_WRITE_HEAD), 1, early_inject, w);
	w_get(w, 0);                           /* 0 */
	MT_CHECK(w->injected);
	w_get(w, 0);
	w_get(w, 0);
}

/* m-steal-takes-last: V0 has one entry left; V1 (never mapped) at the
 * limit tries a sentinel steal and a steal. */
static void s_steal_last(struct world *w)
{
	w_grow(w, 0);
	for (int i = 0; i < 3; i++)
		w_get(w, 0);                       /* V0: 3 alone */
	w_get(w, 1);                           /* production: NOSPACE (justified) */
}

/* m-pop-unlock-early: V1 steals from V0; V0 gets inside the steal's pop
 * once V0's lock is free again: in the variant after the pop's unlock
 * (before its head write), in production before the pop's lock (inside
 * the critical section no other consumer can run). */
static void pop_race_inject(void *arg)
{
	struct world *w = arg;

	INJECT_ONCE(w);
	w_get(w, 0);                           /* V0 gets its head, 0 */
	INJECT_END(w);
}

static void s_pop_race(struct world *w)
{
	w_grow(w, 0);                          /* V0: 0..3 */
	w_grow(w, 1);                          /* V1: 4..7; both frames used */
	for (int i = 0; i < 3; i++)
		w_get(w, 1);                       /* V1: 7 alone, so V1 must steal */
	mt_script_reset();
	if (w->variant)
		mt_script_at(MT_PV_SITE(POP_WRITE_HEAD), 1, pop_race_inject, w);
	else
		mt_script_at(MT_PV_SITE(POP_LOCK), 2, pop_race_inject, w);
	w_get(w, 1);                           /* variant: 0 again */
	MT_CHECK(w->injected);
	w_get(w, 0);
}

/* Grow one list twice, then use it. */
static void s_grow_twice(struct world *w)
{
	w_grow(w, 0);
	w_grow(w, 0);
	mt_handle_t h = w_get(w, 0);
	if (h != MT_INVALID_HANDLE)
		w_put(w, 0, h);
}

/* First get of a fresh VCPU (slow path grows), then more gets; no put (a
 * put into a list without a tail would crash m-first-fill-no-tail). */
static void s_first_gets(struct world *w)
{
	for (int i = 0; i < 3; i++)
		w_get(w, 0);
}

/* A deterministic mixed workload: grows, gets, local and remote puts,
 * steals at the limit.  For v7-plain-link versus production. */
static void s_mixed(struct world *w)
{
	uint32_t x = 12345;

	w_grow(w, 2);
	for (int i = 0; i < 400; i++) {
		x = x * 1103515245u + 12345u;
		unsigned r = x >> 16, v = r % 3;
		switch ((r / 3) % 4) {
		case 0:
		case 1:
			w_get(w, v);
			break;
		case 2: {
			unsigned start = (r / 12) % MAX_HANDLES;
			for (unsigned k = 0; k < MAX_HANDLES; k++)
				if (w->held[(start + k) % MAX_HANDLES]) {
					w_put(w, v, (start + k) % MAX_HANDLES);
					break;
				}
			break;
		}
		default:
			if (r % 7 == 0)
				w_grow(w, v);
			else
				w_put(w, v, r % 20); /* mostly refused: not held or beyond limit */
		}
	}
	w->steals = mt_script_count(MT_PV_SITE(STEAL_RANDOM));
}

/* ---- the table: variant -> scenario -> what must be seen ---- */

struct scenario {
	const char *variant;
	const char *what;
	void (*play)(struct world *w);
	unsigned nr_vcpus, max_frames;
	unsigned expect;             /* SAW_* bits the variant must show */
};

static const struct scenario scenarios[] = {
	{ "v7-take-last", "drain to the last entry", s_drain, 2, 1, SAW_I1 },
	{ "b1-xsa228-aba", "steal stalled before its CAS", s_b1_aba, 2, 2, SAW_I4 },
	{ "b2-stale-sentinel", "sentinel steal at the limit", s_sentinel, 2, 1, SAW_I2 },
	{ "b3-double-put", "put twice", s_double_put, 1, 1, SAW_FREE_PUT | SAW_I2 },
	{ "b4a-limit-before-page", "entry lookups inside growth", s_limit_window, 2, 2, SAW_I8 },
	{ "b4b-grow-plain-head", "put + steal inside grow's prepend", s_grow_vs_steal, 2, 3, SAW_I4 },
	{ "b5-oom-no-steal", "allocation failure below the limit", s_oom, 2, 4, SAW_SPURIOUS },
	{ "m-sentinel-no-owner", "sentinel steal at the limit", s_sentinel, 2, 1, SAW_I4 },
	{ "m-destroy-leak", "grow twice, destroy", s_grow_twice, 1, 2, SAW_LEAK },
	{ "m-hand-out-early", "hostile put inside pop", s_hostile_put, 2, 1, SAW_FREE_PUT | SAW_I4 },
	{ "m-steal-takes-last", "steal from a one-entry list", s_steal_last, 2, 1, SAW_I1 },
	{ "m-prepend-resets-tail", "grow twice", s_grow_twice, 1, 2, SAW_I2 },
	{ "m-slow-threads-first", "first gets of a fresh VCPU", s_first_gets, 1, 1, SAW_I4 },
	{ "m-first-fill-no-tail", "first gets of a fresh VCPU", s_first_gets, 1, 1, SAW_I1 },
	{ "m-pop-unlock-early", "owner get inside a steal's pop", s_pop_race, 2, 2, SAW_DUP_GET },
};
#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static struct world w_last;       /* the world of the last play(), for its counters */

static unsigned play(const struct scenario *s, const struct mt_ops *ops, char *first, size_t n)
{
	struct world *w = &w_last;

	w_open(w, ops, s->nr_vcpus, s->max_frames);
	w->variant = strcmp(ops->name, "production") != 0;
	s->play(w);
	w_close(w);
	snprintf(first, n, "%s", w->first);
	return w->saw;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

int main(void)
{
	const struct mt_ops *prod = mt_impl_find("production");
	char first[200];
	unsigned failures = 0;

	MT_CHECK(prod != NULL);
	for (size_t i = 0; i < NR_SCENARIOS; i++) {
		const struct scenario *s = &scenarios[i];
		const struct mt_ops *ops = mt_impl_find(s->variant);
		MT_CHECK(ops != NULL && mt_variant_info(s->variant) != NULL);

		unsigned got = play(s, ops, first, sizeof(first));
		int caught = (got & s->expect) == s->expect;
		printf("%-24s %-40s %s (saw 0x%x, want 0x%x): %s\n", s->variant, s->what,
		       caught ? "CAUGHT" : "MISSED", got, s->expect, first[0] ? first : "-");
		failures += !caught;

		unsigned clean = play(s, prod, first, sizeof(first));
		printf("%-24s %-40s %s\n", "  production", s->what, clean ? "FALSE POSITIVE" : "clean");
		if (clean)
			printf("    production saw 0x%x: %s\n", clean, first);
		failures += clean != 0;
	}

	/* Every variant visible to sim or lsan has a scenario here, except
	 * the ones only real threads can trigger (none so far). */
	const struct mt_variant_info *vi;
	for (unsigned k = 0; (vi = mt_zoo_at(k)) != NULL; k++) {
		int scripted = 0;
		if (vi->bugs >= 2)
			continue;        /* multi-bug variants: one scenario per bug is their parts' */
		for (size_t i = 0; i < NR_SCENARIOS; i++)
			scripted |= !strcmp(scenarios[i].variant, vi->ops->name);
		if ((has_word(vi->detected_by, "sim") || has_word(vi->detected_by, "lsan")) && !scripted) {
			printf("%s: detected_by \"%s\" but no scripted scenario\n", vi->ops->name, vi->detected_by);
			failures++;
		}
	}

	/* v7-plain-link: its bug is a data race (TSan only); single-threaded
	 * it must do exactly what production does, and stay clean. */
	static const struct scenario mixed = { "v7-plain-link", "mixed workload", s_mixed, 3, 4, 0 };
	unsigned got = play(&mixed, mt_impl_find("v7-plain-link"), first, sizeof(first));
	unsigned long t_var = w_last.trace;
	unsigned clean = play(&mixed, prod, first, sizeof(first));
	unsigned long t_prod = w_last.trace;
	printf("%-24s %-40s %s (gets %u ok / %u failed, puts %u ok / %u refused, grows %u, steals %u)\n",
	       "v7-plain-link", "mixed workload vs production",
	       !got && !clean && t_var == t_prod ? "same" : "DIFFERENT",
	       w_last.gets_ok, w_last.gets_failed, w_last.puts_ok, w_last.puts_refused, w_last.grows_ok, w_last.steals);
	failures += got != 0 || clean != 0 || t_var != t_prod;
	/* the workload is not trivial: every kind of outcome happened */
	fflush(stdout);
	MT_CHECK(w_last.gets_ok > 20 && w_last.gets_failed > 0 && w_last.puts_ok > 20 &&
	         w_last.puts_refused > 0 && w_last.grows_ok > 0 && w_last.steals > 0);

	printf("SUMMARY test=zoo_detect scenarios=%zu failures=%u\n", NR_SCENARIOS, failures);
	return failures ? 1 : 0;
}
