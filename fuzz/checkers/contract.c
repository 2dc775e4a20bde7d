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

int mt_fl_create(const struct mt_fl_adapter *a, const struct mt_ops *ops, const struct mt_config *cfg,
                 struct mt_table **out)
{
	struct fl_table *t = calloc(1, sizeof(*t));

	if (!t)
		return MT_ERR_NOMEM;
	t->base.ops = ops;
	t->base.cfg = *cfg;
	t->a = a;
	t->fl = a->create(cfg);
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
}

static uint32_t pick(const struct mt_contract *c, int who, unsigned arg)
{
	unsigned n = who >= 0 ? c->held[who] : c->total_held;

	if (!n)
		return MT_INVALID_HANDLE;
	unsigned k = arg % n;
	for (uint32_t h = 0; h < c->limit; h++)
		if (c->holder[h] >= 0 && (who < 0 || c->holder[h] == who) && k-- == 0)
			return h;
	return MT_INVALID_HANDLE;
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
		if (!c->a->bad_puts_refused || in_flight)
			return 0;        /* undefined: issue none; judged only on a quiet list */
		/* out of range, or a free handle (never handed out / already put) */
		if (r->arg & 1) {
			op->handle = c->limit + (r->arg >> 1);
		} else {
			uint32_t k = (uint32_t)(r->arg >> 1), h;
			for (h = 0; h < c->limit; h++)
				if (c->holder[h] == -1 && k-- == 0)
					break;
			if (h == c->limit)
				return 0;
			op->handle = h;
		}
		op->bad_flavour = r->arg & 1;
		return 1;
	}
}

static mt_handle_t first_held(void *ctx, struct mt_sim *sim, unsigned v)
{
	(void)sim;
	return pick(ctx, (int)v, 0);
}

static void op_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	struct mt_contract *c = ctx;
	const char *an = c->a->name;

	switch (op->kind) {
	case MT_OP_GET:
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
		} else if (!op->overlapped && !op->weak && c->a->capacity_exact) {
			/* Judged on solo gets that read the newest stores only
			 * (c11: a stale read may fail a get, as on real hardware
			 * until the store reaches this CPU; the maptrack oracle's
			 * I10 does the same). */
			unsigned free_now = c->limit - c->total_held;
			unsigned kept = c->a->reserve * (c->nr_vcpus - 1);
			if (free_now > kept)
				mt_sim_fail(sim, "C4", MT_INVALID_HANDLE, "adapter '%s': get on v%u, alone, found "
				            "the list empty with %u of %u handles free (other VCPUs may keep %u)",
				            an, v, free_now, c->limit, kept);
		}
		break;
	case MT_OP_PUT_BAD:
		if (op->rc == MT_OK)
			mt_sim_fail(sim, "C3", op->handle, "adapter '%s': bad put of handle %u (%s) on v%u "
			            "was accepted", an, op->handle, op->bad_flavour ? "out of range" : "not held",
			            v);
		break;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER:
		if (!op->legit)
			break;
		if (c->holder[op->handle] == -2 - (int)v)
			c->holder[op->handle] = -1;
		if (op->rc != MT_OK)
			mt_sim_fail(sim, "C2", op->handle, "adapter '%s': v%u's put of handle %u (held by v%d) "
			            "was refused", an, v, op->handle, op->holder);
		break;
	default:
		break;
	}
}

/* The end: every handle is back; gets must hand out the capacity once. */
static void quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final)
{
	struct mt_contract *c = ctx;

	if (!final || mt_sim_failed(sim))
		return;
	memset(c->seen, 0, c->limit);
	unsigned got = 0, bound = c->limit + 64;
	for (int progress = 1; progress && got < bound;) {
		progress = 0;
		for (unsigned v = 0; v < c->nr_vcpus && got < bound; v++) {
			uint32_t h;
			while (got < bound && c->a->get(c->t->fl, v, &h)) {
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
	if (trace)
		fprintf(trace, "# end: gets handed out %u handles (limit %u%s)\n", got, c->limit,
		        c->a->capacity_exact ? ", exact" : "");
	if (c->a->capacity_exact && got != c->limit) {
		unsigned lost = 0;
		for (unsigned h = 0; h < c->limit && !lost; h++)
			if (!c->seen[h])
				lost = h + 1;
		mt_sim_fail(sim, "C5", lost ? lost - 1 : MT_INVALID_HANDLE, "adapter '%s': after every "
		            "handle was put back, gets handed out %u of its %u handles (%s%u lost)",
		            c->a->name, got, c->limit, lost ? "first: " : "", lost ? lost - 1 : 0);
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
