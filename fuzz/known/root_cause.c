/* root_cause.c - signatures from the minimised reproducer (root_cause.h). */
#include "fuzz/known/root_cause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/known/known.h"
#include "lib/mt_access.h"

/* ---- watching one run: accesses and preemptions ---- */

#define MAX_ACC 8192u
#define MAX_STOPS 512u

struct acc {
	const void *addr;
	int site;
	unsigned opn;                    /* the operation of v it belongs to */
	uint8_t v, w;
};

/* A stop by the schedule: VCPU v parked before its access at site (addr);
 * the accesses of a[from..to) were made while it waited (to: it resumed,
 * or the run ended); a[op_from..from) are its own operation's before. */
struct stop {
	const void *addr;
	int site;
	uint8_t v, w, op;
	unsigned from, to, op_from, opn;
};

static struct {
	int on;
	unsigned n, nstops;
	struct acc a[MAX_ACC];
	struct stop s[MAX_STOPS];
	unsigned op_from[MT_IN_MAX_VCPUS];
	unsigned opn[MT_IN_MAX_VCPUS];      /* operations v started */
	int open[MT_IN_MAX_VCPUS];       /* the stop v waits in, -1 */
	int last_record;                 /* record of the last event, -1 drain */
	uint8_t opkind[MT_IN_MAX_VCPUS];    /* the operation v started last */
	unsigned nlocks;                 /* lock words seen (mt_lock's acquire) */
	const void *locks[16];
} W;

/* A lock word: its accesses order critical sections, they are no conflict
 * of the data (mt_lock() takes it by an acquire read-modify-write, which
 * nothing else in lib/ does). */
static int is_lock(const void *addr)
{
	for (unsigned i = 0; i < W.nlocks; i++)
		if (W.locks[i] == addr)
			return 1;
	return 0;
}

static void watch_access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr, unsigned acc)
{
	(void)ctx;
	if (!W.on || W.n >= MAX_ACC)
		return;
	const struct mt_site *s = mt_sim_site(sim, site);
	unsigned op = acc & MT_ACC_OP_MASK;
	if (op == MT_ACC_RMW && (acc & MT_ACC_ORDER_MASK) == MT_ACC_ACQUIRE && !is_lock(addr) && W.nlocks < 16)
		W.locks[W.nlocks++] = addr;
	W.a[W.n++] = (struct acc){ .addr = addr, .site = (int)site, .opn = W.opn[v], .v = (uint8_t)v,
	                           .w = (uint8_t)(op ? (op & MT_ACC_STORE) != 0 : s && (s->kind & MT_SK_W)) };
}

static const struct mt_sim_observer watch_observer = {
	.name = "root-cause",
	.access = watch_access,
};

static void watch_event(void *ctx, const struct mt_ev *e, const struct mt_in_record *r)
{
	struct mt_sim *sim = ctx;
	(void)r;
	W.last_record = e->record;
	if (e->vcpu >= MT_IN_MAX_VCPUS)
		return;
	switch (e->type) {
	case MT_EV_START:
		W.op_from[e->vcpu] = W.n;
		W.opn[e->vcpu]++;
		W.opkind[e->vcpu] = e->op;
		break;
	case MT_EV_STOP:
		if (W.nstops < MAX_STOPS) {
			const void *addr = NULL;
			unsigned acc = 0;
			mt_sim_pending(sim, e->vcpu, &addr, &acc);
			const struct mt_site *s = e->site >= 0 ? mt_sim_site(sim, (unsigned)e->site) : NULL;
			unsigned op = acc & MT_ACC_OP_MASK;
			W.s[W.nstops] = (struct stop){ .addr = addr, .site = e->site, .v = e->vcpu,
			                               .w = (uint8_t)(op ? (op & MT_ACC_STORE) != 0 : s && (s->kind & MT_SK_W)),
			                               .from = W.n, .to = MAX_ACC, .op_from = W.op_from[e->vcpu],
			                               .opn = W.opn[e->vcpu], .op = W.opkind[e->vcpu] };
			W.open[e->vcpu] = (int)W.nstops++;
		}
		break;
	case MT_EV_BLOCK:
		/* a lock attempt that found the lock held did nothing */
		if (W.n && W.a[W.n - 1].v == e->vcpu)
			W.n--;
		break;
	case MT_EV_RESUME:
		if (W.open[e->vcpu] >= 0) {
			W.s[W.open[e->vcpu]].to = W.n;
			W.open[e->vcpu] = -1;
		}
		break;
	default:
		break;
	}
}

