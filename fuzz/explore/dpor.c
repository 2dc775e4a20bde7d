/*
 * dpor.c - source-set DPOR with sleep sets (see dpor.h).
 *
 * The stack holds one node per step of the current execution: the
 * processes enabled there, the backtrack set (processes to explore from
 * it), the done set, the sleep set on entry, the process being explored
 * with its reads-from choice, and the footprint of each process's step
 * from there as far as it is known (explored, or inherited asleep).
 *
 * After an execution, each new step j of process p is checked against the
 * earlier steps: a step i of another process that is dependent with j and
 * does not happen before j through any other step (vector clocks over the
 * execution's positions) is a race.  Its reversal is the sequence v of the
 * steps after i that do not happen after i, then j; if no process whose
 * first step in v starts it (an initial of v) is in i's backtrack set or
 * asleep at i, one is added (p if it is an initial).  Initials that are
 * not enabled at i (a VCPU waiting for a lock) cannot start v: a race
 * with only such initials is not reversible and adds nothing.
 */
#include "fuzz/explore/dpor.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A footprint copied up to its last entry in use (a whole one is 680
 * bytes; copying them at every step was a twelfth of a bound-free run). */
static inline void fp_copy(struct mt_dp_fp *to, const struct mt_dp_fp *from)
{
	memcpy(to, from, offsetof(struct mt_dp_fp, e) + from->n * sizeof(from->e[0]));
}

struct dnode {
	uint8_t enabled, backtrack, done, sleep;
	uint8_t cur, rf, rf_n;
	uint8_t cont;                          /* continuation of a merged step (mt_dp_merge) */
	uint16_t glue;                         /* a merged step: its continuation's length */
	uint32_t merged_in;                    /* the execution that last merged it */
	struct mt_dp_fp fp[MT_DP_MAX_PROCS];   /* valid for cur, done and sleep */
};

/* MT_DP_MAX_DEPTH nodes, 10 MB: allocated by the first mt_dp_reset(), so a
 * process that never runs the reduction (a bounded search) does not carry
 * them in .bss, every page of which LeakSanitizer reads at exit (a bounded
 * asan explorer run: 0.17-0.18 s and 56 MB before, 0.14-0.15 s, 45 MB). */
static struct dnode *node;
static void (*refresh)(unsigned proc, struct mt_dp_fp *fp);

void mt_dp_set_refresh(void (*fn)(unsigned proc, struct mt_dp_fp *fp))
{
	refresh = fn;
}
static uint16_t clk[MT_DP_MAX_DEPTH][MT_DP_MAX_PROCS];   /* position + 1 of the latest step of
                                                           * each process that happens before */
static struct {
	unsigned nprocs;
	unsigned depth;              /* nodes on the stack */
	unsigned replay;             /* nodes to replay in this execution */
	unsigned first_new;          /* first node whose step is new in this execution */
	unsigned d;                  /* steps chosen in this execution */
	int blocked;                 /* every enabled process asleep: no more nodes */
	int pending;                 /* a chosen step awaits mt_dp_step() */
	uint32_t exec;               /* executions begun */
	unsigned trace_len;          /* the execution mt_dp_end() finished */
	uint8_t trace_proc[MT_DP_MAX_DEPTH], trace_rf[MT_DP_MAX_DEPTH];
	struct mt_dp_stats st;
} D;

void mt_dp_fp_add(struct mt_dp_fp *fp, const void *loc, int write)
{
	if (write)
		fp->any_write = 1;
	for (unsigned i = 0; i < fp->n; i++)
		if (fp->e[i].loc == loc) {
			fp->e[i].write |= (uint8_t)(write != 0);
			return;
		}
	if (fp->n == MT_DP_FP_MAX) {
		fp->overflow = 1;
		return;
	}
	fp->e[fp->n].loc = loc;
	fp->e[fp->n++].write = (uint8_t)(write != 0);
}

