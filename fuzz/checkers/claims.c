/* claims.c - finding I11 (see claims.h). */
#include "fuzz/checkers/claims.h"

#include <stdlib.h>

/* A private access still in force. */
struct claim {
	const void *addr;
	unsigned kind;           /* enum mt_site_kind bits */
	unsigned site;
};

#define MAX_CLAIMS 32u

struct mt_claims {
	int on;
	unsigned overflows;
	unsigned nr_vcpus, nr_sites;         /* of the run (begin) */
	const struct mt_site *const *sites;
	unsigned nr[MT_IN_MAX_VCPUS];
	uint64_t mask[MT_IN_MAX_VCPUS];      /* filter: bit of each claimed address */
	struct claim c[MT_IN_MAX_VCPUS][MAX_CLAIMS];
};

/* One bit per address (word granularity): a claim of another VCPU on addr
 * is possible only if its mask has the bit. */
static inline uint64_t addr_bit(const void *addr)
{
	return 1ull << (((uintptr_t)addr >> 2) & 63u);
}

struct mt_claims *mt_claims_new(void)
{
	struct mt_claims *c = calloc(1, sizeof(*c));

	if (c)
		c->on = 1;
	return c;
}

void mt_claims_free(struct mt_claims *c)
{
	free(c);
}

void mt_claims_enable(struct mt_claims *c, int on)
{
	c->on = on;
}

int mt_claims_enabled(const struct mt_claims *c)
{
	return c->on;
}

unsigned mt_claims_overflows(const struct mt_claims *c)
{
	return c->overflows;
}

static void begin(void *ctx, struct mt_sim *sim)
{
	struct mt_claims *c = ctx;

	c->overflows = 0;
	c->nr_vcpus = mt_sim_program(sim)->nr_vcpus;
	c->nr_sites = mt_sim_nr_sites(sim);
	c->sites = mt_sim_sites(sim);
	for (unsigned v = 0; v < MT_IN_MAX_VCPUS; v++) {
		c->nr[v] = 0;
		c->mask[v] = 0;
	}
}

/* An operation starts or ends with no claim in force. */
static void op_edge(void *ctx, struct mt_sim *sim, unsigned v, struct mt_sim_op *op)
{
	struct mt_claims *c = ctx;

	(void)sim;
	(void)op;
	c->nr[v] = 0;
	c->mask[v] = 0;
}

/* VCPU v makes the access of site at addr now.  A claim of another VCPU on
 * the same memory, with a write on either side, is a finding; then v's own
 * claims grow (a private access) or end (a shared access). */
static void access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr,
                   unsigned acc)
{
	struct mt_claims *c = ctx;

	(void)acc;                   /* the site's kind says what a claim needs */
	if (!c->on)
		return;
	unsigned kind = site < c->nr_sites ? c->sites[site]->kind : MT_SK_RW;
	unsigned nv = c->nr_vcpus;
	uint64_t bit = addr_bit(addr), others = 0;

	for (unsigned u = 0; u < nv; u++)
		others |= u == v ? 0 : c->mask[u];
	for (unsigned u = 0; u < nv && (others & bit); u++) {
		if (u == v || !(c->mask[u] & bit))
			continue;
		for (unsigned i = 0; i < c->nr[u]; i++) {
			const struct claim *cl = &c->c[u][i];
			if (cl->addr != addr || !((cl->kind | kind) & MT_SK_W))
				continue;
			mt_sim_blame_pair(sim, (int)cl->site, (int)site);
			mt_sim_fail(sim, "I11", MT_INVALID_HANDLE,
			            "v%u '%s' %s memory that v%u holds privately since its '%s' "
			            "(no other VCPU may touch it before v%u's next shared access)",
			            v, mt_sim_site_text(sim, (int)site), kind & MT_SK_W ? "writes" : "reads",
			            u, mt_sim_site_text(sim, (int)cl->site), u);
			return;
		}
	}
	if (!(kind & MT_SK_P)) {
		c->nr[v] = 0;
		c->mask[v] = 0;
		return;
	}
	for (unsigned i = 0; i < c->nr[v]; i++) {
		struct claim *cl = &c->c[v][i];
		if (cl->addr == addr) {
			if ((kind & MT_SK_W) && !(cl->kind & MT_SK_W))
				cl->site = site;   /* name the write in reports */
			cl->kind |= kind;
			return;
		}
	}
	if (c->nr[v] == MAX_CLAIMS) {
		c->overflows++;
		return;
	}
	c->c[v][c->nr[v]++] = (struct claim){ addr, kind, site };
	c->mask[v] |= bit;
}

const struct mt_sim_observer mt_claims_observer = {
	.name = "claims (I11)",
	.begin = begin,
	.op_started = op_edge,
	.access = access,
	.op_returned = op_edge,
};
