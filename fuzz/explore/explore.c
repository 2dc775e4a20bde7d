/*
 * explore.c - bounded-exhaustive schedule exploration (see explore.h).
 *
 * The search is a depth-first walk over decision nodes, by re-execution:
 * run i replays the choices on the stack, then takes the first choice at
 * every new decision and pushes a node for it; afterwards the deepest node
 * with an untried choice moves to it and everything below is dropped.
 * Every run is one mt_sim_run_fed() whose feed (feed() below) answers one
 * record per decision, stopping its VCPU at the very next schedule point
 * (run=0), so the explorer decides before every access.
 */
#include "fuzz/explore/explore.h"

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/checkers/claims.h"
#include "fuzz/engine/memory.h"
#include "fuzz/explore/dpor.h"
#include "fuzz/explore/locks.h"
#include "lib/mt_access.h"

#define MAX_OPTS (MT_IN_MAX_VCPUS + MT_MEM_HISTORY)

/* One decision: which VCPU runs next and, under c11, which store its load
 * reads.  Read-from options are added to a node once its step turned out
 * to be a load with a choice (the next decision sees it): (w, k) is "w
 * read-from store=k" then w's step; the step is then a forced node. */
struct node {
	uint8_t opt[MAX_OPTS];           /* choices, the default first */
	uint8_t rf[MAX_OPTS];            /* 0, or the read-from choice of that option */
	uint8_t nr_opts;
	uint8_t nr_fresh;                /* choices offered when made (a replay must match) */
	uint8_t chosen;
	uint8_t preemptive;              /* another VCPU than the first costs a preemption */
	uint8_t preempt_before;          /* preemptions spent before this decision */
	uint8_t stale_before;            /* stale reads chosen before this decision */
	uint8_t rf_added;                /* its read-from options are in */
	uint8_t forced;                  /* the step after a read-from record */
};

static struct {
	const struct mt_xp_scenario *sc;
	const struct mt_xp_config *cfg;
	struct mt_xp_stats *st;
	struct node stack[MT_IN_MAX_RECORDS];
	unsigned depth;                  /* nodes on the stack */
	unsigned replay;                 /* nodes to replay in this run */
	unsigned d;                      /* decisions taken in this run */
	unsigned preempts;               /* preemptions spent in this run */
	unsigned stale;                  /* stale reads chosen in this run */
	int rf_step;                     /* the last record was read-from: run this VCPU next */
	int last_node;                   /* node of the last step record, -1 */
	int last;                        /* VCPU that ran the last record, -1 at the start */
	unsigned next_op[MT_IN_MAX_VCPUS];
	/* Switches skipped before a private access wait here until the next
	 * decision shows the operation went on past it; if it ended there
	 * instead, they are added back (an operation boundary is a free switch
	 * point, so the switch before its last access has no later twin). */
	int pend_node;                   /* node index, -1: none */
	uint8_t pend_opt[MT_IN_MAX_VCPUS];
	unsigned pend_n;
	int error;
	struct mt_sim *sim;              /* the harness's engine */
} X;

static struct mt_program ran;        /* the program of the current run */
static uint8_t ended_done[MT_IN_MAX_RECORDS];  /* record i's VCPU finished its operation */

/* A new run: X.d = 0, and ended_done[] cleared as far as the last run
 * wrote it (below X.d), not all 4,096 entries. */
static void clear_ended(void)
{
	memset(ended_done, 0, X.d < MT_IN_MAX_RECORDS ? X.d : MT_IN_MAX_RECORDS);
	X.d = 0;
}

/* ran = *hdr without the records past hdr's (a struct copy moved all
 * 4,096: 32 KB per run, a ninth of the instructions of a run of
 * explore_3x2_remote); the run appends its own from 0 (mt_sim_run_fed). */
static void ran_from(const struct mt_program *hdr)
{
	memcpy(&ran, hdr, offsetof(struct mt_program, rec));
	memcpy(ran.rec, hdr->rec, hdr->nr_records * sizeof(hdr->rec[0]));
	ran.ids = hdr->ids;
}

unsigned mt_xp_nr_ops(const struct mt_xp_scenario *sc)
{
	unsigned n = 0;

	for (unsigned v = 0; v < sc->hdr.nr_vcpus; v++)
		n += sc->nr_ops[v];
	return n;
}

/* ---- the scenario of a program ---- */

static struct {
	struct mt_xp_scenario *sc;
	int last_record;                 /* highest record index seen */
	int overflow;
} E;

static void add_op(unsigned v, const struct mt_in_record *r)
{
	if (E.sc->nr_ops[v] >= MT_XP_MAX_OPS) {
		E.overflow = 1;
		return;
	}
	E.sc->ops[v][E.sc->nr_ops[v]++] = (struct mt_xp_op){ r->op, r->arg };
}

static void on_event(void *ctx, const struct mt_ev *e, const struct mt_in_record *r)
{
	(void)ctx;
	if (!r)
		return;                  /* drain, epilogue */
	if (e->record > E.last_record)
		E.last_record = e->record;
	if (e->type == MT_EV_START || e->type == MT_EV_SKIP)
		add_op(e->vcpu, r);
}

int mt_xp_scenario_of(const struct mt_program *p, struct mt_harness *h,
                      struct mt_xp_scenario *sc, char *err, size_t errcap)
{
	memset(sc, 0, sizeof(*sc));
	sc->hdr = *p;
	sc->hdr.nr_records = 0;
	E.sc = sc;
	E.last_record = -1;
	E.overflow = 0;
	mt_sim_set_event_hook(h->sim, on_event, NULL);
	int finding = mt_harness_run_program(h, p, NULL);
	mt_sim_set_event_hook(h->sim, NULL, NULL);
	/* A finding stopped the run: the records it never reached keep their
	 * operations (a nop is none). */
	for (unsigned i = (unsigned)(E.last_record + 1); finding && i < p->nr_records; i++)
		if (p->rec[i].op != MT_OP_NOP)
			add_op(p->rec[i].vcpu, &p->rec[i]);
	if (E.overflow) {
		snprintf(err, errcap, "more than %u operations on one VCPU: too big to explore",
		         MT_XP_MAX_OPS);
		return -1;
	}
	return 0;
}

void mt_xp_print_scenario(const struct mt_xp_scenario *sc, const struct mt_in_sites *sites, FILE *out)
{
	char buf[128];

	mt_in_print_header(&sc->hdr, out);
	for (unsigned v = 0; v < sc->hdr.nr_vcpus; v++) {
		for (unsigned i = 0; i < sc->nr_ops[v]; i++) {
			struct mt_in_record r = { .vcpu = (uint8_t)v, .op = sc->ops[v][i].kind,
			                          .arg = sc->ops[v][i].arg, .run_mode = MT_RUN_ALL,
			                          .run_n = 0 };
			fprintf(out, "%s\n", mt_in_record_text(&r, sites, buf, sizeof(buf)));
		}
	}
}

/* ---- the search ---- */

static void fail(const char *what)
{
	if (X.error)
		return;
	X.error = 1;
	snprintf(X.st->err, sizeof(X.st->err), "%s", what);
}

/* The choices at this moment: the VCPUs that can run, the default first. */
/* Whether v can make a step: parked or wakeable at a point, or idle with
 * an operation left. */
static int can_step(unsigned v)
{
	int st = mt_sim_vcpu(X.sim, v, NULL);
	return st == MT_SIM_PARKED || st == MT_SIM_WAKEABLE ||
	       (st == MT_SIM_IDLE && X.next_op[v] < X.sc->nr_ops[v]);
}

static void choices(struct node *n, uint64_t *pruned, uint64_t *cut)
{
	unsigned nv = X.sc->hdr.nr_vcpus;
	uint8_t can[MT_IN_MAX_VCPUS];
	unsigned nc = 0;
	int site = 0;

	for (unsigned v = 0; v < nv; v++)
		if (can_step(v))
			can[nc++] = (uint8_t)v;
	memset(n, 0, sizeof(*n));
	X.pend_n = 0;
	n->preempt_before = (uint8_t)X.preempts;
	n->stale_before = (uint8_t)X.stale;
	/* The last VCPU stopped at a schedule point (or, counting operation
	 * boundaries, finished an operation and has more): it could go on, so
	 * it is the default and every other choice is a preemption. */
	int last = X.last >= 0 ? mt_sim_vcpu(X.sim, (unsigned)X.last, &site) : -1;
	int parked = last == MT_SIM_PARKED;
	int more = last == MT_SIM_IDLE && X.next_op[X.last] < X.sc->nr_ops[X.last];
	if (parked || (X.cfg->strict_boundaries && more)) {
		n->opt[n->nr_opts++] = (uint8_t)X.last;
		n->preemptive = 1;
		unsigned others = nc - 1;
		if (others == 0)
			return;
		if (X.preempts >= X.cfg->preemptions) {
			*cut += others;
			return;
		}
		if (parked && !X.cfg->no_prune && site >= 0 && mt_sim_site(X.sim, (unsigned)site) &&
		    (mt_sim_site(X.sim, (unsigned)site)->kind & MT_SK_P)) {
			*pruned += others;
			for (unsigned i = 0; i < nc; i++)
				if (can[i] != X.last)
					X.pend_opt[X.pend_n++] = can[i];
			return;
		}
		for (unsigned i = 0; i < nc; i++)
			if (can[i] != X.last)
				n->opt[n->nr_opts++] = can[i];
		return;
	}
	/* Free: the last VCPU finished an operation or blocked (or nothing ran
	 * yet).  Lowest VCPU first. */
	for (unsigned i = 0; i < nc; i++)
		n->opt[n->nr_opts++] = can[i];
}

