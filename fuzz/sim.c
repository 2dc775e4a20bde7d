/*
 * sim.c - the deterministic VCPU simulator (see sim.h).
 *
 * Context switch: a few lines of x86-64 assembly save the callee-saved
 * registers and the stack pointer of one context and load another's (no
 * syscall, unlike glibc swapcontext, which costs a sigprocmask).  Every
 * switch goes through the scheduler's context (the fuzzing thread's own
 * stack): scheduler -> VCPU -> scheduler.  Under AddressSanitizer each
 * switch is announced with __sanitizer_start_switch_fiber and confirmed with
 * __sanitizer_finish_switch_fiber.  Stacks are allocated once and reused by
 * every operation of every input.
 *
 * Cost model: a schedule point where nothing happens costs a counter
 * increment and a compare; only the points where a record stops its VCPU
 * switch context.
 */
#include "fuzz/sim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/oracle.h"
#include "lib/mt_access.h"
#include "lib/mt_sites.h"

#if !defined(__x86_64__)
#error "fuzz/sim.c: the context switch is written for x86-64 only"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MT_SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(MT_SIM_ASAN)
#define MT_SIM_ASAN 1
#endif

#ifdef MT_SIM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MT_SIM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(MT_SIM_TSAN)
#define MT_SIM_TSAN 1
#endif
#ifdef MT_SIM_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* ---- the context switch ---- */

/* mt_sim_switch(&save_sp, new_sp): push the callee-saved registers, save
 * rsp in *save_sp, load new_sp, pop the other context's registers, return
 * into it. */
