/*
 * coverage_main.c - maptrack_coverage: replay a corpus with the
 * simulator's interleaving counters on and report which (preempted
 * schedule point, next schedule point) pairs were reached.  tools/coverage
 * builds it with clang source-based coverage for the line report too.
 *
 *   maptrack_coverage [--impl NAME] --out DIR FILE|DIR...
 *       writes DIR/pairs.html (matrix of site names) and DIR/pairs.tsv
 *       (preempted<TAB>next<TAB>switches).  A directory means every
 *       regular file in it (not recursive).  A crash of the library is
 *       one finding, not the end of the replay.
 * Last line: SUMMARY corpus=N findings=N pairs=N possible=N impl=NAME
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/harness.h"
#include "fuzz/input.h"
#include "fuzz/sim.h"
#include "fuzz/triage.h"
#include "lib/mt_sites.h"

static uint8_t counters[64 * 64];
static unsigned long long total[64 * 64];
static struct mt_program prog;
static unsigned nfiles, nfindings, nerrors;

static void replay_file(const char *path, const struct mt_ops *ops)
{
	char err[512];
	struct mt_tri_verdict v;

	if (mt_tri_load(path, &prog, err, sizeof(err))) {
		fprintf(stderr, "coverage: skipped: %s\n", err);
		nerrors++;
		return;
	}
	memset(counters, 0, sizeof(counters));
	mt_tri_run(&prog, ops, &v);
	nfiles++;
	nfindings += (unsigned)v.flagged;
	for (unsigned i = 0; i < 64 * 64; i++)
		total[i] += counters[i];
	if (nfiles % 500 == 0)
		fprintf(stderr, "coverage: %u inputs replayed\n", nfiles);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path, const struct mt_ops *ops)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "coverage: no such file or directory: %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path, ops);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "coverage: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		size_t l = strlen(de->d_name);
		if ((l > 5 && !strcmp(de->d_name + l - 5, ".dict")) || (l > 8 && !strcmp(de->d_name + l - 8, ".options")))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
		}
		size_t len = strlen(path) + l + 2;
		names[n] = malloc(len);
		if (!names[n])
			abort();
		snprintf(names[n], len, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat fst;
		if (!stat(names[i], &fst) && S_ISREG(fst.st_mode))
			replay_file(names[i], ops);
		free(names[i]);
	}
	free(names);
	return 0;
}

static const char *id(int s)
{
	const char *x = mt_in_site_id(s);
	return x ? x : "?";
}

static int write_reports(const char *dir, const struct mt_ops *ops, unsigned *pairs, unsigned *possible)
{
	char path[4096];
	int used[64] = { 0 };
	unsigned nsites = MT_SITE_COUNT < 64 ? MT_SITE_COUNT : 64;

	*pairs = 0;
	for (unsigned a = 0; a < 64; a++)
		for (unsigned b = 0; b < 64; b++)
			if (total[a * 64 + b]) {
				(*pairs)++;
				used[a] = used[b] = 1;
			}
	/* NONE (site 0) is never a schedule point */
	*possible = (nsites - 1) * (nsites - 1);
	snprintf(path, sizeof(path), "%s/pairs.tsv", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "coverage: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "preempted\tnext\tswitches\n");
	for (unsigned a = 0; a < 64; a++)
		for (unsigned b = 0; b < 64; b++)
			if (total[a * 64 + b])
				fprintf(f, "%s\t%s\t%llu\n", id((int)a), id((int)b), total[a * 64 + b]);
	fclose(f);

	snprintf(path, sizeof(path), "%s/pairs.html", dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "coverage: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>interleaving coverage</title>\n"
	           "<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;font-size:11px}"
	           "td,th{border:1px solid #ddd;padding:2px 4px;text-align:center;min-width:18px}"
	           "th.row{text-align:right;white-space:nowrap}th.col{writing-mode:vertical-rl;transform:rotate(180deg);"
	           "white-space:nowrap;height:auto}td.hit{background:#2e9e44;color:#fff}td.z{background:#fafafa;color:#ccc}"
	           "</style></head><body>\n");
	fprintf(f, "<h2>Interleaving coverage: (preempted schedule point, next schedule point)</h2>\n");
	fprintf(f, "<p>impl <b>%s</b>; %u inputs replayed (%u findings); <b>%u</b> distinct pairs reached of "
	           "%u site pairs (%u sites; most pairs are impossible for any implementation).  Rows: the point "
	           "where a VCPU was stopped; columns: the point the next VCPU ran to.  Cells: number of "
	           "switches over the corpus (each input counts at most 255 per pair).</p>\n",
	        ops->name, nfiles, nfindings, *pairs, *possible, nsites - 1);
	fprintf(f, "<table><tr><th></th>");
	for (unsigned b = 1; b < nsites; b++)
		fprintf(f, "<th class=\"col\" title=\"%s\">%s</th>", mt_site_name((int)b), id((int)b));
	fprintf(f, "</tr>\n");
	for (unsigned a = 1; a < nsites; a++) {
		fprintf(f, "<tr><th class=\"row\" title=\"%s\">%s</th>", mt_site_name((int)a), id((int)a));
		for (unsigned b = 1; b < nsites; b++) {
			unsigned long long n = total[a * 64 + b];
			if (n)
				fprintf(f, "<td class=\"hit\" title=\"%s -> %s: %llu\">%llu</td>", id((int)a), id((int)b), n, n);
			else
				fprintf(f, "<td class=\"z\">.</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n<h3>Sites never involved in a switch</h3>\n<p>");
	for (unsigned s = 1; s < nsites; s++)
		if (!used[s])
			fprintf(f, "%s (%s)<br>\n", id((int)s), mt_site_name((int)s));
	fprintf(f, "</p></body></html>\n");
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *impl_name = getenv("MT_IMPL"), *out = NULL;
	char **paths = calloc((size_t)argc, sizeof(*paths));
	int npaths = 0;

	if (!paths)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc) {
			impl_name = argv[++i];
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: maptrack_coverage [--impl NAME] --out DIR FILE|DIR...\n");
			free(paths);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "coverage: unknown or incomplete flag '%s'\n", argv[i]);
			free(paths);
			return 2;
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (!out || !npaths) {
		fprintf(stderr, "usage: maptrack_coverage [--impl NAME] --out DIR FILE|DIR...\n");
		free(paths);
		return 2;
	}
	if (!impl_name || !*impl_name)
		impl_name = "production";
	const struct mt_ops *ops = mt_harness_impl(impl_name);
	if (!ops) {
		fprintf(stderr, "coverage: unknown implementation '%s'\n", impl_name);
		free(paths);
		return 2;
	}
	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "coverage: cannot create %s: %s\n", out, strerror(errno));
		free(paths);
		return 2;
	}
	mt_sim_pair_counters = counters;
	int missing = 0;
	for (int i = 0; i < npaths; i++)
		missing |= replay_path(paths[i], ops) != 0;
	free(paths);
	unsigned pairs, possible;
	if (write_reports(out, ops, &pairs, &possible))
		return 2;
	printf("SUMMARY corpus=%u findings=%u pairs=%u possible=%u impl=%s report=%s/pairs.html\n", nfiles, nfindings,
	       pairs, possible, ops->name, out);
	return missing ? 2 : 0;
}
