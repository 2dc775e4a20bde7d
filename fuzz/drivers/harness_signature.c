/* harness_signature.c - a program's signature named in a child process
 * (harness.h: mt_harness_signature_of). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/drivers/harness.h"
#include "fuzz/engine/identity.h"

int mt_harness_signature_of(struct mt_harness *h, const struct mt_program *p, char *buf, size_t cap)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM };
	int fd[2];
	size_t n = 0;

	if (!cap)
		return -1;
	buf[0] = '\0';
	/* VCPUs that are threads of their own (identity.h) do not survive a
	 * fork: the child would wait for ever on a baton nobody holds.  The
	 * caller falls back to the one-run name. */
	if (mt_identity_on)
		return -1;
	if (pipe(fd))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		char s[MT_SIG_MAX];
		close(fd[0]);
		/* the caller's crash reporters are not this child's: a crash
		 * outside a run just ends it; one inside a run (a shrinking
		 * candidate) is a finding, as in a campaign */
		for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
		alarm(60);
		mt_harness_recover_crashes();
		if (mt_harness_run_program(h, p, NULL) && !mt_harness_signature(h, s, sizeof(s))) {
			size_t len = strlen(s), off = 0;
			while (off < len) {
				ssize_t w = write(fd[1], s + off, len - off);
				if (w <= 0)
					break;
				off += (size_t)w;
			}
		}
		_exit(0);
	}
	close(fd[1]);
	for (;;) {
		ssize_t r = read(fd[0], buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap - 1)
			break;
	}
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[n] = '\0';
	return n ? 0 : -1;
}
