/*
 * sim.c - the deterministic VCPU simulator (see sim.h).
 *
 * Cost model: a schedule point where nothing happens costs a site lookup,
 * a counter increment, a compare and the access observers (the I11 claims
 * checker by default); only the points where a record stops its VCPU
 * switch context (fiber.h).
 */
#include "fuzz/engine/sim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/engine/arena.h"
#include "fuzz/engine/crash.h"
#include "fuzz/engine/fiber.h"
#include "fuzz/engine/identity.h"
#include "fuzz/engine/memory.h"
#include "lib/mt_access.h"

enum vstate {
	V_IDLE,          /* no operation */
	V_READY,         /* operation set up, not run yet */
	V_RUNNING,
	V_PARKED,        /* stopped at a schedule point by the schedule */
	V_BLOCKED,       /* waiting for a lock */
	V_DONE,          /* operation returned; scheduler collects it */
	V_DEAD,          /* stopped for good (livelock bound): never resumed */
};

struct vcpu {
	struct mt_fiber fiber;
	enum vstate state;
	int site;                /* where it is parked or blocked (run's site id) */
	const void *lock;        /* the lock it waits for */
	int guess;               /* V_BLOCKED by mt_sched_spin_wait(): maybe not waiting */
	int watch_site;          /* preempted at this site: relevant if it then meets a write
	                          * made by another VCPU while it was stopped (-1: none) */
	uint32_t watch_seq;      /* the write sequence number when it was preempted */
	int preempt_site;        /* last site where its operation was preempted, -1 */
	const void *pend_addr;   /* the access of the schedule point it last passed */
	unsigned pend_acc;       /* (mt_sim_pending) */
	struct mt_sim_op op;
};

/* The site tables of the implementation of this run. */
#define MAX_TABLES 8u

struct mt_sim {
	const struct mt_program *prog;
	unsigned nv;             /* prog->nr_vcpus when its run started (0: no run yet): the
	                          * queries of every step need no load through prog */
	const struct mt_ops *ops;
	struct mt_table *table;
	FILE *trace;
	struct vcpu v[MT_IN_MAX_VCPUS];
	struct mt_fiber_host host;
	int cur;                 /* VCPU running now, or -1 */
	unsigned stop_pending;   /* bit v: v parked by the schedule; a preemption once another runs */
	int rechecking;          /* cur runs to confirm a deadlock (mt_sim_rechecking) */
	/* stop condition of the running VCPU */
	enum mt_in_run_mode stop_mode;
	unsigned budget;
	int stop_site;
	/* sites: ops->site_tables, numbered by concatenation */
	const struct mt_site_table *const *site_tables;   /* of the cached map below */
	unsigned nr_tables;
	const struct mt_site *tbl_first[MAX_TABLES];
	unsigned tbl_count[MAX_TABLES], tbl_base[MAX_TABLES];
	struct mt_in_sites in_sites;                      /* names for the trace */
	const struct mt_site **site_vec;                  /* id -> site (in_sites.count) */
	unsigned site_cap;
	/* interleaving coverage */
	uint8_t *pairs;
	size_t nr_pairs;
	int last_stopped;        /* VCPU stopped last, -1 if the last one finished */
	int last_site;
	int pair_pending;        /* site to pair with the next point, or -1 */
	/* observers */
	const struct mt_sim_observer *obs[MT_SIM_MAX_OBSERVERS];
	void *obs_ctx[MT_SIM_MAX_OBSERVERS];
	unsigned nr_obs;
	int work;                /* the observer with the workload role, or -1 */
	unsigned nr_access;      /* observers with an access callback (hot path) */
	unsigned access_of[MT_SIM_MAX_OBSERVERS];
	unsigned nr_after;       /* observers with an after callback */
	unsigned after_of[MT_SIM_MAX_OBSERVERS];
	mt_sim_event_fn event_fn;
	void *event_ctx;
	/* pages and the run's verdict */
	unsigned alloc_attempts;
	int failed;
	char finding[512];
	struct mt_ev ring[MT_SIM_TRACE_RING];
	uint64_t nr_ev;
	int record;              /* record being played, -1 drain, -2 epilogue */
	int printed_record;      /* last record line printed to trace */
	struct mt_sim_stats stats;
	/* blame (mt_sim_blame) */
	int returning;           /* VCPU whose op_returned is being told, -1 */
	int last_returned;       /* VCPU whose operation returned last, -1 */
	uint8_t last_returned_op;
	int last_returned_preempt;
	enum mt_sim_phase phase; /* MT_PHASE_QUIESCENT/FINAL while checking, else NONE */
	int blame_hint;          /* mt_sim_blame_site() */
	int blame_other;         /* mt_sim_blame_pair()'s second site */
	unsigned nwin;
	struct mt_sim_preemption win[MT_SIM_BLAME_WINDOW];
	struct mt_sim_blame blame;
	/* last writes, for the relevance of preemptions: a small hash by
	 * address, valid when gen matches the run's */
	uint32_t wseq, wgen;
	struct { const void *addr; uint32_t seq, gen; uint8_t vcpu; } wlog[256];
	/* the memory model (memory.h): on for c11 runs and when an observer
	 * asks for happens-before clocks (mt_sim_use_clocks) */
	struct mt_mem *mem;
	int mem_on, c11;
	/* with a trace: the last accesses and their values, printed with a
	 * finding (what each VCPU read and wrote just before it) */
	struct { const void *addr; uint64_t val; int32_t site; int8_t v; uint8_t op, size, has_val; } vals[8];
	unsigned nvals;
	int crashed;             /* the finding is a crash (crash.h): what it was */
	struct mt_crash crash;
	int weaken_site;         /* mt_sim_weaken(), -1: off */
	unsigned weaken_order;
	struct mt_arena arena;
};

/* The context whose run is in progress (the library's hook needs it).
 * initial-exec: one fs-relative load per schedule point, no
 * __tls_get_addr call (the engine is linked into the executable). */
static _Thread_local struct mt_sim *active __attribute__((tls_model("initial-exec")));

void mt_sim_use_clocks(struct mt_sim *sim)
{
	sim->mem_on = 1;
}

const uint32_t *mt_sim_clock(const struct mt_sim *sim, unsigned v)
{
	return mt_mem_clock(sim->mem, v);
}

void mt_sim_set_shadow(struct mt_sim *sim, int on)
{
	mt_mem_set_shadow(sim->mem, on);
}

unsigned mt_sim_narrowed(const struct mt_sim *sim)
{
	return mt_mem_narrowed(sim->mem);
}

void mt_sim_section_end(struct mt_sim *sim, unsigned v, const void *lock, int merged)
{
	mt_mem_section_end(sim->mem, v, lock, merged);
}

int mt_sim_loc(const struct mt_sim *sim)
{
	return sim->mem_on ? mt_mem_last_loc(sim->mem) : -1;
}

int mt_sim_loc2(const struct mt_sim *sim)
{
	return sim->mem_on ? mt_mem_last_loc2(sim->mem) : -1;
}

void mt_sim_weaken(struct mt_sim *sim, int id, unsigned order)
{
	sim->weaken_site = id;
	sim->weaken_order = order & MT_ACC_ORDER_MASK;
}

unsigned mt_sim_last_allowed(const struct mt_sim *sim, unsigned v)
{
	return sim->c11 ? mt_mem_last_allowed(sim->mem, v) : 1;
}

