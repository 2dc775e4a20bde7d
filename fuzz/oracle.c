/*
 * oracle.c - the shadow model and the invariants (see oracle.h).
 *
 * Library semantics the shadow follows (lib/maptrack.h):
 *  - get's last shared access is the release store of IN_USE, so a handle
 *    becomes "held" exactly when get returns it (no schedule point follows
 *    the store); a put of a handle being got is refused until then;
 *  - put's first check is the range check, then a CAS IN_USE -> FREE; of two
 *    puts of one handle exactly one succeeds;
 *  - a per-VCPU get never takes a list's last entry (one unusable entry per
 *    initialised list); the baseline's one list has no such reserve.
 * Legitimate puts never target a handle that another put (hostile or not)
 * has in flight; a hostile put may target a free handle that a concurrent
 * get then hands out: then either outcome is right.
 */
#include "fuzz/oracle.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mt_internal.h"

#define MAXH MT_IN_MAX_HANDLES
#define MAXV MT_IN_MAX_VCPUS

enum { SH_FREE, SH_HELD, SH_PUTTING };

struct picture {
	mt_handle_t head[MAXV], tail[MAXV];
	mt_handle_t limit;
	unsigned nr_frames;
	uint32_t link[MAXH], owner[MAXH];
	uint8_t in_use[MAXH];
};

static struct {
	const struct mt_program *p;
	const struct mt_ops *ops;
	struct mt_table *t;
	unsigned maxh;                   /* max_frames * per_page of this program */
	uint8_t state[MAXH], holder[MAXH], ever_out[MAXH], ever_put[MAXH], hostile[MAXH];
	mt_handle_t held[MAXV][MAXH];    /* per VCPU, in the order it got them */
	unsigned nheld[MAXV];
	mt_handle_t last_put;
	int pages_live;
	/* from the last quiescent point */
	uint8_t was_init[MAXV];
	unsigned count[MAXV];
	unsigned listed;
	unsigned nr_frames_q;
	mt_handle_t limit_q;
	int has_tail;
	/* invalid puts leave no trace */
	struct picture pic[2];
	int cur_pic, pic_valid;
	int only_refused;
	unsigned refused_ops;
	mt_handle_t refused_handle;
	uint16_t on_list[MAXH];
	unsigned credit;
	int force;                       /* the next quiescent point gets a full check */
	int i10_vcpu;                    /* a solo get of this VCPU failed: judge I10 (-1: none) */
	unsigned i10_alloc_fail;
	int pic_fresh;                   /* the picture is of the table as it is now */
	mt_handle_t hi;                  /* every handle >= hi has always been SH_FREE this run */
	int pv_inline;                   /* per-VCPU table: read it inline (see pv_view) */
} O;

#define MT_ORACLE_WALK_CREDIT 32u
#define MT_ORACLE_VERIFY_MAX 128u

void mt_oracle_page_allocated(void)
{
	O.pages_live++;
}

void mt_oracle_page_freed(void)
{
	O.pages_live--;
}

int mt_oracle_pages_live(void)
{
	return O.pages_live;
}

/* ---- reading the table ----
 *
 * Every per-VCPU implementation (production and the whole zoo) has the
 * same view, list_ends and entry (mt_pv_ops_*, MT_PV_DEFINE).  The library
 * is built with libFuzzer's comparison tracing, which made those three tiny
 * calls cost a third of every run (a full walk reads every entry).  For
 * such tables the oracle does the same relaxed loads of the same fields
 * here, uninstrumented; the final check of every run still goes through
 * the library's own functions (lib_only), so they stay exercised and any
 * disagreement would show there.  Other implementations (baseline): the
 * library's functions always. */
static int lib_only;

static void t_view(struct mt_view *vw)
{
	if (!O.pv_inline || lib_only) {
		O.ops->view(O.t, vw);
		return;
	}
	const struct mt_pv_table *t = (const struct mt_pv_table *)O.t;
	vw->nr_lists = t->base.cfg.nr_vcpus;
	vw->has_tail = 1;
	vw->per_page = t->base.cfg.per_page;
	vw->max_frames = t->base.cfg.max_frames;
	vw->nr_frames = t->nr_frames;
	vw->limit = atomic_load_explicit(&t->limit, memory_order_relaxed);
}

