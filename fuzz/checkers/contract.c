/* contract.c - the generic free-list contract (see contract.h). */
#include "fuzz/checkers/contract.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mt_internal.h"

/* ---- the bridge: an adapter as an mt_ops ---- */

struct fl_table {
	struct mt_table base;        /* ops first: mt_destroy() and friends */
	const struct mt_fl_adapter *a;
	void *fl;
	struct mt_allocator alloc;   /* the engine's: failures are counted on the way */
	unsigned alloc_failed;       /* allocations through cfg->alloc that failed */
};

#define MAX_ADAPTERS 64u
static const struct mt_ops *reg_ops[MAX_ADAPTERS];
static const struct mt_fl_adapter *reg_adapter[MAX_ADAPTERS];
static unsigned nr_reg;

void mt_fl_register_adapter(const struct mt_ops *ops, const struct mt_fl_adapter *a)
{
	if (nr_reg == MAX_ADAPTERS) {
		fprintf(stderr, "contract: more than %u adapters\n", MAX_ADAPTERS);
		abort();
	}
	reg_ops[nr_reg] = ops;
	reg_adapter[nr_reg++] = a;
}

const struct mt_fl_adapter *mt_fl_adapter_of(const struct mt_ops *ops)
{
	for (unsigned i = 0; i < nr_reg; i++)
		if (reg_ops[i] == ops)
			return reg_adapter[i];
	return NULL;
}

/* The adapter's allocator: the engine's, with failures counted (C5 must
 * know whether the end-of-run gets met an injected failure). */
static void *fl_alloc_page(void *ctx, size_t bytes)
{
	struct fl_table *t = ctx;
	void *p = t->alloc.alloc_page ? t->alloc.alloc_page(t->alloc.ctx, bytes) : calloc(1, bytes);

	if (!p)
		t->alloc_failed++;
	return p;
}

static void fl_free_page(void *ctx, void *page)
{
	struct fl_table *t = ctx;

	if (t->alloc.free_page)
		t->alloc.free_page(t->alloc.ctx, page);
	else
		free(page);
}

int mt_fl_create(const struct mt_fl_adapter *a, const struct mt_ops *ops, const struct mt_config *cfg,
                 struct mt_table **out)
{
	struct fl_table *t = calloc(1, sizeof(*t));

	if (!t)
		return MT_ERR_NOMEM;
	t->base.ops = ops;
	t->base.cfg = *cfg;
	t->a = a;
	t->alloc = cfg->alloc;
	t->base.cfg.alloc = (struct mt_allocator){ .alloc_page = fl_alloc_page,
	                                           .free_page = fl_free_page, .ctx = t };
	t->fl = a->create(&t->base.cfg);
	if (!t->fl) {
		free(t);
		return MT_ERR_NOMEM;
	}
	*out = &t->base;
	return MT_OK;
}

void mt_fl_destroy(struct mt_table *tb)
{
	struct fl_table *t = (struct fl_table *)tb;

	if (!t)
		return;
	t->a->destroy(t->fl);
	free(t);
}

int mt_fl_get(struct mt_table *tb, unsigned vcpu, mt_handle_t *out)
{
	struct fl_table *t = (struct fl_table *)tb;
	uint32_t h = MT_INVALID_HANDLE;

	if (!t->a->get(t->fl, vcpu, &h))
		return MT_ERR_NOSPACE;
	*out = h;
	return MT_OK;
}

int mt_fl_put(struct mt_table *tb, unsigned vcpu, mt_handle_t h)
{
	struct fl_table *t = (struct fl_table *)tb;

	return t->a->put(t->fl, vcpu, h) == 0 ? MT_OK : MT_ERR_NOT_HELD;
}

int mt_fl_grow(struct mt_table *tb, unsigned vcpu)
{
	struct fl_table *t = (struct fl_table *)tb;

	if (!t->a->grow)
		return MT_OK;
	return t->a->grow(t->fl, vcpu) == 0 ? MT_OK : MT_ERR_LIMIT;
}

/* ---- the observer ---- */

#define MAX_HANDLES 65536u