void mt_sim_fence(struct mt_sim *sim, unsigned order)
{
	if (sim->mem_on && sim->cur >= 0)
		mt_mem_fence(sim->mem, (unsigned)sim->cur, order);
}

struct mt_sim *mt_sim_active(void)
{
	return active;
}

int mt_sim_current(const struct mt_sim *sim)
{
	return sim->cur;
}

void mt_sim_call_on(struct mt_sim *sim, unsigned v, void (*fn)(void *), void *arg)
{
	if (mt_identity_on && v < MT_IN_MAX_VCPUS)
		mt_identity_call(&sim->v[v].fiber, &sim->host, fn, arg);
	else
		fn(arg);
}

int mt_sim_rechecking(void)
{
	return active && active->cur >= 0 && active->rechecking;
}

struct mt_sim *mt_sim_new(void)
{
	struct mt_sim *sim = aligned_alloc(64, (sizeof(struct mt_sim) + 63) & ~(size_t)63);

	if (!sim)
		return NULL;
	memset(sim, 0, sizeof(*sim));
	sim->cur = -1;
	sim->work = -1;
	sim->weaken_site = -1;
	if (!(sim->mem = mt_mem_new())) {
		free(sim);
		return NULL;
	}
	return sim;
}

void mt_sim_free(struct mt_sim *sim)
{
	if (!sim)
		return;
	for (unsigned i = 0; i < MT_IN_MAX_VCPUS; i++)
		mt_fiber_free(&sim->v[i].fiber);
	mt_arena_release(&sim->arena);
	mt_mem_free(sim->mem);
	free(sim->site_vec);
	free(sim);
}

int mt_sim_attach(struct mt_sim *sim, const struct mt_sim_observer *obs, void *ctx)
{
	if (sim->nr_obs == MT_SIM_MAX_OBSERVERS)
		return -1;
	if (obs->prepare || obs->first_held) {
		if (sim->work >= 0 || !obs->prepare || !obs->first_held)
			return -1;
		sim->work = (int)sim->nr_obs;
	}
	if (obs->access)
		sim->access_of[sim->nr_access++] = sim->nr_obs;
	if (obs->after)
		sim->after_of[sim->nr_after++] = sim->nr_obs;
	sim->obs[sim->nr_obs] = obs;
	sim->obs_ctx[sim->nr_obs] = ctx;
	sim->nr_obs++;
	return 0;
}

#define EACH_OBSERVER0(sim, cb) do { \
	for (unsigned i_ = 0; i_ < (sim)->nr_obs; i_++) \
		if ((sim)->obs[i_]->cb) \
			(sim)->obs[i_]->cb((sim)->obs_ctx[i_], (sim)); \
	} while (0)
#define EACH_OBSERVER(sim, cb, ...) do { \
	for (unsigned i_ = 0; i_ < (sim)->nr_obs; i_++) \
		if ((sim)->obs[i_]->cb) \
			(sim)->obs[i_]->cb((sim)->obs_ctx[i_], (sim), __VA_ARGS__); \
	} while (0)

void mt_sim_set_pair_counters(struct mt_sim *sim, uint8_t *counters, size_t n)
{
	sim->pairs = n ? counters : NULL;
	sim->nr_pairs = n;
}

void mt_sim_set_event_hook(struct mt_sim *sim, mt_sim_event_fn fn, void *ctx)
{
	sim->event_fn = fn;
	sim->event_ctx = ctx;
}

const struct mt_sim_stats *mt_sim_stats(const struct mt_sim *sim)
{
	return &sim->stats;
}

const char *mt_sim_finding(const struct mt_sim *sim)
{
	return sim->failed ? sim->finding : "";
}

int mt_sim_failed(const struct mt_sim *sim)
{
	return sim->failed;
}

const struct mt_program *mt_sim_program(const struct mt_sim *sim)
{
	return sim->prog;
}

const struct mt_ops *mt_sim_ops(const struct mt_sim *sim)
{
	return sim->ops;
}

struct mt_table *mt_sim_table(const struct mt_sim *sim)
{
	return sim->table;
}

/* What the engine knows at the first finding (mt_sim_blame). */
static void blame_record(struct mt_sim *sim, const char *inv)
{
	struct mt_sim_blame *b = &sim->blame;
	int v = sim->cur >= 0 ? sim->cur : sim->returning;

	memset(b, 0, sizeof(*b));
	snprintf(b->inv, sizeof(b->inv), "%s", inv);
	b->vcpu = -1;
	b->op = MT_OP_NOP;
	b->op_preempt = -1;
	b->hint = sim->blame_hint;
	b->other = sim->blame_other;
	if (v >= 0) {
		b->phase = MT_PHASE_OP;
		b->vcpu = v;
		b->op = sim->v[v].op.kind;
		b->op_preempt = sim->v[v].preempt_site;
	} else if (sim->phase == MT_PHASE_QUIESCENT || sim->phase == MT_PHASE_FINAL) {
		b->phase = sim->phase;
		if (sim->phase == MT_PHASE_QUIESCENT && sim->last_returned >= 0) {
			b->vcpu = sim->last_returned;
			b->op = sim->last_returned_op;
			b->op_preempt = sim->last_returned_preempt;
		}
	} else {
		b->phase = MT_PHASE_END;
	}
	b->nwin = sim->nwin;
	memcpy(b->win, sim->win, sizeof(b->win));
}

void mt_sim_blame_site(struct mt_sim *sim, int site)
{
	mt_sim_blame_pair(sim, site, -1);
}

void mt_sim_blame_pair(struct mt_sim *sim, int site, int other)
{
	if (!sim->failed) {
		sim->blame_hint = site;
		sim->blame_other = other;
	}
}

const struct mt_sim_blame *mt_sim_blame(const struct mt_sim *sim)
{
	return &sim->blame;
}

void mt_sim_fail(struct mt_sim *sim, const char *inv, mt_handle_t handle, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sim->failed)
		return;
	sim->failed = 1;
	blame_record(sim, inv);
	if (handle != MT_INVALID_HANDLE)
		n = snprintf(sim->finding, sizeof(sim->finding), "%s (handle %u): ", inv, handle);
	else
		n = snprintf(sim->finding, sizeof(sim->finding), "%s: ", inv);
	if (n < 0 || (size_t)n >= sizeof(sim->finding))
		return;
	va_start(ap, fmt);
	vsnprintf(sim->finding + n, sizeof(sim->finding) - (size_t)n, fmt, ap);
	va_end(ap);
}

struct mt_sim_op *mt_sim_op_of(struct mt_sim *sim, unsigned v)
{
	if (v >= sim->nv || sim->v[v].state == V_IDLE)
		return NULL;
	return &sim->v[v].op;
}

/* ---- sites ---- */

/* Number the sites of ops's tables (cached: the same tables, no work). */
static void sites_prepare(struct mt_sim *sim, const struct mt_ops *ops)
{
	if (sim->site_tables == ops->site_tables && sim->site_tables)
		return;
	sim->site_tables = ops->site_tables;
	sim->nr_tables = 0;
	unsigned base = 0;
	for (const struct mt_site_table *const *t = ops->site_tables; t && *t && sim->nr_tables < MAX_TABLES; t++) {
		sim->tbl_first[sim->nr_tables] = (*t)->sites;
		sim->tbl_count[sim->nr_tables] = (*t)->count;
		sim->tbl_base[sim->nr_tables] = base;
		base += (*t)->count;
		sim->nr_tables++;
	}
	mt_in_sites_init(&sim->in_sites, ops->site_tables);
	if (sim->in_sites.count > sim->site_cap) {
		free(sim->site_vec);
		sim->site_vec = malloc(sim->in_sites.count * sizeof(*sim->site_vec));
		if (!sim->site_vec) {
			fprintf(stderr, "sim: out of memory for %u sites\n", sim->in_sites.count);
			abort();
		}
		sim->site_cap = sim->in_sites.count;
	}
	for (unsigned i = 0; i < sim->in_sites.count; i++)
		sim->site_vec[i] = mt_in_site(&sim->in_sites, i);
}

