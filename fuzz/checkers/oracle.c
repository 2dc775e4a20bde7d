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
#include "fuzz/checkers/oracle.h"

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

struct mt_oracle {
	struct mt_sim *sim;               /* the run being checked */
	int lib_only;                        /* read the table through the library only */
	const struct mt_program *p;
	const struct mt_ops *ops;
	struct mt_table *t;
	unsigned maxh;                   /* max_frames * per_page of this program */
	uint8_t state[MAXH], holder[MAXH], ever_out[MAXH], ever_put[MAXH], hostile[MAXH];
	/* A hostile put accepted a free handle while gets were in flight: one
	 * of them may have handed it out already without having returned (the
	 * library marks it in use before get returns; instrumented code has
	 * schedule points in between).  won_gets[h]: those gets' VCPUs; the
	 * put is excused when one of them returns h, else it is I7. */
	uint8_t won_gets[MAXH];
	mt_handle_t won[MAXV];
	unsigned nwon;
	mt_handle_t held[MAXV][MAXH];    /* per VCPU, in the order it got them */
	unsigned nheld[MAXV];
	mt_handle_t last_put;
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
};

#define MT_ORACLE_WALK_CREDIT 32u
#define MT_ORACLE_VERIFY_MAX 128u

/* ---- reading the table ----
 *
 * Every per-VCPU implementation (production and the whole zoo) has the
 * same view, list_ends and entry (mt_pv_ops_*, MT_PV_DEFINE).  The library
 * is built with libFuzzer's comparison tracing, which made those three tiny
 * calls cost a third of every run (a full walk reads every entry).  For
 * such tables the oracle does the same relaxed loads of the same fields
 * here, uninstrumented; the final check of every run still goes through
 * the library's own functions (o->lib_only), so they stay exercised and any
 * disagreement would show there.  Other implementations (baseline): the
 * library's functions always. */
static void t_view(struct mt_oracle *o, struct mt_view *vw)
{
	if (!o->pv_inline || o->lib_only) {
		o->ops->view(o->t, vw);
		return;
	}
	const struct mt_pv_table *t = (const struct mt_pv_table *)o->t;
	vw->nr_lists = t->base.cfg.nr_vcpus;
	vw->has_tail = 1;
	vw->per_page = t->base.cfg.per_page;
	vw->max_frames = t->base.cfg.max_frames;
	vw->nr_frames = t->nr_frames;
	vw->limit = atomic_load_explicit(&t->limit, memory_order_relaxed);
}

static void t_list_ends(struct mt_oracle *o, unsigned l, mt_handle_t *head, mt_handle_t *tail)
{
	if (!o->pv_inline || o->lib_only) {
		o->ops->list_ends(o->t, l, head, tail);
		return;
	}
	const struct mt_pv_table *t = (const struct mt_pv_table *)o->t;
	*head = *tail = MT_TAIL;
	if (l >= t->base.cfg.nr_vcpus)
		return;
	*head = atomic_load_explicit(&t->vcpus[l].head, memory_order_relaxed);
	*tail = atomic_load_explicit(&t->vcpus[l].tail, memory_order_relaxed);
}