void mt_sim_switch(void **save_sp, void *new_sp);
__asm__(
	".text\n"
	".globl mt_sim_switch\n"
	".hidden mt_sim_switch\n"
	".type mt_sim_switch,@function\n"
	"mt_sim_switch:\n"
	"\tpushq %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tpushq %r13\n"
	"\tpushq %r14\n"
	"\tpushq %r15\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tpopq %r15\n"
	"\tpopq %r14\n"
	"\tpopq %r13\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size mt_sim_switch, .-mt_sim_switch\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

#ifdef MT_SIM_ASAN
#define STACK_SIZE (512u * 1024u)   /* ASan frames are large */
#else
#define STACK_SIZE (128u * 1024u)
#endif

enum vstate {
	V_IDLE,          /* no operation */
	V_READY,         /* operation set up, not run yet */
	V_RUNNING,
	V_PARKED,        /* stopped at a schedule point by the schedule */
	V_BLOCKED,       /* waiting for a lock */
	V_DONE,          /* operation returned; scheduler collects it */
	V_DEAD,          /* stopped for good (livelock bound): never resumed */
};

/* A private access still in force (see mt_sites.h, MT_SK_P). */
struct claim {
	const void *addr;
	unsigned kind;           /* enum mt_site_kind bits */
	int site;
};

#define MAX_CLAIMS 32u

struct vcpu {
	void *sp;
	unsigned char *stack;
	enum vstate state;
	int site;                /* where it is parked or blocked */
	const void *lock;        /* the lock it waits for */
	int dirty;               /* abandoned in the middle of an operation */
	void *fake_stack;        /* ASan fake stack of this context */
	void *tsan_fiber;        /* TSan's view of this context (one per operation) */
	struct mt_sim_op op;
	unsigned nr_claims;      /* private accesses since its last shared one */
	struct claim claims[MAX_CLAIMS];
};

static struct {
	const struct mt_program *prog;
	const struct mt_ops *ops;
	struct mt_table *table;
	FILE *trace;
	struct vcpu v[MT_IN_MAX_VCPUS];
	void *main_sp;
	void *main_fake;
	void *tsan_main;
	const void *main_bottom;
	size_t main_size;
	int cur;                 /* VCPU running now, or -1 */
	/* stop condition of the running VCPU */
	enum mt_in_run_mode stop_mode;
	unsigned budget;
	int stop_site;
	/* interleaving coverage */
	int last_stopped;        /* VCPU stopped last, -1 if the last one finished */
	int last_site;
	int pair_pending;        /* site to pair with the next point, or -1 */
	unsigned alloc_attempts;
	int failed;
	char finding[512];
	struct mt_ev ring[MT_SIM_TRACE_RING];
	uint64_t nr_ev;
	int record;              /* record being played, -1 drain, -2 epilogue */
	int printed_record;      /* last record line printed to trace */
	struct mt_sim_stats stats;
} S = { .cur = -1 };

uint8_t *mt_sim_pair_counters;
void (*mt_sim_event_hook)(const struct mt_ev *e, const struct mt_in_record *r);
int mt_sim_check_claims = 1;

const struct mt_sim_stats *mt_sim_stats(void)
{
	return &S.stats;
}

const char *mt_sim_finding(void)
{
	return S.failed ? S.finding : "";
}

int mt_sim_failed(void)
{
	return S.failed;
}

void mt_sim_fail(const char *inv, mt_handle_t handle, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (S.failed)
		return;
	S.failed = 1;
	if (handle != MT_INVALID_HANDLE)
		n = snprintf(S.finding, sizeof(S.finding), "%s (handle %u): ", inv, handle);
	else
		n = snprintf(S.finding, sizeof(S.finding), "%s: ", inv);
	if (n < 0 || (size_t)n >= sizeof(S.finding))
		return;
	va_start(ap, fmt);
	vsnprintf(S.finding + n, sizeof(S.finding) - (size_t)n, fmt, ap);
	va_end(ap);
}

struct mt_sim_op *mt_sim_op_of(unsigned v)
{
	if (!S.prog || v >= S.prog->nr_vcpus || S.v[v].state == V_IDLE)
		return NULL;
	return &S.v[v].op;
}

/* ---- trace ---- */

static void print_ev(FILE *out, const struct mt_ev *e);

static void ev(enum mt_ev_type type, unsigned v, int site, int rc, uint32_t handle, unsigned aux)
{
	struct mt_ev *e = &S.ring[S.nr_ev++ % MT_SIM_TRACE_RING];

	e->record = S.record;
	e->type = (uint8_t)type;
	e->vcpu = (uint8_t)v;
	e->op = v < MT_IN_MAX_VCPUS ? S.v[v].op.kind : 0;
	e->aux = (uint8_t)aux;
	e->site = (int16_t)site;
	e->rc = rc;
	e->handle = handle;
	e->points = v < MT_IN_MAX_VCPUS ? S.v[v].op.points : 0;
	if (S.trace)
		print_ev(S.trace, e);
	if (mt_sim_event_hook)
		mt_sim_event_hook(e, S.record >= 0 && S.prog && (unsigned)S.record < S.prog->nr_records
		                     ? &S.prog->rec[S.record] : NULL);
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

static void print_ev(FILE *out, const struct mt_ev *e)
{
	char buf[128];

	if (e->record != S.printed_record && S.prog) {
		S.printed_record = e->record;
		if (e->record >= 0 && (unsigned)e->record < S.prog->nr_records)
			fprintf(out, "%s\n", mt_in_record_text(&S.prog->rec[e->record], buf, sizeof(buf)));
	}
	const char *opn = mt_in_op_name(e->op);
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
		fprintf(out, "#   v%u resumes %s at '%s'\n", e->vcpu, opn, mt_site_name(e->site));
		break;
	case MT_EV_INSTEAD:
		fprintf(out, "#   v%u waits for a lock: v%u runs instead\n", e->aux, e->vcpu);
		break;
	case MT_EV_STOP:
		fprintf(out, "#   v%u %s stopped before '%s' (point %u of the op)\n", e->vcpu, opn,
		        mt_site_name(e->site), e->points);
		break;
	case MT_EV_BLOCK:
		fprintf(out, "#   v%u %s blocked at '%s': lock held\n", e->vcpu, opn, mt_site_name(e->site));
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
	}
}

void mt_sim_report_crash(FILE *out, const char *what)
{
	S.failed = 0;
	mt_sim_fail("crash", MT_INVALID_HANDLE, "%s in v%d's %s", what, S.cur,
	            S.cur >= 0 ? mt_in_op_name(S.v[S.cur].op.kind) : "(no operation)");
	mt_sim_report(out);
}

void mt_sim_report(FILE *out)
{
	if (!S.failed)
		return;
	fprintf(out, "FINDING %s\n", S.finding);
	fprintf(out, "  impl=%s; the interleaving up to the finding (text form, replayable with tools/encode):\n",
	        S.ops ? S.ops->name : "?");
	if (!S.prog)
		return;
	mt_in_print_header(S.prog, out);
	uint64_t first = S.nr_ev > MT_SIM_TRACE_RING ? S.nr_ev - MT_SIM_TRACE_RING : 0;
	if (first)
		fprintf(out, "# ... %llu earlier steps not kept (decode the input for all of them)\n",
		        (unsigned long long)first);
	S.printed_record = -100;
	for (uint64_t i = first; i < S.nr_ev; i++)
		print_ev(out, &S.ring[i % MT_SIM_TRACE_RING]);
	fprintf(out, "# FINDING %s\n", S.finding);
}

/* ---- contexts ---- */

static inline void to_vcpu(struct vcpu *vc)
{
#ifdef MT_SIM_TSAN
	__tsan_switch_to_fiber(vc->tsan_fiber, 0);
#endif
#ifdef MT_SIM_ASAN
	__sanitizer_start_switch_fiber(&S.main_fake, vc->stack, STACK_SIZE);
#endif
	mt_sim_switch(&S.main_sp, vc->sp);
#ifdef MT_SIM_ASAN
	__sanitizer_finish_switch_fiber(S.main_fake, NULL, NULL);
#endif
}

/* From VCPU context back to the scheduler.  final: never resumed. */
static inline void to_main(struct vcpu *vc, int final)
{
#ifdef MT_SIM_ASAN
	__sanitizer_start_switch_fiber(final ? NULL : &vc->fake_stack, S.main_bottom, S.main_size);
#else
	(void)final;
#endif
#ifdef MT_SIM_TSAN
	__tsan_switch_to_fiber(S.tsan_main, 0);
#endif
	mt_sim_switch(&vc->sp, S.main_sp);
#ifdef MT_SIM_ASAN
	__sanitizer_finish_switch_fiber(vc->fake_stack, &S.main_bottom, &S.main_size);
#endif
}

static void vcpu_main(void) __attribute__((noreturn));
static void vcpu_main(void)
{
#ifdef MT_SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, &S.main_bottom, &S.main_size);
#endif
	unsigned v = (unsigned)S.cur;
	struct vcpu *vc = &S.v[v];
	struct mt_sim_op *op = &vc->op;

	switch (op->kind) {
	case MT_OP_GET:
		op->rc = S.ops->get(S.table, v, &op->handle);
		break;
	case MT_OP_GROW:
		op->rc = S.ops->grow(S.table, v);
		break;
	default:
		op->rc = S.ops->put(S.table, v, op->handle);
		break;
	}
	vc->state = V_DONE;
	to_main(vc, 1);
	abort();                 /* a finished context is never resumed */
}

static void vcpu_setup(struct vcpu *vc)
{
	if (!vc->stack) {
		vc->stack = aligned_alloc(64, STACK_SIZE);
		if (!vc->stack) {
			fprintf(stderr, "sim: out of memory for VCPU stacks\n");
			abort();
		}
	}
#ifdef MT_SIM_ASAN
	if (vc->dirty)           /* frames abandoned mid-operation left poison */
		__asan_unpoison_memory_region(vc->stack, STACK_SIZE);
#endif
	vc->dirty = 0;
#ifdef MT_SIM_TSAN
	/* vcpu_main never returns: a fresh TSan fiber per operation keeps
	 * TSan's shadow call stack from growing with every operation. */
	if (vc->tsan_fiber)
		__tsan_destroy_fiber(vc->tsan_fiber);
	vc->tsan_fiber = __tsan_create_fiber(0);
	S.tsan_main = __tsan_get_current_fiber();
#endif
	uintptr_t top = ((uintptr_t)vc->stack + STACK_SIZE) & ~(uintptr_t)15;
	void **sp = (void **)top;
	*--sp = NULL;                    /* vcpu_main's return address: none */
	*--sp = (void *)(uintptr_t)vcpu_main;  /* where mt_sim_switch returns to */
	for (int i = 0; i < 6; i++)
		*--sp = NULL;            /* rbp rbx r12-r15 */
	vc->sp = sp;
	vc->fake_stack = NULL;
}

/* ---- the schedule hook ---- */

static void pair_hit(int a, int b)
{
	uint8_t *c = &mt_sim_pair_counters[(unsigned)(a & 63) * 64u + (unsigned)(b & 63)];
	if (*c != 255)
		(*c)++;
}

/* ---- I11: private accesses (mt_sites.h, MT_SK_P) ---- */

/* VCPU v makes the access of site at addr now.  A claim of another VCPU on
 * the same memory, with a write on either side, is a finding; then v's own
 * claims grow (a private access) or end (a shared access). */
static void claim_access(unsigned v, int site, const void *addr)
{
	unsigned kind = mt_site_kind(site);
	struct vcpu *vc = &S.v[v];

	if (!mt_sim_check_claims)
		return;
	for (unsigned u = 0; u < S.prog->nr_vcpus && !S.failed; u++) {
		if (u == v)
			continue;
		for (unsigned i = 0; i < S.v[u].nr_claims; i++) {
			const struct claim *c = &S.v[u].claims[i];
			if (c->addr != addr || !((c->kind | kind) & MT_SK_W))
				continue;
			mt_sim_fail("I11", MT_INVALID_HANDLE,
			            "v%u '%s' %s memory that v%u holds privately since its '%s' "
			            "(no other VCPU may touch it before v%u's next shared access)",
			            v, mt_site_name(site), kind & MT_SK_W ? "writes" : "reads",
			            u, mt_site_name(c->site), u);
			break;
		}
	}
	if (!(kind & MT_SK_P)) {
		vc->nr_claims = 0;
		return;
	}
	for (unsigned i = 0; i < vc->nr_claims; i++) {
		if (vc->claims[i].addr == addr) {
			if ((kind & MT_SK_W) && !(vc->claims[i].kind & MT_SK_W))
				vc->claims[i].site = site;   /* name the write in reports */
			vc->claims[i].kind |= kind;
			return;
		}
	}
	if (vc->nr_claims == MAX_CLAIMS) {
		S.stats.claim_overflows++;   /* tools/explore refuses to prune then */
		return;
	}
	vc->claims[vc->nr_claims++] = (struct claim){ addr, kind, site };
}

static void park(struct vcpu *vc, int site, enum vstate st)
{
	vc->state = st;
	vc->site = site;
	to_main(vc, 0);
	vc->state = V_RUNNING;
}

void mt_sched_point(int site, const void *addr)
{
	if (S.cur < 0)
		return;                  /* the scheduler's own calls (create, verify) */
	struct vcpu *vc = &S.v[S.cur];

	vc->op.points++;
	if (S.pair_pending >= 0) {
		pair_hit(S.pair_pending, site);
		S.pair_pending = -1;
	}
	if (vc->op.points > MT_SIM_OP_POINT_BOUND) {
		mt_sim_fail("livelock", MT_INVALID_HANDLE,
		            "v%d %s passed %u schedule points without returning (now at '%s')",
		            S.cur, mt_in_op_name(vc->op.kind), MT_SIM_OP_POINT_BOUND, mt_site_name(site));
		park(vc, site, V_DEAD);
		return;
	}
	switch (S.stop_mode) {
	case MT_RUN_POINTS:
		if (S.budget == 0)
			park(vc, site, V_PARKED);
		else
			S.budget--;
		break;
	case MT_RUN_UNTIL:
		if (site == S.stop_site)
			park(vc, site, V_PARKED);
		break;
	default:
		break;
	}
	/* Resumed (or never stopped): the access happens now. */
	claim_access((unsigned)S.cur, site, addr);
}

void mt_sched_blocked(int site, const void *lock)
{
	if (S.cur < 0) {
		fprintf(stderr, "sim: lock held outside any simulated VCPU at '%s'\n", mt_site_name(site));
		abort();
	}
	struct vcpu *vc = &S.v[S.cur];
	vc->lock = lock;
	park(vc, site, V_BLOCKED);
	/* Resumed only once the lock is free: mt_lock() retries its CAS. */
}

/* ---- callbacks of the table ---- */

static uint32_t sim_random(void *ctx)
{
	(void)ctx;
	if (S.cur < 0)
		return 0;
	struct mt_sim_op *op = &S.v[S.cur].op;
	unsigned i = op->random_calls < 255 ? op->random_calls++ : 255;
	/* Call i of this operation takes 3 bits of its argument: i=0 bits 0-2,
	 * i=1 bits 3-5, i=2 bits 6-7; later calls 0. */
	return i < 3 ? (op->arg >> (3 * i)) & 7u : 0;
}

/* Pages come from a per-run arena instead of calloc: ASan's allocator
 * hands out fresh (quarantined-away) memory on every calloc, and the page
 * faults on it cost more than the rest of a small run.  Each page gets its
 * own slot, never reused within a run, with a poisoned gap of
 * ARENA_REDZONE bytes on both sides; under ASan a slot is unpoisoned
 * exactly while the page is allocated, so an overflow past a page, or a use
 * of a page after free_page() within the run, is still reported
 * (use-after-poison).  A second free of an arena page is a finding of its
 * own ("page"), in every build.  The arena is reset (all poisoned) when the
 * next run starts; a run that needs more than it holds gets calloc. */
#define ARENA_SIZE    (160u * 1024u)
#define ARENA_REDZONE 256u
#define ARENA_SLOTS   128u

static struct {
	_Alignas(64) unsigned char mem[ARENA_SIZE];
	size_t used;                     /* bytes handed out this run, incl. redzones */
	unsigned nr;                     /* slots handed out this run */
	struct { unsigned char *p; size_t bytes; int live; } slot[ARENA_SLOTS];
	int poisoned;                    /* the whole arena was poisoned once */
} A;

static void arena_reset(void)
{
#ifdef MT_SIM_ASAN
	if (!A.poisoned) {
		__asan_poison_memory_region(A.mem, sizeof(A.mem));
		A.poisoned = 1;
	} else if (A.used) {
		__asan_poison_memory_region(A.mem, A.used);
	}
#endif
	A.used = ARENA_REDZONE;
	A.nr = 0;
}

static void *arena_alloc(size_t bytes)
{
	size_t sz = (bytes + 63u) & ~(size_t)63u;

	if (A.nr >= ARENA_SLOTS || bytes == 0 || sz > ARENA_SIZE - ARENA_REDZONE ||
	    A.used > ARENA_SIZE - ARENA_REDZONE - sz)
		return calloc(1, bytes);
	unsigned char *p = A.mem + A.used;
	A.used += sz + ARENA_REDZONE;
	A.slot[A.nr].p = p;
	A.slot[A.nr].bytes = bytes;
	A.slot[A.nr].live = 1;
	A.nr++;
#ifdef MT_SIM_ASAN
	__asan_unpoison_memory_region(p, bytes);
#endif
	memset(p, 0, bytes);
	return p;
}

/* 1: p was an arena page (now freed), 0: not from the arena. */
static int arena_free(void *page)
{
	unsigned char *p = page;

	if (p < A.mem || p >= A.mem + sizeof(A.mem))
		return 0;
	for (unsigned i = 0; i < A.nr; i++) {
		if (A.slot[i].p != p)
			continue;
		if (!A.slot[i].live) {
			mt_sim_fail("page", MT_INVALID_HANDLE, "a page was freed twice (free_page of a freed page)");
			return 1;
		}
		A.slot[i].live = 0;
#ifdef MT_SIM_ASAN
		__asan_poison_memory_region(p, A.slot[i].bytes);
#endif
		mt_oracle_page_freed();
		return 1;
	}
	mt_sim_fail("page", MT_INVALID_HANDLE, "free_page of a pointer that is no page start");
	return 1;
}

static void *sim_alloc_page(void *ctx, size_t bytes)
{
	(void)ctx;
	unsigned i = S.alloc_attempts++;
	struct mt_sim_op *op = S.cur >= 0 ? &S.v[S.cur].op : NULL;

	if (S.prog->alloc_fail >> (i % 8) & 1) {
		if (op)
			op->alloc_fail++;
		return NULL;
	}
	void *p = arena_alloc(bytes);
	if (p) {
		mt_oracle_page_allocated();
		if (op)
			op->alloc_ok++;
	} else if (op) {
		op->alloc_fail++;
	}
	return p;
}

static void sim_free_page(void *ctx, void *page)
{
	(void)ctx;
	if (arena_free(page))
		return;
	if (page)
		mt_oracle_page_freed();
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

static unsigned in_flight(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < S.prog->nr_vcpus; i++)
		n += busy(&S.v[i]);
	return n;
}

/* Run VCPU v until its stop condition, its end, or a lock. */
static void run(unsigned v, enum mt_in_run_mode mode, unsigned n)
{
	struct vcpu *vc = &S.v[v];

	if (vc->state == V_PARKED || vc->state == V_BLOCKED)
		ev(MT_EV_RESUME, v, vc->site, 0, 0, 0);
	if (mt_sim_pair_counters && S.last_stopped >= 0 && S.last_stopped != (int)v) {
		if (vc->state == V_READY)
			S.pair_pending = S.last_site;   /* pairs with its first point */
		else
			pair_hit(S.last_site, vc->site);
	}
	S.stop_mode = mode;
	S.budget = n;
	S.stop_site = mode == MT_RUN_UNTIL ? (int)n : -1;
	S.cur = (int)v;
	vc->state = V_RUNNING;
	to_vcpu(vc);
	S.cur = -1;
	S.pair_pending = -1;

	switch (vc->state) {
	case V_DONE:
		S.stats.ops_done++;
		vc->nr_claims = 0;
		S.stats.points += vc->op.points;
		S.last_stopped = -1;
		ev(MT_EV_DONE, v, 0, vc->op.rc, vc->op.handle, 0);
		vc->state = V_IDLE;
		mt_oracle_done(v, &vc->op);
		if (!S.failed && !in_flight() && S.record != -2) {   /* epilogue: one check at the end */
			S.stats.quiescent_checks++;
			mt_oracle_quiescent(S.trace, 0);
		}
		break;
	case V_PARKED:
		S.stats.stops++;
		S.last_stopped = (int)v;
		S.last_site = vc->site;
		ev(MT_EV_STOP, v, vc->site, 0, 0, 0);
		break;
	case V_BLOCKED:
		S.stats.blocks++;
		S.last_stopped = (int)v;
		S.last_site = vc->site;
		ev(MT_EV_BLOCK, v, vc->site, 0, 0, 0);
		break;
	default:                     /* V_DEAD: the livelock finding is recorded */
		break;
	}
}

static void deadlock(void)
{
	char who[256];
	size_t len = 0;

	who[0] = '\0';
	for (unsigned i = 0; i < S.prog->nr_vcpus && len < sizeof(who) - 64; i++)
		if (S.v[i].state == V_BLOCKED)
			len += (size_t)snprintf(who + len, sizeof(who) - len, " v%u %s at '%s';", i,
			                        mt_in_op_name(S.v[i].op.kind), mt_site_name(S.v[i].site));
	mt_sim_fail("deadlock", MT_INVALID_HANDLE, "every VCPU with work waits for a lock:%s", who);
}

/* Start an operation on idle VCPU v; 0 if there was nothing to start. */
static int start(unsigned v, const struct mt_in_record *r, int epilogue)
{
	struct vcpu *vc = &S.v[v];
	unsigned others = in_flight();

	memset(&vc->op, 0, sizeof(vc->op));
	vc->op.record = S.record;
	vc->op.epilogue = (uint8_t)epilogue;
	if (!mt_oracle_start(v, r, &vc->op, others)) {
		if (!S.failed)
			ev(MT_EV_SKIP, v, 0, 0, 0, 0);
		return 0;
	}
	vcpu_setup(vc);
	vc->state = V_READY;
	S.stats.ops_started++;
	ev(MT_EV_START, v, 0, 0, vc->op.handle, vc->op.holder >= 0 && vc->op.holder != (int)v);
	return 1;
}

static void play(const struct mt_in_record *r)
{
	unsigned v = r->vcpu;
	struct vcpu *vc = &S.v[v];

	if (!busy(vc)) {
		if (r->op == MT_OP_NOP) {
			ev(MT_EV_IDLE, v, 0, 0, 0, 0);
			return;
		}
		if (!start(v, r, 0))
			return;
	} else if (!runnable(vc)) {
		/* Waiting for a lock that is still held: the next VCPU (cyclically)
		 * that can run takes this record's turn. */
		unsigned n = S.prog->nr_vcpus, w = v;
		for (unsigned i = 1; i < n; i++) {
			unsigned c = (v + i) % n;
			if (runnable(&S.v[c])) {
				w = c;
				break;
			}
		}
		if (w == v) {
			deadlock();
			return;
		}
		ev(MT_EV_INSTEAD, w, 0, 0, 0, v);
		v = w;
	}
	run(v, (enum mt_in_run_mode)r->run_mode, r->run_n);
}

static void drain(void)
{
	S.record = -1;
	while (!S.failed) {
		int pick = -1, any = 0;
		for (unsigned i = 0; i < S.prog->nr_vcpus; i++) {
			any |= busy(&S.v[i]);
			if (pick < 0 && runnable(&S.v[i]))
				pick = (int)i;
		}
		if (!any)
			return;
		if (pick < 0) {
			deadlock();
			return;
		}
		ev(MT_EV_DRAIN, (unsigned)pick, 0, 0, 0, 0);
		run((unsigned)pick, MT_RUN_ALL, 0);
	}
}

static void epilogue(void)
{
	S.record = -2;
	for (unsigned v = 0; v < S.prog->nr_vcpus && !S.failed; v++) {
		for (unsigned guard = 0; guard < MT_IN_MAX_HANDLES && !S.failed; guard++) {
			mt_handle_t h = mt_oracle_first_held(v);
			if (h == MT_INVALID_HANDLE)
				break;
			struct mt_in_record r = { .vcpu = (uint8_t)v, .op = MT_OP_PUT_OWN, .arg = 0,
			                          .run_mode = MT_RUN_ALL };
			ev(MT_EV_EPILOGUE, v, 0, 0, h, 0);
			if (!start(v, &r, 1))
				break;
			run(v, MT_RUN_ALL, 0);
		}
	}
}

int mt_sim_vcpu(unsigned v, int *site)
{
	if (!S.prog || v >= S.prog->nr_vcpus)
		return MT_SIM_IDLE;
	const struct vcpu *vc = &S.v[v];
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

static int sim_run(const struct mt_program *p, struct mt_program *fed, const struct mt_ops *ops,
                   FILE *trace, mt_sim_feed_fn feed, void *ctx);

int mt_sim_run(const struct mt_program *p, const struct mt_ops *ops, FILE *trace)
{
	return sim_run(p, NULL, ops, trace, NULL, NULL);
}

int mt_sim_run_fed(struct mt_program *p, const struct mt_ops *ops, FILE *trace,
                   mt_sim_feed_fn feed, void *ctx)
{
	p->nr_records = 0;
	return sim_run(p, p, ops, trace, feed, ctx);
}

/* fed: the program the feed's records are appended to (== p), or NULL. */
static int sim_run(const struct mt_program *p, struct mt_program *fed, const struct mt_ops *ops,
                   FILE *trace, mt_sim_feed_fn feed, void *ctx)
{
	struct mt_config cfg;

	S.prog = p;
	S.ops = ops;
	S.trace = trace;
	S.cur = -1;
	S.failed = 0;
	S.finding[0] = '\0';
	S.nr_ev = 0;
	S.record = 0;
	S.printed_record = -100;
	S.last_stopped = -1;
	S.pair_pending = -1;
	S.alloc_attempts = 0;
	arena_reset();
	memset(&S.stats, 0, sizeof(S.stats));
	for (unsigned i = 0; i < MT_IN_MAX_VCPUS; i++) {
		if (S.v[i].state != V_IDLE && S.v[i].state != V_DONE)
			S.v[i].dirty = 1;
		S.v[i].state = V_IDLE;
		S.v[i].nr_claims = 0;
		memset(&S.v[i].op, 0, sizeof(S.v[i].op));
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_vcpus = p->nr_vcpus;
	cfg.per_page = p->per_page;
	cfg.max_frames = p->max_frames;
	cfg.alloc.alloc_page = sim_alloc_page;
	cfg.alloc.free_page = sim_free_page;
	cfg.random = sim_random;
	mt_oracle_begin(p, ops, NULL);
	int rc = ops->create(&cfg, &S.table);
	if (rc != MT_OK) {
		mt_sim_fail("create", MT_INVALID_HANDLE, "%s create failed: %s", ops->name, mt_strerror(rc));
		S.table = NULL;
		return 1;
	}
	mt_oracle_begin(p, ops, S.table);
	if (trace)
		mt_in_print_header(p, trace);
	mt_oracle_quiescent(trace, 0);
	if (feed) {
		while (!S.failed && fed->nr_records < MT_IN_MAX_RECORDS &&
		       feed(ctx, &fed->rec[fed->nr_records])) {
			S.record = (int)fed->nr_records++;
			play(&fed->rec[S.record]);
		}
	} else {
		for (unsigned i = 0; i < p->nr_records && !S.failed; i++) {
			S.record = (int)i;
			play(&p->rec[i]);
		}
	}
	drain();
	epilogue();
	if (!S.failed) {
		S.stats.quiescent_checks++;
		mt_oracle_quiescent(NULL, 1);
	}
	/* After a finding, contexts may have been abandoned inside library
	 * calls (locks held, pages half built).  None of them will ever run
	 * again (vcpu_setup() starts afresh), so destroying the table is safe. */
	ops->destroy(S.table);
	S.table = NULL;
	if (!S.failed && mt_oracle_pages_live() != 0)
		mt_sim_fail("leak", MT_INVALID_HANDLE, "%d pages still allocated after destroy",
		            mt_oracle_pages_live());
	mt_oracle_begin(p, ops, NULL);
	if (trace && S.failed)
		fprintf(trace, "# FINDING %s\n", S.finding);
	return S.failed;
}