const struct mt_site *const *mt_sim_sites(const struct mt_sim *sim)
{
	return sim->site_vec;
}

unsigned mt_sim_nr_sites(const struct mt_sim *sim)
{
	return sim->in_sites.count;
}

const struct mt_site *mt_sim_site(const struct mt_sim *sim, unsigned id)
{
	return id < sim->in_sites.count ? sim->site_vec[id] : NULL;
}

const char *mt_sim_site_text(const struct mt_sim *sim, int id)
{
	const struct mt_site *s = id >= 0 ? mt_sim_site(sim, (unsigned)id) : NULL;

	return s ? s->text : "?";
}

/* A site descriptor -> this run's id, or -1 (not in the implementation's tables). */
static inline __attribute__((always_inline)) int site_id(const struct mt_sim *sim, const struct mt_site *site)
{
	for (unsigned i = 0; i < sim->nr_tables; i++) {
		uintptr_t off = (uintptr_t)site - (uintptr_t)sim->tbl_first[i];
		if (off < (uintptr_t)sim->tbl_count[i] * sizeof(struct mt_site))
			return (int)(sim->tbl_base[i] + off / sizeof(struct mt_site));
	}
	return -1;
}

static inline size_t pair_index(unsigned a, unsigned b, unsigned sites, size_t n)
{
	if ((size_t)sites * sites <= n)
		return (size_t)a * sites + b;
	uint64_t x = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;
	return (size_t)((x >> 32) % n);
}

size_t mt_sim_pair_index(unsigned a, unsigned b, unsigned sites, size_t n)
{
	return pair_index(a, b, sites, n);
}

static void pair_hit(struct mt_sim *sim, int a, int b)
{
	if (a < 0 || b < 0)
		return;
	uint8_t *c = &sim->pairs[pair_index((unsigned)a, (unsigned)b, sim->in_sites.count, sim->nr_pairs)];
	if (*c != 255)
		(*c)++;
}

/* c11 coverage: a load at site a read an older store made at site b (how
 * far back, capped at 3, as the counter's hit count bucket).  The pairs
 * share the interleaving counters, offset by a constant so that they
 * rarely collide with (a, b) switch pairs. */
static void weak_hit(struct mt_sim *sim, int a, int b, unsigned back)
{
	if (!sim->pairs || a < 0)
		return;
	unsigned n = sim->in_sites.count;
	size_t i = (pair_index((unsigned)a, (unsigned)(b < 0 ? (int)n : b), n + 1, sim->nr_pairs) +
	            sim->nr_pairs / 2) % sim->nr_pairs;
	uint8_t *c = &sim->pairs[i];
	for (unsigned k = 0; k < (back > 3 ? 3 : back) && *c != 255; k++)
		(*c)++;
}

/* ---- trace ---- */

static void print_ev(struct mt_sim *sim, FILE *out, const struct mt_ev *e);

static inline struct mt_ev *ev_new(struct mt_sim *sim, enum mt_ev_type type, unsigned v, int site, int rc,
                                   uint32_t handle, unsigned aux)
{
	struct mt_ev *e = &sim->ring[sim->nr_ev++ % MT_SIM_TRACE_RING];
	const struct mt_sim_op *op = v < MT_IN_MAX_VCPUS ? &sim->v[v].op : NULL;

	*e = (struct mt_ev){ .record = sim->record, .type = (uint8_t)type, .vcpu = (uint8_t)v,
	                     .op = op ? op->kind : 0, .aux = (uint8_t)aux, .site = site, .rc = rc,
	                     .handle = handle, .points = op ? op->points : 0, .from_v = -1, .newer_v = -1,
	                     .pointer = 0, .from_site = -1, .newer_site = -1 };
	return e;
}

static inline void ev_emit(struct mt_sim *sim, const struct mt_ev *e)
{
	if (sim->trace)
		print_ev(sim, sim->trace, e);
	if (sim->event_fn)
		sim->event_fn(sim->event_ctx, e,
		              sim->record >= 0 && sim->prog && (unsigned)sim->record < sim->prog->nr_records
		              ? &sim->prog->rec[sim->record] : NULL);
}

static void ev(struct mt_sim *sim, enum mt_ev_type type, unsigned v, int site, int rc, uint32_t handle,
               unsigned aux)
{
	struct mt_ev *e = ev_new(sim, type, v, site, rc, handle, aux);
	if (sim->trace || sim->event_fn)
		ev_emit(sim, e);
}

static const char *rc_text(int rc)
{
	switch (rc) {
	case MT_OK:           return "ok";
	case MT_ERR_NOSPACE:  return "no space";
	case MT_ERR_RANGE:    return "refused: out of range";
	case MT_ERR_NOT_HELD: return "refused: not held";
	case MT_ERR_INVAL:    return "invalid argument";
	case MT_ERR_NOMEM:    return "out of memory";
	case MT_ERR_LIMIT:    return "at frame limit";
	}
	return mt_strerror(rc);
}