static int t_entry(struct mt_oracle *o, mt_handle_t h, struct mt_entry_view *e)
{
	if (!o->pv_inline || o->lib_only)
		return o->ops->entry(o->t, h, e);
	const struct mt_pv_table *t = (const struct mt_pv_table *)o->t;
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

/* A fresh table: reset the shadow. */
static void begin(void *ctx, struct mt_sim *sim)
{
	struct mt_oracle *o = ctx;
	const struct mt_program *p = mt_sim_program(sim);
	const struct mt_ops *ops = mt_sim_ops(sim);

	o->sim = sim;
	o->p = p;
	o->ops = ops;
	o->t = mt_sim_table(sim);
	o->lib_only = 0;
	o->pv_inline = ops->view == mt_pv_ops_view && ops->list_ends == mt_pv_ops_list_ends &&
	              ops->entry == mt_pv_ops_entry;
	o->maxh = p->max_frames * p->per_page;
	if (o->maxh > MAXH)
		o->maxh = MAXH;
	memset(o->state, SH_FREE, o->maxh);
	memset(o->ever_out, 0, o->maxh);
	memset(o->ever_put, 0, o->maxh);
	memset(o->hostile, 0, o->maxh);
	memset(o->won_gets, 0, o->maxh);
	o->nwon = 0;
	memset(o->nheld, 0, sizeof(o->nheld));
	memset(o->was_init, 0, sizeof(o->was_init));
	memset(o->count, 0, sizeof(o->count));
	o->listed = 0;
	o->nr_frames_q = 0;
	o->limit_q = 0;
	o->last_put = MT_INVALID_HANDLE;
	o->pic_valid = 0;
	o->only_refused = 0;
	o->refused_ops = 0;
	o->credit = 0;
	o->force = 0;
	o->i10_vcpu = -1;
	o->pic_fresh = 0;
	o->hi = 0;
}

static mt_handle_t limit_now(struct mt_oracle *o)
{
	struct mt_view vw;

	t_view(o, &vw);
	return vw.limit;
}

static void held_remove(struct mt_oracle *o, unsigned v, mt_handle_t h)
{
	for (unsigned i = 0; i < o->nheld[v]; i++)
		if (o->held[v][i] == h) {
			memmove(&o->held[v][i], &o->held[v][i + 1], (o->nheld[v] - i - 1) * sizeof(mt_handle_t));
			o->nheld[v]--;
			return;
		}
}

static int puttable(const struct mt_oracle *o, mt_handle_t h)
{
	return o->state[h] == SH_HELD && !o->hostile[h];
}

/* The idx-th (cyclically) puttable handle held by v (own) or by anyone
 * else (!own), in VCPU then acquisition order. */
static mt_handle_t pick_held(struct mt_oracle *o, unsigned v, int own, unsigned idx)
{
	unsigned n = 0;

	for (int pass = 0; pass < 2; pass++) {
		unsigned seen = 0;
		for (unsigned w = 0; w < o->p->nr_vcpus; w++) {
			if ((w == v) != own)
				continue;
			for (unsigned i = 0; i < o->nheld[w]; i++) {
				mt_handle_t h = o->held[w][i];
				if (!puttable(o, h))
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
static mt_handle_t pick_free(struct mt_oracle *o, mt_handle_t limit, unsigned k, int need_never, int need_put)
{
	unsigned n = 0;

	if (limit > o->maxh)
		limit = o->maxh;
	for (mt_handle_t h = 0; h < limit; h++)
		if (o->state[h] == SH_FREE && (!need_never || !o->ever_out[h]) && (!need_put || o->ever_put[h]))
			n++;
	if (!n)
		return MT_INVALID_HANDLE;
	k %= n;
	for (mt_handle_t h = 0; h < limit; h++)
		if (o->state[h] == SH_FREE && (!need_never || !o->ever_out[h]) && (!need_put || o->ever_put[h]))
			if (k-- == 0)
				return h;
	return MT_INVALID_HANDLE;
}

static void quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final);

/* Workload: resolve the handle of a put (the book of who holds what). */
static int prepare(void *ctx, struct mt_sim *sim, unsigned v, const struct mt_in_record *r,
                   struct mt_sim_op *op, unsigned in_flight)
{
	struct mt_oracle *o = ctx;

	(void)sim;
	op->limit_at_start = r->op == MT_OP_PUT_BAD ? limit_now(o) : 0;
	if (in_flight) {
		op->overlapped = 1;
		for (unsigned w = 0; w < o->p->nr_vcpus; w++) {
			struct mt_sim_op *other = mt_sim_op_of(o->sim, w);
			if (other && w != v)
				other->overlapped = 1;
		}
	}
	if (r->op != MT_OP_PUT_BAD) {
		o->only_refused = 0;
	} else if (!in_flight && !o->pic_fresh) {
		/* A hostile put from a quiescent table: take the picture it must
		 * leave unchanged (see mt_oracle_quiescent). */
		o->force = 1;
		quiescent(o, o->sim, NULL, 0);
		if (mt_sim_failed(o->sim))
			return 0;
	}
	o->pic_fresh = 0;

	switch (r->op) {
	case MT_OP_GET:
	case MT_OP_GROW:
		return 1;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER: {
		int own = r->op == MT_OP_PUT_OWN;
		mt_handle_t h = pick_held(o, v, own, r->arg);
		if (h == MT_INVALID_HANDLE)
			h = pick_held(o, v, !own, r->arg);   /* fall back: any held handle */
		if (h == MT_INVALID_HANDLE)
			return 0;
		op->handle = h;
		op->legit = 1;
		op->holder = o->holder[h];
		o->state[h] = SH_PUTTING;
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
		case MT_BAD_FREE:  h = pick_free(o, lim, k, 0, 0); break;
		case MT_BAD_LAST_PUT:
			h = o->last_put;
			if (h < o->maxh && h < lim && o->state[h] == SH_FREE)
				break;
			h = pick_free(o, lim, k, 0, 1);  /* not free any more: as double */
			if (h == MT_INVALID_HANDLE)
				h = pick_free(o, lim, k, 1, 0);
			break;
		case MT_BAD_DOUBLE:
			h = pick_free(o, lim, k, 0, 1);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(o, lim, k, 1, 0);
			break;
		default:           /* MT_BAD_NEVER */
			h = pick_free(o, lim, k, 1, 0);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(o, lim, k, 0, 1);
			break;
		}
		if (h == MT_INVALID_HANDLE && op->bad_flavour != MT_BAD_TAIL)
			h = lim + k;     /* nothing free: out of range instead */
		op->handle = h;
		if (h < o->maxh) {
			o->hostile[h]++;
			if (o->state[h] == SH_HELD)
				op->holder = o->holder[h];
		}
		return 1;
	}
	}
}

/* ---- after each operation ---- */

static void check_get(struct mt_oracle *o, unsigned v, struct mt_sim_op *op);

static void op_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	struct mt_oracle *o = ctx;

	(void)sim;
	struct mt_view vw;
	mt_handle_t h = op->handle;

	if (op->kind == MT_OP_GET) {
		check_get(o, v, op);
		return;
	}
	if (op->legit && op->rc == MT_OK) {   /* the common case: no view needed */
		held_remove(o, (unsigned)op->holder, h);
		o->state[h] = SH_FREE;
		o->ever_put[h] = 1;
		o->last_put = h;
		return;
	}
	t_view(o, &vw);
	switch (op->kind) {
	case MT_OP_GROW:
		if (op->rc == MT_OK && op->alloc_ok == 0)
			mt_sim_fail(o->sim, "I8", MT_INVALID_HANDLE, "grow by v%u returned ok but allocated no page", v);
		else if (op->rc == MT_ERR_LIMIT && vw.nr_frames < vw.max_frames)
			mt_sim_fail(o->sim, "I8", MT_INVALID_HANDLE, "grow by v%u said 'at frame limit' with %u of %u frames",
			            v, vw.nr_frames, vw.max_frames);
		else if (op->rc == MT_ERR_NOMEM && op->alloc_fail == 0)
			mt_sim_fail(o->sim, "I10", MT_INVALID_HANDLE, "grow by v%u said 'out of memory' but no allocation failed", v);
		else if (op->rc != MT_OK && op->rc != MT_ERR_LIMIT && op->rc != MT_ERR_NOMEM)
			mt_sim_fail(o->sim, "result", MT_INVALID_HANDLE, "grow by v%u returned %d (%s)", v, op->rc, mt_strerror(op->rc));
		return;
	default:
		break;
	}

	if (op->legit) {
		if (op->rc != MT_OK) {
			mt_sim_fail(o->sim, "put", h, "valid put by v%u of a handle v%d holds was refused: %s",
			            v, op->holder, mt_strerror(op->rc));
			return;
		}
		held_remove(o, (unsigned)op->holder, h);
		o->state[h] = SH_FREE;
		o->ever_put[h] = 1;
		o->last_put = h;
		return;
	}

	/* hostile put */
	if (h < o->maxh && o->hostile[h])
		o->hostile[h]--;
	if (op->rc == MT_OK) {
		o->only_refused = 0;
		unsigned gets = 0;
		for (unsigned w = 0; w < o->p->nr_vcpus && !op->got_in_window && h < o->maxh &&
		                     o->state[h] == SH_FREE && !o->won_gets[h] && o->nwon < MAXV; w++) {
			struct mt_sim_op *other = mt_sim_op_of(o->sim, w);
			if (w != v && other && other->kind == MT_OP_GET)
				gets |= 1u << w;
		}
		if (gets) {
			/* Maybe an in-flight get handed it out already: judged when
			 * those gets return (won_early). */
			o->won_gets[h] = (uint8_t)gets;
			o->won[o->nwon++] = h;
			o->ever_put[h] = 1;
			o->last_put = h;
			return;
		}
		if (!op->got_in_window || h >= o->maxh || o->state[h] != SH_HELD) {
			const char *what = h >= op->limit_at_start ? "out of range" :
			                   h < o->maxh && o->ever_put[h] ? "already put (double put, B3)" :
			                   "never handed out";
			mt_sim_fail(o->sim, "I7", h, "invalid put by v%u accepted: the handle was %s (put-bad %s)",
			            v, what, mt_in_bad_name(op->bad_flavour));
			return;
		}
		/* A get handed it out meanwhile: the hostile put won the race. */
		held_remove(o, o->holder[h], h);
		o->state[h] = SH_FREE;
		o->ever_put[h] = 1;
		o->last_put = h;
		return;
	}
	o->refused_ops++;
	o->refused_handle = h;
	int want;
	if (h < op->limit_at_start)
		want = MT_ERR_NOT_HELD;
	else if (h >= vw.limit)
		want = MT_ERR_RANGE;
	else
		want = 0;                /* the limit grew meanwhile: either refusal */
	if (op->got_in_window && h < vw.limit)
		want = 0;
	/* Under c11 a put may read an older limit than the newest (its acquire
	 * of limit synchronizes with no grow it is not ordered after): either
	 * refusal is right. */
	if (mt_sim_program(o->sim)->model == MT_MODEL_C11)
		want = 0;
	if (op->rc != MT_ERR_RANGE && op->rc != MT_ERR_NOT_HELD)
		mt_sim_fail(o->sim, "put", h, "invalid put by v%u returned %d (%s), want a refusal",
		            v, op->rc, mt_strerror(op->rc));
	else if (want && op->rc != want)
		mt_sim_fail(o->sim, "put", h, "invalid put by v%u refused with '%s', want '%s' (limit %u)",
		            v, mt_strerror(op->rc), mt_strerror(want), vw.limit);
}

/* v's get returned: settle the hostile puts that were excused while it
 * was in flight (see won_gets).  1 if it returned such a handle (it was
 * put back already: it stays free). */
static int won_early(struct mt_oracle *o, unsigned v, const struct mt_sim_op *op)
{
	int taken = 0;

	for (unsigned i = 0; i < o->nwon;) {
		mt_handle_t h = o->won[i];
		if (!(o->won_gets[h] & (1u << v))) {
			i++;
			continue;
		}
		int this_one = op->rc == MT_OK && op->handle == h;
		o->won_gets[h] = this_one ? 0 : (uint8_t)(o->won_gets[h] & ~(1u << v));
		if (o->won_gets[h]) {
			i++;
			continue;
		}
		if (!this_one) {
			mt_sim_fail(o->sim, "I7", h, "invalid put accepted: the handle was free, and no get in "
			            "flight at the time handed it out");
			return 0;
		}
		taken = 1;
		o->won[i] = o->won[--o->nwon];
	}
	return taken;
}

static void check_get(struct mt_oracle *o, unsigned v, struct mt_sim_op *op)
{
	mt_handle_t h = op->handle;

	if (o->nwon && won_early(o, v, op)) {
		o->ever_out[h] = 1;      /* handed out, and already put back by the hostile put */
		o->only_refused = 0;
		return;
	}
	if (op->rc == MT_OK) {
		mt_handle_t lim = limit_now(o);
		o->only_refused = 0;
		if (h >= lim || h >= o->maxh) {
			mt_sim_fail(o->sim, "I8", h, "get by v%u returned a handle beyond the limit %u", v, lim);
			return;
		}
		if (o->state[h] == SH_HELD) {
			mt_sim_fail(o->sim, "I7", h, "duplicate: get by v%u returned a handle v%u already holds", v, o->holder[h]);
			return;
		}
		if (o->state[h] == SH_PUTTING) {
			mt_sim_fail(o->sim, "I7", h, "get by v%u returned a handle whose put has not returned yet", v);
			return;
		}
		o->state[h] = SH_HELD;
		if (h >= o->hi)
			o->hi = h + 1;
		o->holder[h] = (uint8_t)v;
		o->ever_out[h] = 1;
		o->held[v][o->nheld[v]++] = h;
		/* Hostile puts of h in flight may now legitimately succeed. */
		if (o->hostile[h])
			for (unsigned w = 0; w < o->p->nr_vcpus; w++) {
				struct mt_sim_op *other = mt_sim_op_of(o->sim, w);
				if (other && other->kind == MT_OP_PUT_BAD && other->handle == h)
					other->got_in_window = 1;
			}
		return;
	}
	if (op->rc != MT_ERR_NOSPACE) {
		mt_sim_fail(o->sim, "result", MT_INVALID_HANDLE, "get by v%u returned %d (%s)", v, op->rc, mt_strerror(op->rc));
		return;
	}
	if (op->overlapped || op->weak)
		return;                  /* liveness is judged on solo runs that read the newest
		                          * stores only (c11: a stale read may fail a get, as on
		                          * real hardware until the store reaches this CPU) */
	/* The next quiescent point (right now: nothing else is in flight)
	 * walks the table and judges the failure (judge_i10). */
	o->force = 1;
	o->i10_vcpu = (int)v;
	o->i10_alloc_fail = op->alloc_fail;
}

/* I10, after a solo get of v failed, on the table as it left it: the
 * failure is justified only if no page could be had and no list can give
 * an entry now (each initialised list keeps one).  A failed get changes
 * nothing, except that an uninitialised caller may have stolen its own
 * sentinel (one usable entry fewer), so "usable before <= 1 with no list
 * of its own, else 0" is "usable now == 0" in every case. */
static void judge_i10(struct mt_oracle *o, const struct mt_view *vw)
{
	unsigned v = (unsigned)o->i10_vcpu, usable = 0;
	int no_page = vw->nr_frames >= vw->max_frames || o->i10_alloc_fail > 0;

	o->i10_vcpu = -1;
	if (o->has_tail) {
		for (unsigned l = 0; l < o->p->nr_vcpus; l++)
			usable += o->count[l] > 1 ? o->count[l] - 1 : 0;
	} else {
		usable = o->listed;
	}
	if (!no_page || usable)
		mt_sim_fail(o->sim, "I10", MT_INVALID_HANDLE,
		            "get by v%u failed while %s (%u entries usable now; own list %u; frames %u of %u; %u allocation failures)",
		            v, usable ? "other lists had spare entries" : "a page could still be had",
		            usable, o->count[o->has_tail ? v : 0], vw->nr_frames, vw->max_frames, o->i10_alloc_fail);
}

static mt_handle_t first_held(void *ctx, struct mt_sim *sim, unsigned v)
{
	const struct mt_oracle *o = ctx;

	(void)sim;
	for (unsigned i = 0; i < o->nheld[v]; i++)
		if (puttable(o, o->held[v][i]))
			return o->held[v][i];
	return MT_INVALID_HANDLE;
}

/* ---- quiescent points ---- */

static void print_lists(struct mt_oracle *o, FILE *out, const struct picture *pc, unsigned nl)
{
	fprintf(out, "#   quiescent: limit %u, %u frames;", pc->limit, pc->nr_frames);
	for (unsigned l = 0; l < nl; l++) {
		fprintf(out, " %s%u [", o->has_tail ? "v" : "list", l);
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
	for (unsigned v = 0; v < o->p->nr_vcpus; v++) {
		if (!o->nheld[v])
			continue;
		any = 1;
		fprintf(out, " v%u {", v);
		for (unsigned i = 0; i < o->nheld[v] && i < 12; i++)
			fprintf(out, i ? " %u" : "%u", o->held[v][i]);
		fprintf(out, o->nheld[v] > 12 ? " ...}" : "}");
	}
	fprintf(out, any ? "\n" : " none\n");
}

/* No operation is in flight: walk the table, check I1-I10.  final: the
 * end of the run (mt_verify() is called too). */
static void quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final)
{
	struct mt_oracle *o = ctx;

	(void)sim;
	struct mt_view vw;
	struct picture *pc = &o->pic[o->cur_pic ^ 1];
	const struct picture *old = &o->pic[o->cur_pic];

	o->lib_only = final;
	t_view(o, &vw);
	o->has_tail = vw.has_tail != 0;
	unsigned want_lists = o->has_tail ? o->p->nr_vcpus : 1;
	if (vw.per_page != o->p->per_page || vw.max_frames != o->p->max_frames || vw.nr_lists != want_lists) {
		mt_sim_fail(o->sim, "view", MT_INVALID_HANDLE, "view says %u lists, %u per page, %u max frames; want %u, %u, %u",
		            vw.nr_lists, vw.per_page, vw.max_frames, want_lists, o->p->per_page, o->p->max_frames);
		return;
	}
	if (vw.nr_frames > vw.max_frames || vw.limit != vw.nr_frames * vw.per_page || vw.limit > o->maxh) {
		mt_sim_fail(o->sim, "I8", MT_INVALID_HANDLE, "limit %u with %u frames of %u (max %u)",
		            vw.limit, vw.nr_frames, vw.per_page, vw.max_frames);
		return;
	}
	if (vw.limit < o->limit_q) {
		mt_sim_fail(o->sim, "I8", MT_INVALID_HANDLE, "limit went down from %u to %u", o->limit_q, vw.limit);
		return;
	}
	/* Cost bound: a full check reads every entry through the library's
	 * (coverage-instrumented) entry().  Each quiescent point earns
	 * MT_ORACLE_WALK_CREDIT handles of credit and a full check spends
	 * `limit`: small tables are checked at every quiescent point, a table
	 * k times bigger at every k-th (deterministic).  Always checked: the
	 * end, after a solo get failed (I10), and around hostile puts (the
	 * picture before, the comparison after). */
	if (o->only_refused && o->refused_ops && o->pic_valid)
		o->force = 1;
	if (!final && !o->force && vw.limit > MT_ORACLE_WALK_CREDIT) {
		o->credit += MT_ORACLE_WALK_CREDIT;
		if (o->credit < vw.limit) {
			o->pic_valid = 0;
			o->pic_fresh = 0;
			return;
		}
	}
	o->credit = 0;
	o->force = 0;
	if ((int)vw.nr_frames != (int)mt_sim_stats(o->sim)->pages_live) {
		mt_sim_fail(o->sim, "I8", MT_INVALID_HANDLE, "%u frames but %d pages allocated and not freed",
		            vw.nr_frames, (int)mt_sim_stats(o->sim)->pages_live);
		return;
	}
	for (unsigned l = 0; l < o->p->nr_vcpus; l++)
		o->count[l] = 0;
	pc->limit = vw.limit;
	pc->nr_frames = vw.nr_frames;
	memset(o->on_list, 0, vw.limit * sizeof(o->on_list[0]));
	o->listed = 0;

	/* One read of every entry (the library's entry(), or the same loads
	 * inline for a per-VCPU table: page by page, see t_entry). */
	if (o->pv_inline && !o->lib_only) {
		const struct mt_pv_table *t = (const struct mt_pv_table *)o->t;
		unsigned n = t->base.cfg.per_page;
		for (mt_handle_t base = 0; base < vw.limit; base += n) {
			const struct mt_entry *page = atomic_load_explicit(&t->pages[base / n], memory_order_relaxed);
			if (!page) {
				mt_sim_fail(o->sim, "I8", base, "below the limit but has no page");
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
			if (t_entry(o, h, &e) != MT_OK) {
				mt_sim_fail(o->sim, "I8", h, "below the limit but has no page");
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
		t_list_ends(o, l, &head, &tail);
		pc->head[l] = head;
		pc->tail[l] = tail;
		if (o->has_tail) {
			if ((head == MT_TAIL) != (tail == MT_TAIL) ||
			    (head != MT_TAIL && (head >= vw.limit || tail >= vw.limit))) {
				mt_sim_fail(o->sim, "I1", head, "list v%u has head %u, tail %u (limit %u)", l, head, tail, vw.limit);
				return;
			}
			if (head == MT_TAIL && o->was_init[l]) {
				mt_sim_fail(o->sim, "I3", MT_INVALID_HANDLE, "list v%u was initialised and is now empty", l);
				return;
			}
		}
		if (head == MT_TAIL)
			continue;
		o->was_init[l] = 1;
		cur = head;
		for (unsigned steps = 0;; steps++) {
			if (steps >= vw.limit) {
				mt_sim_fail(o->sim, "I2", cur, "list %u does not end within %u steps", l, vw.limit);
				return;
			}
			if (cur >= vw.limit) {
				mt_sim_fail(o->sim, "I2", cur, "list %u links to a handle beyond the limit %u", l, vw.limit);
				return;
			}
			if (o->on_list[cur] == l + 1) {
				mt_sim_fail(o->sim, "I2", cur, "list %u runs in a cycle through this handle", l);
				return;
			}
			if (o->on_list[cur]) {
				mt_sim_fail(o->sim, "I5", cur, "on list %u and on list %u", o->on_list[cur] - 1, l);
				return;
			}
			o->on_list[cur] = (uint16_t)(l + 1);
			o->count[l]++;
			o->listed++;
			if (o->state[cur] == SH_HELD) {
				mt_sim_fail(o->sim, "I5", cur, "on list %u while v%u holds it", l, o->holder[cur]);
				return;
			}
			if (pc->in_use[cur]) {
				mt_sim_fail(o->sim, "I5", cur, "on list %u but marked in use", l);
				return;
			}
			if (o->has_tail && pc->owner[cur] != l) {
				mt_sim_fail(o->sim, "I4", cur, "on list v%u but its owner is v%u", l, pc->owner[cur]);
				return;
			}
			if (pc->link[cur] == MT_TAIL) {
				if (o->has_tail && cur != tail) {
					mt_sim_fail(o->sim, "I2", cur, "list v%u ends here but its tail is %u", l, tail);
					return;
				}
				break;
			}
			if (o->has_tail && cur == tail) {
				mt_sim_fail(o->sim, "I2", cur, "tail of list v%u links on to %u (a self-loop if equal)", l, pc->link[cur]);
				return;
			}
			cur = pc->link[cur];
		}
	}

	/* Every handle against the shadow (I4, I6, I7, I9). */
	unsigned held = 0;
	for (mt_handle_t h = 0; h < vw.limit; h++) {
		const struct mt_entry_view e = { pc->link[h], pc->owner[h], pc->in_use[h] };
		switch (o->state[h]) {
		case SH_HELD:
			held++;
			if (!e.in_use) {
				mt_sim_fail(o->sim, "I6", h, "v%u holds it but the library has it free", o->holder[h]);
				return;
			}
			if (o->has_tail && e.owner != o->holder[h]) {
				mt_sim_fail(o->sim, "I4", h, "v%u holds it but its owner is v%u", o->holder[h], e.owner);
				return;
			}
			if (e.link != MT_TAIL) {
				mt_sim_fail(o->sim, "I9", h, "held by v%u but carries the list link %u (a put wrote into it)",
				            o->holder[h], e.link);
				return;
			}
			break;
		case SH_FREE:
			if (e.in_use) {
				mt_sim_fail(o->sim, "I6", h, "nobody holds it but the library has it in use");
				return;
			}
			if (!o->on_list[h]) {
				mt_sim_fail(o->sim, "I6", h, "free but on no list (lost)");
				return;
			}
			break;
		default:
			mt_sim_fail(o->sim, "oracle", h, "a put is in flight at a quiescent point");
			return;
		}
	}
	/* Beyond the limit: only handles the shadow ever took out of SH_FREE
	 * (all below o->hi) can be anything but free. */
	for (mt_handle_t h = vw.limit; h < o->maxh && h < o->hi; h++)
		if (o->state[h] != SH_FREE) {
			mt_sim_fail(o->sim, "I8", h, "held by v%u but beyond the limit %u", o->holder[h], vw.limit);
			return;
		}
	if (o->listed + held != vw.limit) {
		mt_sim_fail(o->sim, "I6", MT_INVALID_HANDLE, "%u listed + %u held != limit %u", o->listed, held, vw.limit);
		return;
	}

	/* The library's own check must agree.  At the end only, and only for
	 * tables of up to MT_ORACLE_VERIFY_MAX handles: under libFuzzer its
	 * instrumented walk costs more than the rest of a run, and ours above
	 * checks everything it does. */
	struct mt_report rep;
	int vrc = final && vw.limit <= MT_ORACLE_VERIFY_MAX ? mt_verify(o->t, &rep) : MT_OK;
	if (vrc != MT_OK) {
		mt_sim_fail(o->sim, "mt_verify", rep.handle, "%s: %s", mt_strerror(vrc), rep.detail);
		return;
	}

	/* Only refused puts since the last quiescent point: nothing changed. */
	if (o->pic_valid && o->only_refused && o->refused_ops) {
		int same = old->limit == pc->limit && old->nr_frames == pc->nr_frames;
		for (unsigned l = 0; same && l < vw.nr_lists; l++)
			same = old->head[l] == pc->head[l] && old->tail[l] == pc->tail[l];
		for (mt_handle_t h = 0; same && h < vw.limit; h++)
			same = old->link[h] == pc->link[h] && old->owner[h] == pc->owner[h] &&
			       old->in_use[h] == pc->in_use[h];
		if (!same) {
			mt_sim_fail(o->sim, "put", o->refused_handle, "a refused invalid put changed the table");
			return;
		}
	}
	o->cur_pic ^= 1;
	o->pic_valid = 1;
	o->only_refused = 1;
	o->refused_ops = 0;
	o->nr_frames_q = vw.nr_frames;
	o->limit_q = vw.limit;
	o->pic_fresh = 1;
	if (o->i10_vcpu >= 0)
		judge_i10(o, &vw);
	if (trace)
		print_lists(o, trace, pc, vw.nr_lists);
}

struct mt_oracle *mt_oracle_new(void)
{
	return calloc(1, sizeof(struct mt_oracle));
}

void mt_oracle_free(struct mt_oracle *o)
{
	free(o);
}

const struct mt_sim_observer mt_oracle_observer = {
	.name = "maptrack oracle (I1-I10)",
	.begin = begin,
	.prepare = prepare,
	.first_held = first_held,
	.op_returned = op_returned,
	.quiescent = quiescent,
};