/* The sims the watcher is attached to (attached once, on a context's
 * first finding: a campaign that finds nothing never pays for it). */
static struct mt_sim *attached[8];

static int watch_attach(struct mt_sim *sim)
{
	for (unsigned i = 0; i < 8; i++)
		if (attached[i] == sim)
			return 0;
	for (unsigned i = 0; i < 8; i++)
		if (!attached[i]) {
			if (mt_sim_attach(sim, &watch_observer, NULL))
				return -1;
			attached[i] = sim;
			return 0;
		}
	return -1;
}

static void watch_begin(struct mt_sim *sim)
{
	W.on = 1;
	W.n = W.nstops = W.nlocks = 0;
	W.last_record = -1;
	for (unsigned v = 0; v < MT_IN_MAX_VCPUS; v++) {
		W.op_from[v] = 0;
		W.opn[v] = 0;
		W.open[v] = -1;
	}
	mt_sim_set_event_hook(sim, watch_event, sim);
}

static void watch_end(struct mt_sim *sim)
{
	W.on = 0;
	mt_sim_set_event_hook(sim, NULL, NULL);
	for (unsigned i = 0; i < W.nstops; i++)
		if (W.s[i].to > W.n)
			W.s[i].to = W.n;
}

/* ---- shrinking ---- */

struct shrink {
	struct mt_sim *sim;
	const struct mt_ops *ops;
	char inv[32];
	unsigned budget, runs;
	int out;
	int need_pre;      /* it does not fail with no preemption: neither may a candidate */
};

static struct mt_program cur, cand, flat;

static void copy_prog(struct mt_program *d, const struct mt_program *s)
{
	memcpy(d, s, offsetof(struct mt_program, rec));
	memcpy(d->rec, s->rec, s->nr_records * sizeof(s->rec[0]));
	d->ids = s->ids;
}

/* The list-shape invariants that the quiescent walk checks in one pass
 * (I1-I6, I9): which of them it meets first depends on the state around
 * the bug, so a candidate may move among them (the minimal run's own is
 * the name); so may the generic contract's symptoms of a broken list
 * (C1 a handle handed out twice, C4 a get that finds nothing while
 * handles are free, C5 handles lost at the end).  Any other invariant
 * must stay the same. */
static int same_class(const char *a, const char *b)
{
	static const char *const walk[] = { "I1", "I2", "I3", "I4", "I5", "I6", "I9" };
	static const char *const lost[] = { "C1", "C4", "C5" };
	int wa = 0, wb = 0, la = 0, lb = 0;

	if (!strcmp(a, b))
		return 1;
	for (unsigned i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		wa |= !strcmp(a, walk[i]);
		wb |= !strcmp(b, walk[i]);
	}
	for (unsigned i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		la |= !strcmp(a, lost[i]);
		lb |= !strcmp(b, lost[i]);
	}
	return (wa && wb) || (la && lb);
}

static int all_run_to_end(struct mt_program *p);
static int delay_stops(struct mt_program *p);

/* Does p fail with the same invariant (class)?  One re-run.  A finding
 * that needs a preemption must keep needing one (one more re-run, for a
 * candidate that passed): in a program with two bugs, a race's input
 * shrinks otherwise onto the other bug's sequential slip when that breaks
 * the same invariant, and takes its name. */
static int same(struct shrink *k, const struct mt_program *p)
{
	if (k->runs >= k->budget) {
		k->out = 1;
		return 0;
	}
	k->runs++;
	if (!mt_sim_run(k->sim, p, k->ops, NULL) || !same_class(mt_sim_blame(k->sim)->inv, k->inv))
		return 0;
	if (!k->need_pre)
		return 1;
	copy_prog(&flat, p);
	if (!all_run_to_end(&flat))
		return 0;                /* no stop left: it cannot need one */
	k->runs++;
	if (mt_sim_run(k->sim, &flat, k->ops, NULL) && same_class(mt_sim_blame(k->sim)->inv, k->inv))
		return 0;
	copy_prog(&flat, p);
	delay_stops(&flat);
	k->runs++;
	return !(mt_sim_run(k->sim, &flat, k->ops, NULL) && same_class(mt_sim_blame(k->sim)->inv, k->inv));
}

