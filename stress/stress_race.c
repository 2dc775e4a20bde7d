/*
 * stress_race.c - ThreadSanitizer glue for the stress binary: count each
 * distinct report once, honour --keep-going, and make every way a run can
 * end give the exit code of its kind (stress_common.h: STRESS_EXIT_*).
 *
 * Why in the binary and not by parsing TSan's text in tools/stress:
 *   - the key of a report is read through TSan's debugging interface
 *     (__tsan_get_report_data / __tsan_get_report_mop, the calls LLDB
 *     uses): the top program counter of each of the two accesses, as an
 *     unordered pair.  It depends neither on the report's text layout nor
 *     on a symbolizer being on PATH, and it works the same under bazel
 *     test, tools/stress and bugbench;
 *   - the binary owns its exit code: a race that halts the run, a race seen
 *     in --keep-going mode, a deadly signal TSan caught itself and one our
 *     own handler caught all end through here or stress_common.c with one
 *     code per kind, whatever TSAN_OPTIONS says (exitcode, halt_on_error).
 *
 * Hooks used (all provided by the TSan runtime as weak defaults):
 *   __tsan::OnReport(rep, suppressed)  called before a report is printed;
 *       returning true silences it.  A pair seen before is silenced (each
 *       distinct race is printed once); suppressed reports are counted.
 *       If a future runtime stopped calling it, reports would only print
 *       again: the counting below does not depend on it.
 *   __tsan_on_report(rep)  called after a report was printed: count it;
 *       outside --keep-going, end the run with STRESS_EXIT_RACE.
 *   __sanitizer_set_death_callback  TSan is about to die (a deadly signal
 *       it reported itself, or halt_on_error): classify and exit.
 * Without TSan every function here is a stub and no race is ever counted.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stress/stress_common.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif
#if !defined(STRESS_TSAN) && defined(__SANITIZE_THREAD__)
#define STRESS_TSAN 1
#endif
#ifndef STRESS_TSAN
#define STRESS_TSAN 0
#endif

#define MAX_RACES 64                 /* distinct pairs remembered (more are counted) */

struct race_key {
	uintptr_t pc[2];                 /* pc[0] <= pc[1] */
	char kind[24];                   /* TSan's description: "data-race", ... */
};

static struct {
	bool keep_going;
	void (*halt)(int code, const char *why);
	struct race_key seen[MAX_RACES];
	_Atomic unsigned nseen;          /* entries of seen[] filled */
	_Atomic uint64_t distinct;       /* distinct keys (also beyond MAX_RACES) */
	_Atomic uint64_t repeats;        /* reports silenced as already seen */
	_Atomic uint64_t suppressed;     /* reports matched by the suppressions file */
	int in_report;                   /* a printed report is being handled (volatile accesses) */
	uint64_t distinct_plain;         /* = distinct, for the halt path (no runtime call) */
} rs;

/* Not instrumented, no atomic: read from the crash/halt path, where a call
 * into the TSan runtime may deadlock.  Written under TSan's report lock. */
STRESS_NO_TSAN uint64_t stress_race_distinct_unlocked(void)
{
	return *(volatile uint64_t *)&rs.distinct_plain;
}

bool stress_race_tsan(void)
{
	return STRESS_TSAN;
}

uint64_t stress_race_distinct(void)
{
	return atomic_load_explicit(&rs.distinct, memory_order_relaxed);
}

uint64_t stress_race_suppressed(void)
{
	return atomic_load_explicit(&rs.suppressed, memory_order_relaxed);
}

uint64_t stress_race_repeats(void)
{
	return atomic_load_explicit(&rs.repeats, memory_order_relaxed);
}

#if STRESS_TSAN

int __tsan_get_report_data(void *report, const char **description, int *count,
                           int *stack_count, int *mop_count, int *loc_count,
                           int *mutex_count, int *thread_count,
                           int *unique_tid_count, void **sleep_trace,
                           unsigned long trace_size);
int __tsan_get_report_mop(void *report, unsigned long idx, int *tid,
                          void **addr, int *size, int *write, int *atomic,
                          void **trace, unsigned long trace_size);
int __tsan_get_report_stack(void *report, unsigned long idx, void **trace,
                            unsigned long trace_size);
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out_buf, size_t out_buf_size);
void __sanitizer_set_death_callback(void (*callback)(void));

/* TSan's runtime serialises reports (one report at a time, under its
 * report lock), so the table below has a single writer at a time; the
 * counters are atomic only for the readers in main(). */