void mt_dp_fp_key(struct mt_dp_fp *fp, unsigned k, int write)
{
	uint64_t bit = 1ull << (k < 63 ? k : 63);
	if (write) {
		fp->kw |= bit;
		fp->any_write = 1;
	} else {
		fp->kr |= bit;
	}
}

int mt_dp_dependent(const struct mt_dp_fp *a, const struct mt_dp_fp *b)
{
	if (a->overflow || b->overflow)
		return 1;
	if ((a->kw & (b->kr | b->kw)) || (b->kw & a->kr))
		return 1;
	if ((a->reads_all && b->any_write) || (b->reads_all && a->any_write))
		return 1;
	if (!a->any_write && !b->any_write)
		return 0;
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (a->e[i].loc == b->e[j].loc && (a->e[i].write | b->e[j].write))
				return 1;
	return 0;
}

void mt_dp_reset(unsigned nprocs)
{
	if (!node && !(node = calloc(MT_DP_MAX_DEPTH, sizeof(*node)))) {
		fprintf(stderr, "dpor: out of memory for %u nodes\n", MT_DP_MAX_DEPTH);
		abort();
	}
	memset(&D, 0, sizeof(D));
	D.nprocs = nprocs;
}

void mt_dp_begin(void)
{
	D.d = 0;
	D.blocked = 0;
	D.pending = 0;
	D.exec++;
}

static unsigned lowest(unsigned mask)
{
	return (unsigned)__builtin_ctz(mask);
}

int mt_dp_choose(unsigned enabled, unsigned prefer, unsigned *proc, unsigned *rf)
{
	D.pending = 0;
	if (D.blocked) {
		/* finish the run without nodes: any schedule will do */
		*proc = prefer < D.nprocs && (enabled >> prefer & 1u) ? prefer : lowest(enabled);
		*rf = 0;
		D.d++;
		return 0;
	}
	if (D.d < D.replay) {
		struct dnode *n = &node[D.d];
		if (n->enabled != enabled)
			return -1;
		*proc = n->cur;
		*rf = n->rf;
		D.d++;
		D.pending = 1;
		return 0;
	}
	if (D.depth >= MT_DP_MAX_DEPTH)
		return -1;
	struct dnode *n = &node[D.depth];
	n->enabled = (uint8_t)enabled;
	n->sleep = 0;
	n->cont = 0;
	n->glue = 0;
	if (D.depth > 0) {
		/* asleep here: asleep or done at the parent, and independent of
		 * the parent's step */
		struct dnode *pa = &node[D.depth - 1];
		const struct mt_dp_fp *f = &pa->fp[pa->cur];
		unsigned cand = (unsigned)(pa->sleep | pa->done) & ~(1u << pa->cur);
		for (; cand; cand &= cand - 1) {
			unsigned q = lowest(cand);
			if (refresh)
				refresh(q, &pa->fp[q]);   /* q has not moved since pa */
			if (!mt_dp_dependent(&pa->fp[q], f)) {
				n->sleep |= (uint8_t)(1u << q);
				fp_copy(&n->fp[q], &pa->fp[q]);
			}
		}
	}
	unsigned cand = enabled & ~(unsigned)n->sleep;
	if (!cand) {
		D.blocked = 1;
		*proc = prefer < D.nprocs && (enabled >> prefer & 1u) ? prefer : lowest(enabled);
		*rf = 0;
		D.d++;
		return 0;
	}
	unsigned p = prefer < D.nprocs && (cand >> prefer & 1u) ? prefer : lowest(cand);
	n->backtrack = (uint8_t)(1u << p);
	n->done = 0;
	n->cur = (uint8_t)p;
	n->rf = 0;
	n->rf_n = 0;
	D.depth++;
	*proc = p;
	*rf = 0;
	D.d++;
	D.pending = 1;
	return 0;
}