static int take_if_same(struct shrink *k)
{
	if (!same(k, &cand))
		return 0;
	copy_prog(&cur, &cand);
	return 1;
}

/* Remove chunks of records, halving the chunk (ddmin's complement steps). */
static int remove_records(struct shrink *k)
{
	int changed = 0;
	unsigned chunk = 1;

	while (chunk * 2 <= cur.nr_records / 2)
		chunk *= 2;
	for (; chunk >= 1 && !k->out; chunk /= 2) {
		for (unsigned i = 0; i < cur.nr_records && cur.nr_records > 1 && !k->out;) {
			unsigned c = chunk < cur.nr_records - i ? chunk : cur.nr_records - i;
			if (c >= cur.nr_records)
				break;
			copy_prog(&cand, &cur);
			memmove(&cand.rec[i], &cand.rec[i + c], (cand.nr_records - i - c) * sizeof(cand.rec[0]));
			cand.nr_records -= c;
			if (take_if_same(k))
				changed = 1;
			else
				i += c;
		}
	}
	return changed;
}

/* Turn each stop into "run to the end of the operation", one at a time. */
static int remove_stops(struct shrink *k)
{
	int changed = 0;

	for (unsigned i = 0; i < cur.nr_records && !k->out; i++) {
		if (cur.rec[i].run_mode == MT_RUN_ALL)
			continue;
		copy_prog(&cand, &cur);
		cand.rec[i].run_mode = MT_RUN_ALL;
		cand.rec[i].run_n = 0;
		if (take_if_same(k))
			changed = 1;
	}
	return changed;
}

/* The smallest geometry that still fails: entries per page and frames
 * from 2 and 1 upwards, no allocation failure; then the VCPUs renumbered
 * in the order records first name them (fewer of them if some are never
 * named); then every argument 0.  Inputs of one bug with different
 * geometries then meet in one minimal program. */
static int shrink_header(struct shrink *k)
{
	int changed = 0;

	/* 2, then halving: a few re-runs whatever the geometry */
	for (unsigned pp = 2; pp < cur.per_page && !k->out; pp = pp == 2 && cur.per_page / 2 > 2 ? cur.per_page / 2 : cur.per_page) {
		copy_prog(&cand, &cur);
		cand.per_page = pp;
		if (take_if_same(k)) {
			changed = 1;
			break;
		}
	}
	for (unsigned mf = 1; mf < cur.max_frames && !k->out; mf = mf == 1 && cur.max_frames / 2 > 1 ? cur.max_frames / 2 : cur.max_frames) {
		copy_prog(&cand, &cur);
		cand.max_frames = mf;
		if (take_if_same(k)) {
			changed = 1;
			break;
		}
	}
	if (cur.alloc_fail && !k->out) {
		copy_prog(&cand, &cur);
		cand.alloc_fail = 0;
		changed |= take_if_same(k);
	}
	int map[MT_IN_MAX_VCPUS];
	unsigned used = 0, moved = 0;
	for (unsigned v = 0; v < MT_IN_MAX_VCPUS; v++)
		map[v] = -1;
	for (unsigned i = 0; i < cur.nr_records; i++)
		if (cur.rec[i].vcpu < MT_IN_MAX_VCPUS && map[cur.rec[i].vcpu] < 0) {
			moved |= cur.rec[i].vcpu != used;
			map[cur.rec[i].vcpu] = (int)used++;
		}
	if (used && (moved || used < cur.nr_vcpus) && !k->out) {
		copy_prog(&cand, &cur);
		cand.nr_vcpus = used;
		for (unsigned i = 0; i < cand.nr_records; i++)
			cand.rec[i].vcpu = (uint8_t)map[cand.rec[i].vcpu];
		changed |= take_if_same(k);
	}
	for (unsigned i = 0; i < cur.nr_records && !k->out; i++) {
		if (!cur.rec[i].arg)
			continue;
		copy_prog(&cand, &cur);
		cand.rec[i].arg = 0;
		changed |= take_if_same(k);
	}
	return changed;
}

