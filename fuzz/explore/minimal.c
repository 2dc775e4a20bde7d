/* minimal.c - iterative deepening and known signatures (see minimal.h). */
#include "fuzz/explore/minimal.h"

#include <stdio.h>
#include <string.h>

int mt_xp_minimal_new(struct mt_xp_minimal *m, const char *sig)
{
	if (mt_known_match(m->known, sig)) {
		m->n_known++;
		return 0;
	}
	for (unsigned i = 0; i < m->nsigs && i < 32; i++)
		if (!strcmp(m->sigs[i], sig)) {
			m->n_repeat++;
			return 0;
		}
	if (m->nsigs < 32)
		snprintf(m->sigs[m->nsigs], MT_SIG_MAX, "%s", sig);
	m->nsigs++;
	return 1;
}

int mt_xp_minimal_explore(struct mt_xp_minimal *m, const struct mt_xp_scenario *sc,
                          const struct mt_xp_config *cfg, struct mt_xp_stats *st)
{
	static struct mt_xp_scenario pre;
	struct mt_xp_stats one;
	unsigned maxn = 0;

	memset(st, 0, sizeof(*st));
	st->complete = 1;
	for (unsigned v = 0; v < sc->hdr.nr_vcpus; v++)
		if (sc->nr_ops[v] > maxn)
			maxn = sc->nr_ops[v];
	for (unsigned k = 0; k <= m->max_k; k++) {
		for (unsigned n = 1; n <= maxn; n++) {
			struct mt_xp_config c = *cfg;
			pre = *sc;
			for (unsigned v = 0; v < pre.hdr.nr_vcpus; v++)
				if (pre.nr_ops[v] > n)
					pre.nr_ops[v] = n;
			c.preemptions = k;
			m->cur_k = k;
			m->cur_n = n;
			unsigned before = m->nsigs;
			if (mt_xp_explore(&pre, &c, &one)) {
				*st = one;
				return -1;
			}
			st->schedules += one.schedules;
			st->violations += one.violations;
			st->pruned += one.pruned;
			st->budget_cut += one.budget_cut;
			st->decisions += one.decisions;
			if (one.max_depth > st->max_depth)
				st->max_depth = one.max_depth;
			st->complete &= one.complete;
			if (m->nsigs > before && !m->first_set) {
				m->first_set = 1;
				m->first_k = k;
				m->first_n = n;
			}
			if ((m->nsigs > before && !m->all) || (m->stop && *m->stop))
				return 0;
			if (!m->quiet)
				fprintf(stderr, "explore: k=%u, %u operation(s) per VCPU: %llu schedules, "
				        "%lu known, %u new signature(s) so far\n", k, n,
				        (unsigned long long)one.schedules, m->n_known, m->nsigs);
		}
	}
	return 0;
}

void mt_xp_minimal_summary(const struct mt_xp_minimal *m, char *buf, size_t cap)
{
	size_t n;

	if (m->nsigs)
		n = (size_t)snprintf(buf, cap, " minimal=1 first_k=%u first_ops=%u known=%lu new=%u new_sigs=",
		                     m->first_k, m->first_n, m->n_known, m->nsigs);
	else
		n = (size_t)snprintf(buf, cap, " minimal=1 first_k=- first_ops=- known=%lu new=0 new_sigs=",
		                     m->n_known);
	for (unsigned i = 0; i < m->nsigs && i < 32 && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", m->sigs[i]);
	if (!m->nsigs && n < cap)
		snprintf(buf + n, cap - n, "-");
}

int mt_xp_minimal_status(const struct mt_xp_minimal *m)
{
	return m->nsigs ? 1 : m->n_known ? 3 : 0;
}