void mt_dp_step(const struct mt_dp_fp *fp, unsigned rf_allowed)
{
	if (!D.pending)
		return;
	D.pending = 0;
	struct dnode *n = &node[D.d - 1];
	if (n->cont)
		return;                  /* a merged step's continuation: stays empty */
	fp_copy(&n->fp[n->cur], fp);
	if (n->rf_n == 0)
		n->rf_n = (uint8_t)(rf_allowed > 1 ? (rf_allowed > 255 ? 255 : rf_allowed) : 1);
}

int mt_dp_merge(unsigned k, const struct mt_dp_fp *fp)
{
	if (D.blocked || D.pending || k < 2 || k > D.d || D.d > D.depth)
		return 1;
	unsigned e = D.d - 1, h = D.d - k, p = node[h].cur;
	for (unsigned i = h; i <= e; i++)
		if (node[i].cur != p || node[i].rf_n > 1 || (i > h && node[i].glue))
			return 1;
	if (D.replay > 0 && e < D.first_new) {
		/* replayed as it was: the same merge, this run's footprint */
		if (node[h].glue != k - 1 || node[h].cont)
			return 1;
		fp_copy(&node[h].fp[p], fp);
		node[h].merged_in = D.exec;
		D.st.merges++;
		return 0;
	}
	if (D.replay > 0 && h < D.first_new)
		return 1;                /* straddles the branch point: left as steps */
	if (node[h].cont)
		return 1;
	/* new steps: one node, and the sleep sets after it from fp (a
	 * process asleep or done at h, independent of the whole block) */
	struct dnode *nh = &node[h];
	fp_copy(&nh->fp[p], fp);
	nh->glue = (uint16_t)(k - 1);
	nh->merged_in = D.exec;
	unsigned sleep = 0;
	for (unsigned cand = (unsigned)(nh->sleep | nh->done) & ~(1u << p); cand; cand &= cand - 1) {
		unsigned q = lowest(cand);
		if (refresh)
			refresh(q, &nh->fp[q]);
		if (!mt_dp_dependent(&nh->fp[q], fp))
			sleep |= 1u << q;
	}
	for (unsigned i = h + 1; i <= e; i++) {
		struct dnode *n = &node[i];
		n->cont = 1;
		n->glue = 0;
		mt_dp_fp_clear(&n->fp[p]);
		n->sleep = (uint8_t)sleep;
		for (unsigned c = sleep; c; c &= c - 1)
			fp_copy(&n->fp[lowest(c)], &nh->fp[lowest(c)]);
	}
	D.st.merges++;
	return 0;
}

unsigned mt_dp_depth(void)
{
	return D.d;
}

int mt_dp_blocked(void)
{
	return D.blocked;
}

const struct mt_dp_stats *mt_dp_stats(void)
{
	return &D.st;
}

unsigned mt_dp_trace_len(void)
{
	return D.trace_len;
}

void mt_dp_trace_step(unsigned k, unsigned *proc, unsigned *rf, uint16_t clock[MT_DP_MAX_PROCS])
{
	*proc = D.trace_proc[k];
	*rf = D.trace_rf[k];
	memcpy(clock, clk[k], sizeof(clk[k]));
}

/* Race (i, j): add an initial of notdep(i).j to i's backtrack set unless
 * one is there already or asleep.  acc: j's clock without i. */
static void reverse(unsigned i, unsigned j, const uint16_t *acc)
{
	struct dnode *ni = &node[i];
	unsigned pi = node[i].cur, p = node[j].cur, np = D.nprocs;
	unsigned seen = 0, init = 0;

	D.st.races++;
	for (unsigned k = i + 1; k < j; k++) {
		unsigned r = node[k].cur;
		if ((seen >> r & 1u) || clk[k][pi] > i)
			continue;            /* not r's first in v, or after i */
		seen |= 1u << r;
		unsigned ok = 1;
		for (unsigned s = 0; s < np && ok; s++)
			if (s != r && clk[k][s] > i)
				ok = 0;
		if (ok)
			init |= 1u << r;
	}
	if (!(seen >> p & 1u)) {
		unsigned ok = 1;
		for (unsigned s = 0; s < np && ok; s++)
			if (s != p && acc[s] > i)
				ok = 0;
		if (ok)
			init |= 1u << p;
	}
	init &= ni->enabled;
	if (!init || (init & (unsigned)(ni->backtrack | ni->sleep)))
		return;
	unsigned q = (init >> p & 1u) ? p : lowest(init);
	ni->backtrack |= (uint8_t)(1u << q);
	D.st.backtracks++;
}

