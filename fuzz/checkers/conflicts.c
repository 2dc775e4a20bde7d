/* conflicts.c - conflicting pairs of sites (see conflicts.h). */
#include "fuzz/checkers/conflicts.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mt_access.h"

#define SLOTS 4096u              /* addresses per run (power of two) */
#define SEEN 6u                  /* accessors kept per address */
#define MAX_SITES 1024u          /* pairs are kept for the first 1024 sites */

struct seen {
	uint16_t site;
	uint8_t vcpu, write;
};

struct slot {
	const void *addr;
	unsigned n;
	struct seen s[SEEN];
};

struct mt_conflicts {
	const struct mt_site *const *sites;  /* of the last run (names) */
	unsigned nr_sites;
	unsigned count;
	uint8_t pair[MAX_SITES * MAX_SITES / 8];   /* bit a * MAX_SITES + b: a's access, then b's */
	unsigned used[SLOTS], nr_used;
	struct slot slot[SLOTS];
};

struct mt_conflicts *mt_conflicts_new(void)
{
	return calloc(1, sizeof(struct mt_conflicts));
}

void mt_conflicts_free(struct mt_conflicts *c)
{
	free(c);
}

unsigned mt_conflicts_count(const struct mt_conflicts *c)
{
	return c->count;
}

static void begin(void *ctx, struct mt_sim *sim)
{
	struct mt_conflicts *c = ctx;

	for (unsigned i = 0; i < c->nr_used; i++)
		c->slot[c->used[i]].addr = NULL;
	c->nr_used = 0;
	c->sites = mt_sim_sites(sim);
	c->nr_sites = mt_sim_nr_sites(sim);
}

/* Ordered: a, the earlier access, then b. */
static void mark(struct mt_conflicts *c, unsigned a, unsigned b)
{
	if (a >= MAX_SITES || b >= MAX_SITES)
		return;
	size_t bit = (size_t)a * MAX_SITES + b;
	if (!(c->pair[bit / 8] & (1u << (bit % 8)))) {
		c->pair[bit / 8] |= (uint8_t)(1u << (bit % 8));
		c->count++;
	}
}

static void access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr, unsigned acc)
{
	struct mt_conflicts *c = ctx;
	unsigned op = acc & MT_ACC_OP_MASK;

	(void)sim;
	if (op == MT_ACC_NONE || !addr || site >= MAX_SITES)
		return;
	int write = (op & MT_ACC_STORE) != 0;
	unsigned h = (unsigned)(((uintptr_t)addr >> 2) * 0x9e3779b1u) & (SLOTS - 1);
	struct slot *s = NULL;
	for (unsigned probe = 0; probe < 32; probe++, h = (h + 1) & (SLOTS - 1)) {
		if (c->slot[h].addr == addr) {
			s = &c->slot[h];
			break;
		}
		if (!c->slot[h].addr) {
			s = &c->slot[h];
			s->addr = addr;
			s->n = 0;
			c->used[c->nr_used++] = h;
			break;
		}
	}
	if (!s)
		return;                  /* table full: this address is not counted */
	int have = 0;
	for (unsigned i = 0; i < s->n; i++) {
		const struct seen *e = &s->s[i];
		if (e->vcpu != v && (e->write || write))
			mark(c, e->site, site);
		have |= e->vcpu == v && e->site == site && e->write == write;
	}
	if (have)
		return;
	struct seen e = { (uint16_t)site, (uint8_t)v, (uint8_t)write };
	if (s->n < SEEN)
		s->s[s->n++] = e;
	else
		s->s[(site + v) % SEEN] = e;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

unsigned mt_conflicts_write(const struct mt_conflicts *c, FILE *out)
{
	char **lines = malloc((c->count + 1) * sizeof(*lines));
	unsigned n = 0;

	if (!lines)
		return 0;
	for (unsigned a = 0; a < c->nr_sites && a < MAX_SITES; a++)
		for (unsigned b = 0; b < c->nr_sites && b < MAX_SITES; b++) {
			size_t bit = (size_t)a * MAX_SITES + b;
			if (!(c->pair[bit / 8] & (1u << (bit % 8))) || n == c->count)
				continue;
			size_t len = strlen(c->sites[a]->id) + strlen(c->sites[b]->id) + 2;
			lines[n] = malloc(len);
			if (!lines[n])
				break;
			snprintf(lines[n], len, "%s\t%s", c->sites[a]->id, c->sites[b]->id);
			n++;
		}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (unsigned i = 0; i < n; i++) {
		fprintf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return n;
}

const struct mt_sim_observer mt_conflicts_observer = {
	.name = "conflicting pairs",
	.begin = begin,
	.access = access,
};
