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
 *   maptrack_replay --encode TEXT [-o OUT] [--impl NAME]
 *       text form -> v2 bytes (stdout if no -o); sites are NAME's.
 *   maptrack_replay --convert FILE [-o OUT] [--impl NAME]
 *       any input (v1 or v2) -> canonical v2 bytes, in NAME's site terms.
 *   maptrack_replay --check-converted [--impl NAME] FILE|DIR...
 *       each input (bytes, or a .txt scenario) run as it is and converted
 *       to v2 (encoded, decoded again): the two findings must be the same,
 *       word for word.  Exit 0: all the same; 1: a mismatch.
 *   maptrack_replay --conflicts OUT ... FILE|DIR...
 *       also write the conflicting pairs of sites the inputs reach to OUT
 *       (fuzz/checkers/conflicts.h): one "SITE_A<TAB>SITE_B" per line.
 *   maptrack_replay --orders [--impl NAME] FILE|DIR...
 *       the memory orders (acquire, release, acq_rel, seq_cst) each site's
 *       accesses asked for over the inputs: "SITE<TAB>op<TAB>order" lines
 *       (tools/orderings weakens each in turn, MT_WEAKEN).
 *   maptrack_replay --list-impls
 * Every finding of a replay prints "SIGNATURE <sig>" (fuzz/known/known.h).
 * --known FILE (or $MT_KNOWN): a finding whose signature is in FILE is
 * "KNOWN" (printed, not reported at length); exit 3 if every finding was
 * known (0 clean, 1 a new finding); a malformed FILE exits 2 at once.
 * A crash of the library inside a run (a signal; in sanitizer builds an
 * ASan or UBSan report too) is a finding like the others ("FINDING ...
 * crash: KIND in FRAME", the interleaving, SIGNATURE crash:KIND:FRAME) and
 * the replay goes on with the next file (fuzz/engine/crash.h); --decode
 * reports it and exits 1; --no-catch: die of it.
 * Last line of a replay: SUMMARY files=N clean=N findings=N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/checkers/conflicts.h"
#include "lib/mt_access.h"
#include "fuzz/drivers/harness.h"

static struct mt_harness *H;
static const char *conflicts_out;     /* --conflicts OUT */
static int list_orders;               /* --orders */

/* --orders: the memory orders each site's accesses asked for, over every
 * run (what tools/orderings weakens, one at a time). */
static uint8_t order_seen[MT_IN_MAX_SITES][8];   /* [site][order >> 2]: op bits */

static void orders_access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr,
                          unsigned acc)
{
	(void)ctx;
	(void)sim;
	(void)v;
	(void)addr;
	if (site < MT_IN_MAX_SITES)
		order_seen[site][(acc & MT_ACC_ORDER_MASK) >> 2] |= (uint8_t)(acc & MT_ACC_OP_MASK);
}

static const struct mt_sim_observer orders_observer = { .name = "orders", .access = orders_access };

static void print_orders(void)
{
	static const char *const names[8] = { "plain", "relaxed", "acquire", "release", "acq_rel", "seq_cst" };
	static const char *const ops[4] = { "none", "load", "store", "rmw" };
	unsigned n = 0;

	for (unsigned s = 0; s < mt_sim_nr_sites(H->sim) && s < MT_IN_MAX_SITES; s++)
		for (unsigned o = 2; o < 6; o++)
			for (unsigned op = 1; op < 4; op++)
				if ((order_seen[s][o] & 3u) == op) {
					printf("%s\t%s\t%s\n", mt_sim_site(H->sim, s)->id, ops[op], names[o]);
					n++;
				}
	printf("SUMMARY mode=orders impl=%s ordered_accesses=%u\n", H->ops->name, n);
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: maptrack_replay [--impl NAME] [--expect-finding] [--quiet] FILE|DIR...\n"
	        "       maptrack_replay --decode [--impl NAME] FILE\n"
	        "       maptrack_replay --encode TEXT [-o OUT] [--impl NAME]\n"
	        "       maptrack_replay --convert FILE [-o OUT] [--impl NAME]\n"
	        "       maptrack_replay --check-converted [--impl NAME] FILE|DIR...\n"
	        "       maptrack_replay --orders [--impl NAME] FILE|DIR...\n"
	        "       maptrack_replay --list-impls\n"
	        "--no-catch: let a crash kill the process (default: report it as a finding, exit 1)\n"
	        "--known FILE: known findings (default $MT_KNOWN); exit 3 if every finding is known\n"
	        "NAME defaults to $MT_IMPL, else production.\n");
}

