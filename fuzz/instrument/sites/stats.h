/* stats.h - an unrelated counter linked into treiber_plus (stats.c). */
#ifndef MT_SITES_TEST_STATS_H
#define MT_SITES_TEST_STATS_H

struct stats {
	unsigned long calls, total;
	unsigned max;
};

void stats_note(struct stats *s, unsigned n);
extern struct stats stats_at_start;

#endif /* MT_SITES_TEST_STATS_H */