static void races(unsigned from, unsigned to)
{
	unsigned np = D.nprocs;
	int last[MT_DP_MAX_PROCS];
	uint16_t acc[MT_DP_MAX_PROCS];

	for (unsigned q = 0; q < np; q++)
		last[q] = -1;
	for (unsigned j = 0; j < to; j++) {
		unsigned p = node[j].cur;
		if (j < from) {
			last[p] = (int)j;
			continue;
		}
		if (last[p] >= 0)
			memcpy(acc, clk[last[p]], sizeof(acc));
		else
			memset(acc, 0, sizeof(acc));
		const struct mt_dp_fp *fj = &node[j].fp[p];
		for (unsigned i = j; i-- > 0 && !node[j].cont;) {
			unsigned q = node[i].cur;
			if (q == p || acc[q] > i || node[i].cont)
				continue;    /* program order, or happens before j already, or
				              * part of a merged step (its first node races) */
			if (!mt_dp_dependent(&node[i].fp[q], fj))
				continue;
			reverse(i, j, acc);
			for (unsigned s = 0; s < np; s++)
				if (clk[i][s] > acc[s])
					acc[s] = clk[i][s];
		}
		acc[p] = (uint16_t)(j + 1);
		memcpy(clk[j], acc, sizeof(acc));
		last[p] = (int)j;
	}
}

int mt_dp_end(int finding, int *counted)
{
	/* the nodes of this execution (a shorter run drops the rest) */
	if (!D.blocked && D.d < D.depth)
		D.depth = D.d;
	*counted = !D.blocked;
	if (D.blocked)
		D.st.blocked++;
	else
		D.st.executions++;
	races(D.first_new, D.depth);
	for (unsigned k = 0; k < D.depth && k < D.d && !D.blocked; k++)
		if (node[k].glue && node[k].merged_in != D.exec)
			D.st.merge_errors++;   /* a merged step replayed without its merge */
	D.trace_len = D.blocked ? 0 : D.depth;
	for (unsigned k = 0; k < D.trace_len; k++) {
		D.trace_proc[k] = node[k].cur;
		D.trace_rf[k] = node[k].rf;
	}
	if (finding && !D.blocked && D.depth > 0) {
		/* The run stopped inside its last step: the steps the other
		 * processes did not make may be dependent with anything, and a
		 * schedule that makes one of them first may end otherwise (a
		 * crash before the finding): each is tried in its place. */
		unsigned last = D.depth - 1;
		while (last > 0 && node[last].cont)
			last--;              /* a merged step: tried in its place */
		struct dnode *n = &node[last];
		unsigned add = (unsigned)n->enabled & ~(unsigned)(n->backtrack | n->sleep);
		n->backtrack |= (uint8_t)add;
		D.st.backtracks += (uint64_t)__builtin_popcount(add);
	}
	while (D.depth > 0) {
		struct dnode *n = &node[D.depth - 1];
		if (n->rf + 1u < n->rf_n) {
			n->rf++;
		} else {
			n->done |= (uint8_t)(1u << n->cur);
			unsigned cand = (unsigned)(n->backtrack & n->enabled) & ~(unsigned)(n->done | n->sleep);
			if (!cand) {
				D.depth--;
				continue;
			}
			n->cur = (uint8_t)lowest(cand);
			n->rf = 0;
			n->rf_n = 0;
			n->glue = 0;         /* another process's step: not merged yet */
		}
		D.replay = D.depth;
		D.first_new = D.depth - 1;
		return 1;
	}
	return 0;
}
