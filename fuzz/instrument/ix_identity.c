/*
 * ix_identity.c - each VCPU its own thread identity, for instrumented code
 * (fuzz/engine/identity.h; freelist_fuzz_suite's thread_identity = True).
 *
 * Linking this file turns the engine's thread per VCPU on: then
 * _Thread_local / __thread variables, pthread_self(), errno and
 * pthread_getspecific()/setspecific() are per VCPU by themselves, in
 * instrumented code and in the libraries it calls.  Defined here, for
 * calls made on a VCPU (elsewhere they are the C library's):
 *
 * - gettid(), and syscall(SYS_gettid): 100000 + the VCPU's number, the same
 *   in every run and every process (a kernel thread id is not), so code
 *   that picks a slot by thread id replays the same way;
 * - syscall(SYS_futex, ...): FUTEX_WAIT is a yield: the VCPU reads the
 *   word (a schedule point) and, if it still holds the expected value, is
 *   parked until another VCPU writes it; FUTEX_WAKE writes the word back
 *   (its current value), which wakes the VCPUs parked on it.  liburcu's
 *   synchronize_rcu() and its waiters (uninstrumented, in liburcu-mb.so)
 *   wait this way; a real FUTEX_WAIT would stop the whole simulation.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz/engine/identity.h"
#include "fuzz/engine/sim.h"

#define IDENTITY_TID0 100000

/* The runtime's hooks (ix.c), called as instrumented code calls them: the
 * scan names these calls by this file's lines. */
int __tsan_atomic32_load(const volatile int *a, int mo);
void __tsan_atomic32_store(volatile int *a, int v, int mo);
enum { MO_ACQUIRE = 2, MO_RELEASE = 3 };

__attribute__((constructor)) static void identity_on(void)
{
	mt_identity_enable();
}

/* The VCPU running now, or -1 (no run, or the scheduler). */
static int vcpu_now(void)
{
	struct mt_sim *sim = mt_sim_active();

	return sim ? mt_sim_current(sim) : -1;
}

static long raw_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long rc;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
	                 : "=a"(rc)
	                 : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	if (rc < 0 && rc > -4096) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

pid_t gettid(void)
{
	int v = vcpu_now();

	return v >= 0 ? (pid_t)(IDENTITY_TID0 + v) : (pid_t)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* FUTEX_WAIT on a VCPU: 0 once woken (a wake may be spurious, as the
 * kernel's may), -1 EAGAIN if the word no longer holds val. */
static long futex_wait(int *word, int val)
{
	if (__tsan_atomic32_load(word, MO_ACQUIRE) != val) {
		errno = EAGAIN;
		return -1;
	}
	sched_yield();               /* parked: it read the word, nothing changed */
	return 0;
}

static long futex_wake(int *word)
{
	__tsan_atomic32_store(word, __atomic_load_n(word, __ATOMIC_RELAXED), MO_RELEASE);
	return 0;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (vcpu_now() >= 0) {
		if (nr == SYS_gettid)
			return gettid();
		if (nr == SYS_futex) {
			int op = (int)a[1] & FUTEX_CMD_MASK;
			if (op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET)
				return futex_wait((int *)a[0], (int)a[2]);
			if (op == FUTEX_WAKE || op == FUTEX_WAKE_BITSET)
				return futex_wake((int *)a[0]);
		}
	}
	return raw_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