static bool key_of(void *rep, struct race_key *k)
{
	const char *desc = NULL;
	int count, nstack = 0, nmop = 0, nloc, nmutex, nthread, nuniq;
	void *sleep_trace[1];

	memset(k, 0, sizeof(*k));
	if (!__tsan_get_report_data(rep, &desc, &count, &nstack, &nmop, &nloc, &nmutex,
	                            &nthread, &nuniq, sleep_trace, 1))
		return false;
	snprintf(k->kind, sizeof(k->kind), "%s", desc ? desc : "?");
	for (int i = 0; i < 2; i++) {
		void *trace[1] = { NULL }, *addr;
		int tid, size, write, atomic;

		if (i < nmop)
			__tsan_get_report_mop(rep, (unsigned long)i, &tid, &addr, &size, &write,
			                      &atomic, trace, 1);
		else if (i - nmop < nstack)
			__tsan_get_report_stack(rep, (unsigned long)(i - nmop), trace, 1);
		k->pc[i] = (uintptr_t)trace[0];
	}
	if (k->pc[0] > k->pc[1]) {
		uintptr_t t = k->pc[0];
		k->pc[0] = k->pc[1];
		k->pc[1] = t;
	}
	return true;
}

/* The hooks below run inside TSan's report, one at a time under its
 * report lock, which TSan does not count as synchronisation: an
 * instrumented plain access of rs there is a race with the previous
 * report's, reported from inside the report, which deadlocks the runtime
 * (seen with two distinct races under --keep-going).  So they are not
 * instrumented, and compare and copy by hand (strcmp and memcpy are
 * intercepted, and checked, whoever calls them). */
STRESS_NO_TSAN static bool same_kind(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

STRESS_NO_TSAN static bool seen_before(const struct race_key *k)
{
	unsigned n = atomic_load_explicit(&rs.nseen, memory_order_relaxed);

	for (unsigned i = 0; i < n; i++)
		if (rs.seen[i].pc[0] == k->pc[0] && rs.seen[i].pc[1] == k->pc[1] &&
		    same_kind(rs.seen[i].kind, k->kind))
			return true;
	return false;
}

/* Xen-style naming does not apply: this is TSan's C++ hook
 * bool __tsan::OnReport(const ReportDesc *rep, bool suppressed). */
_Bool stress_tsan_filter(void *rep, _Bool suppressed) __asm__("_ZN6__tsan8OnReportEPKNS_10ReportDescEb");
STRESS_NO_TSAN _Bool stress_tsan_filter(void *rep, _Bool suppressed)
{
	struct race_key k;

	if (suppressed) {
		atomic_fetch_add_explicit(&rs.suppressed, 1, memory_order_relaxed);
		return 1;
	}
	if (!key_of(rep, &k))
		return 0;
	if (seen_before(&k)) {
		atomic_fetch_add_explicit(&rs.repeats, 1, memory_order_relaxed);
		return 1;
	}
	unsigned n = atomic_load_explicit(&rs.nseen, memory_order_relaxed);
	if (n < MAX_RACES) {
		for (unsigned i = 0; i < 2; i++)
			rs.seen[n].pc[i] = k.pc[i];
		for (unsigned i = 0; i < sizeof(k.kind); i++)
			rs.seen[n].kind[i] = k.kind[i];
		atomic_store_explicit(&rs.nseen, n + 1, memory_order_release);
	}
	atomic_fetch_add_explicit(&rs.distinct, 1, memory_order_relaxed);
	rs.distinct_plain++;
	*(volatile int *)&rs.in_report = 1;
	return 0;
}

void __tsan_on_report(void *rep);
STRESS_NO_TSAN void __tsan_on_report(void *rep)
{
	(void)rep;
	if (!rs.keep_going && rs.halt)
		rs.halt(STRESS_EXIT_RACE, "ThreadSanitizer report (--keep-going to continue past it)");
	*(volatile int *)&rs.in_report = 0;
}

/* Not instrumented: TSan may die holding its own locks. */
STRESS_NO_TSAN static void on_death(void)
{
	/* Right after a printed report: halt_on_error; anything else is a
	 * deadly signal (or an internal error) that TSan reported itself. */
	if (*(volatile int *)&rs.in_report)
		rs.halt(STRESS_EXIT_RACE, "ThreadSanitizer report (halt_on_error)");
	rs.halt(STRESS_EXIT_CRASH, "ThreadSanitizer stopped the run (deadly signal)");
}

void stress_race_config(bool keep_going, void (*halt)(int code, const char *why))
{
	rs.keep_going = keep_going;
	rs.halt = halt;
	__sanitizer_set_death_callback(on_death);
}

void stress_race_print(FILE *f)
{
	unsigned n = atomic_load_explicit(&rs.nseen, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		char a[256], b[256];

		__sanitizer_symbolize_pc((void *)rs.seen[i].pc[0], "%f %L", a, sizeof(a));
		__sanitizer_symbolize_pc((void *)rs.seen[i].pc[1], "%f %L", b, sizeof(b));
		fprintf(f, "RACE %u: %s: %s <-> %s\n", i + 1, rs.seen[i].kind, a, b);
	}
	if (stress_race_distinct() > n)
		fprintf(f, "RACE ...: %llu more distinct pairs not listed\n",
		        (unsigned long long)(stress_race_distinct() - n));
}

#else /* !STRESS_TSAN */

void stress_race_config(bool keep_going, void (*halt)(int code, const char *why))
{
	rs.keep_going = keep_going;
	rs.halt = halt;
}

void stress_race_print(FILE *f)
{
	(void)f;
}

#endif