struct mt_contract {
	struct mt_sim *sim;
	const struct mt_fl_adapter *a;
	struct fl_table *t;
	unsigned limit;              /* handle_limit() at begin */
	unsigned nr_vcpus;
	int16_t holder[MAX_HANDLES]; /* -1 free (as far as the book knows), else the VCPU */
	unsigned held[MT_IN_MAX_VCPUS];
	unsigned total_held;
	/* C3.  hostile[h]: bad puts of h in flight (no valid put picks h
	 * meanwhile: of two puts of one handle only one can be accepted).
	 * won[h]: a bad put of h, free by the book, was accepted while gets
	 * were in flight (these VCPUs): one of them may have handed h out
	 * without having returned yet.  It is excused when one returns h
	 * (then h is free again), else it is C3. */
	uint8_t hostile[MAX_HANDLES];
	uint8_t won[MAX_HANDLES];
	uint8_t ever_out[MAX_HANDLES], ever_put[MAX_HANDLES];   /* for the bad puts' flavours */
	uint32_t last_put;
	uint32_t won_list[MAX_HANDLES];      /* the handles with won[h] set (each once) */
	unsigned nr_won;
	uint8_t seen[MAX_HANDLES];   /* the end-of-run drain: handed out once */
};

struct mt_contract *mt_contract_new(void)
{
	return calloc(1, sizeof(struct mt_contract));
}

void mt_contract_free(struct mt_contract *c)
{
	free(c);
}

static void begin(void *ctx, struct mt_sim *sim)
{
	struct mt_contract *c = ctx;

	c->sim = sim;
	c->a = mt_fl_adapter_of(mt_sim_ops(sim));
	c->t = (struct fl_table *)mt_sim_table(sim);
	c->nr_vcpus = mt_sim_program(sim)->nr_vcpus;
	if (!c->a) {
		mt_sim_fail(sim, "contract", MT_INVALID_HANDLE, "%s is not a free list with an adapter "
		            "(MT_FL_REGISTER): the contract checker cannot run it", mt_sim_ops(sim)->name);
		return;
	}
	c->limit = c->a->handle_limit(c->t->fl);
	if (c->limit > MAX_HANDLES) {
		mt_sim_fail(sim, "C6", MT_INVALID_HANDLE, "adapter '%s' declares a handle limit of %u, "
		            "more than the checker's %u", c->a->name, c->limit, MAX_HANDLES);
		c->limit = MAX_HANDLES;
	}
	memset(c->holder, 0xff, sizeof(c->holder[0]) * c->limit);
	memset(c->held, 0, sizeof(c->held));
	c->total_held = 0;
	memset(c->hostile, 0, c->limit);
	memset(c->won, 0, c->limit);
	memset(c->ever_out, 0, c->limit);
	memset(c->ever_put, 0, c->limit);
	c->last_put = MT_INVALID_HANDLE;
	c->nr_won = 0;
}

/* A bad put may take h: free by the book, its last accepted bad put settled. */
static int bad_candidate(const struct mt_contract *c, uint32_t h, int need_never, int need_put)
{
	return c->holder[h] == -1 && !c->won[h] && (!need_never || !c->ever_out[h]) &&
	       (!need_put || c->ever_put[h]);
}

/* The k-th (cyclically) free handle below end that passes the filter, or
 * MT_INVALID_HANDLE. */
static uint32_t pick_free(const struct mt_contract *c, uint32_t end, unsigned k, int need_never,
                          int need_put)
{
	unsigned n = 0;

	for (uint32_t h = 0; h < end; h++)
		n += bad_candidate(c, h, need_never, need_put);
	if (!n)
		return MT_INVALID_HANDLE;
	k %= n;
	for (uint32_t h = 0; h < end; h++)
		if (bad_candidate(c, h, need_never, need_put) && k-- == 0)
			return h;
	return MT_INVALID_HANDLE;
}

/* A held handle to put (arg-th, cyclically, of who's or of anybody's),
 * never one a bad put has in flight. */
static uint32_t pick(const struct mt_contract *c, int who, unsigned arg)
{
	unsigned n = 0;

	for (uint32_t h = 0; h < c->limit; h++)
		if (c->holder[h] >= 0 && (who < 0 || c->holder[h] == who) && !c->hostile[h])
			n++;
	if (!n)
		return MT_INVALID_HANDLE;
	unsigned k = arg % n;
	for (uint32_t h = 0; h < c->limit; h++)
		if (c->holder[h] >= 0 && (who < 0 || c->holder[h] == who) && !c->hostile[h] && k-- == 0)
			return h;
	return MT_INVALID_HANDLE;
}