static void t_list_ends(unsigned l, mt_handle_t *head, mt_handle_t *tail)
{
	if (!O.pv_inline || lib_only) {
		O.ops->list_ends(O.t, l, head, tail);
		return;
	}
	const struct mt_pv_table *t = (const struct mt_pv_table *)O.t;
	*head = *tail = MT_TAIL;
	if (l >= t->base.cfg.nr_vcpus)
		return;
	*head = atomic_load_explicit(&t->vcpus[l].head, memory_order_relaxed);
	*tail = atomic_load_explicit(&t->vcpus[l].tail, memory_order_relaxed);
}

static int t_entry(mt_handle_t h, struct mt_entry_view *e)
{
	if (!O.pv_inline || lib_only)
		return O.ops->entry(O.t, h, e);
	const struct mt_pv_table *t = (const struct mt_pv_table *)O.t;
	unsigned n = t->base.cfg.per_page;
	if (h >= atomic_load_explicit(&t->limit, memory_order_relaxed) || h / n >= t->base.cfg.max_frames)
		return MT_ERR_RANGE;
	struct mt_entry *page = atomic_load_explicit(&t->pages[h / n], memory_order_relaxed);
	if (!page)
		return MT_ERR_I8_LIMITS;
	e->link = atomic_load_explicit(&page[h % n].ref, memory_order_relaxed);
	e->owner = atomic_load_explicit(&page[h % n].vcpu, memory_order_relaxed);
	e->in_use = atomic_load_explicit(&page[h % n].state, memory_order_relaxed) == MT_STATE_IN_USE;
	return MT_OK;
}

void mt_oracle_begin(const struct mt_program *p, const struct mt_ops *ops, struct mt_table *t)
{
	O.p = p;
	O.ops = ops;
	O.t = t;
	lib_only = 0;
	O.pv_inline = ops->view == mt_pv_ops_view && ops->list_ends == mt_pv_ops_list_ends &&
	              ops->entry == mt_pv_ops_entry;
	if (t)
		return;                  /* the table was just created: shadow already reset */
	O.maxh = p->max_frames * p->per_page;
	if (O.maxh > MAXH)
		O.maxh = MAXH;
	memset(O.state, SH_FREE, O.maxh);
	memset(O.ever_out, 0, O.maxh);
	memset(O.ever_put, 0, O.maxh);
	memset(O.hostile, 0, O.maxh);
	memset(O.nheld, 0, sizeof(O.nheld));
	memset(O.was_init, 0, sizeof(O.was_init));
	memset(O.count, 0, sizeof(O.count));
	O.listed = 0;
	O.nr_frames_q = 0;
	O.limit_q = 0;
	O.last_put = MT_INVALID_HANDLE;
	O.pages_live = 0;
	O.pic_valid = 0;
	O.only_refused = 0;
	O.refused_ops = 0;
	O.credit = 0;
	O.force = 0;
	O.i10_vcpu = -1;
	O.pic_fresh = 0;
	O.hi = 0;
}

static mt_handle_t limit_now(void)
{
	struct mt_view vw;

	t_view(&vw);
	return vw.limit;
}

static void held_remove(unsigned v, mt_handle_t h)
{
	for (unsigned i = 0; i < O.nheld[v]; i++)
		if (O.held[v][i] == h) {
			memmove(&O.held[v][i], &O.held[v][i + 1], (O.nheld[v] - i - 1) * sizeof(mt_handle_t));
			O.nheld[v]--;
			return;
		}
}

static int puttable(mt_handle_t h)
{
	return O.state[h] == SH_HELD && !O.hostile[h];
}

/* The idx-th (cyclically) puttable handle held by v (own) or by anyone
 * else (!own), in VCPU then acquisition order. */
