/*
 * contract_test.c - the generic contract on toy free lists (no
 * instrumentation: each operation is one step).  A correct toy runs every
 * scenario clean; toys with one slip each are caught by the clause that
 * names it: a handle handed out twice (C1), a valid put refused (C2), a
 * bad put accepted (C3), a lone get failing with handles free (C4), a
 * handle lost by the end (C5), a garbage handle (C6, naming the adapter).
 *
 * Toys the contract used to misjudge: a stack that keeps its bottom entry
 * (a sentinel, .kept_per_list = 1) and one that allocates its handles in
 * pages through the engine's allocator (.handles_now), run into an
 * injected allocation failure: clean; the same toys with one slip (a
 * second entry kept; a get that gives up on a failed allocation while
 * handles are free) are C4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/instrument/byo.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

#define N 8u

enum slip { OK, DOUBLE, REFUSE, ACCEPT_BAD, FALSE_EMPTY, LOSE, GARBAGE };

struct toy {
	enum slip slip;
	uint32_t stack[N + 1];
	unsigned top;
	uint8_t out[N];              /* handed out */
	unsigned gets;
};

static void *toy_create(enum slip slip)
{
	struct toy *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slip = slip;
	for (unsigned i = 0; i < N; i++)
		t->stack[t->top++] = N - 1 - i;
	return t;
}

static int toy_get(void *fl, unsigned vcpu, uint32_t *out)
{
	struct toy *t = fl;
	(void)vcpu;
	t->gets++;
	if (t->slip == FALSE_EMPTY && t->gets == 3)
		return 0;
	if (!t->top)
		return 0;
	uint32_t h = t->stack[--t->top];
	if (t->slip == DOUBLE && t->gets == 2)
		t->top++;                /* forgets to pop: h stays on the stack */
	if (t->slip == GARBAGE && t->gets == 2)
		h = 0xdead;
	if (h < N)
		t->out[h] = 1;
	*out = h;
	return 1;
}

static int toy_put(void *fl, unsigned vcpu, uint32_t h)
{
	struct toy *t = fl;
	(void)vcpu;
	if (h >= N || (!t->out[h] && t->slip != ACCEPT_BAD))
		return -1;
	if (t->slip == REFUSE && h == 1)
		return -1;
	t->out[h] = 0;
	if (t->slip == LOSE && h == 2)
		return 0;                /* accepted, dropped */
	t->stack[t->top++] = h;
	return 0;
}

static void toy_destroy(void *fl) { free(fl); }
static unsigned toy_limit(void *fl) { (void)fl; return N; }

static const struct mt_site toy_site[] = { { "TOY", MT_SK_RW, "toy: one step" } };
static const struct mt_site_table toy_table = { "toy", 1, toy_site };
static const struct mt_site_table *const toy_tables[] = { &toy_table, NULL };

#define TOY(sym, slip_)                                                              \
	static void *create_##sym(const struct mt_config *cfg) { (void)cfg; return toy_create(slip_); } \
	static const struct mt_fl_adapter sym = {                                    \
		.name = #sym, .summary = "toy stack", .create = create_##sym,        \
		.destroy = toy_destroy, .get = toy_get, .put = toy_put,              \
		.handle_limit = toy_limit, .capacity_exact = true, .remote_put = true, \
		.bad_puts_refused = true, .site_tables = toy_tables };               \
	MT_FL_REGISTER(sym)

TOY(toy_ok, OK)
TOY(toy_double, DOUBLE)
TOY(toy_refuse, REFUSE)
TOY(toy_accept_bad, ACCEPT_BAD)
TOY(toy_false_empty, FALSE_EMPTY)
TOY(toy_lose, LOSE)
TOY(toy_garbage, GARBAGE)

static const char *scenario =
	"vcpus 2\n"
	"v0 get\nv0 get\nv1 get\nv1 get\n"
	"v0 put-own idx=0\nv1 put-other idx=0\n"
	"v0 put-bad bad=tail\nv1 put-bad bad=free\n"
	"v0 get\nv1 get\n";

/* ---- a sentinel, and pages from the engine's allocator ---- */

#define PAGE 4u

struct paged {
	struct mt_config cfg;        /* the engine's allocator */
	int slip;                    /* sentinel: keeps 2; paged: gives up on a failed allocation */
	int paged;                   /* handles come in pages of PAGE (else all N at once) */
	uint32_t stack[N];
	unsigned top, pages;
	void *page[N / PAGE];
};

static void *paged_create(const struct mt_config *cfg, int paged, int slip)
{
	struct paged *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->paged = paged;
	t->slip = slip;
	if (!paged)
		for (unsigned i = 0; i < N; i++)
			t->stack[t->top++] = N - 1 - i;
	return t;
}

static int page_in(struct paged *t)
{
	void *p = t->pages < N / PAGE ? t->cfg.alloc.alloc_page(t->cfg.alloc.ctx, 64) : NULL;
	if (!p)
		return 0;
	t->page[t->pages] = p;
	for (unsigned i = 0; i < PAGE; i++)
		t->stack[t->top++] = (t->pages + 1) * PAGE - 1 - i;
	t->pages++;
	return 1;
}

