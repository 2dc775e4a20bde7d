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

#include "fuzz/drivers/harness.h"
#include "fuzz/triage/triage.h"

/* counters[a * nsites + b]: switches from a VCPU stopped before site a to
 * one that ran to site b (this run; total: the corpus).  Sized from the
 * implementation's site tables. */
static uint8_t *counters;
static unsigned long long *total;
static unsigned nsites;
static const struct mt_in_sites *sites;
static struct mt_program prog;
static unsigned nfiles, nfindings, nerrors;

static void replay_file(void *ctx, const char *path)
{
	const struct mt_ops *ops = ctx;
	char err[512];
	struct mt_tri_verdict v;

	if (mt_tri_load(path, ops, &prog, err, sizeof(err))) {
		fprintf(stderr, "coverage: skipped: %s\n", err);
		nerrors++;
		return;
	}
	memset(counters, 0, (size_t)nsites * nsites);
	mt_tri_run(&prog, ops, &v);
	nfiles++;
	nfindings += (unsigned)v.flagged;
	for (size_t i = 0; i < (size_t)nsites * nsites; i++)
		total[i] += counters[i];
	if (nfiles % 500 == 0)
		fprintf(stderr, "coverage: %u inputs replayed\n", nfiles);
}

static const char *id(unsigned s)
{
	const struct mt_site *site = mt_in_site(sites, s);
	return site ? site->id : "?";
}

static const char *text_of(unsigned s)
{
	const struct mt_site *site = mt_in_site(sites, s);
	return site ? site->text : "?";
}

static int write_reports(const char *dir, const struct mt_ops *ops, unsigned *pairs, unsigned *possible)
{
	char path[4096];
	char *used = calloc(nsites, 1);

	if (!used)
		return -1;
	*pairs = 0;
	for (unsigned a = 0; a < nsites; a++)
		for (unsigned b = 0; b < nsites; b++)
			if (total[a * nsites + b]) {
				(*pairs)++;
				used[a] = used[b] = 1;
			}
	*possible = nsites * nsites;
	snprintf(path, sizeof(path), "%s/pairs.tsv", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "coverage: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "preempted\tnext\tswitches\n");
	for (unsigned a = 0; a < nsites; a++)
		for (unsigned b = 0; b < nsites; b++)
			if (total[a * nsites + b])
				fprintf(f, "%s\t%s\t%llu\n", id(a), id(b), total[a * nsites + b]);
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
	        ops->name, nfiles, nfindings, *pairs, *possible, nsites);
	fprintf(f, "<table><tr><th></th>");
	for (unsigned b = 0; b < nsites; b++)
		fprintf(f, "<th class=\"col\" title=\"%s\">%s</th>", text_of(b), id(b));
	fprintf(f, "</tr>\n");
	for (unsigned a = 0; a < nsites; a++) {
		fprintf(f, "<tr><th class=\"row\" title=\"%s\">%s</th>", text_of(a), id(a));
		for (unsigned b = 0; b < nsites; b++) {
			unsigned long long n = total[a * nsites + b];
			if (n)
				fprintf(f, "<td class=\"hit\" title=\"%s -> %s: %llu\">%llu</td>", id(a), id(b), n, n);
			else
				fprintf(f, "<td class=\"z\">.</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n<h3>Sites never involved in a switch</h3>\n<p>");
	for (unsigned s = 0; s < nsites; s++)
		if (!used[s])
			fprintf(f, "%s (%s)<br>\n", id(s), text_of(s));
	fprintf(f, "</p></body></html>\n");
	fclose(f);
	free(used);
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
	struct mt_harness *h = mt_tri_harness(ops);
	sites = &h->sites;
	nsites = h->sites.count;
	counters = calloc((size_t)nsites * nsites, 1);
	total = calloc((size_t)nsites * nsites, sizeof(*total));
	if (!counters || !total) {
		fprintf(stderr, "coverage: out of memory for %u x %u pair counters\n", nsites, nsites);
		return 2;
	}
	/* nsites * nsites counters: mt_sim_pair_index() is exact. */
	mt_sim_set_pair_counters(h->sim, counters, (size_t)nsites * nsites);
	int missing = 0;
	for (int i = 0; i < npaths; i++)
		missing |= mt_harness_each_file("coverage", paths[i], replay_file, (void *)ops) < 0;
	free(paths);
	unsigned pairs, possible;
	if (write_reports(out, ops, &pairs, &possible))
		return 2;
	printf("SUMMARY corpus=%u findings=%u pairs=%u possible=%u impl=%s report=%s/pairs.html\n", nfiles, nfindings,
	       pairs, possible, ops->name, out);
	return missing ? 2 : 0;
}