static mt_handle_t pick_held(unsigned v, int own, unsigned idx)
{
	unsigned n = 0;

	for (int pass = 0; pass < 2; pass++) {
		unsigned seen = 0;
		for (unsigned w = 0; w < O.p->nr_vcpus; w++) {
			if ((w == v) != own)
				continue;
			for (unsigned i = 0; i < O.nheld[w]; i++) {
				mt_handle_t h = O.held[w][i];
				if (!puttable(h))
					continue;
				if (pass == 1 && seen == idx % n)
					return h;
				seen++;
			}
		}
		if (pass == 0) {
			n = seen;
			if (!n)
				return MT_INVALID_HANDLE;
		}
	}
	return MT_INVALID_HANDLE;
}

/* The k-th (cyclically) free handle below limit that passes the filter. */
static mt_handle_t pick_free(mt_handle_t limit, unsigned k, int need_never, int need_put)
{
	unsigned n = 0;

	if (limit > O.maxh)
		limit = O.maxh;
	for (mt_handle_t h = 0; h < limit; h++)
		if (O.state[h] == SH_FREE && (!need_never || !O.ever_out[h]) && (!need_put || O.ever_put[h]))
			n++;
	if (!n)
		return MT_INVALID_HANDLE;
	k %= n;
	for (mt_handle_t h = 0; h < limit; h++)
		if (O.state[h] == SH_FREE && (!need_never || !O.ever_out[h]) && (!need_put || O.ever_put[h]))
			if (k-- == 0)
				return h;
	return MT_INVALID_HANDLE;
}

int mt_oracle_start(unsigned v, const struct mt_in_record *r, struct mt_sim_op *op, unsigned in_flight)
{
	op->kind = r->op;
	op->arg = r->arg;
	op->holder = -1;
	op->handle = MT_INVALID_HANDLE;
	op->limit_at_start = r->op == MT_OP_PUT_BAD ? limit_now() : 0;
	if (in_flight) {
		op->overlapped = 1;
		for (unsigned w = 0; w < O.p->nr_vcpus; w++) {
			struct mt_sim_op *o = mt_sim_op_of(w);
			if (o && w != v)
				o->overlapped = 1;
		}
	}
	if (r->op != MT_OP_PUT_BAD) {
		O.only_refused = 0;
	} else if (!in_flight && !O.pic_fresh) {
		/* A hostile put from a quiescent table: take the picture it must
		 * leave unchanged (see mt_oracle_quiescent). */
		O.force = 1;
		mt_oracle_quiescent(NULL, 0);
		if (mt_sim_failed())
			return 0;
	}
	O.pic_fresh = 0;

	switch (r->op) {
	case MT_OP_GET:
	case MT_OP_GROW:
		return 1;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER: {
		int own = r->op == MT_OP_PUT_OWN;
		mt_handle_t h = pick_held(v, own, r->arg);
		if (h == MT_INVALID_HANDLE)
			h = pick_held(v, !own, r->arg);   /* fall back: any held handle */
		if (h == MT_INVALID_HANDLE)
			return 0;
		op->handle = h;
		op->legit = 1;
		op->holder = O.holder[h];
		O.state[h] = SH_PUTTING;
		return 1;
	}
	default: {
		unsigned k = r->arg >> 3;
		mt_handle_t lim = op->limit_at_start, h;
		op->bad_flavour = r->arg & 7u;
		switch (op->bad_flavour) {
		case MT_BAD_RANGE: h = lim + k; break;
		case MT_BAD_TAIL:  h = MT_TAIL; break;
		case MT_BAD_HUGE:  h = 0xfffffffeu - k; break;
		case MT_BAD_LIMIT: h = lim; break;
		case MT_BAD_FREE:  h = pick_free(lim, k, 0, 0); break;
		case MT_BAD_LAST_PUT:
			h = O.last_put;
			if (h < O.maxh && h < lim && O.state[h] == SH_FREE)
				break;
			h = pick_free(lim, k, 0, 1);  /* not free any more: as double */
			if (h == MT_INVALID_HANDLE)
				h = pick_free(lim, k, 1, 0);
			break;
		case MT_BAD_DOUBLE:
			h = pick_free(lim, k, 0, 1);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(lim, k, 1, 0);
			break;
		default:           /* MT_BAD_NEVER */
			h = pick_free(lim, k, 1, 0);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(lim, k, 0, 1);
			break;
		}
		if (h == MT_INVALID_HANDLE && op->bad_flavour != MT_BAD_TAIL)
			h = lim + k;     /* nothing free: out of range instead */
		op->handle = h;
		if (h < O.maxh) {
			O.hostile[h]++;
			if (O.state[h] == SH_HELD)
				op->holder = O.holder[h];
		}
		return 1;
	}
	}
}