static int paged_get(void *fl, unsigned vcpu, uint32_t *out)
{
	struct paged *t = fl;
	unsigned keep = t->paged ? 0 : t->slip ? 2 : 1;
	(void)vcpu;
	/* A page when the stack is empty; the slip asks one get early and
	 * gives up on a failure although a handle is free. */
	if (t->paged && t->top < (t->slip ? 2u : 1u) && t->pages < N / PAGE && !page_in(t) &&
	    (t->slip || !t->top))
		return 0;
	if (t->top <= keep)
		return 0;
	*out = t->stack[--t->top];
	return 1;
}

static int paged_put(void *fl, unsigned vcpu, uint32_t h)
{
	struct paged *t = fl;
	(void)vcpu;
	t->stack[t->top++] = h;
	return 0;
}

static void paged_destroy(void *fl)
{
	struct paged *t = fl;
	for (unsigned i = 0; i < t->pages; i++)
		t->cfg.alloc.free_page(t->cfg.alloc.ctx, t->page[i]);
	free(t);
}

static unsigned one_list(void *fl) { (void)fl; return 1; }
static unsigned paged_now(void *fl) { return ((struct paged *)fl)->pages * PAGE; }

#define PAGED(sym, paged_, slip_, ...)                                               \
	static void *create_##sym(const struct mt_config *cfg) { return paged_create(cfg, paged_, slip_); } \
	static const struct mt_fl_adapter sym = {                                    \
		.name = #sym, .summary = "toy stack", .create = create_##sym,        \
		.destroy = paged_destroy, .get = paged_get, .put = paged_put,        \
		.handle_limit = toy_limit, .capacity_exact = true, .remote_put = true, \
		.site_tables = toy_tables, __VA_ARGS__ };                            \
	MT_FL_REGISTER(sym)

PAGED(toy_sentinel, 0, 0, .kept_per_list = 1, .lists_initialised = one_list)
PAGED(toy_sentinel_keeps_two, 0, 1, .kept_per_list = 1, .lists_initialised = one_list)
PAGED(toy_paged, 1, 0, .handles_now = paged_now)
PAGED(toy_paged_gives_up, 1, 1, .handles_now = paged_now)

/* The sentinel: v1's last get fails with only the sentinel free (C4; with
 * the slip, its third fails with two free), the end-of-run gets hand out
 * N - 1 (C5).  Paged: allocation 1 fails; v0's fifth get finds its 4
 * handles held (fails: right), with the slip its fourth fails with one
 * handle free (C4). */
static const char *sentinel_scenario =
	"vcpus 2\nv0 get\nv0 get\nv0 get\nv0 get\nv1 get\nv1 get\nv1 get\nv1 get\n";
static const char *paged_scenario =
	"vcpus 2\nalloc_fail 0x02\nv0 get\nv0 get\nv0 get\nv0 get\nv0 get\nv1 put-own idx=0\n";

static const char *finding_in(const char *impl, const char *text)
{
	static char buf[512];
	struct mt_byo *b = mt_byo_new(impl);
	int rc = mt_byo_run_text(b, text, NULL);
	CHECK(rc >= 0);
	snprintf(buf, sizeof(buf), "%s", rc ? mt_sim_finding(b->sim) : "");
	mt_byo_free(b);
	printf("%-22s %s\n", impl, buf[0] ? buf : "clean");
	return buf;
}

static const char *finding(const char *impl)
{
	return finding_in(impl, scenario);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);      /* printed before a failed check aborts */
	CHECK(!strcmp(finding("toy_ok"), ""));
	CHECK(strstr(finding("toy_double"), "C1") && strstr(finding("toy_double"), "handed out twice"));
	CHECK(strstr(finding("toy_refuse"), "C2"));
	CHECK(strstr(finding("toy_accept_bad"), "C3"));
	CHECK(strstr(finding("toy_false_empty"), "C4"));
	CHECK(strstr(finding("toy_lose"), "C5"));
	CHECK(strstr(finding("toy_garbage"), "C6") && strstr(finding("toy_garbage"), "adapter 'toy_garbage'"));
	CHECK(!strcmp(finding_in("toy_paged", paged_scenario), ""));
	CHECK(strstr(finding_in("toy_paged_gives_up", paged_scenario), "C4"));
	CHECK(!strcmp(finding_in("toy_sentinel", sentinel_scenario), ""));
	CHECK(strstr(finding_in("toy_sentinel_keeps_two", sentinel_scenario), "C4"));

	/* garbage bytes never crash the tool */
	struct mt_byo *b = mt_byo_new("toy_ok");
	uint8_t bytes[64];
	unsigned flagged = 0;
	for (unsigned seed = 1; seed <= 200; seed++) {
		uint32_t x = seed * 2654435761u;
		for (unsigned i = 0; i < sizeof(bytes); i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			bytes[i] = (uint8_t)x;
		}
		flagged += (unsigned)mt_byo_run(b, bytes, 1 + seed % sizeof(bytes), NULL);
	}
	mt_byo_free(b);
	CHECK(flagged == 0);
	printf("SUMMARY test=contract toys=11 caught=8 random_inputs=200 false_positives=%u\n", flagged);
	return 0;
}
