/* stress_halt.c - the pieces of a stress run's emergency exit (a crash, a
 * ThreadSanitizer report, a violation found with threads still running),
 * shared by //stress:stress and the real-threads driver of a free list of
 * your own (fuzz/instrument/stress_adapter_main.c); stress_common.h.
 *
 * Everything here is async-signal-safe and STRESS_NO_TSAN: it runs in the
 * crash handler and inside TSan's report hooks, where an instrumented
 * access (even a C11 atomic: a call into the runtime) may wait for a
 * runtime lock the faulting thread holds (seen: b4a under grow hung in
 * __tsan::SlotLock until the watchdog). */
#include <sys/syscall.h>
#include <unistd.h>

#include "stress/stress_common.h"

STRESS_NO_TSAN size_t stress_put_str(char *buf, size_t n, size_t cap, const char *s)
{
	while (*s && n < cap)
		buf[n++] = *s++;
	return n;
}

STRESS_NO_TSAN size_t stress_put_u64(char *buf, size_t n, size_t cap, uint64_t v)
{
	char tmp[24];
	int k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k && n < cap)
		buf[n++] = tmp[--k];
	return n;
}

STRESS_NO_TSAN const char *stress_result_name(int code)
{
	switch (code) {
	case STRESS_EXIT_CLEAN: return "clean";
	case STRESS_EXIT_VIOLATION: return "violation";
	case STRESS_EXIT_CRASH: return "crash";
	case STRESS_EXIT_RACE: return "race";
	default: return "error";
	}
}

static int halting;                  /* 1 once a thread is halting the run */

/* An exchange TSan cannot see: a C11 atomic here is a call into the
 * runtime, which may wait for a lock the faulting thread holds. */
STRESS_NO_TSAN int stress_halting_claim(void)
{
	int v = 1;
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(halting) : : "memory");
#else
	v = __atomic_exchange_n(&halting, 1, __ATOMIC_SEQ_CST);
#endif
	return v;
}

/* Raw system calls: under TSan, write() and _exit() are intercepted, and
 * the _exit interceptor runs TSan's finalisation (locks, its own exit
 * code), which can deadlock in a signal handler or inside a report. */
STRESS_NO_TSAN void stress_raw_write(int fd, const char *buf, size_t n)
{
	while (n) {
		long w = syscall(SYS_write, fd, buf, n);
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

STRESS_NO_TSAN _Noreturn void stress_raw_exit(int code)
{
	for (;;)
		syscall(SYS_exit_group, code);
}

STRESS_NO_TSAN _Noreturn void stress_halt_summary_end(char *buf, size_t n, size_t cap, uint64_t seed, int sig,
                                                      int code)
{
	n = stress_put_str(buf, n, cap, " violations=");
	n = stress_put_u64(buf, n, cap, code == STRESS_EXIT_CRASH);
	n = stress_put_str(buf, n, cap, " seed=");
	n = stress_put_u64(buf, n, cap, seed);
	if (sig) {
		n = stress_put_str(buf, n, cap, " crash_signal=");
		n = stress_put_u64(buf, n, cap, (uint64_t)sig);
	}
	n = stress_put_str(buf, n, cap, " races=");
	n = stress_put_u64(buf, n, cap, stress_race_distinct_unlocked());
	n = stress_put_str(buf, n, cap, " result=");
	n = stress_put_str(buf, n, cap, stress_result_name(code));
	n = stress_put_str(buf, n, cap, " exit=");
	n = stress_put_u64(buf, n, cap, (uint64_t)code);
	n = stress_put_str(buf, n, cap, "\n");
	stress_raw_write(STDOUT_FILENO, buf, n);
	stress_raw_exit(code);
}