static void print_ev(struct mt_sim *sim, FILE *out, const struct mt_ev *e)
{
	char buf[128];

	if (e->record != sim->printed_record && sim->prog) {
		sim->printed_record = e->record;
		if (e->record >= 0 && (unsigned)e->record < sim->prog->nr_records)
			fprintf(out, "%s\n", mt_in_record_text(&sim->prog->rec[e->record], &sim->in_sites,
			                                       buf, sizeof(buf)));
	}
	const char *opn = mt_in_op_name(e->op);
	const char *site = mt_sim_site_text(sim, e->site);
	switch (e->type) {
	case MT_EV_START:
		if (e->op == MT_OP_GET || e->op == MT_OP_GROW)
			fprintf(out, "#   v%u starts %s\n", e->vcpu, opn);
		else
			fprintf(out, "#   v%u starts %s of handle %u%s\n", e->vcpu, opn, e->handle,
			        e->aux == 1 ? " (held by another VCPU)" : "");
		break;
	case MT_EV_SKIP:
		fprintf(out, "#   v%u has no handle to %s: nothing started\n", e->vcpu, opn);
		break;
	case MT_EV_IDLE:
		fprintf(out, "#   v%u is idle: nothing to do\n", e->vcpu);
		break;
	case MT_EV_RESUME:
		fprintf(out, "#   v%u resumes %s at '%s'\n", e->vcpu, opn, site);
		break;
	case MT_EV_INSTEAD:
		fprintf(out, "#   v%u waits for a lock: v%u runs instead\n", e->aux, e->vcpu);
		break;
	case MT_EV_STOP:
		fprintf(out, "#   v%u %s stopped before '%s' (point %u of the op)\n", e->vcpu, opn, site, e->points);
		break;
	case MT_EV_BLOCK:
		if (e->aux)
			fprintf(out, "#   v%u %s spins at '%s' with nothing it read changed: parked until a "
			        "write to it\n", e->vcpu, opn, site);
		else
			fprintf(out, "#   v%u %s blocked at '%s': lock held\n", e->vcpu, opn, site);
		break;
	case MT_EV_RECHECK:
		fprintf(out, "#   every VCPU with work waits: v%u %s, parked as spinning at '%s', runs up to "
		        "%u points more (a deadlock only if it spins again with nothing changed)\n",
		        e->vcpu, opn, site, MT_SIM_RECHECK_POINTS);
		break;
	case MT_EV_DONE:
		if (e->op == MT_OP_GET && e->rc == MT_OK)
			fprintf(out, "#   v%u get -> ok, handle %u (%u points)\n", e->vcpu, e->handle, e->points);
		else if (e->op == MT_OP_GET || e->op == MT_OP_GROW)
			fprintf(out, "#   v%u %s -> %s (%u points)\n", e->vcpu, opn, rc_text(e->rc), e->points);
		else
			fprintf(out, "#   v%u %s %u -> %s (%u points)\n", e->vcpu, opn, e->handle,
			        rc_text(e->rc), e->points);
		break;
	case MT_EV_DRAIN:
		fprintf(out, "# end of records: drain, v%u runs %s to its end\n", e->vcpu, opn);
		break;
	case MT_EV_EPILOGUE:
		fprintf(out, "# epilogue: v%u puts back handle %u\n", e->vcpu, e->handle);
		break;
	case MT_EV_READ_FROM:
		if (sim->c11)
			fprintf(out, "#   v%u queues a choice: a load of its with a choice to make reads the "
			        "store %u back from the newest it may see (modulo those)\n", e->vcpu, e->handle);
		else
			fprintf(out, "#   v%u read-from choice %u kept (model %s: one store to read)\n", e->vcpu,
			        e->handle, sim->prog ? mt_in_model_name(sim->prog->model) : "?");
		break;
	case MT_EV_WEAK_READ:
		if (e->pointer)
			fprintf(out, "#   v%u %s at '%s' read %s from ", e->vcpu, opn, site,
			        e->handle ? "a pointer" : "NULL");
		else
			fprintf(out, "#   v%u %s at '%s' read 0x%x from ", e->vcpu, opn, site, e->handle);
		if (e->from_v < 0)
			fprintf(out, "the value before the run");
		else
			fprintf(out, "v%d's store at '%s'", e->from_v, mt_sim_site_text(sim, e->from_site));
		if (e->pointer)
			fprintf(out, "; newer: %s ", e->rc ? "a pointer" : "NULL");
		else
			fprintf(out, "; newer: 0x%x ", (unsigned)e->rc);
		if (e->newer_v < 0)
			fprintf(out, "(before the run)");
		else
			fprintf(out, "by v%d at '%s'", e->newer_v, mt_sim_site_text(sim, e->newer_site));
		fprintf(out, " (%u stores back)\n", e->aux);
		break;
	}
}

void mt_sim_report_crash(struct mt_sim *sim, FILE *out, const char *what)
{
	sim->failed = 0;
	mt_sim_fail(sim, "crash", MT_INVALID_HANDLE, "%s in v%d's %s", what, sim->cur,
	            sim->cur >= 0 ? mt_in_op_name(sim->v[sim->cur].op.kind) : "(no operation)");
	mt_sim_report(sim, out);
}

void mt_sim_report(struct mt_sim *sim, FILE *out)
{
	if (!sim->failed)
		return;
	fprintf(out, "FINDING %s\n", sim->finding);
	fprintf(out, "  impl=%s; the interleaving up to the finding (text form, replayable with tools/encode):\n",
	        sim->ops ? sim->ops->name : "?");
	if (!sim->prog)
		return;
	mt_in_print_header(sim->prog, out);
	uint64_t first = sim->nr_ev > MT_SIM_TRACE_RING ? sim->nr_ev - MT_SIM_TRACE_RING : 0;
	if (first)
		fprintf(out, "# ... %llu earlier steps not kept (decode the input for all of them)\n",
		        (unsigned long long)first);
	sim->printed_record = -100;
	for (uint64_t i = first; i < sim->nr_ev; i++)
		print_ev(sim, out, &sim->ring[i % MT_SIM_TRACE_RING]);
	fprintf(out, "# FINDING %s\n", sim->finding);
}

/* ---- contexts ---- */

static void vcpu_main(void) __attribute__((noreturn));
static void vcpu_main(void)
{
	struct mt_sim *sim = active;

	if (!sim)                /* a VCPU of its own thread (identity.h) */
		active = sim = (struct mt_sim *)(void *)((char *)mt_identity_host() - offsetof(struct mt_sim, host));
	mt_fiber_started(&sim->host);
	unsigned v = (unsigned)sim->cur;
	struct vcpu *vc = &sim->v[v];
	struct mt_sim_op *op = &vc->op;

	switch (op->kind) {
	case MT_OP_GET:
		op->rc = sim->ops->get(sim->table, v, &op->handle);
		break;
	case MT_OP_GROW:
		op->rc = sim->ops->grow(sim->table, v);
		break;
	default:
		op->rc = sim->ops->put(sim->table, v, op->handle);
		break;
	}
	vc->state = V_DONE;
	mt_fiber_leave(&sim->host, &vc->fiber, 1);
	abort();                 /* a finished context is never resumed */
}

/* ---- the schedule hook ---- */

static void park(struct mt_sim *sim, struct vcpu *vc, int site, enum vstate st)
{
	vc->state = st;
	vc->site = site;
	mt_fiber_leave(&sim->host, &vc->fiber, 0);
	vc->state = V_RUNNING;
}

/* v accesses addr (kind bits): a preemption of v's becomes relevant when v
 * meets a write another VCPU made while v was stopped; then log the write. */
static inline void note_access(struct mt_sim *sim, unsigned v, struct vcpu *vc, unsigned kind, const void *addr)
{
	/* direct-mapped: a collision forgets the older write (a conflict
	 * then goes unseen: the preemption reads as noise) */
	unsigned slot = (unsigned)(((uintptr_t)addr >> 3) * 0x9e3779b1u >> 24) & 255u;
	int hit = sim->wlog[slot].gen == sim->wgen && sim->wlog[slot].addr == addr;
	if (vc->watch_site >= 0 && hit && sim->wlog[slot].vcpu != v && sim->wlog[slot].seq > vc->watch_seq) {
		vc->preempt_site = vc->watch_site;
		if (sim->nwin < MT_SIM_BLAME_WINDOW)
			sim->win[sim->nwin++] = (struct mt_sim_preemption){ .vcpu = (uint8_t)v, .op = vc->op.kind,
			                                                    .site = vc->watch_site };
		vc->watch_site = -1;
	}
	if (kind & MT_SK_W) {
		sim->wlog[slot].addr = addr;
		sim->wlog[slot].gen = sim->wgen;
		sim->wlog[slot].seq = ++sim->wseq;
		sim->wlog[slot].vcpu = (uint8_t)v;
	}
}