/* ---- after each operation ---- */

static void check_get(unsigned v, struct mt_sim_op *op);

void mt_oracle_done(unsigned v, struct mt_sim_op *op)
{
	struct mt_view vw;
	mt_handle_t h = op->handle;

	if (op->kind == MT_OP_GET) {
		check_get(v, op);
		return;
	}
	if (op->legit && op->rc == MT_OK) {   /* the common case: no view needed */
		held_remove((unsigned)op->holder, h);
		O.state[h] = SH_FREE;
		O.ever_put[h] = 1;
		O.last_put = h;
		return;
	}
	t_view(&vw);
	switch (op->kind) {
	case MT_OP_GROW:
		if (op->rc == MT_OK && op->alloc_ok == 0)
			mt_sim_fail("I8", MT_INVALID_HANDLE, "grow by v%u returned ok but allocated no page", v);
		else if (op->rc == MT_ERR_LIMIT && vw.nr_frames < vw.max_frames)
			mt_sim_fail("I8", MT_INVALID_HANDLE, "grow by v%u said 'at frame limit' with %u of %u frames",
			            v, vw.nr_frames, vw.max_frames);
		else if (op->rc == MT_ERR_NOMEM && op->alloc_fail == 0)
			mt_sim_fail("I10", MT_INVALID_HANDLE, "grow by v%u said 'out of memory' but no allocation failed", v);
		else if (op->rc != MT_OK && op->rc != MT_ERR_LIMIT && op->rc != MT_ERR_NOMEM)
			mt_sim_fail("result", MT_INVALID_HANDLE, "grow by v%u returned %d (%s)", v, op->rc, mt_strerror(op->rc));
		return;
	default:
		break;
	}

	if (op->legit) {
		if (op->rc != MT_OK) {
			mt_sim_fail("put", h, "valid put by v%u of a handle v%d holds was refused: %s",
			            v, op->holder, mt_strerror(op->rc));
			return;
		}
		held_remove((unsigned)op->holder, h);
		O.state[h] = SH_FREE;
		O.ever_put[h] = 1;
		O.last_put = h;
		return;
	}

	/* hostile put */
	if (h < O.maxh && O.hostile[h])
		O.hostile[h]--;
	if (op->rc == MT_OK) {
		O.only_refused = 0;
		if (!op->got_in_window || h >= O.maxh || O.state[h] != SH_HELD) {
			const char *what = h >= op->limit_at_start ? "out of range" :
			                   h < O.maxh && O.ever_put[h] ? "already put (double put, B3)" :
			                   "never handed out";
			mt_sim_fail("I7", h, "invalid put by v%u accepted: the handle was %s (put-bad %s)",
			            v, what, mt_in_bad_name(op->bad_flavour));
			return;
		}
		/* A get handed it out meanwhile: the hostile put won the race. */
		held_remove(O.holder[h], h);
		O.state[h] = SH_FREE;
		O.ever_put[h] = 1;
		O.last_put = h;
		return;
	}
	O.refused_ops++;
	O.refused_handle = h;
	int want;
	if (h < op->limit_at_start)
		want = MT_ERR_NOT_HELD;
	else if (h >= vw.limit)
		want = MT_ERR_RANGE;
	else
		want = 0;                /* the limit grew meanwhile: either refusal */
	if (op->got_in_window && h < vw.limit)
		want = 0;
	if (op->rc != MT_ERR_RANGE && op->rc != MT_ERR_NOT_HELD)
		mt_sim_fail("put", h, "invalid put by v%u returned %d (%s), want a refusal",
		            v, op->rc, mt_strerror(op->rc));
	else if (want && op->rc != want)
		mt_sim_fail("put", h, "invalid put by v%u refused with '%s', want '%s' (limit %u)",
		            v, mt_strerror(op->rc), mt_strerror(want), vw.limit);
}