struct tally {
	unsigned files, clean, findings, unreadable, mismatches, known;
	int quiet;
};

static void replay_one(void *ctx, const char *path)
{
	struct tally *t = ctx;
	const struct mt_ops *ops = H->ops;
	size_t size;
	uint8_t *data = mt_harness_read_file(path, &size);

	if (!data) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", path, strerror(errno));
		t->unreadable++;
		return;
	}
	t->files++;
	int rc = mt_harness_run(H, data, size, NULL);
	free(data);
	if (rc) {
		t->findings++;
		if (mt_harness_classify(H, NULL) == MT_VERDICT_KNOWN) {
			t->known++;
			printf("KNOWN %s (impl=%s): %s\nSIGNATURE %s\n", path, ops->name, mt_harness_finding(H), H->sig);
		} else {
			printf("FINDING %s (impl=%s)\n", path, ops->name);
			mt_harness_report(H, stdout);
			printf("SIGNATURE %s\n", H->sig);
		}
	} else {
		t->clean++;
		if (!t->quiet)
			printf("CLEAN %s (impl=%s)\n", path, ops->name);
	}
	fflush(stdout);
}

static int is_text(const char *path)
{
	size_t l = strlen(path);

	return l > 4 && !strcmp(path + l - 4, ".txt");
}

/* Bytes or a .txt scenario -> program; -1 (said) if unreadable or bad text. */
static int load(const char *path, struct mt_program *p)
{
	size_t size;
	uint8_t *data = mt_harness_read_file(path, &size);
	char err[256];

	if (!data) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	if (is_text(path)) {
		rc = mt_harness_parse(H, (const char *)data, p, err, sizeof(err));
		if (rc)
			fprintf(stderr, "maptrack_replay: %s: %s\n", path, err);
	} else {
		mt_harness_decode(H, data, size, p);
	}
	free(data);
	return rc;
}

static uint8_t conv_bytes[MT_IN_V2_HEADER_LEN + MT_IN_MAX_RECORDS * MT_IN_V2_RECORD_LEN];

/* Run p in a child process: 1 finding, 0 clean; the finding (or the
 * signal a crash of the library died of) in out. */