static int all_run_to_end(struct mt_program *p)
{
	int any = 0;

	for (unsigned i = 0; i < p->nr_records; i++)
		if (p->rec[i].run_mode != MT_RUN_ALL) {
			p->rec[i].run_mode = MT_RUN_ALL;
			p->rec[i].run_n = 0;
			any = 1;
		}
	return any;
}

/* Every stopped operation run to its end at the point its VCPU would
 * have resumed it (the VCPU's next record, which it replaces, or the end
 * of the records): a stop before the operation's first access is only a
 * later start, and this is the sequential run that shows it.  0 if p had
 * no stop. */
static int delay_stops(struct mt_program *p)
{
	struct mt_in_record pend[MT_IN_MAX_VCPUS];
	int has[MT_IN_MAX_VCPUS] = { 0 };
	unsigned n = 0;
	int any = 0;

	for (unsigned i = 0; i < p->nr_records; i++) {
		struct mt_in_record r = p->rec[i];
		unsigned v = r.vcpu < MT_IN_MAX_VCPUS ? r.vcpu : 0;
		if (has[v]) {
			p->rec[n++] = pend[v];          /* it resumes here: all of it now */
			has[v] = 0;
			continue;
		}
		if (r.run_mode != MT_RUN_ALL) {
			r.run_mode = MT_RUN_ALL;
			r.run_n = 0;
			pend[v] = r;
			has[v] = 1;
			any = 1;
			continue;
		}
		p->rec[n++] = r;
	}
	for (unsigned v = 0; v < MT_IN_MAX_VCPUS; v++)
		if (has[v])
			p->rec[n++] = pend[v];
	p->nr_records = n;
	return any;
}

/* Does cur fail with no preemption at all (every record run to its end,
 * or every stopped operation run at its resumption: delay_stops())?  It
 * is sequential if it fails so with the same invariant (class): cur
 * becomes that program; else every candidate must need a preemption too
 * (same()). */
static void sequential(struct shrink *k)
{
	copy_prog(&cand, &cur);
	k->need_pre = all_run_to_end(&cand);  /* until shown otherwise (a budget of 0) */
	for (int how = 0; how < 2 && k->runs < k->budget; how++) {
		copy_prog(&cand, &cur);
		if (!(how ? delay_stops(&cand) : all_run_to_end(&cand)))
			break;               /* no stop at all */
		k->runs++;
		int f = mt_sim_run(k->sim, &cand, k->ops, NULL);
		if (f && same_class(mt_sim_blame(k->sim)->inv, k->inv)) {
			copy_prog(&cur, &cand);
			k->need_pre = 0;
			break;
		}
	}
}

/* An invariant of the structure or of the contract (not a livelock, a
 * deadlock, a harness error). */
static int damage_inv(const char *inv)
{
	return (inv[0] == 'I' || inv[0] == 'C') && inv[1] >= '0' && inv[1] <= '9';
}

/* The earliest detection: the shortest prefix of the minimal program (the
 * records after it dropped, every operation in flight drained) that
 * fails with an invariant of the structure or the contract.  A later
 * symptom of one corruption (a get that hands out a held handle, I7; a
 * claim broken, I11) is so named by the check that sees the corruption
 * first (the walk right after the operation that made it).  1 if a
 * shorter prefix failed: cur is that prefix, k->inv its invariant. */
static int earliest(struct shrink *k)
{
	for (unsigned j = 1; j < cur.nr_records; j++) {
		if (k->runs >= k->budget) {
			k->out = 1;
			return 0;
		}
		copy_prog(&cand, &cur);
		cand.nr_records = j;
		k->runs++;
		if (!mt_sim_run(k->sim, &cand, k->ops, NULL) || !damage_inv(mt_sim_blame(k->sim)->inv))
			continue;
		/* No test that it still needs a preemption (same() has one):
		 * a route to a sequential slip is that slip, and is named so
		 * (with that test, most routes kept their pair names: measured
		 * in docs/bugbench.md).  The risk, a race of one bug drained
		 * onto another bug's slip, did not show in `bugbench --multi`
		 * (3 trials, shared_sigs=0). */
		snprintf(k->inv, sizeof(k->inv), "%s", mt_sim_blame(k->sim)->inv);
		copy_prog(&cur, &cand);
		return 1;
	}
	return 0;
}

