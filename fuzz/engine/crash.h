/*
 * crash.h - in-process crash recovery: a crash of the code under test
 * inside a run ends that run as a finding, and the process goes on.
 *
 * What counts as a crash: SIGSEGV, SIGBUS, SIGFPE, SIGILL, an
 * AddressSanitizer report (heap-use-after-free, double-free,
 * use-after-poison, ...) and an UndefinedBehaviorSanitizer report (built
 * with -fno-sanitize-recover: it calls Die()).  The engine guards each run
 * (mt_crash_push before it, mt_crash_pop after it, in sim.c); a crash
 * while a guard is pushed is described (struct mt_crash) and control goes
 * back to the guard's sigsetjmp on the scheduler's own stack.  The engine
 * then ends the run as a finding (inv "crash"), unwinds the VCPUs (their
 * fibers are set up afresh, their stacks unpoisoned, fiber.c) and
 * destroys the table as after any other finding.  A crash outside a guard
 * goes to whatever handled it before (the replay's reporter, libFuzzer's
 * crash handler, the sanitizer's report and exit).
 *
 * How each kind comes back:
 *   signals  the handler runs on an alternate stack (VCPU stacks are
 *            small), describes the fault and makes the interrupted context
 *            return into a trampoline on the stack it faulted on; the
 *            trampoline siglongjmp()s to the guard.  sigreturn restores the
 *            signal mask; no ASan handler ran, no lock of it is held.
 *   ASan     __asan_set_error_report_callback: the report's text (already
 *            symbolized by ASan) gives the kind (its SUMMARY line) and the
 *            frames; the callback siglongjmp()s instead of returning to
 *            Die().  clang 14's ASan has then set its once-per-process
 *            crash state and holds its report lock; both are released here
 *            (the lock through ScopedErrorReportLock::Unlock, the crash
 *            flag found from the instruction that sets it; if that
 *            instruction is not the one clang 14 emits, ASan reports are
 *            not recovered: they end the process as before, and
 *            mt_crash_recovery() says so).  The report's 64 KB copy buffer
 *            is unmapped.
 *   UBSan    __ubsan_on_report keeps the check's name; the death callback
 *            (__sanitizer_set_death_callback, installed at the first
 *            guarded run, after libFuzzer installed its own) siglongjmp()s.
 *            UBSan has released its report lock before Die().  Outside a
 *            guard the callback calls libFuzzer's.
 * Caveats: the code under test stopped in the middle of an operation:
 * locks it held and memory it allocated with malloc stay as they were (the
 * table is destroyed as after any finding; a destroy that crashes too
 * leaves the table leaked).  ASan's allocator is consistent (a report is
 * made before the bad free or access is done).  The first frame is found
 * by frame pointers (the fault's context) or from ASan's own stack.
 *
 * The signature of a crash (mt_crash_signature): "crash:KIND:FRAME", KIND
 * the report ("SEGV", "heap-use-after-free", "double-free", "BUS", ...),
 * FRAME the first frame, innermost first and inlined frames included, that
 * is neither the sanitizer runtime, the C library nor the tool (fuzz/
 * engine, drivers, checkers, format, known, the instrumentation runtime):
 * a function name, not an address, so it survives rebuilds.  Builds with
 * a sanitizer runtime symbolize through it (file names tell the tool's
 * frames); other builds use dladdr (global functions only: link with
 * -rdynamic; a static function is "unknown").
 */
#ifndef MT_FUZZ_ENGINE_CRASH_H
#define MT_FUZZ_ENGINE_CRASH_H

#include <setjmp.h>
#include <stddef.h>

#define MT_CRASH_KIND_MAX 48u
#define MT_CRASH_FRAME_MAX 80u

struct mt_crash {
	int sig;                         /* the signal, 0 for a sanitizer report */
	char kind[MT_CRASH_KIND_MAX];    /* "SEGV", "heap-use-after-free", ... */
	char frame[MT_CRASH_FRAME_MAX];  /* first frame in the implementation, or "unknown" */
	void *addr;                      /* signals: the faulting address */
};

struct mt_fiber_host;

struct mt_crash_guard {
	sigjmp_buf jb;
	struct mt_crash_guard *outer;
	const int *in_fiber;             /* >= 0 while a VCPU's fiber runs (sim->cur) */
	struct mt_fiber_host *host;      /* the scheduler's stack, for ASan's fiber bookkeeping */
	int switched;                    /* the jump left a fiber (mt_crash_landed) */
};

/* Turn recovery on for this process (idempotent; the handlers are
 * installed at the first guarded run, after a fuzzing engine's own, which
 * are chained: a fault outside a run, or a signal sent by kill(), goes to
 * them).
 * Returns a one-line description of what is recovered ("signals, ASan
 * reports, UBSan reports"), for banners. */
const char *mt_crash_recovery(void);
/* 1 once mt_crash_recovery() was called. */
int mt_crash_recovery_on(void);

/* Push g (set g->in_fiber and g->host first), then call sigsetjmp(g->jb, 0)
 * in the same frame: a crash until mt_crash_pop(g) returns there with a
 * nonzero value; call mt_crash_landed(g) first thing then. */
void mt_crash_push(struct mt_crash_guard *g);
void mt_crash_pop(struct mt_crash_guard *g);
void mt_crash_landed(struct mt_crash_guard *g);

/* The last crash recovered. */
const struct mt_crash *mt_crash_last(void);

/* "crash:KIND:FRAME" into buf (characters outside [A-Za-z0-9_.-] become '_'). */
void mt_crash_signature(const struct mt_crash *c, char *buf, size_t cap);

/* For fatal handlers outside a guard (replay's reporter): describe the
 * signal sig with the context uc (a ucontext_t *, or NULL) into c. */
void mt_crash_describe_signal(int sig, void *addr, const void *uc, struct mt_crash *c);

/* The crash that was the last run's finding of sim (sim.c), or NULL. */
struct mt_sim;
const struct mt_crash *mt_sim_crash(const struct mt_sim *sim);

/* Crashes recovered so far in this process. */
unsigned long mt_crash_count(void);

#endif /* MT_FUZZ_ENGINE_CRASH_H */