/* Entries the lists keep from every get now, and how many lists keep them. */
static unsigned kept_now(const struct mt_contract *c, unsigned *lists)
{
	const struct mt_fl_adapter *a = c->a;
	unsigned l = a->lists_initialised ? a->lists_initialised(c->t->fl) : c->nr_vcpus;

	if (lists)
		*lists = l;
	return a->kept_per_list * l;
}

static int prepare(void *ctx, struct mt_sim *sim, unsigned v, const struct mt_in_record *r,
                   struct mt_sim_op *op, unsigned in_flight)
{
	struct mt_contract *c = ctx;

	if (in_flight) {
		op->overlapped = 1;
		for (unsigned w = 0; w < c->nr_vcpus; w++) {
			struct mt_sim_op *other = mt_sim_op_of(sim, w);
			if (other && w != v)
				other->overlapped = 1;
		}
	}
	switch (r->op) {
	case MT_OP_GET:
	case MT_OP_GROW:
		return 1;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER: {
		int other = r->op == MT_OP_PUT_OTHER && c->a->remote_put;
		uint32_t h = pick(c, other ? -1 : (int)v, r->arg);
		if (h == MT_INVALID_HANDLE && c->a->remote_put)
			h = pick(c, -1, r->arg);
		if (h == MT_INVALID_HANDLE)
			return 0;
		op->handle = h;
		op->legit = 1;
		op->holder = c->holder[h];
		c->holder[h] = (int16_t)(-2 - (int)v);   /* being put by v */
		c->held[op->holder]--;
		c->total_held--;
		return 1;
	}
	default:
		if (!c->a->bad_puts_refused)
			return 0;        /* undefined: issue none */
		/* The maptrack oracle's flavours (enum mt_in_bad), against the
		 * handles that exist now (handles_now, else the limit): at or
		 * beyond their end, or a free one below it. */
		unsigned k = r->arg >> 3;
		uint32_t h = MT_INVALID_HANDLE, end = c->limit;
		if (c->a->handles_now && c->a->handles_now(c->t->fl) < end)
			end = c->a->handles_now(c->t->fl);
		op->bad_flavour = r->arg & 7u;
		switch (op->bad_flavour) {
		case MT_BAD_RANGE: h = end + k; break;
		case MT_BAD_TAIL:  h = MT_TAIL; break;
		case MT_BAD_HUGE:  h = 0xfffffffeu - k; break;
		case MT_BAD_LIMIT: h = end; break;
		case MT_BAD_FREE:  h = pick_free(c, end, k, 0, 0); break;
		case MT_BAD_LAST_PUT:    /* not free any more: as a double put */
		case MT_BAD_DOUBLE:
			if (op->bad_flavour == MT_BAD_LAST_PUT && c->last_put < end &&
			    bad_candidate(c, c->last_put, 0, 0)) {
				h = c->last_put;
				break;
			}
			h = pick_free(c, end, k, 0, 1);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(c, end, k, 0, 0);
			break;
		default:           /* MT_BAD_NEVER */
			h = pick_free(c, end, k, 1, 0);
			if (h == MT_INVALID_HANDLE)
				h = pick_free(c, end, k, 0, 0);
			break;
		}
		if (h == MT_INVALID_HANDLE)
			h = end + k;             /* nothing free: out of range instead */
		op->handle = h;
		op->holder = -1;
		if (h < c->limit)
			c->hostile[h]++;
		return 1;
	}
}

static mt_handle_t first_held(void *ctx, struct mt_sim *sim, unsigned v)
{
	(void)sim;
	return pick(ctx, (int)v, 0);
}

/* v's get returned: settle the accepted bad puts that waited for the
 * gets in flight (won[]).  1 if it returned such a handle (it was put back
 * already: it stays free). */
static int settle_won(struct mt_contract *c, struct mt_sim *sim, unsigned v, const struct mt_sim_op *op)
{
	int taken = 0;

	for (unsigned i = 0; i < c->nr_won;) {
		uint32_t h = c->won_list[i];
		int this_one = op->rc == MT_OK && op->handle == h;
		if (!(c->won[h] & (1u << v))) {
			i++;
			continue;
		}
		c->won[h] = this_one ? 0 : (uint8_t)(c->won[h] & ~(1u << v));
		if (c->won[h]) {
			i++;
			continue;
		}
		c->won_list[i] = c->won_list[--c->nr_won];
		if (!this_one) {
			mt_sim_fail(sim, "C3", h, "adapter '%s': a bad put of handle %u (not held) was accepted, "
			            "and no get in flight at the time handed it out", c->a->name, h);
			return 0;
		}
		taken = 1;
	}
	return taken;
}