void mt_sched_point(const struct mt_site *site_desc, const void *addr, unsigned acc)
{
	struct mt_sim *sim = active;

	if (!sim || sim->cur < 0)
		return;                  /* the scheduler's own calls (create, verify) */
	struct vcpu *vc = &sim->v[sim->cur];
	int site = site_id(sim, site_desc);

	if (site < 0)
		mt_sim_fail(sim, "site", MT_INVALID_HANDLE, "v%d %s passed a schedule point '%s' that is in "
		            "none of %s's site tables (struct mt_ops.site_tables)", sim->cur,
		            mt_in_op_name(vc->op.kind), site_desc ? site_desc->text : "(null)", sim->ops->name);
	vc->op.points++;
	vc->pend_addr = addr;
	vc->pend_acc = acc;
	if (sim->pair_pending >= 0) {
		pair_hit(sim, sim->pair_pending, site);
		sim->pair_pending = -1;
	}
	if (vc->op.points > MT_SIM_OP_POINT_BOUND || (site < 0 && sim->failed)) {
		if (site >= 0)
			mt_sim_fail(sim, "livelock", MT_INVALID_HANDLE,
			            "v%d %s passed %u schedule points without returning (now at '%s')",
			            sim->cur, mt_in_op_name(vc->op.kind), MT_SIM_OP_POINT_BOUND,
			            mt_sim_site_text(sim, site));
		park(sim, vc, site, V_DEAD);
		return;
	}
	switch (sim->stop_mode) {
	case MT_RUN_POINTS:
		if (sim->budget == 0)
			park(sim, vc, site, V_PARKED);
		else
			sim->budget--;
		break;
	case MT_RUN_UNTIL:
		if (site == sim->stop_site)
			park(sim, vc, site, V_PARKED);
		break;
	default:
		break;
	}
	/* Resumed (or never stopped): the access happens now. */
	if (site >= 0 && ((site_desc->kind & MT_SK_W) || vc->watch_site >= 0))
		note_access(sim, (unsigned)sim->cur, vc, site_desc->kind, addr);
	if (site == sim->weaken_site && (acc & MT_ACC_ORDER_MASK) != MT_ACC_PLAIN)
		acc = (acc & ~(unsigned)MT_ACC_ORDER_MASK) | sim->weaken_order;
	if (sim->trace && (acc & MT_ACC_OP_MASK) && addr) {
		unsigned i = sim->nvals++ % 8u;
		sim->vals[i].addr = addr;
		sim->vals[i].site = site;
		sim->vals[i].v = (int8_t)sim->cur;
		sim->vals[i].op = (uint8_t)(acc & MT_ACC_OP_MASK);
		sim->vals[i].size = (uint8_t)mt_acc_bytes(acc);
		sim->vals[i].has_val = 0;
	}
	if (sim->mem_on)
		mt_mem_access(sim->mem, (unsigned)sim->cur, site, addr, acc);
	for (unsigned i = 0; i < sim->nr_access; i++) {
		unsigned k = sim->access_of[i];
		sim->obs[k]->access(sim->obs_ctx[k], sim, (unsigned)sim->cur, (unsigned)site, addr, acc);
	}
}

/* With a trace: the value the access of v at addr read (the model's, for
 * a load) or wrote. */
static void note_value(struct mt_sim *sim, const void *addr, unsigned acc, const void *val)
{
	for (unsigned k = 0; k < 8u && k < sim->nvals; k++) {
		unsigned i = (sim->nvals - 1 - k) % 8u;
		if (sim->vals[i].addr != addr || sim->vals[i].v != sim->cur || sim->vals[i].has_val)
			continue;
		if (!sim->vals[i].size || sim->vals[i].size > 8)
			return;          /* 16 bytes: "(value not reported)" */
		sim->vals[i].val = mt_mem_peek((acc & MT_ACC_STORE) || !val ? addr : val, sim->vals[i].size);
		sim->vals[i].op = (uint8_t)(acc & MT_ACC_OP_MASK);   /* a failed CAS only read */
		sim->vals[i].has_val = 1;
		return;
	}
}

static void print_values(struct mt_sim *sim, FILE *out)
{
	static const char *const what[4] = { "", "read", "wrote", "read-modify-wrote" };
	unsigned n = sim->nvals < 8u ? sim->nvals : 8u;

	if (!n)
		return;
	fprintf(out, "# the last %u accesses before the finding, oldest first (value read, or written):\n", n);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (sim->nvals - n + k) % 8u;
		fprintf(out, "#   v%d %s '%s'", sim->vals[i].v, what[sim->vals[i].op & 3u],
		        mt_sim_site_text(sim, sim->vals[i].site));
		if (sim->vals[i].has_val && sim->vals[i].size == 8)   /* an address: differs run to run */
			fprintf(out, " %s\n", sim->vals[i].val ? "a pointer" : "NULL");
		else if (sim->vals[i].has_val)
			fprintf(out, " 0x%llx\n", (unsigned long long)sim->vals[i].val);
		else
			fprintf(out, " (value not reported)\n");
	}
}

void mt_sched_after(const void *addr, unsigned acc, void *val)
{
	struct mt_sim *sim = active;
	struct mt_mem_read r;

	if (!sim || sim->cur < 0)
		return;
	/* Under sc only a compare-exchange waits here (MT_ACC_CAS); it reads
	 * no older store (mt_mem_after returns 0). */
	if (sim->mem_on && (sim->c11 || (acc & MT_ACC_CAS)) &&
	    mt_mem_after(sim->mem, (unsigned)sim->cur, addr, acc, val, &r)) {
		sim->stats.weak_reads++;
		sim->v[sim->cur].op.weak = 1;
		weak_hit(sim, r.site, r.from_site, r.back);
		struct mt_ev *e = ev_new(sim, MT_EV_WEAK_READ, (unsigned)sim->cur, r.site,
		                         (int)(uint32_t)r.newer_val, (uint32_t)r.val, r.back > 255 ? 255 : r.back);
		e->from_v = (int8_t)r.from_v;
		e->newer_v = (int8_t)r.newer_v;
		e->from_site = r.from_site;
		e->newer_site = r.newer_site;
		e->pointer = r.size == sizeof(void *) && r.size == 8;
		if (e->pointer) {        /* addresses differ from run to run: say only NULL or not */
			e->handle = r.val != 0;
			e->rc = r.newer_val != 0;
		}
		ev_emit(sim, e);
	}
	if (sim->trace)
		note_value(sim, addr, acc, val);
	for (unsigned i = 0; i < sim->nr_after; i++) {
		unsigned k = sim->after_of[i];
		sim->obs[k]->after(sim->obs_ctx[k], sim, (unsigned)sim->cur, addr, acc);
	}
}

void mt_sched_blocked(const struct mt_site *site_desc, const void *lock)
{
	struct mt_sim *sim = active;

	if (!sim || sim->cur < 0) {
		fprintf(stderr, "sim: lock held outside any simulated VCPU at '%s'\n",
		        site_desc ? site_desc->text : "?");
		abort();
	}
	struct vcpu *vc = &sim->v[sim->cur];
	vc->lock = lock;
	park(sim, vc, site_id(sim, site_desc), V_BLOCKED);
	/* Resumed only once the lock is free: mt_lock() retries its CAS. */
}

void mt_sched_spin_wait(const struct mt_site *site_desc, const void *wake)
{
	struct mt_sim *sim = active;

	if (!sim || sim->cur < 0)
		return;                  /* not on a VCPU: nothing to wait for */
	struct vcpu *vc = &sim->v[sim->cur];
	vc->lock = wake;
	vc->guess = 1;
	park(sim, vc, site_id(sim, site_desc), V_BLOCKED);
	vc->guess = 0;
	/* Resumed once *wake is free, or by a re-check (deadlocked()). */
}