static int run_isolated(const struct mt_program *p, char *out, size_t cap)
{
	int fd[2];

	out[0] = '\0';
	fflush(NULL);
	if (pipe(fd) != 0) {
		perror("maptrack_replay: pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("maptrack_replay: fork");
		exit(2);
	}
	if (pid == 0) {
		close(fd[0]);
		int rc = mt_harness_run_program(H, p, NULL);
		const char *f = mt_harness_finding(H);
		ssize_t w = write(fd[1], f, strlen(f));
		(void)w;
		_exit(rc ? 1 : 0);
	}
	close(fd[1]);
	size_t n = 0;
	for (ssize_t r; n + 1 < cap && (r = read(fd[0], out + n, cap - 1 - n)) != 0;) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		snprintf(out, cap, "crash: signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
		return 1;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 1;
}

/* The input as it is, and converted to v2: the same finding (or both clean). */
static void check_one(void *ctx, const char *path)
{
	struct tally *t = ctx;
	static struct mt_program p, q;
	static char first[512];

	if (load(path, &p)) {
		t->unreadable++;
		return;
	}
	t->files++;
	static char second[512];
	int a = run_isolated(&p, first, sizeof(first));
	size_t len = mt_in_encode(&p, conv_bytes, sizeof(conv_bytes));
	if (!len) {
		printf("MISMATCH %s: cannot encode as v2\n", path);
		t->mismatches++;
		return;
	}
	mt_harness_decode(H, conv_bytes, len, &q);
	int b = run_isolated(&q, second, sizeof(second));
	t->findings += (unsigned)a;
	t->clean += (unsigned)!a;
	if (a != b || strcmp(first, second)) {
		printf("MISMATCH %s (impl=%s, read as v%u): as is: %s; converted: %s\n", path, H->ops->name,
		       p.version, a ? first : "clean", b ? second : "clean");
		t->mismatches++;
	} else if (!t->quiet) {
		printf("SAME %s (impl=%s, v%u -> v2): %s\n", path, H->ops->name, p.version, a ? first : "clean");
	}
	fflush(stdout);
}

/* p -> canonical v2 bytes -> out (stdout if NULL); 0, 1 cannot encode, 2 write error. */
static int write_v2(const struct mt_program *p, const char *in, const char *out, size_t *len)
{
	*len = mt_in_encode(p, conv_bytes, sizeof(conv_bytes));
	if (!*len) {
		fprintf(stderr, "maptrack_replay: %s: cannot encode\n", in);
		return 1;
	}
	FILE *f = out ? fopen(out, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "maptrack_replay: cannot write %s: %s\n", out, strerror(errno));
		return 2;
	}
	if (fwrite(conv_bytes, 1, *len, f) != *len || (out && fclose(f) != 0)) {
		fprintf(stderr, "maptrack_replay: write error\n");
		return 2;
	}
	if (!out)
		fflush(stdout);
	return 0;
}

static int do_convert(const char *in, const char *out)
{
	static struct mt_program p;
	size_t len;

	if (load(in, &p))
		return 2;
	int rc = write_v2(&p, in, out, &len);
	if (!rc)
		fprintf(stderr, "SUMMARY step=convert from=v%u to=v2 impl=%s records=%u bytes=%zu\n", p.version,
		        H->ops->name, p.nr_records, len);
	return rc;
}

/* Text -> v2 bytes.  Site ids are the implementation's: auto_impl picks
 * the implementation from the sites the text names. */
static int do_encode(const char *in, const char *out, int auto_impl)
{
	size_t size;
	uint8_t *text = mt_harness_read_file(in, &size);
	static struct mt_program prog;
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
	char why[512];
	if (mt_harness_check_build((const char *)text, in, why, sizeof(why))) {
		fprintf(stderr, "maptrack_replay: %s\n", why);
		free(text);
		return 2;
	}
	int rc;
	if (auto_impl) {
		/* No implementation named: the first registered one (production
		 * first) whose tables hold every site the text names. */
		const struct mt_registration *r;
		rc = -1;
		for (unsigned i = 0; rc && (r = mt_ops_at(i)) != NULL; i++) {
			mt_harness_set_impl(H, r->ops);
			H->sites.strict = 1;
			rc = mt_harness_parse(H, (const char *)text, &prog, err, sizeof(err));
			H->sites.strict = 0;
		}
		if (rc)
			mt_harness_set_impl(H, mt_harness_impl("production"));
	}
	if (!auto_impl || rc)
		rc = mt_harness_parse(H, (const char *)text, &prog, err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "maptrack_replay: %s: %s\n", in, err);
		return 1;
	}
	size_t len;
	rc = write_v2(&prog, in, out, &len);
	if (!rc)
		fprintf(stderr, "SUMMARY step=encode impl=%s version=2 records=%u bytes=%zu\n", H->ops->name,
		        prog.nr_records, len);
	return rc;
}

