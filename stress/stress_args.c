/* stress_args.c - the command line of a stress run, shared by //stress:stress
 * and the real-threads driver of a free list of your own
 * (fuzz/instrument/stress_adapter_main.c): the flags, their checks, the
 * re-run under ThreadSanitizer options, the crash handlers' installation.
 * stress_common.h.  Every error is exit STRESS_EXIT_USAGE before any work,
 * with a message that names the flag (the caller checks the suppressions
 * file's contents). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress/stress_common.h"

_Noreturn void stress_die_usage(const struct stress_cli *cli, const char *fmt, const char *arg)
{
	fprintf(stderr, "stress: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s\n", cli->hint);
	exit(STRESS_EXIT_USAGE);
}

static uint64_t parse_u64(const char *flag, const char *s, uint64_t max)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *s == '+' || errno || *end || v > max) {
		fprintf(stderr, "stress: %s: '%s' is not an integer in 0..%" PRIu64 "\n", flag, s, max);
		exit(STRESS_EXIT_USAGE);
	}
	return v;
}

static double parse_double(const char *flag, const char *s, double max)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (!*s || errno || *end || !(v >= 0) || v > max) {
		fprintf(stderr, "stress: %s: '%s' is not a number in 0..%g\n", flag, s, max);
		exit(STRESS_EXIT_USAGE);
	}
	return v;
}

void stress_parse_args(int argc, char **argv, const struct stress_cli *cli, struct stress_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val = eq ? eq + 1 : NULL;
		char flag[64];

		if (strncmp(a, "--", 2) != 0)
			stress_die_usage(cli, "unexpected argument '%s'", a);
		snprintf(flag, sizeof(flag), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (!strcmp(flag, "--help")) {
			cli->usage(stdout);
			exit(0);
		}
		if (!strcmp(flag, "--list")) {
			cli->list();
			exit(0);
		}
		if (!strcmp(flag, "--keep-going")) {
			if (val)
				stress_die_usage(cli, "%s takes no value", flag);
			o->keep_going = true;
			continue;
		}
		static const char *const with_value[] = {
			"--impl", "--vcpus", "--per-page", "--max-frames", "--ops", "--seconds", "--seed",
			"--yield-rate", "--progress", "--check-every", "--suppress", "--scenario", NULL,
		};
		bool known = false;
		for (const char *const *w = with_value; *w; w++)
			known |= !strcmp(*w, flag);
		if (!known || (!cli->with_scenario && !strcmp(flag, "--scenario")))
			stress_die_usage(cli, "unknown flag '%s'", a);
		if (!val) {
			if (i + 1 >= argc)
				stress_die_usage(cli, "%s needs a value", flag);
			val = argv[++i];
		}
		if (!strcmp(flag, "--scenario"))
			o->scenario = val;
		else if (!strcmp(flag, "--impl"))
			o->impl = val;
		else if (!strcmp(flag, "--vcpus"))
			o->vcpus = (unsigned)parse_u64(flag, val, cli->max_vcpus);
		else if (!strcmp(flag, "--per-page"))
			o->per_page = (unsigned)parse_u64(flag, val, cli->max_per_page);
		else if (!strcmp(flag, "--max-frames"))
			o->max_frames = (unsigned)parse_u64(flag, val, cli->max_frames);
		else if (!strcmp(flag, "--ops"))
			o->ops = parse_u64(flag, val, UINT64_MAX / 2);
		else if (!strcmp(flag, "--seconds"))
			o->seconds = parse_double(flag, val, 1e7);
		else if (!strcmp(flag, "--seed"))
			o->seed = parse_u64(flag, val, UINT64_MAX);
		else if (!strcmp(flag, "--yield-rate"))
			o->yield_rate = parse_double(flag, val, 1);
		else if (!strcmp(flag, "--progress"))
			o->progress = parse_double(flag, val, 1e7);
		else if (!strcmp(flag, "--check-every"))
			o->check_every = parse_u64(flag, val, UINT64_MAX / 2);
		else
			o->suppress = val;
	}
	if (!o->ops && !o->seconds)
		stress_die_usage(cli, "%s", "--ops 0 and --seconds 0: the run needs at least one bound");
}

/* Under TSan, options are read before main(): to pass --suppress and
 * --keep-going on, set TSAN_OPTIONS and run this program again (once). */
void stress_tsan_reexec(const struct stress_opts *o, char **argv)
{
	static const char marker[] = "STRESS_TSAN_REEXEC";
	char abs[PATH_MAX], opts[8192];

	if (!stress_race_tsan() && (o->suppress || o->keep_going))
		fprintf(stderr, "stress: not a ThreadSanitizer build: --suppress and --keep-going "
		        "change nothing (the suppressions file was checked)\n");
	if (!stress_race_tsan() || (!o->suppress && !o->keep_going) || getenv(marker))
		return;
	const char *old = getenv("TSAN_OPTIONS");
	int n = snprintf(opts, sizeof(opts), "%s%s", old ? old : "", old && *old ? ":" : "");
	if (o->suppress) {
		if (!realpath(o->suppress, abs)) {
			fprintf(stderr, "stress: --suppress %s: %s\n", o->suppress, strerror(errno));
			exit(STRESS_EXIT_USAGE);
		}
		if (strpbrk(abs, ": \t\"'")) {
			fprintf(stderr, "stress: --suppress %s: the path must not contain ':', blanks or "
			        "quotes (TSAN_OPTIONS separators)\n", abs);
			exit(STRESS_EXIT_USAGE);
		}
		n += snprintf(opts + n, sizeof(opts) - n, "suppressions=%s:", abs);
	}
	if (o->keep_going)
		n += snprintf(opts + n, sizeof(opts) - n, "halt_on_error=0:");
	STRESS_CHECK(n > 0 && (size_t)n < sizeof(opts));
	opts[n - 1] = 0;
	if (setenv("TSAN_OPTIONS", opts, 1) || setenv(marker, "1", 1)) {
		fprintf(stderr, "stress: setenv: %s\n", strerror(errno));
		exit(STRESS_EXIT_USAGE);
	}
	fflush(NULL);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "stress: cannot re-run itself with TSAN_OPTIONS=%s: %s\n", opts, strerror(errno));
	exit(STRESS_EXIT_USAGE);
}

void stress_catch_crashes(void (*on_crash)(int sig))
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESETHAND: a second thread faulting at the same time would
	 * die of the default action (exit 139) before the first one's
	 * SUMMARY; the handler (halt_now()) parks it instead. */
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