/* Canonical form: inputs of one bug reach it by different routes, and
 * shrinking alone leaves each at its own local minimum (its geometry,
 * the points its stops sit at).  Walked upwards from the smallest value,
 * the first that still fails is taken: entries per page 2, 3, 4 ...;
 * frames 1, 2, ...; the allocation-failure pattern 1, 2, ...; each stop
 * at 0, 1, 2 ... schedule points; each argument 1, 2, ...  Bounded: a
 * few tries per field, within the budget. */
static int canonical(struct shrink *k)
{
	int changed = 0;

	for (unsigned pp = 2; pp < cur.per_page && pp < 2 + 12 && !k->out; pp++) {
		copy_prog(&cand, &cur);
		cand.per_page = pp;
		if (take_if_same(k)) {
			changed = 1;
			break;
		}
	}
	for (unsigned mf = 1; mf < cur.max_frames && mf < 1 + 6 && !k->out; mf++) {
		copy_prog(&cand, &cur);
		cand.max_frames = mf;
		if (take_if_same(k)) {
			changed = 1;
			break;
		}
	}
	/* the allocation-failure pattern: 1, 2, 3 ... (bit i: attempt i fails) */
	for (unsigned af = 1; af < cur.alloc_fail && af < 1 + 16 && !k->out; af++) {
		copy_prog(&cand, &cur);
		cand.alloc_fail = (uint8_t)af;
		if (take_if_same(k)) {
			changed = 1;
			break;
		}
	}
	for (unsigned i = 0; i < cur.nr_records && !k->out; i++) {
		unsigned lim = cur.rec[i].run_mode == MT_RUN_POINTS ? cur.rec[i].run_n :
		               cur.rec[i].run_mode == MT_RUN_UNTIL ? 16u : 0u;
		for (unsigned n = 0; n < lim && n < 16 && !k->out; n++) {
			copy_prog(&cand, &cur);
			cand.rec[i].run_mode = MT_RUN_POINTS;
			cand.rec[i].run_n = (uint16_t)n;
			if (take_if_same(k)) {
				changed = 1;
				break;
			}
		}
	}
	for (unsigned i = 0; i < cur.nr_records && !k->out; i++) {
		for (unsigned a = 1; a < cur.rec[i].arg && a < 1 + 8 && !k->out; a++) {
			copy_prog(&cand, &cur);
			cand.rec[i].arg = (uint8_t)a;
			if (take_if_same(k)) {
				changed = 1;
				break;
			}
		}
	}
	return changed;
}

/* ---- naming ---- */

static const char *site_name(struct mt_sim *sim, int site)
{
	const struct mt_site *s = site >= 0 ? mt_sim_site(sim, (unsigned)site) : NULL;

	return s && s->id ? s->id : "unknown_site";
}

static int tok_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

static void pair(char *buf, size_t cap, const char *inv, const char *x, const char *y)
{
	if (strcmp(x, y) > 0) {
		const char *t = x;
		x = y;
		y = t;
	}
	snprintf(buf, cap, "%s:%s:%s", inv, x, y);
}

/* The conflicting pair of stop s (two accesses to the same memory, one
 * of them a write): the first access another VCPU made while s waited
 * that conflicts with s's pending access; else with the last access of
 * s's operation before the stop; else with the first after it.  0 if
 * none: what the others did meanwhile commutes with s's operation, which
 * might as well have run to its end first (no preemption).  A stop
 * before the operation's first access only starts it later (name_run()). */