/* ---- callbacks of the table ---- */

static uint32_t sim_random(void *ctx)
{
	struct mt_sim *sim = ctx;

	if (sim->cur < 0)
		return 0;
	struct mt_sim_op *op = &sim->v[sim->cur].op;
	unsigned i = op->random_calls < 255 ? op->random_calls++ : 255;
	/* Call i of this operation takes 3 bits of its argument: i=0 bits 0-2,
	 * i=1 bits 3-5, i=2 bits 6-7; later calls 0. */
	return i < 3 ? (op->arg >> (3 * i)) & 7u : 0;
}

static void *sim_alloc_page(void *ctx, size_t bytes)
{
	struct mt_sim *sim = ctx;
	unsigned i = sim->alloc_attempts++;
	struct mt_sim_op *op = sim->cur >= 0 ? &sim->v[sim->cur].op : NULL;

	if (sim->prog->alloc_fail >> (i % 8) & 1) {
		if (op)
			op->alloc_fail++;
		return NULL;
	}
	void *p = mt_arena_alloc(&sim->arena, bytes);
	if (!p)
		p = calloc(1, bytes);
	if (p) {
		sim->stats.pages_live++;
		if (op)
			op->alloc_ok++;
	} else if (op) {
		op->alloc_fail++;
	}
	return p;
}

static void sim_free_page(void *ctx, void *page)
{
	struct mt_sim *sim = ctx;

	switch (mt_arena_free(&sim->arena, page)) {
	case MT_ARENA_FREED:
		sim->stats.pages_live--;
		return;
	case MT_ARENA_DOUBLE_FREE:
		mt_sim_fail(sim, "page", MT_INVALID_HANDLE, "a page was freed twice (free_page of a freed page)");
		return;
	case MT_ARENA_NOT_A_PAGE:
		mt_sim_fail(sim, "page", MT_INVALID_HANDLE, "free_page of a pointer that is no page start");
		return;
	case MT_ARENA_NOT_MINE:
		break;
	}
	if (page)
		sim->stats.pages_live--;
	free(page);
}

/* ---- scheduler ---- */

static int busy(const struct vcpu *vc)
{
	return vc->state != V_IDLE;
}

static int runnable(const struct vcpu *vc)
{
	return vc->state == V_READY || vc->state == V_PARKED ||
	       (vc->state == V_BLOCKED && mt_lock_is_free((const struct mt_lock *)vc->lock));
}

static unsigned in_flight(const struct mt_sim *sim)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sim->prog->nr_vcpus; i++)
		n += busy(&sim->v[i]);
	return n;
}

static void quiescent(struct mt_sim *sim, FILE *trace, int final)
{
	sim->stats.quiescent_checks++;
	sim->phase = final ? MT_PHASE_FINAL : MT_PHASE_QUIESCENT;
	EACH_OBSERVER(sim, quiescent, trace, final);
	sim->phase = MT_PHASE_NONE;
	if (!sim->failed)
		sim->nwin = 0;           /* the window closes at a point that passed */
}

/* VCPU v runs next: every other VCPU parked by the schedule is preempted. */
static void note_preemptions(struct mt_sim *sim, unsigned v)
{
	unsigned others = sim->stop_pending & ~(1u << v);

	sim->stop_pending &= ~others;
	for (; others; others &= others - 1) {
		struct vcpu *uc = &sim->v[__builtin_ctz(others)];
		uc->watch_site = uc->site;
		uc->watch_seq = sim->wseq;
	}
}

/* Run VCPU v until its stop condition, its end, or a lock. */
static void run(struct mt_sim *sim, unsigned v, enum mt_in_run_mode mode, unsigned n)
{
	struct vcpu *vc = &sim->v[v];

	if (vc->state == V_PARKED || vc->state == V_BLOCKED)
		ev(sim, MT_EV_RESUME, v, vc->site, 0, 0, 0);
	note_preemptions(sim, v);
	sim->stop_pending &= ~(1u << v);
	if (sim->pairs && sim->last_stopped >= 0 && sim->last_stopped != (int)v) {
		if (vc->state == V_READY)
			sim->pair_pending = sim->last_site;   /* pairs with its first point */
		else
			pair_hit(sim, sim->last_site, vc->site);
	}
	sim->stop_mode = mode;
	sim->budget = n;
	sim->stop_site = mode == MT_RUN_UNTIL ? (int)n : -1;
	sim->cur = (int)v;
	vc->state = V_RUNNING;
	mt_fiber_enter(&sim->host, &vc->fiber);
	sim->cur = -1;
	sim->pair_pending = -1;

	switch (vc->state) {
	case V_DONE:
		sim->stats.ops_done++;
		sim->stats.points += vc->op.points;
		sim->last_stopped = -1;
		ev(sim, MT_EV_DONE, v, -1, vc->op.rc, vc->op.handle, 0);
		vc->state = V_IDLE;
		if (sim->mem_on && vc->op.kind == MT_OP_GET && vc->op.rc == MT_OK)
			mt_mem_hand_release(sim->mem, v, vc->op.handle);   /* ... and the release */
		sim->returning = (int)v;
		EACH_OBSERVER(sim, op_returned, v, &vc->op);
		sim->returning = -1;
		sim->last_returned = (int)v;
		sim->last_returned_op = vc->op.kind;
		sim->last_returned_preempt = vc->preempt_site;
		if (!sim->failed && !in_flight(sim) && sim->record != -2)   /* epilogue: one check at the end */
			quiescent(sim, sim->trace, 0);
		break;
	case V_PARKED:
		sim->stats.stops++;
		sim->stop_pending |= 1u << v;
		sim->last_stopped = (int)v;
		sim->last_site = vc->site;
		ev(sim, MT_EV_STOP, v, vc->site, 0, 0, 0);
		break;
	case V_BLOCKED:
		sim->stats.blocks++;
		sim->last_stopped = (int)v;
		sim->last_site = vc->site;
		ev(sim, MT_EV_BLOCK, v, vc->site, 0, 0, (unsigned)vc->guess);
		break;
	default:                     /* V_DEAD: the livelock finding is recorded */
		vc->fiber.dirty = 1;
		break;
	}
}

static void deadlock(struct mt_sim *sim)
{
	char who[256];
	size_t len = 0;

	who[0] = '\0';
	for (unsigned i = 0; i < sim->prog->nr_vcpus && len < sizeof(who) - 64; i++)
		if (sim->v[i].state == V_BLOCKED)
			len += (size_t)snprintf(who + len, sizeof(who) - len, " v%u %s at '%s';", i,
			                        mt_in_op_name(sim->v[i].op.kind), mt_sim_site_text(sim, sim->v[i].site));
	mt_sim_fail(sim, "deadlock", MT_INVALID_HANDLE, "every VCPU with work waits for a lock:%s", who);
}

static int any_runnable(const struct mt_sim *sim)
{
	for (unsigned i = 0; i < sim->prog->nr_vcpus; i++)
		if (runnable(&sim->v[i]))
			return 1;
	return 0;
}

/* No VCPU can run.  Before that is a deadlock, every VCPU that waits on a
 * guess (mt_sched_spin_wait) runs again, lowest first, for at most
 * MT_SIM_RECHECK_POINTS points; 1: still none can run (a deadlock), 0:
 * one can (or finished, or the re-check made a finding): go on. */