/* A bad put of h was accepted.  Right only if a get that overlapped it
 * handed h out (then the put was a valid put of a held handle). */
static void judge_bad_put(struct mt_contract *c, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	uint32_t h = op->handle;

	if (h < c->limit && op->got_in_window && c->holder[h] >= 0) {
		/* A get handed it out meanwhile: the put won the race and put
		 * back a held handle. */
		c->held[c->holder[h]]--;
		c->total_held--;
		c->holder[h] = -1;
		c->ever_put[h] = 1;
		c->last_put = h;
		return;
	}
	unsigned gets = 0;
	if (h < c->limit && c->holder[h] == -1 && !c->won[h])
		for (unsigned w = 0; w < c->nr_vcpus; w++) {
			struct mt_sim_op *other = mt_sim_op_of(sim, w);
			if (w != v && other && other->kind == MT_OP_GET)
				gets |= 1u << w;
		}
	if (gets) {
		c->won[h] = (uint8_t)gets;
		c->won_list[c->nr_won++] = h;
		c->ever_put[h] = 1;
		c->last_put = h;
		return;
	}
	mt_sim_fail(sim, "C3", h, "adapter '%s': bad put of handle %u (%s; put-bad %s) on v%u was "
	            "accepted%s", c->a->name, h,
	            h >= c->limit ? "out of range" : c->ever_put[h] ? "already put" : c->ever_out[h] ?
	            "not held" : "never handed out", mt_in_bad_name(op->bad_flavour), v,
	            op->overlapped ? " (no get in flight could have handed it out)" : "");
}

static void op_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	struct mt_contract *c = ctx;
	const char *an = c->a->name;

	switch (op->kind) {
	case MT_OP_GET:
		if (c->nr_won && settle_won(c, sim, v, op))
			break;           /* handed out, and put back already by a bad put */
		if (mt_sim_failed(sim))
			return;
		if (op->rc == MT_OK) {
			uint32_t h = op->handle;
			if (h >= c->limit) {
				mt_sim_fail(sim, "C6", h, "adapter '%s': get on v%u returned handle %u, not below "
				            "its handle limit %u (garbage handle)", an, v, h, c->limit);
				return;
			}
			/* A handle being put may be handed out before the put
			 * returns (the put took effect first): not a finding. */
			if (c->holder[h] >= 0) {
				mt_sim_fail(sim, "C1", h, "adapter '%s': get on v%u handed out handle %u, which "
				            "v%d holds (handed out twice)", an, v, h, c->holder[h]);
				return;
			}
			c->holder[h] = (int16_t)v;
			c->held[v]++;
			c->total_held++;
			c->ever_out[h] = 1;
			/* Bad puts of h in flight may now be accepted. */
			if (c->hostile[h])
				for (unsigned w = 0; w < c->nr_vcpus; w++) {
					struct mt_sim_op *other = mt_sim_op_of(sim, w);
					if (other && other->kind == MT_OP_PUT_BAD && other->handle == h)
						other->got_in_window = 1;
				}
		} else if (!op->overlapped && !op->weak && c->a->capacity_exact) {
			/* Judged on solo gets that read the newest stores only
			 * (c11: a stale read may fail a get, as on real hardware
			 * until the store reaches this CPU; the maptrack oracle's
			 * I10 does the same).  After an allocation the engine
			 * failed, only the handles that exist count. */
			if (op->alloc_fail && !c->a->handles_now)
				break;
			unsigned exist = op->alloc_fail ? c->a->handles_now(c->t->fl) : c->limit, lists;
			unsigned free_now = exist > c->total_held ? exist - c->total_held : 0;
			unsigned sentinels = kept_now(c, &lists);
			unsigned kept = sentinels + c->a->reserve * (c->nr_vcpus - 1);
			if (free_now > kept)
				mt_sim_fail(sim, "C4", MT_INVALID_HANDLE, "adapter '%s': get on v%u, alone, found "
				            "the list empty with %u of %u %shandles free (%u lists keep %u; other "
				            "VCPUs may keep %u)", an, v, free_now, exist,
				            op->alloc_fail ? "allocated " : "", lists, sentinels,
				            c->a->reserve * (c->nr_vcpus - 1));
		}
		break;
	case MT_OP_PUT_BAD:
		if (op->handle < c->limit && c->hostile[op->handle])
			c->hostile[op->handle]--;
		if (op->rc == MT_OK)
			judge_bad_put(c, sim, v, op);
		break;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER:
		if (!op->legit)
			break;
		if (c->holder[op->handle] == -2 - (int)v)
			c->holder[op->handle] = -1;
		c->ever_put[op->handle] = 1;
		c->last_put = op->handle;
		if (op->rc != MT_OK)
			mt_sim_fail(sim, "C2", op->handle, "adapter '%s': v%u's put of handle %u (held by v%d) "
			            "was refused", an, v, op->handle, op->holder);
		break;
	default:
		break;
	}
}