static int conflict_of(const struct stop *s, int *a_site, int *b_site)
{
	if (s->from == s->op_from)
		return 0;   /* stopped before its operation's first access: a later start */
	/* what s's operation read or wrote before the stop, earliest first,
	 * made stale by a write of another VCPU meanwhile (the ABA's read of
	 * the head, wherever between it and the CAS the pop was stopped) */
	for (unsigned i = s->op_from; i < s->from; i++) {
		if (W.a[i].v != s->v || !W.a[i].addr || is_lock(W.a[i].addr))
			continue;
		for (unsigned j = s->from; j < s->to; j++)
			if (W.a[j].v != s->v && W.a[j].w && W.a[j].addr == W.a[i].addr) {
				*a_site = W.a[i].site;
				*b_site = W.a[j].site;
				return 1;
			}
	}
	/* its pending access: another VCPU's write there, else (it writes)
	 * another's read */
	for (int want_w = 1; want_w >= 0; want_w--)
		for (unsigned j = s->from; j < s->to; j++)
			if (W.a[j].v != s->v && s->addr && W.a[j].addr == s->addr && !is_lock(s->addr) &&
			    (want_w ? W.a[j].w : s->w)) {
				*a_site = s->site;
				*b_site = W.a[j].site;
				return 1;
			}
	/* what it did before, read by another meanwhile (it wrote it) */
	for (unsigned i = s->op_from; i < s->from; i++) {
		if (W.a[i].v != s->v || !W.a[i].w || !W.a[i].addr || is_lock(W.a[i].addr))
			continue;
		for (unsigned j = s->from; j < s->to; j++)
			if (W.a[j].v != s->v && W.a[j].addr == W.a[i].addr) {
				*a_site = W.a[i].site;
				*b_site = W.a[j].site;
				return 1;
			}
	}
	/* what it does after, against another's access meanwhile */
	for (unsigned j = s->from; j < s->to; j++) {
		if (W.a[j].v == s->v || !W.a[j].addr || is_lock(W.a[j].addr))
			continue;
		for (unsigned i = s->to; i < W.n; i++)
			if (W.a[i].v == s->v && W.a[i].opn == s->opn && W.a[i].addr == W.a[j].addr &&
			    (W.a[i].w || W.a[j].w)) {
				*a_site = W.a[i].site;
				*b_site = W.a[j].site;
				return 1;
			}
	}
	return 0;
}

/* Name the watched run that just failed (the minimal one). */
static void name_run(struct mt_sim *sim, char *buf, size_t cap, int *seq, int need_pre)
{
	const struct mt_sim_blame *b = mt_sim_blame(sim);

	*seq = 0;
	if (b->hint >= 0 && b->other >= 0) {
		/* I11, I12: the checker names its pair */
		pair(buf, cap, b->inv, site_name(sim, b->hint), site_name(sim, b->other));
		return;
	}
	for (unsigned i = W.nstops; i-- > 0;) {
		int x, y;
		if (conflict_of(&W.s[i], &x, &y)) {
			pair(buf, cap, b->inv, site_name(sim, x), site_name(sim, y));
			return;
		}
	}
	const char *op;
	switch (b->phase) {
	case MT_PHASE_OP:
		op = mt_in_op_name(b->op);
		break;
	case MT_PHASE_QUIESCENT:
		/* the walk sees a state: which operation made it last is
		 * not the cause (a get that grows and a grow prepend alike) */
		op = "quiescent";
		break;
	case MT_PHASE_FINAL:
		op = "quiescent";    /* the same walk, at the end of the run */
		break;
	default:
		op = "end";
		break;
	}
	/* It needs its stops, and none met a conflicting access of another
	 * VCPU (an operation in flight whose operands were chosen at its
	 * start, a lock held, the order of allocation attempts): "order". */
	*seq = !need_pre;
	snprintf(buf, cap, "%s:%s:%s", b->inv, need_pre ? "order" : "seq", op);
}

/* ---- the fuzzer's coverage ----
 *
 * The re-runs light the coverage counters of libFuzzer (the compiler's
 * inline 8-bit counters, and the engine's interleaving pairs in
 * __libfuzzer_extra_counters) as if the input had run them: it would keep
 * failing inputs for coverage their shrinking found, and mutate them
 * (measured: 2,004 findings instead of 61 in 50,000 runs of treiber-aba).
 * The counters are saved before the first re-run and put back after the
 * last, as the input left them.  Weak: nothing without libFuzzer.  AFL++'s
 * map the same, given by its driver (mt_root_set_cov_map): without it a
 * failing input lit its naming's edges only on its first run (a program
 * named before is not re-run), and AFL++ took those edges as unstable. */
extern uint8_t __start___sancov_cntrs[] __attribute__((weak));
extern uint8_t __stop___sancov_cntrs[] __attribute__((weak));
extern uint8_t __start___libfuzzer_extra_counters[] __attribute__((weak));
extern uint8_t __stop___libfuzzer_extra_counters[] __attribute__((weak));