static int do_decode(const char *path, const struct mt_ops *ops)
{
	size_t size;
	uint8_t *data = mt_harness_read_file(path, &size);

	if (!data) {
		fprintf(stderr, "maptrack_replay: cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);   /* a crash still leaves every step printed */
	printf("# %s: %zu bytes, replayed against %s\n", path, size, ops->name);
	mt_harness_print_build(H, stdout);
	int rc = mt_harness_run(H, data, size, stdout);
	free(data);
	printf("# verdict: %s\n", rc ? "FINDING" : "clean");
	return rc;
}

static int run_main(const char *encode_in, const char *convert_in, const char *out, const char *impl_name,
                    const char *known, int decode, int check, int expect, int quiet, int catch_crashes,
                    char **files, int nfiles);

int main(int argc, char **argv)
{
	const char *impl_name = getenv("MT_IMPL");
	const char *encode_in = NULL, *convert_in = NULL, *out = NULL;
	conflicts_out = NULL;
	int decode = 0, check = 0, expect = 0, quiet = 0, catch_crashes = 1, nfiles = 0;
	const char *known = NULL;
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
		} else if (!strcmp(a, "--convert") && i + 1 < argc) {
			convert_in = argv[++i];
		} else if (!strcmp(a, "--orders")) {
			list_orders = 1;
		} else if (!strcmp(a, "--conflicts") && i + 1 < argc) {
			conflicts_out = argv[++i];
		} else if (!strcmp(a, "--check-converted")) {
			check = 1;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--expect-finding")) {
			expect = 1;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "--known") && i + 1 < argc) {
			known = argv[++i];
		} else if (!strncmp(a, "--known=", 8)) {
			known = a + 8;
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
	int rc = run_main(encode_in, convert_in, out, impl_name, known, decode, check, expect, quiet,
	                  catch_crashes, files, nfiles);
	free(files);
	return rc;
}

static int run_main(const char *encode_in, const char *convert_in, const char *out, const char *impl_name,
                    const char *known, int decode, int check, int expect, int quiet, int catch_crashes,
                    char **files, int nfiles)
{
	int auto_impl = !impl_name || !*impl_name;
	if (auto_impl)
		impl_name = "production";
	const struct mt_ops *ops = mt_harness_impl(impl_name);
	if (!ops) {
		fprintf(stderr, "maptrack_replay: unknown implementation '%s'; known:\n", impl_name);
		mt_harness_list_impls(stderr);
		return 2;
	}
	H = mt_harness_new(ops);
	int use_known = mt_harness_load_known(H, "maptrack_replay", known);
	if (encode_in)
		return do_encode(encode_in, out, auto_impl);
	if (convert_in)
		return do_convert(convert_in, out);
	if (catch_crashes && !check) {
		mt_harness_catch_crashes();          /* outside a run: report and exit */
		if (!decode)
			mt_harness_recover_crashes();  /* inside a run: a finding, go on */
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
	struct tally t = { .quiet = quiet };
	int missing = 0;
	struct mt_conflicts *cf = NULL;
	if (conflicts_out && (!(cf = mt_conflicts_new()) || mt_sim_attach(H->sim, &mt_conflicts_observer, cf))) {
		fprintf(stderr, "maptrack_replay: cannot count conflicting pairs\n");
		return 2;
	}
	if (list_orders && mt_sim_attach(H->sim, &orders_observer, NULL)) {
		fprintf(stderr, "maptrack_replay: cannot list orders\n");
		return 2;
	}
	if (list_orders)
		t.quiet = 1;
	for (int i = 0; i < nfiles; i++)
		if (mt_harness_each_file("maptrack_replay", files[i], check ? check_one : replay_one, &t) < 0)
			missing = 1;
	if (list_orders) {
		print_orders();
		return missing ? 2 : 0;
	}
	if (check) {
		printf("SUMMARY mode=check-converted impl=%s files=%u clean=%u findings=%u mismatches=%u unreadable=%u\n",
		       ops->name, t.files, t.clean, t.findings, t.mismatches, t.unreadable);
		return missing || t.unreadable ? 2 : t.mismatches ? 1 : 0;
	}
	if (cf) {
		FILE *f = fopen(conflicts_out, "w");
		if (!f) {
			fprintf(stderr, "maptrack_replay: cannot write %s: %s\n", conflicts_out, strerror(errno));
			return 2;
		}
		mt_conflicts_write(cf, f);
		fclose(f);
	}
	char counts[2048] = "";
	if (use_known) {
		mt_harness_known_counts(H, counts, sizeof(counts));
		mt_harness_print_stale(H, stdout);
	}
	printf("SUMMARY impl=%s files=%u clean=%u findings=%u%s%s", ops->name, t.files, t.clean,
	       t.findings, expect ? " expect=finding" : "", counts);
	if (cf)
		printf(" conflicting_pairs=%u", mt_conflicts_count(cf));
	printf("\n");
	if (missing || t.unreadable)
		return 2;
	if (expect)
		return t.files > 0 && t.findings == t.files ? 0 : 1;
	if (t.findings > t.known)
		return 1;
	return t.findings ? 3 : 0;
}