static void check_get(unsigned v, struct mt_sim_op *op)
{
	mt_handle_t h = op->handle;

	if (op->rc == MT_OK) {
		mt_handle_t lim = limit_now();
		O.only_refused = 0;
		if (h >= lim || h >= O.maxh) {
			mt_sim_fail("I8", h, "get by v%u returned a handle beyond the limit %u", v, lim);
			return;
		}
		if (O.state[h] == SH_HELD) {
			mt_sim_fail("I7", h, "duplicate: get by v%u returned a handle v%u already holds", v, O.holder[h]);
			return;
		}
		if (O.state[h] == SH_PUTTING) {
			mt_sim_fail("I7", h, "get by v%u returned a handle whose put has not returned yet", v);
			return;
		}
		O.state[h] = SH_HELD;
		if (h >= O.hi)
			O.hi = h + 1;
		O.holder[h] = (uint8_t)v;
		O.ever_out[h] = 1;
		O.held[v][O.nheld[v]++] = h;
		/* Hostile puts of h in flight may now legitimately succeed. */
		if (O.hostile[h])
			for (unsigned w = 0; w < O.p->nr_vcpus; w++) {
				struct mt_sim_op *o = mt_sim_op_of(w);
				if (o && o->kind == MT_OP_PUT_BAD && o->handle == h)
					o->got_in_window = 1;
			}
		return;
	}
	if (op->rc != MT_ERR_NOSPACE) {
		mt_sim_fail("result", MT_INVALID_HANDLE, "get by v%u returned %d (%s)", v, op->rc, mt_strerror(op->rc));
		return;
	}
	if (op->overlapped)
		return;                  /* liveness is judged on solo runs only */
	/* The next quiescent point (right now: nothing else is in flight)
	 * walks the table and judges the failure (judge_i10). */
	O.force = 1;
	O.i10_vcpu = (int)v;
	O.i10_alloc_fail = op->alloc_fail;
}

/* I10, after a solo get of v failed, on the table as it left it: the
 * failure is justified only if no page could be had and no list can give
 * an entry now (each initialised list keeps one).  A failed get changes
 * nothing, except that an uninitialised caller may have stolen its own
 * sentinel (one usable entry fewer), so "usable before <= 1 with no list
 * of its own, else 0" is "usable now == 0" in every case. */
static void judge_i10(const struct mt_view *vw)
{
	unsigned v = (unsigned)O.i10_vcpu, usable = 0;
	int no_page = vw->nr_frames >= vw->max_frames || O.i10_alloc_fail > 0;

	O.i10_vcpu = -1;
	if (O.has_tail) {
		for (unsigned l = 0; l < O.p->nr_vcpus; l++)
			usable += O.count[l] > 1 ? O.count[l] - 1 : 0;
	} else {
		usable = O.listed;
	}
	if (!no_page || usable)
		mt_sim_fail("I10", MT_INVALID_HANDLE,
		            "get by v%u failed while %s (%u entries usable now; own list %u; frames %u of %u; %u allocation failures)",
		            v, usable ? "other lists had spare entries" : "a page could still be had",
		            usable, O.count[O.has_tail ? v : 0], vw->nr_frames, vw->max_frames, O.i10_alloc_fail);
}

mt_handle_t mt_oracle_first_held(unsigned v)
{
	for (unsigned i = 0; i < O.nheld[v]; i++)
		if (puttable(O.held[v][i]))
			return O.held[v][i];
	return MT_INVALID_HANDLE;
}

