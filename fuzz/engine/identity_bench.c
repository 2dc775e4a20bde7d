/*
 * identity_bench.c - what a VCPU switch costs with each candidate way of
 * giving VCPUs their own thread identity (docs/bring-your-own.md,
 * "Thread identity"):
 *
 *   fiber            today's switch (fiber.c), no identity;
 *   fiber+set_fs     the same plus arch_prctl(ARCH_SET_FS) on the way in
 *                    and out: switching the TLS base per fiber on a
 *                    kernel or CPU without FSGSBASE (wrfsbase);
 *   thread baton     identity.c: a thread per VCPU, a futex hand-off each
 *                    way.
 *
 * identity_bench [ROUND_TRIPS]; a round trip is host -> VCPU -> host.
 */
#include <asm/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/engine/fiber.h"
#include "fuzz/engine/identity.h"

static struct mt_fiber_host host;
static struct mt_fiber fib;
static int set_fs;
static unsigned long fs_base;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void fs_again(void)
{
	if (set_fs)
		syscall(SYS_arch_prctl, ARCH_SET_FS, fs_base);
}

static void entry(void)
{
	mt_fiber_started(&host);
	for (;;) {
		fs_again();
		mt_fiber_leave(&host, &fib, 0);
		fs_again();
	}
}

static double ns_per_round_trip(long n)
{
	if (mt_fiber_setup(&fib, &host, entry)) {
		fprintf(stderr, "identity_bench: out of memory\n");
		exit(1);
	}
	mt_fiber_enter(&host, &fib);
	double t = now();
	for (long i = 0; i < n; i++)
		mt_fiber_enter(&host, &fib);
	t = now() - t;
	mt_fiber_free(&fib);
	return t / (double)n * 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;

	if (n <= 0) {
		fprintf(stderr, "usage: identity_bench [ROUND_TRIPS > 0]\n");
		return 2;
	}
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base);
	/* HWCAP2_FSGSBASE (bit 1): the kernel lets user code run wrfsbase. */
	int fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	printf("# FSGSBASE for user code: %s\n", fsgsbase ? "yes" : "no (AT_HWCAP2 bit 1 clear)");
	mt_identity_on = 0;
	double fiber = ns_per_round_trip(n);
	printf("fiber: %.0f ns per round trip\n", fiber);
	set_fs = 1;
	double fiber_fs = ns_per_round_trip(n / 10 + 1);
	set_fs = 0;
	printf("fiber+set_fs: %.0f ns per round trip\n", fiber_fs);
	mt_identity_on = 1;
	double baton = ns_per_round_trip(n / 10 + 1);
	mt_identity_on = 0;
	printf("thread baton: %.0f ns per round trip\n", baton);
	printf("SUMMARY round_trips=%ld fsgsbase=%d fiber_ns=%.0f fiber_set_fs_ns=%.0f baton_ns=%.0f\n", n, fsgsbase,
	       fiber, fiber_fs, baton);
	return 0;
}
