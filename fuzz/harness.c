/* harness.c - decode, run, check (see harness.h). */
#include "fuzz/harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/input.h"
#include "fuzz/sim.h"
#include "lib/variants/zoo.h"

const struct mt_ops *mt_harness_impl(const char *name)
{
	return mt_impl_find(name);
}

void mt_harness_list_impls(FILE *out)
{
	for (const struct mt_ops *const *o = mt_ops_builtin; *o; o++)
		fprintf(out, "%s\n", (*o)->name);
	for (const struct mt_ops *const *o = mt_zoo; *o; o++)
		fprintf(out, "%s\n", (*o)->name);
}

int mt_harness_run(const uint8_t *data, size_t size, const struct mt_ops *ops, FILE *trace)
{
	static struct mt_program prog;   /* 20 KiB: not on the stack */

	mt_in_decode(data, size, &prog);
	return mt_sim_run(&prog, ops, trace);
}

void mt_harness_report(FILE *out)
{
	mt_sim_report(out);
}

static void on_crash(int sig)
{
	char what[64];

	snprintf(what, sizeof(what), "signal %d (%s)", sig, strsignal(sig));
	fflush(stdout);
	printf("FINDING crash: %s\n", what);
	mt_sim_report_crash(stdout, what);
	printf("SUMMARY crash=1 signal=%d\n", sig);
	fflush(stdout);
	_exit(1);
}

void mt_harness_catch_crashes(void)
{
	static char altstack[1 << 16];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	struct sigaction sa;

	sigaltstack(&ss, NULL);      /* the crash may be on a VCPU stack */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}