/* The end: every handle is back; gets must hand out the capacity once. */
/* An end-of-run get, made as VCPU v's thread (a list that finds its
 * cache by thread: fuzz/engine/identity.h). */
struct end_get_call {
	struct mt_contract *c;
	unsigned v;
	uint32_t *h;
	int rc;
};

static void end_get_on(void *arg)
{
	struct end_get_call *g = arg;

	g->rc = g->c->a->get(g->c->t->fl, g->v, g->h);
}

static int end_get(struct mt_sim *sim, struct mt_contract *c, unsigned v, uint32_t *h)
{
	struct end_get_call g = { c, v, h, 0 };

	mt_sim_call_on(sim, v, end_get_on, &g);
	return g.rc;
}

static void quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final)
{
	struct mt_contract *c = ctx;

	if (!final || mt_sim_failed(sim))
		return;
	if (c->nr_won) {             /* every get has returned: nobody handed it out */
		mt_sim_fail(sim, "C3", c->won_list[0], "adapter '%s': a bad put of handle %u (not held) "
		            "was accepted, and no get in flight at the time handed it out", c->a->name,
		            c->won_list[0]);
		return;
	}
	memset(c->seen, 0, c->limit);
	unsigned failed_before = c->t->alloc_failed;
	unsigned got = 0, bound = c->limit + 64;
	for (int progress = 1; progress && got < bound;) {
		progress = 0;
		for (unsigned v = 0; v < c->nr_vcpus && got < bound; v++) {
			uint32_t h;
			while (got < bound && end_get(sim, c, v, &h)) {
				progress = 1;
				got++;
				if (h >= c->limit) {
					mt_sim_fail(sim, "C6", h, "adapter '%s': end-of-run get on v%u returned "
					            "handle %u, not below its handle limit %u", c->a->name, v, h,
					            c->limit);
					return;
				}
				if (c->seen[h]++) {
					mt_sim_fail(sim, "C5", h, "adapter '%s': end-of-run gets handed out handle %u "
					            "twice (the list holds it twice)", c->a->name, h);
					return;
				}
			}
		}
	}
	/* What the gets must have handed out: every handle (those that exist,
	 * if an allocation of theirs failed) but the kept ones. */
	int alloc_failed = c->t->alloc_failed != failed_before;
	unsigned lists, kept = kept_now(c, &lists);
	unsigned exist = alloc_failed && c->a->handles_now ? c->a->handles_now(c->t->fl) : c->limit;
	unsigned want = exist > kept ? exist - kept : 0;
	int judge = c->a->capacity_exact && (!alloc_failed || c->a->handles_now);
	if (trace)
		fprintf(trace, "# end: gets handed out %u handles (limit %u%s; %u lists keep %u%s)\n", got,
		        c->limit, judge ? ", exact" : "", lists, kept,
		        alloc_failed ? "; an allocation failed" : "");
	if (judge && got != want) {
		unsigned lost = 0;
		for (unsigned h = 0; h < exist && !lost; h++)
			if (!c->seen[h])
				lost = h + 1;
		mt_sim_fail(sim, "C5", got < want && lost ? lost - 1 : MT_INVALID_HANDLE, "adapter '%s': "
		            "after every handle was put back, gets handed out %u handles, want %u (%u %s, "
		            "%u kept by %u lists)", c->a->name, got, want, exist,
		            exist == c->limit ? "the limit" : "allocated", kept, lists);
	}
}

const struct mt_sim_observer mt_contract_observer = {
	.name = "contract",
	.begin = begin,
	.prepare = prepare,
	.first_held = first_held,
	.op_returned = op_returned,
	.quiescent = quiescent,
};
