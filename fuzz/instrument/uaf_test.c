/*
 * uaf_test.c - instrumented code has no ASan instrumentation of its own;
 * the runtime's read/write hooks check the address with ASan.  A read
 * and a write after free() in instrumented code (uaf.c) must each die
 * with ASan's heap-use-after-free report; the same accesses to live
 * memory must not.  Each case runs in a child process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/instrument/ix.h"
#include "fuzz/instrument/uaf.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

/* Run case c in a child; its stderr into out.  Returns the wait status. */
static int child(int c, char *out, size_t cap)
{
	int fd[2];
	CHECK(pipe(fd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		int *p = malloc(sizeof(*p));
		CHECK(p);
		*p = 7;
		if (c & 1)
			free(p);
		int v = 0;
		if (c & 2)
			uaf_write(p, 8);
		else
			v = uaf_read(p);
		if (!(c & 1))
			free(p);
		fprintf(stderr, "survived v=%d\n", v);
		_exit(0);
	}
	close(fd[1]);
	size_t n = 0;
	ssize_t k;
	while (n + 1 < cap && (k = read(fd[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fd[0]);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	return st;
}

int main(void)
{
	static char out[1 << 16];
	static const char *name[] = { "read live", "read freed", "write live", "write freed" };
	unsigned caught = 0;

	CHECK(mt_ix_nr_found() > 0);
	for (int c = 0; c < 4; c++) {
		int st = child(c, out, sizeof(out));
		int died = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		int report = strstr(out, "heap-use-after-free") != NULL;
		printf("%-12s %s\n", name[c], died ? (report ? "ASan: heap-use-after-free" : "died") : "clean");
		if (c & 1) {
			CHECK(died && report);
			CHECK(strstr(out, c & 2 ? "WRITE of size 4" : "READ of size 4"));
			caught++;
		} else {
			CHECK(!died && strstr(out, "survived"));
		}
	}
	printf("SUMMARY test=uaf caught=%u of 2 clean=2\n", caught);
	return 0;
}