static int deadlocked(struct mt_sim *sim)
{
	for (unsigned i = 0; i < sim->prog->nr_vcpus; i++) {
		struct vcpu *vc = &sim->v[i];
		if (vc->state != V_BLOCKED || !vc->guess)
			continue;
		sim->stats.rechecks++;
		ev(sim, MT_EV_RECHECK, i, vc->site, 0, 0, 0);
		sim->rechecking = 1;
		run(sim, i, MT_RUN_POINTS, MT_SIM_RECHECK_POINTS);
		sim->rechecking = 0;
		if (sim->failed || in_flight(sim) == 0 || any_runnable(sim))
			return 0;
	}
	return 1;
}

/* Start an operation on idle VCPU v; 0 if there was nothing to start. */
static int start(struct mt_sim *sim, unsigned v, const struct mt_in_record *r, int epilogue)
{
	struct vcpu *vc = &sim->v[v];
	unsigned others = in_flight(sim);

	memset(&vc->op, 0, sizeof(vc->op));
	sim->stop_pending &= ~(1u << v);
	vc->preempt_site = -1;
	vc->watch_site = -1;
	vc->op.kind = r->op;
	vc->op.arg = r->arg;
	vc->op.holder = -1;
	vc->op.handle = MT_INVALID_HANDLE;
	vc->op.record = sim->record;
	vc->op.epilogue = (uint8_t)epilogue;
	if (sim->work >= 0 &&
	    !sim->obs[sim->work]->prepare(sim->obs_ctx[sim->work], sim, v, r, &vc->op, others)) {
		if (!sim->failed)
			ev(sim, MT_EV_SKIP, v, -1, 0, 0, 0);
		return 0;
	}
	if (sim->failed)
		return 0;
	if (mt_fiber_setup(&vc->fiber, &sim->host, vcpu_main)) {
		fprintf(stderr, "sim: out of memory for VCPU stacks\n");
		abort();
	}
	vc->state = V_READY;
	sim->stats.ops_started++;
	/* The harness passes a handle one VCPU got to the one that puts it:
	 * the acquire a real program would need (memory.h). */
	if (sim->mem_on && vc->op.legit && vc->op.holder >= 0 && vc->op.holder != (int)v)
		mt_mem_hand_acquire(sim->mem, v, vc->op.handle);
	ev(sim, MT_EV_START, v, -1, 0, vc->op.handle, vc->op.holder >= 0 && vc->op.holder != (int)v);
	EACH_OBSERVER(sim, op_started, v, &vc->op);
	return 1;
}

static void play(struct mt_sim *sim, const struct mt_in_record *r)
{
	unsigned v = r->vcpu;
	struct vcpu *vc = &sim->v[v];

	if (r->op == MT_OP_READ_FROM) {
		/* The memory model's choice for v's next atomic load (sc: one
		 * store to read, nothing to choose). */
		if (sim->c11)
			mt_mem_choose(sim->mem, v, r->arg);
		if (sim->trace)
			ev(sim, MT_EV_READ_FROM, v, -1, 0, r->arg, 0);
		return;
	}
	if (!busy(vc)) {
		if (r->op == MT_OP_NOP) {
			ev(sim, MT_EV_IDLE, v, -1, 0, 0, 0);
			return;
		}
		if (!start(sim, v, r, 0))
			return;
	} else if (!runnable(vc)) {
		/* Waiting for a lock that is still held: the next VCPU (cyclically)
		 * that can run takes this record's turn. */
		unsigned n = sim->prog->nr_vcpus, w = v;
		for (unsigned i = 1; i < n; i++) {
			unsigned c = (v + i) % n;
			if (runnable(&sim->v[c])) {
				w = c;
				break;
			}
		}
		if (w == v) {
			/* The re-check (if any) took the record's turn. */
			if (deadlocked(sim))
				deadlock(sim);
			return;
		}
		ev(sim, MT_EV_INSTEAD, w, -1, 0, 0, v);
		v = w;
	}
	run(sim, v, (enum mt_in_run_mode)r->run_mode, r->run_n);
}

static void drain(struct mt_sim *sim)
{
	sim->record = -1;
	while (!sim->failed) {
		int pick = -1, any = 0;
		for (unsigned i = 0; i < sim->prog->nr_vcpus; i++) {
			any |= busy(&sim->v[i]);
			if (pick < 0 && runnable(&sim->v[i]))
				pick = (int)i;
		}
		if (!any)
			return;
		if (pick < 0) {
			if (!deadlocked(sim))
				continue;
			deadlock(sim);
			return;
		}
		ev(sim, MT_EV_DRAIN, (unsigned)pick, -1, 0, 0, 0);
		run(sim, (unsigned)pick, MT_RUN_ALL, 0);
	}
}

static void epilogue(struct mt_sim *sim)
{
	if (sim->work < 0)
		return;
	const struct mt_sim_observer *w = sim->obs[sim->work];
	void *wctx = sim->obs_ctx[sim->work];

	sim->record = -2;
	for (unsigned v = 0; v < sim->prog->nr_vcpus && !sim->failed; v++) {
		for (unsigned guard = 0; guard < MT_IN_MAX_HANDLES && !sim->failed; guard++) {
			mt_handle_t h = w->first_held(wctx, sim, v);
			if (h == MT_INVALID_HANDLE)
				break;
			struct mt_in_record r = { .vcpu = (uint8_t)v, .op = MT_OP_PUT_OWN, .arg = 0,
			                          .run_mode = MT_RUN_ALL };
			ev(sim, MT_EV_EPILOGUE, v, -1, 0, h, 0);
			if (!start(sim, v, &r, 1))
				break;
			run(sim, v, MT_RUN_ALL, 0);
		}
	}
}

int mt_sim_pending(const struct mt_sim *sim, unsigned v, const void **addr, unsigned *acc)
{
	if (v >= sim->nv)
		return 0;
	const struct vcpu *vc = &sim->v[v];
	if (vc->state == V_PARKED) {
		*addr = vc->pend_addr;
		*acc = vc->pend_acc;
		return 1;
	}
	if (vc->state == V_BLOCKED) {
		*addr = vc->lock;
		*acc = 0;
		return 1;
	}
	return 0;
}

int mt_sim_vcpu(const struct mt_sim *sim, unsigned v, int *site)
{
	if (v >= sim->nv)
		return MT_SIM_IDLE;
	const struct vcpu *vc = &sim->v[v];
	if (site)
		*site = vc->site;
	switch (vc->state) {
	case V_PARKED:
		return MT_SIM_PARKED;
	case V_BLOCKED:
		return runnable(vc) ? MT_SIM_WAKEABLE : MT_SIM_BLOCKED;
	case V_DEAD:
		return MT_SIM_DEAD;
	default:
		return MT_SIM_IDLE;
	}
}

static int sim_run(struct mt_sim *sim, const struct mt_program *p, struct mt_program *fed,
                   const struct mt_ops *ops, FILE *trace, mt_sim_feed_fn feed, void *ctx);

int mt_sim_run(struct mt_sim *sim, const struct mt_program *p, const struct mt_ops *ops, FILE *trace)
{
	return sim_run(sim, p, NULL, ops, trace, NULL, NULL);
}

int mt_sim_run_fed(struct mt_sim *sim, struct mt_program *p, const struct mt_ops *ops, FILE *trace,
                   mt_sim_feed_fn feed, void *ctx)
{
	p->nr_records = 0;
	return sim_run(sim, p, p, ops, trace, feed, ctx);
}

/* ---- crashes of the code under test (crash.h) ---- */

