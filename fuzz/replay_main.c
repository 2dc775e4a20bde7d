/*
 * replay_main.c - the harness as a plain program (default toolchain).
 *
 *   maptrack_replay [--impl NAME] [--expect-finding] [--quiet] FILE|DIR...
 *       replay inputs (a directory: every file in it, sorted); one verdict
 *       line per file, the finding and its interleaving for each finding.
 *       Exit 0: every file clean (with --expect-finding: every file
 *       flagged); 1: otherwise; 2: bad flag or missing file.
 *   maptrack_replay --decode [--impl NAME] FILE
 *       print the input in text form, with what happened at each step.
 *   maptrack_replay --encode TEXT [-o OUT]
 *       text form -> bytes (stdout if no -o).
 *   maptrack_replay --list-impls
 * A crash (SIGSEGV...) of the library is reported as "FINDING crash" with
 * the interleaving up to it, exit 1 (--no-catch: die of the signal).
 * Last line of a replay: SUMMARY files=N clean=N findings=N.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/harness.h"
#include "fuzz/input.h"

#define REPLAY_MAX_INPUT (1u << 20)

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: maptrack_replay [--impl NAME] [--expect-finding] [--quiet] FILE|DIR...\n"
	        "       maptrack_replay --decode [--impl NAME] FILE\n"
	        "       maptrack_replay --encode TEXT [-o OUT]\n"
	        "       maptrack_replay --list-impls\n"
	        "--no-catch: let a crash kill the process (default: report it as a finding, exit 1)\n"
	        "NAME defaults to $MT_IMPL, else production.\n");
}

/* Read a whole file (at most REPLAY_MAX_INPUT bytes are used). */
static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(REPLAY_MAX_INPUT + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	*size = fread(buf, 1, REPLAY_MAX_INPUT, f);
	buf[*size] = 0;
	fclose(f);
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tally {
	unsigned files, clean, findings;
};

static int replay_one(const char *path, const struct mt_ops *ops, int quiet, struct tally *t)
{
	size_t size;
	uint8_t *data = read_file(path, &size);

	if (!data) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	t->files++;
	int rc = mt_harness_run(data, size, ops, NULL);
	free(data);
	if (rc) {
		t->findings++;
		printf("FINDING %s (impl=%s)\n", path, ops->name);
		mt_harness_report(stdout);
	} else {
		t->clean++;
		if (!quiet)
			printf("CLEAN %s (impl=%s)\n", path, ops->name);
	}
	fflush(stdout);
	return 0;
}

static int replay_path(const char *path, const struct mt_ops *ops, int quiet, struct tally *t)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "maptrack_replay: no such file or directory: %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_one(path, ops, quiet, t);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "maptrack_replay: cannot open directory %s\n", path);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
		}
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n])
			abort();
		snprintf(names[n], len, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat fst;
		if (stat(names[i], &fst) == 0 && S_ISREG(fst.st_mode) && replay_one(names[i], ops, quiet, t))
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int do_encode(const char *in, const char *out)
{
	size_t size;
	uint8_t *text = read_file(in, &size);
	static struct mt_program prog;
	static uint8_t bytes[MT_IN_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_RECORD_LEN];
	char err[256];

	if (!text) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", in, strerror(errno));
		return 2;
	}
	if (memchr(text, 0, size)) {
		fprintf(stderr, "maptrack_replay: %s: not a text file (NUL byte)\n", in);
		free(text);
		return 2;
	}
	int rc = mt_in_parse_text((const char *)text, &prog, err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "maptrack_replay: %s: %s\n", in, err);
		return 1;
	}
	size_t len = mt_in_encode(&prog, bytes, sizeof(bytes));
	if (!len) {
		fprintf(stderr, "maptrack_replay: %s: cannot encode\n", in);
		return 1;
	}
	FILE *f = out ? fopen(out, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "maptrack_replay: cannot write %s: %s\n", out, strerror(errno));
		return 2;
	}
	if (fwrite(bytes, 1, len, f) != len || (out && fclose(f) != 0)) {
		fprintf(stderr, "maptrack_replay: write error\n");
		return 2;
	}
	if (!out)
		fflush(stdout);
	fprintf(stderr, "SUMMARY step=encode records=%u bytes=%zu\n", prog.nr_records, len);
	return 0;
}

static int do_decode(const char *path, const struct mt_ops *ops)
{
	size_t size;
	uint8_t *data = read_file(path, &size);

	if (!data) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);   /* a crash still leaves every step printed */
	printf("# %s: %zu bytes, replayed against %s\n", path, size, ops->name);
	int rc = mt_harness_run(data, size, ops, stdout);
	free(data);
	printf("# verdict: %s\n", rc ? "FINDING" : "clean");
	return rc;
}

static int run_main(const char *encode_in, const char *out, const char *impl_name,
                    int decode, int expect, int quiet, int catch_crashes, char **files, int nfiles);

int main(int argc, char **argv)
{
	const char *impl_name = getenv("MT_IMPL");
	const char *encode_in = NULL, *out = NULL;
	int decode = 0, expect = 0, quiet = 0, catch_crashes = 1, nfiles = 0;
	char **files = calloc((size_t)argc, sizeof(*files));

	if (!files)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--impl") && i + 1 < argc) {
			impl_name = argv[++i];
		} else if (!strncmp(a, "--impl=", 7)) {
			impl_name = a + 7;
		} else if (!strcmp(a, "--decode")) {
			decode = 1;
		} else if (!strcmp(a, "--encode") && i + 1 < argc) {
			encode_in = argv[++i];
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--expect-finding")) {
			expect = 1;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "--no-catch")) {
			catch_crashes = 0;
		} else if (!strcmp(a, "--list-impls")) {
			mt_harness_list_impls(stdout);
			free(files);
			return 0;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			free(files);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "maptrack_replay: unknown or incomplete flag '%s'\n", a);
			usage(stderr);
			free(files);
			return 2;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	int rc = run_main(encode_in, out, impl_name, decode, expect, quiet, catch_crashes, files, nfiles);
	free(files);
	return rc;
}

static int run_main(const char *encode_in, const char *out, const char *impl_name,
                    int decode, int expect, int quiet, int catch_crashes, char **files, int nfiles)
{
	if (encode_in)
		return do_encode(encode_in, out);
	if (catch_crashes)
		mt_harness_catch_crashes();
	if (!impl_name || !*impl_name)
		impl_name = "production";
	const struct mt_ops *ops = mt_harness_impl(impl_name);
	if (!ops) {
		fprintf(stderr, "maptrack_replay: unknown implementation '%s'; known:\n", impl_name);
		mt_harness_list_impls(stderr);
		return 2;
	}
	if (nfiles == 0) {
		fprintf(stderr, "maptrack_replay: no input files\n");
		usage(stderr);
		return 2;
	}
	if (decode) {
		if (nfiles != 1) {
			fprintf(stderr, "maptrack_replay: --decode takes one file\n");
			return 2;
		}
		return do_decode(files[0], ops);
	}
	struct tally t = { 0, 0, 0 };
	int missing = 0;
	for (int i = 0; i < nfiles; i++)
		if (replay_path(files[i], ops, quiet, &t))
			missing = 1;
	printf("SUMMARY impl=%s files=%u clean=%u findings=%u%s\n", ops->name, t.files, t.clean,
	       t.findings, expect ? " expect=finding" : "");
	if (missing)
		return 2;
	if (expect)
		return t.files > 0 && t.findings == t.files ? 0 : 1;
	return t.findings ? 1 : 0;
}