/* The decision after a pruned one: keep the pruning if the VCPU is still in
 * the same operation, else give the node its switches back. */
static void settle_pending(int op_ended)
{
	if (X.pend_node < 0)
		return;
	struct node *n = &X.stack[X.pend_node];
	if (op_ended) {
		X.st->pruned -= X.pend_n;
		for (unsigned i = 0; i < X.pend_n; i++)
			n->opt[n->nr_opts++] = X.pend_opt[i];
	}
	X.pend_node = -1;
}

/* The record that makes w's next load read the store rf back. */
static void read_from_record(struct mt_in_record *r, unsigned w, unsigned rf)
{
	r->vcpu = (uint8_t)w;
	r->op = MT_OP_READ_FROM;
	r->arg = (uint8_t)rf;
	r->run_mode = MT_RUN_ALL;
}

/* The record that runs w one step, starting its next operation if it is
 * idle (both searches: the bounded one and the reduction). */
static void step_record(struct mt_in_record *r, unsigned w)
{
	r->vcpu = (uint8_t)w;
	r->run_mode = MT_RUN_POINTS;
	r->run_n = 0;
	if (mt_sim_vcpu(X.sim, w, NULL) == MT_SIM_IDLE) {
		const struct mt_xp_op *op = &X.sc->ops[w][X.next_op[w]++];
		r->op = op->kind;
		r->arg = op->arg;
	} else {
		r->op = MT_OP_NOP;
	}
}

/* The record of w's step in a reduced or observer run: its read-from
 * record first if it has a choice rf (*rf_step: its step follows), else
 * the step. */
static int choice_record(struct mt_in_record *r, unsigned w, unsigned rf, int *rf_step)
{
	X.last = (int)w;
	X.d++;
	if (rf) {
		*rf_step = (int)w;
		read_from_record(r, w, rf);
	} else {
		step_record(r, w);
	}
	return 1;
}

/* memcmp(a, b, n) == 0 for the few bytes of a node's choices, inline (a
 * libc call at every replayed decision was 3% of a bounded run). */