static uint8_t *saved_cov, *saved_extra;
static uint8_t *(*cov_map)(size_t *size);   /* a driver's own map (AFL++) */
static uint8_t *saved_map, *saved_map_at;
static size_t saved_map_n, saved_map_cap;

void mt_root_set_cov_map(uint8_t *(*map)(size_t *size))
{
	cov_map = map;
}

static void cov_save(void)
{
	size_t n = __start___sancov_cntrs ? (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs) : 0;
	size_t m = __start___libfuzzer_extra_counters ?
	           (size_t)(__stop___libfuzzer_extra_counters - __start___libfuzzer_extra_counters) : 0;

	if (n && (saved_cov || (saved_cov = malloc(n))))
		memcpy(saved_cov, __start___sancov_cntrs, n);
	if (m && (saved_extra || (saved_extra = malloc(m))))
		memcpy(saved_extra, __start___libfuzzer_extra_counters, m);
	saved_map_at = NULL;
	size_t k = 0;
	uint8_t *at = cov_map ? cov_map(&k) : NULL;
	if (at && k) {
		if (k > saved_map_cap) {
			free(saved_map);
			saved_map_cap = 0;
			if (!(saved_map = malloc(k)))
				return;
			saved_map_cap = k;
		}
		memcpy(saved_map, at, k);
		saved_map_at = at;
		saved_map_n = k;
	}
}

static void cov_restore(void)
{
	if (saved_cov)
		memcpy(__start___sancov_cntrs, saved_cov, (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs));
	if (saved_extra)
		memcpy(__start___libfuzzer_extra_counters, saved_extra,
		       (size_t)(__stop___libfuzzer_extra_counters - __start___libfuzzer_extra_counters));
	if (saved_map_at)
		memcpy(saved_map_at, saved_map, saved_map_n);
	saved_map_at = NULL;
}

/* ---- the signature ---- */

/* Signatures of programs named before: a campaign runs many inputs that
 * decode to one program (the decoder folds bytes), and a program always
 * gets the same name, so the name is remembered (direct-mapped, by a
 * hash of the program and the implementation). */
#define CACHE 4096u
static struct {
	uint64_t key;
	char sig[MT_SIG_MAX];
} cache[CACHE];

static uint64_t prog_hash(const struct mt_program *p, const struct mt_ops *ops)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *b;
#define MIX(x) do { h ^= (uint64_t)(x); h *= 0x100000001b3ull; } while (0)
	MIX((uintptr_t)ops);
	MIX(p->model);
	MIX(p->nr_vcpus);
	MIX(p->per_page);
	MIX(p->max_frames);
	MIX(p->alloc_fail);
	MIX(p->nr_records);
	for (unsigned i = 0; i < p->nr_records; i++) {
		b = (const unsigned char *)&p->rec[i];
		MIX(p->rec[i].vcpu | (unsigned)p->rec[i].op << 8 | (unsigned)p->rec[i].arg << 16 |
		    (uint64_t)p->rec[i].run_mode << 24 | (uint64_t)p->rec[i].run_n << 32);
	}
	(void)b;
#undef MIX
	return h | 1u;
}

static struct mt_root_stats stats;

const struct mt_root_stats *mt_root_last_stats(void)
{
	return &stats;
}

static unsigned budget_of(void)
{
	static int read;
	static unsigned budget = MT_ROOT_BUDGET;

	if (!read) {
		const char *e = getenv("MT_ROOT_BUDGET");
		char *end;
		read = 1;
		if (e && *e) {
			unsigned long n = strtoul(e, &end, 10);
			if (*end || n > 100000) {
				fprintf(stderr, "root_cause: MT_ROOT_BUDGET='%s': want a number of re-runs, 0-100000\n", e);
				exit(2);
			}
			budget = (unsigned)n;
		}
	}
	return budget;
}

