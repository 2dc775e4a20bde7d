/*
 * known_test.c - the known-findings file and save-once, without a run:
 * comments, blank lines, repeated lines and trailing comments are read;
 * every malformed line is refused with its line number; a missing file is
 * an error; matches are counted (stale lines are the ones never matched);
 * eight processes saving one signature at once create exactly one file,
 * whole; a second signature gets its own file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/known/known.h"

/* A check that never compiles out (NDEBUG or not). */
#define MT_CHECK(cond) do { if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); exit(1); } } while (0)

static char dir[256];

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	MT_CHECK(f != NULL);
	fputs(text, f);
	MT_CHECK(fclose(f) == 0);
	return path;
}

int main(void)
{
	char err[512];
	const char *tmp = getenv("TEST_TMPDIR");

	snprintf(dir, sizeof(dir), "%s/known_test.%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	MT_CHECK(mkdir(dir, 0777) == 0);

	/* a good file */
	const char *good = write_file("good", "# accepted findings\n\nI10:quiescent:seq   # b5\n"
	                                      "  list:quiescent:seq\nI10:quiescent:seq\nI11:POP_READ_HEAD:THREAD_WRITE_HEAD#x\n");
	struct mt_known *k = mt_known_load(good, err, sizeof(err));
	MT_CHECK(k != NULL);
	MT_CHECK(mt_known_count(k) == 3);          /* the repeated line is one */
	MT_CHECK(mt_known_match(k, "I10:quiescent:seq"));
	MT_CHECK(mt_known_match(k, "I10:quiescent:seq"));
	MT_CHECK(mt_known_match(k, "I11:POP_READ_HEAD:THREAD_WRITE_HEAD"));
	MT_CHECK(!mt_known_match(k, "I10:quiescent:seqx"));
	MT_CHECK(!mt_known_match(k, "I7:get:seq"));
	unsigned long m;
	MT_CHECK(!strcmp(mt_known_at(k, 0, &m), "I10:quiescent:seq") && m == 2);
	MT_CHECK(!strcmp(mt_known_at(k, 1, &m), "list:quiescent:seq") && m == 0);   /* stale */
	MT_CHECK(mt_known_at(k, 3, &m) == NULL);
	mt_known_free(k);

	/* malformed lines: each refused with its line number */
	static const char *const bad[] = {
		"I10 quiescent seq\n", "I10:quiescent\n", "I10:quiescent:seq:x\n", ":quiescent:seq\n",
		"I10::seq\n", "I10:quiescent:\n", "I10:quie scent:seq\n", "I10:quiescent:seq;\n",
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "# fine\nI7:get:seq\n%s", bad[i]);
		const char *p = write_file("bad", text);
		err[0] = '\0';
		MT_CHECK(mt_known_load(p, err, sizeof(err)) == NULL);
		char want[600];
		snprintf(want, sizeof(want), "%s:3: not a signature", p);
		if (strncmp(err, want, strlen(want))) {
			fprintf(stderr, "bad line %u: error '%s', want it to start with '%s'\n", i, err, want);
			return 1;
		}
	}
	MT_CHECK(mt_known_load("/no/such/known/file", err, sizeof(err)) == NULL && strstr(err, "cannot read"));
	MT_CHECK(mt_signature_valid("list:quiescent:seq") && !mt_signature_valid("list:quiescent"));

	/* save once: eight processes race for one signature */
	static const uint8_t data[] = { 2, 0, 1, 2, 3, 4, 5, 6, 7 };
	int created = 0;
	pid_t pids[8];
	for (unsigned i = 0; i < 8; i++) {
		pids[i] = fork();
		MT_CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			int rc = mt_known_save_once(dir, "I7:get:POP_WRITE_HEAD", "I7 (handle 1): duplicate", data,
			                            sizeof(data));
			_exit(rc == 1 ? 10 : rc == 0 ? 11 : 12);
		}
	}
	for (unsigned i = 0; i < 8; i++) {
		int st;
		MT_CHECK(waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st));
		MT_CHECK(WEXITSTATUS(st) == 10 || WEXITSTATUS(st) == 11);
		created += WEXITSTATUS(st) == 10;
	}
	MT_CHECK(created == 1);
	char path[600];
	char name[MT_SIG_MAX + 8];
	mt_signature_file_name("I7:get:POP_WRITE_HEAD", name, sizeof(name));
	MT_CHECK(!strcmp(name, "new-I7_get_POP_WRITE_HEAD"));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat st;
	MT_CHECK(stat(path, &st) == 0 && st.st_size == (off_t)sizeof(data));
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	FILE *f = fopen(path, "r");
	char line[256];
	MT_CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "I7:get:POP_WRITE_HEAD\n"));
	fclose(f);
	MT_CHECK(mt_known_save_once(dir, "I7:get:POP_WRITE_HEAD", "", data, 1) == 0);   /* not rewritten */
	MT_CHECK(stat(path, &st) == 0);
	MT_CHECK(mt_known_save_once(dir, "list:quiescent:seq", "", data, 2) == 1);
	MT_CHECK(mt_known_save_once("/no/such/dir", "list:quiescent:seq", "", data, 2) == -1);
	printf("known_test: ok (8 processes, 1 file)\n");
	return 0;
}