static inline int same_opts(const uint8_t *a, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int feed(void *ctx, struct mt_in_record *r)
{
	(void)ctx;
	struct node fresh, *n;
	uint64_t pruned = 0, cut = 0;

	if (X.error)
		return 0;
	if (X.d > 0) {
		ended_done[X.d - 1] = mt_sim_vcpu(X.sim, (unsigned)X.last, NULL) == MT_SIM_IDLE;
		if (X.rf_step < 0)
			settle_pending(ended_done[X.d - 1]);
	}
	/* The last step was a load with a choice: its node gets the stale
	 * reads as options (once; the bound counts them per schedule). */
	if (X.rf_step < 0 && X.last_node >= 0 && X.cfg->stale) {
		struct node *ln = &X.stack[X.last_node];
		unsigned allowed = mt_sim_last_allowed(X.sim, (unsigned)X.last);
		if (!ln->rf_added && ln->rf[ln->chosen] == 0 && ln->stale_before < X.cfg->stale) {
			for (unsigned k = 1; k < allowed && ln->nr_opts < MAX_OPTS; k++) {
				ln->opt[ln->nr_opts] = (uint8_t)X.last;
				ln->rf[ln->nr_opts++] = (uint8_t)k;
			}
		}
		ln->rf_added = 1;
	}
	if (X.rf_step >= 0) {
		/* The step of a read-from option: one forced choice. */
		memset(&fresh, 0, sizeof(fresh));
		fresh.opt[0] = (uint8_t)X.rf_step;
		fresh.nr_opts = 1;
		fresh.forced = 1;
		fresh.rf_added = 1;
		fresh.preempt_before = (uint8_t)X.preempts;
		fresh.stale_before = (uint8_t)X.stale;
	} else {
		choices(&fresh, &pruned, &cut);
	}
	if (fresh.nr_opts == 0)
		return 0;                /* everything done (or all left are blocked: deadlock) */
	if (X.d < X.replay) {
		n = &X.stack[X.d];
		if (n->nr_fresh != fresh.nr_opts || !same_opts(n->opt, fresh.opt, n->nr_fresh) ||
		    n->preempt_before != fresh.preempt_before) {
			fail("nondeterminism: a replayed prefix offered other choices");
			return 0;
		}
	} else {
		if (X.depth >= MT_IN_MAX_RECORDS - 1) {
			fail("a schedule needs more decisions than a program has records");
			return 0;
		}
		fresh.nr_fresh = fresh.nr_opts;
		X.stack[X.depth] = fresh;
		if (X.pend_n)
			X.pend_node = (int)X.depth;
		n = &X.stack[X.depth++];
		X.st->pruned += pruned;  /* counted once per node, when it is made */
		X.st->budget_cut += cut;
	}
	unsigned w = n->opt[n->chosen];
	if (n->preemptive && w != n->opt[0])
		X.preempts++;
	X.d++;
	memset(r, 0, sizeof(*r));
	if (n->rf[n->chosen] && X.rf_step < 0) {
		/* w's next load reads an older store: the record, then the step. */
		X.stale++;
		X.rf_step = (int)w;
		X.last = (int)w;
		read_from_record(r, w, n->rf[n->chosen]);
		return 1;
	}
	X.rf_step = -1;
	X.last_node = (int)(n - X.stack);
	X.last = (int)w;
	step_record(r, w);
	return 1;
}

/* Move to the next schedule: the deepest node with an untried choice. */
static int backtrack(void)
{
	while (X.depth > 0) {
		struct node *n = &X.stack[X.depth - 1];
		if (n->chosen + 1u < n->nr_opts) {
			n->chosen++;
			return 1;
		}
		X.depth--;
	}
	return 0;
}


/* ---- crashes as verdicts (catch_crashes) ---- */

static sigjmp_buf crash_jmp;
static volatile sig_atomic_t crash_armed;
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NR_CRASH_SIGS (sizeof(crash_sigs) / sizeof(crash_sigs[0]))
static struct sigaction crash_old[NR_CRASH_SIGS];
static char crash_what[64];

static void on_crash_sig(int sig)
{
	if (crash_armed) {
		crash_armed = 0;
		siglongjmp(crash_jmp, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_catch(int on)
{
	static char altstack[1 << 16];
	if (on) {
		stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_crash_sig;
		sa.sa_flags = SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaltstack(&ss, NULL);
		for (unsigned i = 0; i < NR_CRASH_SIGS; i++)
			sigaction(crash_sigs[i], &sa, &crash_old[i]);
	} else {
		for (unsigned i = 0; i < NR_CRASH_SIGS; i++)
			sigaction(crash_sigs[i], &crash_old[i], NULL);
	}
}

/* One run; a crash of the library in it is a finding (catch_crashes)
 * with *what its text, else the library's crash ends the process as
 * before (the caller's handlers report it). */
static int run_once(mt_sim_feed_fn fn, const char **what)
{
	*what = NULL;
	if (!X.cfg->catch_crashes)
		return mt_sim_run_fed(X.sim, &ran, X.cfg->harness->ops, NULL, fn, NULL);
	/* No mask saved: saving it is a system call per run (1.5 s of
	 * system time in w-relaxed-limit's 38 s depth search under sc).  The
	 * handler runs with its signal blocked and jumps out of it: that one
	 * is unblocked here. */
	int sig = sigsetjmp(crash_jmp, 0);
	if (sig) {
		sigset_t caught;
		sigemptyset(&caught);
		sigaddset(&caught, sig);
		sigprocmask(SIG_UNBLOCK, &caught, NULL);
		snprintf(crash_what, sizeof(crash_what), "crash: signal %d (%s)", sig, strsignal(sig));
		*what = crash_what;
		X.st->crashes++;
		return 1;
	}
	crash_armed = 1;
	int finding = mt_sim_run_fed(X.sim, &ran, X.cfg->harness->ops, NULL, fn, NULL);
	crash_armed = 0;
	return finding;
}

/* ---- without a bound: dynamic partial-order reduction (dpor.h) ----
 *
 * A step is what one record of a VCPU does: start an operation and run to
 * its first schedule point, or make the access of the point it is stopped
 * at and run to the next one (ending the operation if there is none), or
 * wake from a lock wait.  Its footprint, gathered by an observer of the
 * run, is what makes two steps dependent (same location, one writes):
 *
 * - the access, a write if the site's kind or the access writes (an RMW,
 *   a lock attempt, a CAS even when it fails: conservative); a seq_cst
 *   access also writes one location of its own (the model's global order);
 *   an allocation (an access of no memory, GROW_ALLOC) writes the
 *   allocator (the failure pattern counts allocations in order); an
 *   access whose address passes a schedule point of its own after its
 *   point (&mt_pv_entry(t, h)->ref) is made in a later step of its VCPU,
 *   and is in every step up to that one (F.carry);
 * - a wake from a lock wait reads the lock;
 * - the oracle's book of who holds which handle: a get's end writes the
 *   handle it got and appends to its VCPU's list; a put's start reads what
 *   its pick looked at (fp_pick: the mirror skips the handles a put-bad
 *   is putting, as pick_held() does) and writes the handle picked; a put's
 *   end writes that handle, its holder's list and the last handle put;
 * - which operations are in flight (the overlap marks, what quiescent
 *   means): with quiescent observers (Q.on, observe()) nothing, but in a
 *   scenario with a put-bad every start and end writes its VCPU's
 *   in-flight location for an accepted put-bad's end to read (the gets in
 *   flight excuse it); without them an operation's start reads the other
 *   VCPUs' in-flight locations and its end writes its own, so every start
 *   is ordered with every other VCPU's end and every schedule of a trace
 *   passes the same quiescent points;
 * - a put-bad (Q.on): its start reads the book and the last handle put
 *   (its pick), the limit (the pick is below it), and writes the handle
 *   picked (hostile[h]: a put's pick skips it, a get's end that hands it
 *   out excuses the put); its end writes that handle and reads whether the
 *   limit is above it (the refusal wanted), and if the put was accepted,
 *   the excuses (KEY_GLOBAL, which the gets' ends read) and the last
 *   handle put; a refused one's count is read only at quiescent points,
 *   the same in any order of the segment.  Without Q.on its start writes
 *   every in-flight location and key, and both read the view;
 * - the oracle reads the table without schedule points: a get's end whose
 *   get succeeded and a put-bad's end compare one handle with the limit
 *   and read only whether a step moved the limit across it (loc_cross);
 *   a put-bad's start, a grow's end that said "at the frame limit" and a
 *   put's end that was refused read the view (limit and frames), which
 *   every step that changes it writes;
 * - with I11 on, the claims checker's holds: a VCPU's private accesses
 *   are held until its next shared access or operation edge, and that
 *   step touches them again (as the claims were made), so whether another
 *   VCPU's access falls inside a hold is the same in every schedule of
 *   one trace.
 * Loads with a reads-from choice (c11) take every choice, each a step of
 * its own kind.  Soundness is checked against the naive enumeration
 * (maptrack_depth --check-dpor, docs/explore.md).
 */

static char loc_alloc, loc_seq_cst, loc_view, loc_in_flight[MT_IN_MAX_VCPUS];
/* Whether the limit is above handle h (h >= CROSS_MAX share the last):
 * a step that moves the limit across h writes it; the oracle's checks
 * that only compare one handle with the limit read it (fp_read_cross). */
#define CROSS_MAX 64u
static char loc_cross[CROSS_MAX];
/* A VCPU's list of held handles in the oracle's book: its end (a get
 * appends there) and the rest (a put's end removes a handle anywhere). */
static char loc_held_end[MT_IN_MAX_VCPUS], loc_held_list[MT_IN_MAX_VCPUS];
/* The last handle put (the oracle's last_put): every put's end writes it,
 * only a put-bad's start reads it (the gets' ends read KEY_GLOBAL, which
 * puts of held handles leave alone). */
static char loc_last_put;

/* Quiescent observers (Q.on): the boundaries of operations are left
 * unordered, and every quiescent state of every trace is checked by
 * observer runs instead (observe() below). */
static struct {
	int on;
	uint8_t vcpu[MT_DP_MAX_DEPTH];       /* the run's steps: whose */
	uint8_t idle_after[MT_DP_MAX_DEPTH]; /* and whether its VCPU is between operations after it */
	unsigned len, pos;                   /* an observer run's schedule */
	uint8_t sv[MT_DP_MAX_DEPTH], srf[MT_DP_MAX_DEPTH];
	int rf_step;
} Q;

/* Keyed locations (dpor.h) of the oracle's book: one per handle below
 * KEY_GLOBAL, and one for its global state (the last handle put, the
 * hostile puts' bookkeeping).  Only hostile puts read that global state
 * (a put-bad's start reads the last handle put; its end, and the end of a
 * get it excuses, the bookkeeping), and a scenario's operations are fixed:
 * in a scenario without put-bad nobody reads it, so writing it orders
 * nothing that anyone observes and the steps leave it out (F.hostile).
 * Measured: explore_3x2_remote's two puts' ends were a third of its
 * reversed races (they wrote it, the gets' ends read it). */
#define KEY_GLOBAL 63u
#define KEY_ALL (~0ull)

/* An operation the oracle judges as hostile (a put-bad), or one it does
 * not know: not a get, grow or put of a held handle. */
static int hostile_op(unsigned k)
{
	return k != MT_OP_GET && k != MT_OP_GROW && k != MT_OP_PUT_OWN && k != MT_OP_PUT_OTHER;
}

static unsigned key_of(mt_handle_t h)
{
	return h < KEY_GLOBAL ? (unsigned)h : KEY_GLOBAL - 1;
}

#define MAX_HELD 40u
#define BOOK_MAX 32u                     /* handles per VCPU the mirror of the book holds */

enum { BK_FREE, BK_HELD, BK_PUTTING };

static struct {
	int on;                          /* gathering (an exploration runs) */
	int v;                           /* VCPU of the step in progress, -1 */
	int claims;                      /* I11 is on: mirror its holds */
	int hostile;                     /* the scenario has a put-bad (KEY_GLOBAL) */
	struct mt_dp_fp fp;
	const void *last_addr[MT_IN_MAX_VCPUS];
	/* The access of v's point, until it is made: the accessors evaluate
	 * the address again after the point (mt_access.h), and when that
	 * passes a point of its own (&mt_pv_entry(t, h)->ref), the access is
	 * made in a later step of v than its point's.  It is in the footprint
	 * of every step of v from its point's to the one that makes it
	 * (mt_sched_after(), fp_after); an access without that call (a plain
	 * load) until its operation ends. */
	struct { const void *a; uint8_t w, wide, sc, valid; } carry[MT_IN_MAX_VCPUS];
	unsigned nheld[MT_IN_MAX_VCPUS];
	struct { const void *a; uint8_t w; } held[MT_IN_MAX_VCPUS][MAX_HELD];
	struct mt_sim *attached[4];
	unsigned nattached;
	struct mt_view view;             /* the table's view before the step */
	int have_view;
	struct mt_view after;            /* ... after the last step (fp_done) */
	int next_view;                   /* after is the view now: the next step's before */
	/* The mirror of the oracle's book (which VCPU holds which handles, in
	 * the order it got them; which are being put), to give a put's start
	 * the footprint of its pick (fp_pick). */
	int book_bad;                    /* the mirror cannot follow: whole-book reads */
	int pick_pending;                /* the step starts a put: its pick is due */
	uint8_t bk_state[KEY_GLOBAL];
	uint8_t bk_hostile[KEY_GLOBAL];  /* put-bads of the handle in flight (the oracle's hostile[]) */
	uint8_t bk_held[MT_IN_MAX_VCPUS][BOOK_MAX];
	unsigned bk_n[MT_IN_MAX_VCPUS];
} F;

/* The oracle's view of the table (limit, frames) as the implementation
 * gives it, read outside any VCPU (no schedule point is taken). */
static int view_now(struct mt_view *vw)
{
	struct mt_table *t = mt_sim_table(X.sim);
	memset(vw, 0, sizeof(*vw));
	if (!t || !X.cfg->harness->ops->view)
		return 0;
	X.cfg->harness->ops->view(t, vw);
	return 1;
}

/* The step reads the view: the location the steps that change it write,
 * or, without a view to compare, every location. */
static void fp_read_view(void)
{
	if (F.have_view)
		mt_dp_fp_add(&F.fp, &loc_view, 0);
	else
		F.fp.reads_all = 1;
}

/* The step compares handle h with the limit (h < limit?) and reads no
 * other part of the view: only a step that moved the limit across h
 * changes the answer. */
static void fp_read_cross(mt_handle_t h)
{
	if (F.have_view)
		mt_dp_fp_add(&F.fp, &loc_cross[h < CROSS_MAX ? h : CROSS_MAX - 1], 0);
	else
		F.fp.reads_all = 1;
}

/* The step moved the limit from a to b: it writes the answer for every
 * handle in between. */
static void fp_write_cross(mt_handle_t a, mt_handle_t b)
{
	mt_handle_t lo = a < b ? a : b, hi = a < b ? b : a;
	for (mt_handle_t h = lo; h < hi && h < CROSS_MAX; h++)
		mt_dp_fp_add(&F.fp, &loc_cross[h], 1);
	if (lo < hi && hi >= CROSS_MAX)      /* across some h >= CROSS_MAX - 1: they share the last */
		mt_dp_fp_add(&F.fp, &loc_cross[CROSS_MAX - 1], 1);
}

#define FP_RELEASED 1u                   /* fp.driver: the step ended v's holds */
#define FP_MERGED MT_LR_FP_MERGED        /* a read-only critical section as one step (locks.h) */
#define FP_EXTRA MT_LR_FP_EXTRA          /* ... with an access of this run's table besides its lock */

static void fp_release(unsigned v)
{
	F.fp.driver |= FP_RELEASED;
	for (unsigned i = 0; i < F.nheld[v]; i++)
		mt_dp_fp_add(&F.fp, F.held[v][i].a, F.held[v][i].w);
	F.nheld[v] = 0;
}

static void fp_carry(unsigned v, struct mt_dp_fp *fp)
{
	if (!F.carry[v].valid)
		return;
	mt_dp_fp_add(fp, F.carry[v].a, F.carry[v].w);
	if (F.carry[v].wide)
		mt_dp_fp_add(fp, (const char *)F.carry[v].a + 8, F.carry[v].w);
	if (F.carry[v].sc)
		mt_dp_fp_add(fp, &loc_seq_cst, 1);   /* the model's global order */
}

static void fp_begin(void *ctx, struct mt_sim *sim)
{
	(void)ctx;
	(void)sim;
	memset(F.nheld, 0, sizeof(F.nheld));
	memset(F.last_addr, 0, sizeof(F.last_addr));
	memset(F.carry, 0, sizeof(F.carry));
	memset(F.bk_state, BK_FREE, sizeof(F.bk_state));
	memset(F.bk_hostile, 0, sizeof(F.bk_hostile));
	memset(F.bk_n, 0, sizeof(F.bk_n));
	F.book_bad = 0;
	F.pick_pending = 0;
}

/* A put's pick (the oracle's pick_held() with index 0, the fallback to
 * the other class included): the first handle held, and not being put,
 * by v (own) or by the other VCPUs in VCPU order, each VCPU's in the
 * order it got them.  Adds what the pick read to the step's footprint:
 * every VCPU's list it looked into (a put's end removes from it), the
 * entry of every handle it looked at, and the end of every list it went
 * past (a get that appends there writes it).  A handle that
 * some VCPU gets later, or that is behind the one picked, changes nothing
 * and is not read: that is the point (a get's end and a put's start of
 * other VCPUs commute unless the get's handle would have been picked). */
static mt_handle_t fp_pick_class(unsigned v, int own)
{
	for (unsigned w = 0; w < X.sc->hdr.nr_vcpus; w++) {
		if ((w == v) != own)
			continue;
		mt_dp_fp_add(&F.fp, &loc_held_list[w], 0);
		for (unsigned i = 0; i < F.bk_n[w]; i++) {
			mt_handle_t h = F.bk_held[w][i];
			mt_dp_fp_key(&F.fp, key_of(h), 0);
			if (F.bk_state[h] == BK_HELD && !F.bk_hostile[h])
				return h;
		}
		mt_dp_fp_add(&F.fp, &loc_held_end[w], 0);
	}
	return MT_INVALID_HANDLE;
}

static void fp_pick(unsigned v, const struct mt_sim_op *op)
{
	F.pick_pending = 0;
	int own = op->kind == MT_OP_PUT_OWN;
	if (F.book_bad || op->arg != 0 || !op->legit ||
	    (op->kind != MT_OP_PUT_OWN && op->kind != MT_OP_PUT_OTHER)) {
		F.fp.kr |= KEY_ALL;      /* the whole book */
		return;
	}
	struct mt_dp_fp save = F.fp;
	mt_handle_t h = fp_pick_class(v, own);
	if (h == MT_INVALID_HANDLE)
		h = fp_pick_class(v, !own);
	if (h != op->handle) {
		F.fp = save;             /* the mirror disagrees: cannot happen; be safe */
		F.fp.kr |= KEY_ALL;
		F.book_bad = 1;
	}
}

static void book_got(unsigned v, mt_handle_t h)
{
	if (h >= KEY_GLOBAL - 1 || F.bk_n[v] == BOOK_MAX || F.bk_state[h] != BK_FREE) {
		F.book_bad = 1;
		return;
	}
	F.bk_state[h] = BK_HELD;
	F.bk_held[v][F.bk_n[v]++] = (uint8_t)h;
}

static void book_put(const struct mt_sim_op *op)
{
	mt_handle_t h = op->handle;
	if (h >= KEY_GLOBAL - 1 || op->holder < 0 || op->holder >= (int)MT_IN_MAX_VCPUS) {
		F.book_bad = 1;
		return;
	}
	unsigned w = (unsigned)op->holder;
	mt_dp_fp_add(&F.fp, &loc_held_list[w], 1);   /* the handles behind it move up */
	for (unsigned i = 0; i < F.bk_n[w]; i++)
		if (F.bk_held[w][i] == h) {
			memmove(&F.bk_held[w][i], &F.bk_held[w][i + 1], F.bk_n[w] - i - 1);
			F.bk_n[w]--;
			F.bk_state[h] = BK_FREE;
			return;
		}
	F.book_bad = 1;
}

static void fp_access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr,
                      unsigned acc)
{
	(void)ctx;
	if (!F.on)
		return;
	if ((int)v != F.v) {
		F.fp.overflow = 1;       /* not the step's VCPU: cannot happen; be safe */
		return;
	}
	const struct mt_site *s = mt_sim_site(sim, site);
	unsigned kind = s ? s->kind : MT_SK_RW;
	unsigned op = acc & MT_ACC_OP_MASK;
	int w = (kind & MT_SK_W) || (op & MT_ACC_STORE);
	if (X.cfg->dpor_mutant == 1 && !w)
		return;                  /* the broken reduction of the tests */
	if (op == MT_ACC_NONE && !addr) {
		mt_dp_fp_add(&F.fp, &loc_alloc, 1);
	} else if (op != MT_ACC_NONE) {
		if (mt_lr_on())
			mt_lr_point(v, site, addr);
		F.carry[v].a = addr;
		F.carry[v].w = (uint8_t)w;
		F.carry[v].wide = mt_acc_bytes(acc) == 16;   /* both 8-byte halves (fuzz/engine/memory.h) */
		F.carry[v].sc = (acc & MT_ACC_ORDER_MASK) == MT_ACC_SEQ_CST;
		F.carry[v].valid = 1;    /* until fp_after() or the operation's end */
		/* A deferred access is made at its after callback (fp_after), in
		 * this step or, when its address passes a point of its own, in a
		 * later one; the steps in between carry it (fp_start).  Any
		 * other access is made now. */
		if (!(acc & MT_ACC_DEFER))
			fp_carry(v, &F.fp);
		F.last_addr[v] = addr;
	}
	if (!F.claims || op == MT_ACC_NONE)
		return;
	if (!(kind & MT_SK_P)) {
		fp_release(v);
		return;
	}
	for (unsigned i = 0; i < F.nheld[v]; i++)
		if (F.held[v][i].a == addr) {
			F.held[v][i].w |= (uint8_t)w;
			return;
		}
	if (F.nheld[v] == MAX_HELD) {
		F.fp.overflow = 1;
		return;
	}
	F.held[v][F.nheld[v]].a = addr;
	F.held[v][F.nheld[v]++].w = (uint8_t)w;
}

static void fp_after(void *ctx, struct mt_sim *sim, unsigned v, const void *addr, unsigned acc)
{
	(void)ctx;
	(void)sim;
	if (F.on && mt_lr_on() && (int)v == F.v)
		mt_lr_access(v, addr, acc);
	if (!F.on || !F.carry[v].valid || F.carry[v].a != addr)
		return;
	if ((int)v == F.v)
		fp_carry(v, &F.fp);      /* made in this step */
	else
		F.fp.overflow = 1;       /* not the step's VCPU: cannot happen; be safe */
	F.carry[v].valid = 0;
}

/* A put-bad of h starts (+1) or ends (-1): the oracle's hostile[h],
 * which a put's pick skips. */
static void book_hostile(mt_handle_t h, int d)
{
	if (h >= (mt_handle_t)X.sc->hdr.max_frames * X.sc->hdr.per_page)
		return;                  /* beyond every table: the oracle keeps no count */
	if (h >= KEY_GLOBAL - 1 || (d < 0 && !F.bk_hostile[h]) || (d > 0 && F.bk_hostile[h] == UINT8_MAX)) {
		F.book_bad = 1;
		return;
	}
	F.bk_hostile[h] = (uint8_t)(F.bk_hostile[h] + d);
}

static void fp_op_started(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	(void)ctx;
	(void)sim;
	if (!F.on)
		return;
	if ((int)v != F.v)
		F.fp.overflow = 1;
	if (F.pick_pending)
		fp_pick(v, op);
	if (op->kind == MT_OP_PUT_BAD) {
		if (Q.on)
			mt_dp_fp_key(&F.fp, key_of(op->handle), 1);   /* hostile[h]: puts skip it, a get's end excuses */
		book_hostile(op->handle, 1);
	}
	if (op->legit) {
		mt_dp_fp_key(&F.fp, key_of(op->handle), 1);   /* now being put */
		if (op->handle < KEY_GLOBAL - 1 && F.bk_state[op->handle] == BK_HELD)
			F.bk_state[op->handle] = BK_PUTTING;
		else
			F.book_bad = 1;
	}
	fp_release(v);
}

static void fp_op_returned(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	(void)ctx;
	(void)sim;
	if (!F.on)
		return;
	if ((int)v != F.v)
		F.fp.overflow = 1;
	F.carry[v].valid = 0;            /* every access of the operation is done */
	if (!Q.on || F.hostile)
		mt_dp_fp_add(&F.fp, &loc_in_flight[v], 1);
	switch (op->kind) {
	case MT_OP_GET:
		/* held now (the book, the hand-off's release); the hostile
		 * puts excused while it ran; the limit it is checked against */
		if (op->rc == MT_OK) {
			mt_dp_fp_key(&F.fp, key_of(op->handle), 1);
			mt_dp_fp_add(&F.fp, &loc_held_end[v], 1);
			book_got(v, op->handle);
		}
		if (F.hostile)
			mt_dp_fp_key(&F.fp, KEY_GLOBAL, 0);
		if (op->rc == MT_OK)
			fp_read_cross(op->handle);   /* check_get(): beyond the limit? */
		break;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER:
		/* free again, and the last handle put */
		mt_dp_fp_key(&F.fp, key_of(op->handle), 1);
		if (op->legit && op->rc == MT_OK)
			book_put(op);
		else
			F.book_bad = 1;
		if (F.hostile)
			mt_dp_fp_add(&F.fp, &loc_last_put, 1);
		if (!(op->legit && op->rc == MT_OK))
			fp_read_view();
		break;
	case MT_OP_GROW:
		if (op->rc == MT_ERR_LIMIT)
			fp_read_view();      /* "at the frame limit": frames against the maximum */
		break;
	case MT_OP_PUT_BAD:
		book_hostile(op->handle, -1);
		if (op->rc == MT_OK)
			F.book_bad = 1;      /* accepted: the book changes in ways the mirror does not follow */
		if (op->rc == MT_OK || !Q.on)
			mt_dp_fp_add(&F.fp, &loc_last_put, 1);   /* accepted: the last handle put */
		if (!Q.on)
			goto everything;
		/* hostile[h], the state of h; which refusal is wanted: h against
		 * the limit now.  A refused one's bookkeeping (a count of refused
		 * puts, and that nothing else ran, since the last quiescent point)
		 * is read only there, and is the same whatever the order within
		 * the segment: the observers see it. */
		mt_dp_fp_key(&F.fp, key_of(op->handle), 1);
		fp_read_cross(op->handle);
		if (op->rc == MT_OK) {
			/* accepted: the excuses (KEY_GLOBAL, which the gets' ends
			 * read) by the gets in flight (won_gets), or a get handed it
			 * out meanwhile and its holder loses it */
			mt_dp_fp_key(&F.fp, KEY_GLOBAL, 1);
			for (unsigned u = 0; u < X.sc->hdr.nr_vcpus; u++) {
				if (u != v)
					mt_dp_fp_add(&F.fp, &loc_in_flight[u], 0);
				mt_dp_fp_add(&F.fp, &loc_held_list[u], 1);
			}
		}
		break;
	default:                         /* anything else: everything */
	everything:
		F.fp.kw |= KEY_ALL;
		F.fp.any_write = 1;
		fp_read_view();
		break;
	}
	fp_release(v);
}

static void fp_quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final);

static const struct mt_sim_observer fp_observer = {
	.name = "explore-footprints",
	.begin = fp_begin,
	.access = fp_access,
	.op_started = fp_op_started,
	.op_returned = fp_op_returned,
	.quiescent = fp_quiescent,
	.after = fp_after,
};

static int fp_attach(struct mt_sim *sim)
{
	for (unsigned i = 0; i < F.nattached; i++)
		if (F.attached[i] == sim)
			return 0;
	if (F.nattached == sizeof(F.attached) / sizeof(F.attached[0]) ||
	    mt_sim_attach(sim, &fp_observer, NULL))
		return -1;
	F.attached[F.nattached++] = sim;
	return 0;
}

/* The table is allocated anew in every run, and not always at the same
 * address: a footprint kept from an earlier run (a sleeping VCPU's) gets
 * its addresses from this run.  v has not moved since: its next access is
 * the one it is parked before (or the lock it waits for), and its holds
 * are those of the mirror now; the other locations are the explorer's own
 * (static) and keys. */
static int static_loc(const void *a)
{
	const char *p = a;
	return p == &loc_alloc || p == &loc_seq_cst || p == &loc_view || p == &loc_last_put ||
	       (p >= loc_cross && p < loc_cross + CROSS_MAX) ||
	       (p >= loc_in_flight && p < loc_in_flight + MT_IN_MAX_VCPUS) ||
	       (p >= loc_held_end && p < loc_held_end + MT_IN_MAX_VCPUS) ||
	       (p >= loc_held_list && p < loc_held_list + MT_IN_MAX_VCPUS);
}

static void fp_refresh(unsigned v, struct mt_dp_fp *fp)
{
	unsigned n = 0;
	fp->any_write = fp->kw != 0;
	for (unsigned i = 0; i < fp->n; i++)
		if (static_loc(fp->e[i].loc)) {
			fp->any_write |= fp->e[i].write;
			fp->e[n++] = fp->e[i];
		}
	fp->n = (uint8_t)n;
	const void *addr;
	unsigned acc;
	int site = -1;
	int st = mt_sim_vcpu(X.sim, v, &site);
	if (fp->driver & FP_MERGED) {
		/* a read-only critical section: v is parked before its acquire;
		 * its lock is read, the protected reads need no place (see
		 * "read-only critical sections"), its other reads of this run's
		 * table have no address here: it reads everything; the holds
		 * it ended are the mirror's now */
		if (st == MT_SIM_PARKED && mt_sim_pending(X.sim, v, &addr, &acc))
			mt_dp_fp_add(fp, addr, 0);
		else
			fp->overflow = 1;
		if (fp->driver & FP_EXTRA)
			fp->reads_all = 1;   /* its other accesses are reads (of this run's
			                      * table, elsewhere now): dependent with every write */
		if (fp->driver & FP_RELEASED)
			for (unsigned i = 0; i < F.nheld[v]; i++)
				mt_dp_fp_add(fp, F.held[v][i].a, F.held[v][i].w);
		return;
	}
	if (mt_sim_pending(X.sim, v, &addr, &acc)) {
		if (st != MT_SIM_PARKED) {
			mt_dp_fp_add(fp, addr, 0);           /* the lock it waits for */
		} else if ((acc & MT_ACC_OP_MASK) != MT_ACC_NONE) {
			const struct mt_site *s = site >= 0 ? mt_sim_site(X.sim, (unsigned)site) : NULL;
			int w = (!s || (s->kind & MT_SK_W)) || (acc & MT_ACC_STORE);
			if (w || X.cfg->dpor_mutant != 1)
				mt_dp_fp_add(fp, addr, w);
		}
	}
	if (st == MT_SIM_PARKED)
		fp_carry(v, fp);
	if (fp->driver & FP_RELEASED)
		for (unsigned i = 0; i < F.nheld[v]; i++)
			mt_dp_fp_add(fp, F.held[v][i].a, F.held[v][i].w);
}

/* The step chosen is about to run: a fresh footprint.  An operation's
 * start reads which operations are in flight (the overlap marks); a put
 * reads the whole book to pick its handle (a put that finds nothing too);
 * a hostile put also reads the limit, and with nothing in flight takes a
 * picture of the table: it writes every in-flight location and key, so it
 * is ordered with every start and end. */
static void fp_start(unsigned v, int state, int op)
{
	mt_dp_fp_clear(&F.fp);
	F.v = (int)v;
	/* The view after the last step is the view before this one: nothing
	 * ran in between (fp_done() took it). */
	if (F.next_view)
		F.view = F.after;
	else
		F.have_view = view_now(&F.view);
	F.next_view = 0;
	if (state == MT_SIM_IDLE) {
		int bad = hostile_op((unsigned)op);
		if (!Q.on) {
			for (unsigned u = 0; u < X.sc->hdr.nr_vcpus; u++)
				if (u != v || bad)
					mt_dp_fp_add(&F.fp, &loc_in_flight[u], bad);
		} else if (F.hostile) {
			mt_dp_fp_add(&F.fp, &loc_in_flight[v], 1);   /* an accepted put-bad's end reads it */
		}
		if (op == MT_OP_PUT_OWN || op == MT_OP_PUT_OTHER)
			F.pick_pending = 1;  /* its pick's footprint: fp_op_started */
		if (bad && Q.on && op == MT_OP_PUT_BAD) {
			F.fp.kr |= KEY_ALL;  /* its pick: the book, the last handle put */
			mt_dp_fp_add(&F.fp, &loc_last_put, 0);
			fp_read_view();      /* ... below the limit (and lim + k) */
		} else if (bad) {
			F.fp.kw |= KEY_ALL;
			F.fp.any_write = 1;
			mt_dp_fp_add(&F.fp, &loc_last_put, 1);
			fp_read_view();
		}
	} else if (state == MT_SIM_WAKEABLE) {
		mt_dp_fp_add(&F.fp, F.last_addr[v], 0);   /* the lock it waited for */
	} else if (state == MT_SIM_PARKED) {
		fp_carry(v, &F.fp);
	}
}

/* The step that ran last is over: tell the search. */
static void fp_done(int table_alive)
{
	if (F.v < 0)
		return;
	if (F.pick_pending) {
		F.pick_pending = 0;      /* a put that found nothing to put read the whole book */
		F.fp.kr |= KEY_ALL;
	}
	F.next_view = 0;
	if (F.have_view) {
		F.next_view = table_alive && view_now(&F.after);
		if (!F.next_view || memcmp(&F.after, &F.view, sizeof(F.after)))
			mt_dp_fp_add(&F.fp, &loc_view, 1);   /* the step changed the view */
		if (!F.next_view)
			F.fp.overflow = 1;   /* a finding ended the run: the limit now is unknown */
		else if (F.after.limit != F.view.limit)
			fp_write_cross(F.view.limit, F.after.limit);
	}
	unsigned allowed = X.cfg->stale ? mt_sim_last_allowed(X.sim, (unsigned)F.v) : 1;
	unsigned k = mt_dp_depth() - 1;
	if (k < MT_DP_MAX_DEPTH) {
		Q.vcpu[k] = (uint8_t)F.v;
		Q.idle_after[k] = table_alive && mt_sim_vcpu(X.sim, (unsigned)F.v, NULL) == MT_SIM_IDLE;
	}
	mt_dp_step(&F.fp, allowed);
	if (mt_lr_on() && mt_lr_step_done((unsigned)F.v, &F.fp, table_alive))
		X.st->lock_merges++;
	F.v = -1;
}

/* The start of each decision of a run the reduction drives (feed_dp, and
 * feed_fixed for an observer run): whether the last step ended its
 * operation, an empty record; 0 if the run must stop. */
static int feed_dp_begin(struct mt_in_record *r)
{
	if (X.error)
		return 0;
	if (X.d > 0)
		ended_done[X.d - 1] = mt_sim_vcpu(X.sim, (unsigned)X.last, NULL) == MT_SIM_IDLE;
	memset(r, 0, sizeof(*r));
	if (X.d >= MT_IN_MAX_RECORDS - 1) {
		fail("a schedule needs more decisions than a program has records");
		return 0;
	}
	return 1;
}

static int feed_dp(void *ctx, struct mt_in_record *r)
{
	(void)ctx;
	if (!feed_dp_begin(r))
		return 0;
	unsigned w, rf = 0;
	if (X.rf_step >= 0) {
		w = (unsigned)X.rf_step;     /* the step after its read-from record */
		X.rf_step = -1;
	} else {
		fp_done(1);
		unsigned nv = X.sc->hdr.nr_vcpus, enabled = 0;
		for (unsigned v = 0; v < nv; v++)
			if (can_step(v))
				enabled |= 1u << v;
		if (!enabled) {
			F.on = 0;
			return 0;        /* everything done (or all left are blocked: deadlock) */
		}
		if (mt_dp_choose(enabled, X.last >= 0 ? (unsigned)X.last : 0, &w, &rf)) {
			fail(mt_dp_depth() >= MT_DP_MAX_DEPTH ? "a schedule is longer than the search can hold"
			                                      : "nondeterminism: a replayed prefix offered other choices");
			return 0;
		}
		int st = mt_sim_vcpu(X.sim, w, NULL);
		fp_start(w, st, st == MT_SIM_IDLE ? X.sc->ops[w][X.next_op[w]].kind : -1);
	}
	/* rf: w's load reads an older store: the record, then the step */
	return choice_record(r, w, rf, &X.rf_step);
}


/* ---- quiescent observers ----
 *
 * With the boundaries of operations unordered, the schedules of one trace
 * pass through different quiescent states: the oracle walks the table at
 * each (with history: a list once seen non-empty, the limit at the last
 * one), and judges a failed get (I10) only if nothing overlapped it.  A
 * quiescent state of a trace is a consistent cut that leaves every VCPU
 * between operations (steps closed under happens-before: its state is the
 * same in every schedule that passes it); they form a lattice, and the
 * quiescent points of one schedule are a chain in it.  For each trace,
 * observe() runs one schedule per maximal chain of that lattice (each
 * segment between two cuts in the trace's order: no quiescent point
 * other than the chain's): a schedule of the trace that passes quiescent
 * points S is matched by a run through a maximal chain containing S,
 * which walks the same states at S with at least S's history (the
 * oracle's history checks only grow with more points: a list non-empty at
 * some earlier point; a limit lower than at the point before, which a
 * longer chain shows between some two of its points), and a get isolated
 * in S (two points one operation apart) is isolated there too.  The
 * explored schedule itself is one run; each other maximal chain costs one
 * more run (observer_runs). */

#define OBS_MAX_CUTS 4096u

static struct {
	unsigned n;                          /* steps of the trace */
	unsigned proc[MT_DP_MAX_DEPTH], rf[MT_DP_MAX_DEPTH];
	uint16_t clk[MT_DP_MAX_DEPTH][MT_DP_MAX_PROCS];
	unsigned nv;
	int pts[MT_IN_MAX_VCPUS][MT_XP_MAX_OPS + 2];   /* a VCPU's points between operations: its last step */
	unsigned npts[MT_IN_MAX_VCPUS];
	unsigned ncuts;
	uint16_t cut[OBS_MAX_CUTS][MT_IN_MAX_VCPUS];   /* index into pts[v] */
	uint16_t chain[OBS_MAX_CUTS];
	uint8_t in[MT_DP_MAX_DEPTH];
	int own_chain;                       /* the explored schedule's chain was matched */
	int finding;                         /* the trace stopped at a finding (partial) */
} O;

static int obs_consistent(const uint16_t *c)
{
	for (unsigned v = 0; v < O.nv; v++) {
		int e = O.pts[v][c[v]];
		if (e < 0)
			continue;
		for (unsigned u = 0; u < O.nv; u++)
			if (u != v && O.clk[e][u] > (unsigned)(O.pts[u][c[u]] + 1))
				return 0;
	}
	return 1;
}

static int obs_le(const uint16_t *a, const uint16_t *b)
{
	for (unsigned v = 0; v < O.nv; v++)
		if (a[v] > b[v])
			return 0;
	return 1;
}

static int feed_fixed(void *ctx, struct mt_in_record *r)
{
	(void)ctx;
	if (!feed_dp_begin(r))
		return 0;
	unsigned w, rf = 0;
	if (Q.rf_step >= 0) {
		w = (unsigned)Q.rf_step;
		Q.rf_step = -1;
	} else {
		if (Q.pos >= Q.len) {
			for (unsigned v = 0; v < X.sc->hdr.nr_vcpus; v++)
				if (can_step(v) && !O.finding)
					fail("nondeterminism: an observer run has steps left");
			return 0;
		}
		w = Q.sv[Q.pos];
		rf = Q.srf[Q.pos++];
		if (!can_step(w)) {
			fail("nondeterminism: an observer run's step cannot run");
			return 0;
		}
	}
	return choice_record(r, w, rf, &Q.rf_step);
}

/* One observer run through the chain O.chain[0..len): 1 to stop. */
static int obs_run(unsigned len)
{
	const struct mt_xp_config *cfg = X.cfg;
	struct mt_xp_stats *st = X.st;

	Q.len = 0;
	memset(O.in, 0, O.n);
	for (unsigned i = 1; i <= len; i++) {
		const uint16_t *c = i < len ? O.cut[O.chain[i]] : NULL;
		for (unsigned k = 0; k < O.n; k++) {
			if (O.in[k])
				continue;
			if (c && (int)k > O.pts[O.proc[k]][c[O.proc[k]]])
				continue;
			O.in[k] = 1;
			Q.sv[Q.len] = (uint8_t)O.proc[k];
			Q.srf[Q.len++] = (uint8_t)O.rf[k];
		}
	}
	int same = 1;
	for (unsigned k = 0; k < O.n && same; k++)
		same = Q.sv[k] == O.proc[k] && Q.srf[k] == O.rf[k];
	if (same) {
		O.own_chain = 1;
		return 0;                /* the explored schedule */
	}
	Q.pos = 0;
	Q.rf_step = -1;
	X.d = 0;
	memset(ended_done, 0, sizeof(ended_done));
	X.last = -1;
	memset(X.next_op, 0, sizeof(X.next_op));
	ran = X.sc->hdr;
	const char *crash;
	int finding = run_once(feed_fixed, &crash);
	if (!X.error && !finding && !O.finding && Q.pos != Q.len)
		fail("nondeterminism: an observer run ended early");
	if (X.error)
		return 1;
	st->schedules++;
	st->observer_runs++;
	st->decisions += X.d;
	if (finding) {
		st->violations++;
		if (cfg->on_violation && cfg->on_violation(cfg->ctx, &ran, crash ? crash : mt_sim_finding(X.sim)))
			return 1;
	}
	return 0;
}

/* Depth-first over the maximal chains from cut c (O.chain[0..depth]). */
static int obs_chains(unsigned depth)
{
	const uint16_t *c = O.cut[O.chain[depth]];
	int any = 0;
	for (unsigned i = 0; i < O.ncuts; i++) {
		const uint16_t *d = O.cut[i];
		if (i == O.chain[depth] || !obs_le(c, d))
			continue;
		int cover = 1;               /* nothing strictly between c and d */
		for (unsigned j = 0; j < O.ncuts && cover; j++)
			if (j != i && j != O.chain[depth] && obs_le(c, O.cut[j]) && obs_le(O.cut[j], d))
				cover = 0;
		if (!cover)
			continue;
		any = 1;
		O.chain[depth + 1] = (uint16_t)i;
		if (obs_chains(depth + 1))
			return 1;
	}
	return any ? 0 : obs_run(depth + 1);
}

/* The trace mt_dp_end() just finished: one run per maximal chain of its
 * quiescent cuts (the explored schedule's own excepted).  1 to stop. */
static int observe(int finding)
{
	O.finding = finding;
	O.n = mt_dp_trace_len();
	if (!O.n)
		return 0;                /* sleep-set blocked: not a new trace */
	O.nv = X.sc->hdr.nr_vcpus;
	for (unsigned v = 0; v < O.nv; v++) {
		O.npts[v] = 1;
		O.pts[v][0] = -1;
	}
	for (unsigned k = 0; k < O.n; k++) {
		mt_dp_trace_step(k, &O.proc[k], &O.rf[k], O.clk[k]);
		if (O.proc[k] != Q.vcpu[k]) {
			fail("observers: the trace's steps disagree with the run's");
			return 1;
		}
		unsigned v = O.proc[k];
		if (Q.idle_after[k] && O.npts[v] < MT_XP_MAX_OPS + 2)
			O.pts[v][O.npts[v]++] = (int)k;
	}
	/* every consistent cut (the bottom first) */
	uint16_t c[MT_IN_MAX_VCPUS] = { 0 };
	O.ncuts = 0;
	for (;;) {
		if (obs_consistent(c)) {
			if (O.ncuts == OBS_MAX_CUTS) {
				fail("observers: too many quiescent cuts");
				return 1;
			}
			memcpy(O.cut[O.ncuts++], c, sizeof(c));
		}
		unsigned v = 0;
		while (v < O.nv && ++c[v] == O.npts[v])
			c[v++] = 0;
		if (v == O.nv)
			break;
	}
	O.chain[0] = 0;
	O.own_chain = 0;
	return obs_chains(0);
}

static void ck_restarted(void);

static int explore_dpor(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg,
                        struct mt_xp_stats *st)
{
	if (fp_attach(X.sim)) {
		fail("cannot watch the run's accesses (too many observers)");
		st->error = 1;
		return -1;
	}
	F.claims = mt_claims_enabled(cfg->harness->claims);
	F.hostile = 0;
	for (unsigned v = 0; v < sc->hdr.nr_vcpus; v++)
		for (unsigned i = 0; i < sc->nr_ops[v]; i++) {
			unsigned k = sc->ops[v][i].kind;
			F.hostile |= hostile_op(k);
		}
	/* Quiescent observers: the oracle's checks at quiescent points are
	 * all that reads the order of boundaries when each quiescent point
	 * walks the whole table (the oracle's credit: up to
	 * MT_ORACLE_WALK_CREDIT, 32, handles).  A put-bad reads it in two
	 * more places.  (1) Starting on a quiescent table whose picture is
	 * stale, it takes one: every quiescent point walks the table and
	 * leaves the picture fresh, so only a put that found nothing to put
	 * (skipped: no operation, no walk after it) leaves it stale; the
	 * table is then as the last walk saw it, and the new picture only
	 * starts again the check that refused puts change nothing between two
	 * quiescent points, which the skip had stopped.  Whether the check
	 * runs at a point is then a property of the segment before it (only
	 * refused puts, and a skip only before them), which the observer runs
	 * see on every chain; the skip and the put-bad's start are ordered
	 * (the skip's pick read the whole book, the start writes a handle of
	 * it).  (2) Accepted, it is excused by the gets in flight: in its
	 * end's footprint (fp_op_returned). */
	unsigned ncuts = 1;
	for (unsigned v = 0; v < sc->hdr.nr_vcpus; v++)
		ncuts *= sc->nr_ops[v] + 1;
	Q.on = !cfg->dpor_boundaries && sc->hdr.max_frames * sc->hdr.per_page <= 32 &&
	       ncuts <= OBS_MAX_CUTS;
	st->observers = Q.on;
	uint64_t next_progress = 0x400;
	mt_dp_reset(sc->hdr.nr_vcpus);
	mt_dp_set_refresh(fp_refresh);
	mt_lr_search(X.sim, cfg->lock_reduction || cfg->dpor_mutant == 3, sc->hdr.model == MT_MODEL_C11,
	             cfg->dpor_mutant == 3, static_loc);
	st->lock_reduction = mt_lr_on();
	for (;;) {
		if (cfg->max_schedules && st->schedules >= cfg->max_schedules)
			return 0;
		if (cfg->stop && *cfg->stop)
			return 0;
		clear_ended();
		X.rf_step = -1;
		X.last = -1;
		memset(X.next_op, 0, sizeof(X.next_op));
		ran_from(&sc->hdr);
		mt_dp_begin();
		F.on = 1;
		F.v = -1;
		F.next_view = 0;
		mt_lr_run_begin();
		const char *crash;
		int finding = run_once(feed_dp, &crash);
		if (crash)
			F.fp.overflow = 1;   /* the step did not finish: dependent with all */
		fp_done(0);              /* a finding ended the run: the table is gone */
		F.on = 0;
		if (X.error) {
			st->error = 1;
			return -1;
		}
		st->schedules++;
		st->decisions += X.d;
		if (X.d > st->max_depth)
			st->max_depth = X.d;
		int counted;
		int more = mt_dp_end(finding, &counted);
		int narrowed, off, restart = mt_lr_run_end(&narrowed, &off);
		if (off) {               /* no more merges, from the start */
			st->lock_narrowed += (uint64_t)narrowed;
			st->lock_reduction = 0;
		}
		if (mt_dp_stats()->merge_errors && !restart) {
			fail("nondeterminism: a merged critical section was replayed without its merge");
			st->error = 1;
			return -1;
		}
		if (restart) {
			/* a merge relied on a read site now seen reading a location
			 * written without its lock: search again without it (the
			 * runs so far were real schedules: their findings stand) */
			if (finding) {
				st->violations++;
				if (cfg->on_violation &&
				    cfg->on_violation(cfg->ctx, &ran, crash ? crash : mt_sim_finding(X.sim)))
					return 0;
			}
			ck_restarted();
			mt_lr_restarted();
			mt_dp_reset(sc->hdr.nr_vcpus);
			st->lock_restarts++;
			st->executions = st->sleep_blocked = st->races = st->observer_runs = st->lock_merges = 0;
			continue;
		}
		st->executions += (uint64_t)counted;
		st->sleep_blocked += (uint64_t)!counted;
		st->races = mt_dp_stats()->races;
		if (finding) {
			st->violations++;
			if (cfg->on_violation && cfg->on_violation(cfg->ctx, &ran, crash ? crash : mt_sim_finding(X.sim)))
				return 0;
		}
		if (Q.on && cfg->dpor_mutant != 2 && observe(finding)) {
			if (X.error) {
				st->error = 1;
				return -1;
			}
			return 0;            /* stopped at a violation */
		}
		if (cfg->on_progress && st->schedules >= next_progress) {
			next_progress = (st->schedules | 0x3ff) + 1;   /* observer runs count too */
			cfg->on_progress(cfg->ctx, st);
		}
		if (!more) {
			st->complete = 1;
			return 0;
		}
	}
}

static int explore_bounded(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg,
                           struct mt_xp_stats *st);

int mt_xp_explore(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg,
                  struct mt_xp_stats *st)
{
	memset(st, 0, sizeof(*st));
	memset(&X, 0, sizeof(X));
	X.sc = sc;
	X.cfg = cfg;
	X.st = st;
	X.sim = cfg->harness->sim;
	if (cfg->catch_crashes)
		crash_catch(1);
	int rc = cfg->dpor ? explore_dpor(sc, cfg, st) : explore_bounded(sc, cfg, st);
	mt_sim_set_shadow(X.sim, 0);
	if (cfg->catch_crashes)
		crash_catch(0);
	return rc;
}

static int explore_bounded(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg,
                           struct mt_xp_stats *st)
{
	for (;;) {
		if (cfg->max_schedules && st->schedules >= cfg->max_schedules)
			return 0;        /* cut short: complete stays 0 */
		if (cfg->stop && *cfg->stop)
			return 0;        /* interrupted: the same */
		X.replay = X.depth;
		clear_ended();
		X.preempts = 0;
		X.stale = 0;
		X.rf_step = -1;
		X.last_node = -1;
		X.last = -1;
		memset(X.next_op, 0, sizeof(X.next_op));
		ran_from(&sc->hdr);
		X.pend_node = -1;
		const char *crash;
		int finding = run_once(feed, &crash);
		settle_pending(1);       /* the run stopped right after it: unconfirmed */
		if (X.error) {
			st->error = 1;
			return -1;
		}
		if (X.d < X.replay) {
			fail("nondeterminism: a replayed prefix ended early");
			st->error = 1;
			return -1;
		}
		st->schedules++;
		st->decisions += X.d;
		if (X.d > st->max_depth)
			st->max_depth = X.d;
		if (!cfg->no_prune && mt_claims_overflows(cfg->harness->claims)) {
			fail("too many private accesses in a row to check (use --no-prune)");
			st->error = 1;
			return -1;
		}
		if (finding) {
			st->violations++;
			if (cfg->on_violation && cfg->on_violation(cfg->ctx, &ran, crash ? crash : mt_sim_finding(X.sim)))
				return 0;
		}
		if (cfg->on_progress && (st->schedules & 0x3ff) == 0)
			cfg->on_progress(cfg->ctx, st);
		if (!backtrack()) {
			st->complete = 1;
			return 0;
		}
	}
}

/* ---- the reduction against the naive enumeration ---- */

static struct {
	struct mt_xp_check *c;
	uint32_t *into;
	struct mt_sim *sim;
} CK;

/* Sets of quiescent states (64-bit hashes, open addressing). */
#define STATES_CAP (1u << 18)
struct state_set {
	uint64_t *slot;
	unsigned n;
	int overflow;
};
static struct state_set states_red, states_naive, *states_into;

/* The lock reduction started its search again: what the soundness check
 * gathered of the reduced side so far is forgotten (only the final
 * search's verdicts and states are compared). */
static void ck_restarted(void)
{
	if (states_into != &states_red)
		return;
	if (CK.into)
		*CK.into = 0;
	if (states_into->slot && states_into->n)
		memset(states_into->slot, 0, STATES_CAP * sizeof(uint64_t));
	states_into->n = 0;
	states_into->overflow = 0;
}

static void state_insert(struct state_set *set, uint64_t h)
{
	if (!set->slot && !(set->slot = calloc(STATES_CAP, sizeof(uint64_t)))) {
		set->overflow = 1;
		return;
	}
	h |= 1;                          /* 0 marks an empty slot */
	for (unsigned i = (unsigned)(h >> 20) & (STATES_CAP - 1);; i = (i + 1) & (STATES_CAP - 1)) {
		if (set->slot[i] == h)
			return;
		if (!set->slot[i]) {
			if (set->n >= STATES_CAP / 2) {
				set->overflow = 1;
				return;
			}
			set->slot[i] = h;
			set->n++;
			return;
		}
	}
}

static int state_has(const struct state_set *set, uint64_t h)
{
	h |= 1;
	if (!set->slot)
		return 0;
	for (unsigned i = (unsigned)(h >> 20) & (STATES_CAP - 1);; i = (i + 1) & (STATES_CAP - 1)) {
		if (set->slot[i] == h)
			return 1;
		if (!set->slot[i])
			return 0;
	}
}

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

/* The table at a quiescent point (read through the implementation's
 * introspection, outside any VCPU), into the set of the side running. */
static void fp_quiescent(void *ctx, struct mt_sim *sim, FILE *trace, int final)
{
	(void)ctx;
	(void)trace;
	const struct mt_ops *ops = X.cfg ? X.cfg->harness->ops : NULL;
	struct mt_table *t = mt_sim_table(sim);
	if (!states_into || !ops || !t || !ops->view || !ops->list_ends || !ops->entry)
		return;
	struct mt_view vw;
	memset(&vw, 0, sizeof(vw));
	ops->view(t, &vw);
	uint64_t h = mix(mix(mix(0, (uint64_t)final), vw.limit), vw.nr_frames);
	for (unsigned l = 0; l < vw.nr_lists; l++) {
		mt_handle_t head, tail;
		ops->list_ends(t, l, &head, &tail);
		h = mix(mix(h, head), tail);
	}
	for (mt_handle_t e = 0; e < vw.limit && e < 4096; e++) {
		struct mt_entry_view ev;
		if (ops->entry(t, e, &ev) != MT_OK) {
			h = mix(h, 0xdead);
			continue;
		}
		h = mix(mix(mix(h, ev.link), ev.owner), ev.in_use != 0);
	}
	state_insert(states_into, h);
}

static uint32_t kind_bit(struct mt_xp_check *c, const char *kind)
{
	for (unsigned i = 0; i < c->nkinds; i++)
		if (!strcmp(c->kinds[i], kind))
			return 1u << i;
	if (c->nkinds == 32)
		return 1u << 31;         /* the rest share the last bit */
	snprintf(c->kinds[c->nkinds], sizeof(c->kinds[0]), "%s", kind);
	return 1u << c->nkinds++;
}

static int note_kind(void *ctx, const struct mt_program *p, const char *finding)
{
	(void)ctx;
	(void)p;
	const char *kind = !strncmp(finding, "crash:", 6) ? "crash" : mt_sim_blame(CK.sim)->inv;
	*CK.into |= kind_bit(CK.c, kind[0] ? kind : "?");
	return 0;
}

int mt_xp_check_dpor(const struct mt_xp_scenario *sc, const struct mt_xp_config *cfg, uint64_t max_naive,
                     struct mt_xp_check *out)
{
	struct mt_xp_config red = *cfg, naive = *cfg;
	struct mt_xp_stats st;

	out->reduced = out->naive = 0;
	out->err[0] = '\0';
	CK.c = out;
	CK.sim = cfg->harness->sim;
	red.on_violation = naive.on_violation = note_kind;
	red.on_progress = naive.on_progress = NULL;
	red.catch_crashes = naive.catch_crashes = 1;
	red.max_schedules = 0;
	red.dpor = 1;
	red.stale = sc->hdr.model == MT_MODEL_C11 ? 255 : 0;
	CK.into = &out->reduced;
	struct state_set *sets[2] = { &states_red, &states_naive };
	for (unsigned i = 0; i < 2; i++) {
		if (sets[i]->slot && sets[i]->n)
			memset(sets[i]->slot, 0, STATES_CAP * sizeof(uint64_t));
		sets[i]->n = 0;
		sets[i]->overflow = 0;
	}
	if (fp_attach(cfg->harness->sim)) {
		snprintf(out->err, sizeof(out->err), "cannot watch the run's quiescent points (too many observers)");
		return -1;
	}
	states_into = &states_red;
	int rc = mt_xp_explore(sc, &red, &st);
	states_into = NULL;
	if (rc) {
		snprintf(out->err, sizeof(out->err), "reduced: %s", st.err);
		return -1;
	}
	out->executions = st.executions;
	out->runs = st.schedules;
	out->lock_restarts = st.lock_restarts;
	out->lock_narrowed = st.lock_narrowed;
	naive.dpor = 0;
	naive.dpor_mutant = 0;
	naive.preemptions = 250;
	naive.no_prune = 1;
	naive.strict_boundaries = 0;
	naive.stale = red.stale;
	naive.max_schedules = max_naive;
	CK.into = &out->naive;
	states_into = &states_naive;
	rc = mt_xp_explore(sc, &naive, &st);
	states_into = NULL;
	if (rc) {
		snprintf(out->err, sizeof(out->err), "naive: %s", st.err);
		return -1;
	}
	out->naive_schedules = st.schedules;
	out->naive_complete = st.complete;
	out->states_reduced = states_red.n;
	out->states_naive = states_naive.n;
	out->states_missing = 0;
	out->states_compared = !out->reduced && !out->naive && !states_red.overflow && !states_naive.overflow;
	for (unsigned i = 0; out->states_compared && states_naive.slot && i < STATES_CAP; i++)
		if (states_naive.slot[i] && !state_has(&states_red, states_naive.slot[i]))
			out->states_missing++;
	return 0;
}

int mt_xp_check_differs(const struct mt_xp_check *c)
{
	if ((c->naive & ~c->reduced) || (c->naive_complete && c->reduced != c->naive))
		return 1;
	return c->states_compared && c->states_missing > 0;
}

void mt_xp_print_kinds(const struct mt_xp_check *c, uint32_t kinds, FILE *out)
{
	int first = 1;
	for (unsigned i = 0; i < c->nkinds; i++)
		if (kinds >> i & 1u) {
			fprintf(out, "%s%s", first ? "" : ",", c->kinds[i]);
			first = 0;
		}
	if (first)
		fprintf(out, "none");
}

struct mt_program *mt_xp_current(void)
{
	return &ran;
}

/* ---- a readable program of a run ---- */

void mt_xp_compact(const struct mt_program *in, struct mt_program *out)
{
	*out = *in;
	out->nr_records = 0;
	/* A stretch of one VCPU: records of that VCPU in a row, none but the
	 * first starting an operation.  L records that each stop at the next
	 * point stop where one record passing L - 1 points does, whether the
	 * stretch ends at a point, at the end of the operation or at a held
	 * lock (a VCPU that blocks is never chosen again before another VCPU
	 * runs).  A stretch that ended its operation says so (run=all).  Run
	 * counts go up to 127: longer stretches take more records. */
	for (unsigned i = 0; i < in->nr_records;) {
		if (in->rec[i].op == MT_OP_READ_FROM) {
			out->rec[out->nr_records++] = in->rec[i++];
			continue;
		}
		unsigned j = i + 1;
		while (j < in->nr_records && in->rec[j].vcpu == in->rec[i].vcpu &&
		       in->rec[j].op == MT_OP_NOP && j - i < 128)
			j++;
		struct mt_in_record r = in->rec[i];
		r.run_mode = ended_done[j - 1] ? MT_RUN_ALL : MT_RUN_POINTS;
		r.run_n = ended_done[j - 1] ? 0 : (uint16_t)(j - i - 1);
		out->rec[out->nr_records++] = r;
		i = j;
	}
}