/* ---- quiescent points ---- */

static void print_lists(FILE *out, const struct picture *pc, unsigned nl)
{
	fprintf(out, "#   quiescent: limit %u, %u frames;", pc->limit, pc->nr_frames);
	for (unsigned l = 0; l < nl; l++) {
		fprintf(out, " %s%u [", O.has_tail ? "v" : "list", l);
		mt_handle_t cur = pc->head[l];
		for (unsigned n = 0; cur != MT_TAIL && cur < pc->limit && n <= pc->limit; n++) {
			if (n == 12) {
				fprintf(out, " ...");
				break;
			}
			fprintf(out, n ? " %u" : "%u", cur);
			cur = pc->link[cur];
		}
		fprintf(out, "]");
	}
	fprintf(out, "; held:");
	int any = 0;
	for (unsigned v = 0; v < O.p->nr_vcpus; v++) {
		if (!O.nheld[v])
			continue;
		any = 1;
		fprintf(out, " v%u {", v);
		for (unsigned i = 0; i < O.nheld[v] && i < 12; i++)
			fprintf(out, i ? " %u" : "%u", O.held[v][i]);
		fprintf(out, O.nheld[v] > 12 ? " ...}" : "}");
	}
	fprintf(out, any ? "\n" : " none\n");
}

void mt_oracle_quiescent(FILE *trace, int final)
{
	struct mt_view vw;
	struct picture *pc = &O.pic[O.cur_pic ^ 1];
	const struct picture *old = &O.pic[O.cur_pic];

	lib_only = final;
	t_view(&vw);
	O.has_tail = vw.has_tail != 0;
	unsigned want_lists = O.has_tail ? O.p->nr_vcpus : 1;
	if (vw.per_page != O.p->per_page || vw.max_frames != O.p->max_frames || vw.nr_lists != want_lists) {
		mt_sim_fail("view", MT_INVALID_HANDLE, "view says %u lists, %u per page, %u max frames; want %u, %u, %u",
		            vw.nr_lists, vw.per_page, vw.max_frames, want_lists, O.p->per_page, O.p->max_frames);
		return;
	}
	if (vw.nr_frames > vw.max_frames || vw.limit != vw.nr_frames * vw.per_page || vw.limit > O.maxh) {
		mt_sim_fail("I8", MT_INVALID_HANDLE, "limit %u with %u frames of %u (max %u)",
		            vw.limit, vw.nr_frames, vw.per_page, vw.max_frames);
		return;
	}
	if (vw.limit < O.limit_q) {
		mt_sim_fail("I8", MT_INVALID_HANDLE, "limit went down from %u to %u", O.limit_q, vw.limit);
		return;
	}
	/* Cost bound: a full check reads every entry through the library's
	 * (coverage-instrumented) entry().  Each quiescent point earns
	 * MT_ORACLE_WALK_CREDIT handles of credit and a full check spends
	 * `limit`: small tables are checked at every quiescent point, a table
	 * k times bigger at every k-th (deterministic).  Always checked: the
	 * end, after a solo get failed (I10), and around hostile puts (the
	 * picture before, the comparison after). */
	if (O.only_refused && O.refused_ops && O.pic_valid)
		O.force = 1;
	if (!final && !O.force && vw.limit > MT_ORACLE_WALK_CREDIT) {
		O.credit += MT_ORACLE_WALK_CREDIT;
		if (O.credit < vw.limit) {
			O.pic_valid = 0;
			O.pic_fresh = 0;
			return;
		}
	}
	O.credit = 0;
	O.force = 0;
	if ((int)vw.nr_frames != O.pages_live) {
		mt_sim_fail("I8", MT_INVALID_HANDLE, "%u frames but %d pages allocated and not freed",
		            vw.nr_frames, O.pages_live);
		return;
	}
	for (unsigned l = 0; l < O.p->nr_vcpus; l++)
		O.count[l] = 0;
	pc->limit = vw.limit;
	pc->nr_frames = vw.nr_frames;
	memset(O.on_list, 0, vw.limit * sizeof(O.on_list[0]));
	O.listed = 0;

	/* One read of every entry (the library's entry(), or the same loads
	 * inline for a per-VCPU table: page by page, see t_entry). */
	if (O.pv_inline && !lib_only) {
		const struct mt_pv_table *t = (const struct mt_pv_table *)O.t;
		unsigned n = t->base.cfg.per_page;
		for (mt_handle_t base = 0; base < vw.limit; base += n) {
			const struct mt_entry *page = atomic_load_explicit(&t->pages[base / n], memory_order_relaxed);
			if (!page) {
				mt_sim_fail("I8", base, "below the limit but has no page");
				return;
			}
			unsigned m = vw.limit - base < n ? vw.limit - base : n;
			for (unsigned i = 0; i < m; i++) {
				pc->link[base + i] = atomic_load_explicit(&page[i].ref, memory_order_relaxed);
				pc->owner[base + i] = atomic_load_explicit(&page[i].vcpu, memory_order_relaxed);
				pc->in_use[base + i] = atomic_load_explicit(&page[i].state, memory_order_relaxed) ==
				                       MT_STATE_IN_USE;
			}
		}
	} else {
		for (mt_handle_t h = 0; h < vw.limit; h++) {
			struct mt_entry_view e;
			if (t_entry(h, &e) != MT_OK) {
				mt_sim_fail("I8", h, "below the limit but has no page");
				return;
			}
			pc->link[h] = e.link;
			pc->owner[h] = e.owner;
			pc->in_use[h] = (uint8_t)(e.in_use != 0);
		}
	}

	/* Our own walk of every list (I1-I5). */
	for (unsigned l = 0; l < vw.nr_lists; l++) {
		mt_handle_t head, tail, cur;
		t_list_ends(l, &head, &tail);
		pc->head[l] = head;
		pc->tail[l] = tail;
		if (O.has_tail) {
			if ((head == MT_TAIL) != (tail == MT_TAIL) ||
			    (head != MT_TAIL && (head >= vw.limit || tail >= vw.limit))) {
				mt_sim_fail("I1", head, "list v%u has head %u, tail %u (limit %u)", l, head, tail, vw.limit);
				return;
			}
			if (head == MT_TAIL && O.was_init[l]) {
				mt_sim_fail("I3", MT_INVALID_HANDLE, "list v%u was initialised and is now empty", l);
				return;
			}
		}
		if (head == MT_TAIL)
			continue;
		O.was_init[l] = 1;
		cur = head;
		for (unsigned steps = 0;; steps++) {
			if (steps >= vw.limit) {
				mt_sim_fail("I2", cur, "list %u does not end within %u steps", l, vw.limit);
				return;
			}
			if (cur >= vw.limit) {
				mt_sim_fail("I2", cur, "list %u links to a handle beyond the limit %u", l, vw.limit);
				return;
			}
			if (O.on_list[cur] == l + 1) {
				mt_sim_fail("I2", cur, "list %u runs in a cycle through this handle", l);
				return;
			}
			if (O.on_list[cur]) {
				mt_sim_fail("I5", cur, "on list %u and on list %u", O.on_list[cur] - 1, l);
				return;
			}
			O.on_list[cur] = (uint16_t)(l + 1);
			O.count[l]++;
			O.listed++;
			if (O.state[cur] == SH_HELD) {
				mt_sim_fail("I5", cur, "on list %u while v%u holds it", l, O.holder[cur]);
				return;
			}
			if (pc->in_use[cur]) {
				mt_sim_fail("I5", cur, "on list %u but marked in use", l);
				return;
			}
			if (O.has_tail && pc->owner[cur] != l) {
				mt_sim_fail("I4", cur, "on list v%u but its owner is v%u", l, pc->owner[cur]);
				return;
			}
			if (pc->link[cur] == MT_TAIL) {
				if (O.has_tail && cur != tail) {
					mt_sim_fail("I2", cur, "list v%u ends here but its tail is %u", l, tail);
					return;
				}
				break;
			}
			if (O.has_tail && cur == tail) {
				mt_sim_fail("I2", cur, "tail of list v%u links on to %u (a self-loop if equal)", l, pc->link[cur]);
				return;
			}
			cur = pc->link[cur];
		}
	}

	/* Every handle against the shadow (I4, I6, I7, I9). */
	unsigned held = 0;
	for (mt_handle_t h = 0; h < vw.limit; h++) {
		const struct mt_entry_view e = { pc->link[h], pc->owner[h], pc->in_use[h] };
		switch (O.state[h]) {
		case SH_HELD:
			held++;
			if (!e.in_use) {
				mt_sim_fail("I6", h, "v%u holds it but the library has it free", O.holder[h]);
				return;
			}
			if (O.has_tail && e.owner != O.holder[h]) {
				mt_sim_fail("I4", h, "v%u holds it but its owner is v%u", O.holder[h], e.owner);
				return;
			}
			if (e.link != MT_TAIL) {
				mt_sim_fail("I9", h, "held by v%u but carries the list link %u (a put wrote into it)",
				            O.holder[h], e.link);
				return;
			}
			break;
		case SH_FREE:
			if (e.in_use) {
				mt_sim_fail("I6", h, "nobody holds it but the library has it in use");
				return;
			}
			if (!O.on_list[h]) {
				mt_sim_fail("I6", h, "free but on no list (lost)");
				return;
			}
			break;
		default:
			mt_sim_fail("oracle", h, "a put is in flight at a quiescent point");
			return;
		}
	}
	/* Beyond the limit: only handles the shadow ever took out of SH_FREE
	 * (all below O.hi) can be anything but free. */
	for (mt_handle_t h = vw.limit; h < O.maxh && h < O.hi; h++)
		if (O.state[h] != SH_FREE) {
			mt_sim_fail("I8", h, "held by v%u but beyond the limit %u", O.holder[h], vw.limit);
			return;
		}
	if (O.listed + held != vw.limit) {
		mt_sim_fail("I6", MT_INVALID_HANDLE, "%u listed + %u held != limit %u", O.listed, held, vw.limit);
		return;
	}

	/* The library's own check must agree.  At the end only, and only for
	 * tables of up to MT_ORACLE_VERIFY_MAX handles: under libFuzzer its
	 * instrumented walk costs more than the rest of a run, and ours above
	 * checks everything it does. */
	struct mt_report rep;
	int vrc = final && vw.limit <= MT_ORACLE_VERIFY_MAX ? mt_verify(O.t, &rep) : MT_OK;
	if (vrc != MT_OK) {
		mt_sim_fail("mt_verify", rep.handle, "%s: %s", mt_strerror(vrc), rep.detail);
		return;
	}

	/* Only refused puts since the last quiescent point: nothing changed. */
	if (O.pic_valid && O.only_refused && O.refused_ops) {
		int same = old->limit == pc->limit && old->nr_frames == pc->nr_frames;
		for (unsigned l = 0; same && l < vw.nr_lists; l++)
			same = old->head[l] == pc->head[l] && old->tail[l] == pc->tail[l];
		for (mt_handle_t h = 0; same && h < vw.limit; h++)
			same = old->link[h] == pc->link[h] && old->owner[h] == pc->owner[h] &&
			       old->in_use[h] == pc->in_use[h];
		if (!same) {
			mt_sim_fail("put", O.refused_handle, "a refused invalid put changed the table");
			return;
		}
	}
	O.cur_pic ^= 1;
	O.pic_valid = 1;
	O.only_refused = 1;
	O.refused_ops = 0;
	O.nr_frames_q = vw.nr_frames;
	O.limit_q = vw.limit;
	O.pic_fresh = 1;
	if (O.i10_vcpu >= 0)
		judge_i10(&vw);
	if (trace)
		print_lists(trace, pc, vw.nr_lists);
}
