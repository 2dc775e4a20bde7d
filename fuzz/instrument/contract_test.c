/*
 * contract_test.c - the generic contract on toy free lists (no
 * instrumentation: each operation is one step).  A correct toy runs every
 * scenario clean; toys with one slip each are caught by the clause that
 * names it: a handle handed out twice (C1), a valid put refused (C2), a
 * bad put accepted (C3), a lone get failing with handles free (C4), a
 * handle lost by the end (C5), a garbage handle (C6, naming the adapter).
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

static const char *finding(const char *impl)
{
	static char buf[512];
	struct mt_byo *b = mt_byo_new(impl);
	int rc = mt_byo_run_text(b, scenario, NULL);
	CHECK(rc >= 0);
	snprintf(buf, sizeof(buf), "%s", rc ? mt_sim_finding(b->sim) : "");
	mt_byo_free(b);
	printf("%-16s %s\n", impl, buf[0] ? buf : "clean");
	return buf;
}

int main(void)
{
	CHECK(!strcmp(finding("toy_ok"), ""));
	CHECK(strstr(finding("toy_double"), "C1") && strstr(finding("toy_double"), "handed out twice"));
	CHECK(strstr(finding("toy_refuse"), "C2"));
	CHECK(strstr(finding("toy_accept_bad"), "C3"));
	CHECK(strstr(finding("toy_false_empty"), "C4"));
	CHECK(strstr(finding("toy_lose"), "C5"));
	CHECK(strstr(finding("toy_garbage"), "C6") && strstr(finding("toy_garbage"), "adapter 'toy_garbage'"));

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
	printf("SUMMARY test=contract toys=7 caught=6 random_inputs=200 false_positives=%u\n", flagged);
	return 0;
}