const struct mt_crash *mt_sim_crash(const struct mt_sim *sim)
{
	return sim->failed && sim->crashed ? &sim->crash : NULL;
}

/* A crash ended the run: it is the run's finding; every VCPU is abandoned
 * where it was (its fiber starts afresh, its stack unpoisoned). */
static void crashed(struct mt_sim *sim)
{
	const struct mt_crash *c = mt_crash_last();
	int v = sim->cur;

	for (unsigned i = 0; i < MT_IN_MAX_VCPUS; i++)
		if (sim->v[i].state != V_IDLE && sim->v[i].state != V_DONE)
			sim->v[i].fiber.dirty = 1;
	sim->failed = 0;             /* a crash after a finding (in destroy) is the finding */
	mt_sim_fail(sim, "crash", MT_INVALID_HANDLE, "%s in %s (v%d's %s)", c->kind, c->frame, v,
	            v >= 0 ? mt_in_op_name(sim->v[v].op.kind) : "create/destroy/check");
	sim->crashed = 1;
	sim->crash = *c;
	sim->cur = -1;
	sim->rechecking = 0;
	for (unsigned i = 0; i < MT_IN_MAX_VCPUS; i++)
		sim->v[i].state = V_IDLE;
}

static int sim_run_body(struct mt_sim *sim, const struct mt_program *p, struct mt_program *fed,
                        const struct mt_ops *ops, FILE *trace, mt_sim_feed_fn feed, void *ctx);

/* With crash recovery on (mt_crash_recovery()), the run is guarded: a
 * crash lands here, becomes the finding, and the table is destroyed as
 * after any finding (a destroy that crashes too leaves it). */
static int sim_run(struct mt_sim *sim, const struct mt_program *p, struct mt_program *fed,
                   const struct mt_ops *ops, FILE *trace, mt_sim_feed_fn feed, void *ctx)
{
	struct mt_sim *volatile outer = active;
	struct mt_crash_guard g = { .in_fiber = &sim->cur, .host = &sim->host };

	sim->crashed = 0;
	if (!mt_crash_recovery_on())
		return sim_run_body(sim, p, fed, ops, trace, feed, ctx);
	mt_crash_push(&g);
	if (sigsetjmp(g.jb, 0) == 0) {
		int rc = sim_run_body(sim, p, fed, ops, trace, feed, ctx);
		mt_crash_pop(&g);
		return rc;
	}
	mt_crash_landed(&g);
	if (sim->crashed) {
		sim->table = NULL;       /* destroy crashed: the table is left */
	} else {
		crashed(sim);
		if (sigsetjmp(g.jb, 0) == 0 && sim->table)
			ops->destroy(sim->table);
		else
			mt_crash_landed(&g);
		sim->table = NULL;
	}
	mt_crash_pop(&g);
	EACH_OBSERVER0(sim, end);
	if (trace) {
		print_values(sim, trace);
		fprintf(trace, "# FINDING %s\n", sim->finding);
	}
	active = outer;
	return 1;
}

/* fed: the program the feed's records are appended to (== p), or NULL. */
static int sim_run_body(struct mt_sim *sim, const struct mt_program *p, struct mt_program *fed,
                        const struct mt_ops *ops, FILE *trace, mt_sim_feed_fn feed, void *ctx)
{
	struct mt_config cfg;
	struct mt_sim *outer = active;

	sim->prog = p;
	sim->nv = p->nr_vcpus < MT_IN_MAX_VCPUS ? p->nr_vcpus : MT_IN_MAX_VCPUS;
	sim->ops = ops;
	sim->trace = trace;
	sim->cur = -1;
	sim->rechecking = 0;
	sim->failed = 0;
	sim->finding[0] = '\0';
	sim->nr_ev = 0;
	sim->record = 0;
	sim->printed_record = -100;
	sim->last_stopped = -1;
	sim->pair_pending = -1;
	sim->alloc_attempts = 0;
	sim->returning = -1;
	sim->last_returned = -1;
	sim->phase = MT_PHASE_NONE;
	sim->blame_hint = -1;
	sim->blame_other = -1;
	sim->nwin = 0;
	sim->wseq = 0;
	sim->nvals = 0;
	sim->stop_pending = 0;
	if (++sim->wgen == 0) {
		memset(sim->wlog, 0, sizeof(sim->wlog));
		sim->wgen = 1;
	}
	memset(&sim->blame, 0, sizeof(sim->blame));
	sites_prepare(sim, ops);
	mt_arena_reset(&sim->arena);
	memset(&sim->stats, 0, sizeof(sim->stats));
	for (unsigned i = 0; i < MT_IN_MAX_VCPUS; i++) {
		if (sim->v[i].state != V_IDLE && sim->v[i].state != V_DONE)
			sim->v[i].fiber.dirty = 1;
		sim->v[i].state = V_IDLE;
		sim->v[i].preempt_site = -1;
		sim->v[i].watch_site = -1;
		sim->v[i].guess = 0;
		memset(&sim->v[i].op, 0, sizeof(sim->v[i].op));
	}
	active = sim;

	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_vcpus = p->nr_vcpus;
	cfg.per_page = p->per_page;
	cfg.max_frames = p->max_frames;
	cfg.alloc.alloc_page = sim_alloc_page;
	cfg.alloc.free_page = sim_free_page;
	cfg.alloc.ctx = sim;
	cfg.random = sim_random;
	cfg.random_ctx = sim;
	sim->table = NULL;
	int rc = ops->create(&cfg, &sim->table);
	if (rc != MT_OK) {
		mt_sim_fail(sim, "create", MT_INVALID_HANDLE, "%s create failed: %s", ops->name, mt_strerror(rc));
		sim->table = NULL;
		active = outer;
		return 1;
	}
	sim->c11 = p->model == MT_MODEL_C11;
	sim->mem_on = sim->c11;
	EACH_OBSERVER0(sim, begin);  /* may ask for clocks (mt_sim_use_clocks) */
	if (sim->mem_on)
		mt_mem_begin(sim->mem, sim->c11);
	if (trace)
		mt_in_print_header(p, trace);
	quiescent(sim, trace, 0);
	if (feed) {
		while (!sim->failed && fed->nr_records < MT_IN_MAX_RECORDS &&
		       feed(ctx, &fed->rec[fed->nr_records])) {
			sim->record = (int)fed->nr_records++;
			play(sim, &fed->rec[sim->record]);
		}
	} else {
		for (unsigned i = 0; i < p->nr_records && !sim->failed; i++) {
			sim->record = (int)i;
			play(sim, &p->rec[i]);
		}
	}
	drain(sim);
	epilogue(sim);
	if (!sim->failed)
		quiescent(sim, NULL, 1);
	/* After a finding, contexts may have been abandoned inside library
	 * calls (locks held, pages half built).  None of them will ever run
	 * again (mt_fiber_setup() starts afresh), so destroying the table is
	 * safe. */
	ops->destroy(sim->table);
	sim->table = NULL;
	if (!sim->failed && sim->stats.pages_live != 0)
		mt_sim_fail(sim, "leak", MT_INVALID_HANDLE, "%u pages still allocated after destroy",
		            sim->stats.pages_live);
	EACH_OBSERVER0(sim, end);
	if (trace && sim->failed) {
		print_values(sim, trace);
		fprintf(trace, "# FINDING %s\n", sim->finding);
	}
	active = outer;
	return sim->failed;
}