int mt_root_signature_min(struct mt_sim *sim, char *buf, size_t cap, struct mt_program *min)
{
	const struct mt_program *orig = mt_sim_program(sim);
	struct shrink k = { .sim = sim, .ops = mt_sim_ops(sim), .budget = budget_of() };

	memset(&stats, 0, sizeof(stats));
	if (!mt_sim_failed(sim) || !orig || mt_sim_blame(sim)->phase == MT_PHASE_NONE) {
		if (cap)
			buf[0] = '\0';
		return -1;
	}
	snprintf(k.inv, sizeof(k.inv), "%s", mt_sim_blame(sim)->inv);
	uint64_t key = min ? 0 : prog_hash(orig, k.ops);
	if (key && cache[key % CACHE].key == key) {
		snprintf(buf, cap, "%s", cache[key % CACHE].sig);
		stats.records_in = orig->nr_records;
		return 0;
	}
	copy_prog(&cur, orig);
	stats.records_in = cur.nr_records;
	int watched = watch_attach(sim) == 0;

	/* 1. The original run, watched: the record the finding came in. */
	if (watched)
		watch_begin(sim);
	mt_sim_run(sim, &cur, k.ops, NULL);
	stats.runs++;
	if (watched)
		watch_end(sim);
	if (watched && W.last_record >= 0 && (unsigned)W.last_record + 1 < cur.nr_records) {
		copy_prog(&cand, &cur);
		cand.nr_records = (unsigned)W.last_record + 1;
		take_if_same(&k);
	}
	/* Named before, cut so?  (The name depends on the cut program only.) */
	uint64_t key2 = key ? prog_hash(&cur, k.ops) : 0;
	if (key2 && key2 != key && cache[key2 % CACHE].key == key2) {
		snprintf(buf, cap, "%s", cache[key2 % CACHE].sig);
		mt_sim_run(sim, orig, k.ops, NULL);
		stats.runs += k.runs + 1;
		cache[key % CACHE].key = key;
		snprintf(cache[key % CACHE].sig, MT_SIG_MAX, "%s", buf);
		return 0;
	}
	/* 2. No preemption at all? */
	sequential(&k);
	/* 3. Fewer records, fewer stops, until nothing changes. */
	for (unsigned round = 0; round < 2 && !k.out; round++) {
		int changed = remove_records(&k);
		changed |= remove_stops(&k);
		changed |= shrink_header(&k);
		if (!changed)
			break;
	}
	/* 3a. The canonical form (routes of one bug meet there). */
	for (unsigned round = 0; round < 2 && !k.out && canonical(&k); round++) {
		remove_records(&k);
		remove_stops(&k);
	}
	/* 3b. The earliest detection, shrunk again. */
	if (!k.out && earliest(&k)) {
		sequential(&k);
		for (unsigned round = 0; round < 2 && !k.out; round++) {
			int changed = remove_records(&k);
			changed |= remove_stops(&k);
			if (!changed)
				break;
		}
	}
	/* 4. Name the minimal run, watched. */
	if (watched)
		watch_begin(sim);
	int failed = mt_sim_run(sim, &cur, k.ops, NULL);
	stats.runs++;
	if (watched)
		watch_end(sim);
	if (!failed || !same_class(mt_sim_blame(sim)->inv, k.inv) || !watched) {
		/* cannot happen (a run is deterministic) unless the watcher
		 * could not be attached: the one-run signature */
		mt_sim_run(sim, orig, k.ops, NULL);
		stats.runs++;
		mt_signature(sim, buf, cap);
	} else {
		name_run(sim, buf, cap, &stats.seq, k.need_pre);
		/* 5. The context holds the original run again. */
		mt_sim_run(sim, orig, k.ops, NULL);
		stats.runs++;
	}
	for (char *c = buf; *c; c++)
		if (!tok_char((unsigned char)*c) && *c != ':')
			*c = '_';
	stats.runs += k.runs;
	stats.records_out = cur.nr_records;
	for (unsigned i = 0; i < cur.nr_records; i++)
		stats.stops_out += cur.rec[i].run_mode != MT_RUN_ALL;
	stats.budget_out = k.out;
	if (min)
		copy_prog(min, &cur);
	if (key) {
		cache[key % CACHE].key = key;
		snprintf(cache[key % CACHE].sig, MT_SIG_MAX, "%s", buf);
		cache[key2 % CACHE].key = key2;
		snprintf(cache[key2 % CACHE].sig, MT_SIG_MAX, "%s", buf);
	}
	return 0;
}

int mt_root_signature(struct mt_sim *sim, char *buf, size_t cap)
{
	cov_save();
	int rc = mt_root_signature_min(sim, buf, cap, NULL);
	cov_restore();
	return rc;
}
