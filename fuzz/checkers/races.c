/* races.c - finding I12, data races by happens-before (see races.h). */
#include "fuzz/checkers/races.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz/engine/memory.h"
#include "lib/mt_access.h"

#define MAXV MT_IN_MAX_VCPUS


/* The shadow of one location: its last write and the reads since.  The
 * clocks (happens-before: release sequences, fences, hand-offs) and the
 * numbering of locations (mt_sim_loc) are the engine's memory model's
 * (fuzz/engine/memory.h). */
struct loc {
	int8_t wv;                   /* last writer; -1: none (the initial value) */
	uint8_t wplain, wop;         /* a plain write?; the kind of its operation */
	uint32_t wepoch;             /* the writer's own clock entry at the write */
	int32_t wsite;
	uint8_t rplain[MAXV], rop[MAXV];
	uint32_t repoch[MAXV];       /* 0: no read by that VCPU since the last write */
	int32_t rsite[MAXV];
};

struct mt_races {
	int off;
	unsigned nv;                 /* VCPUs of the run: reads of the others are never set */
	unsigned nr_locs;            /* shadows set up this run: loc[0..nr_locs) */
	unsigned untracked;
	struct loc loc[MT_MEM_LOCS];
};

struct mt_races *mt_races_new(void)
{
	return calloc(1, sizeof(struct mt_races));
}

void mt_races_free(struct mt_races *r)
{
	free(r);
}

void mt_races_enable(struct mt_races *r, int on)
{
	r->off = !on;
}

unsigned mt_races_untracked(const struct mt_races *r)
{
	return r->untracked;
}

static void begin(void *ctx, struct mt_sim *sim)
{
	struct mt_races *r = ctx;

	r->nr_locs = 0;
	r->untracked = 0;
	r->nv = mt_sim_program(sim)->nr_vcpus;
	if (r->nv > MAXV)
		r->nv = MAXV;
	if (!r->off)
		mt_sim_use_clocks(sim);
}

/* The shadow of location id (mt_sim_loc, mt_sim_loc2): the engine
 * numbers a run's locations densely in the order they are first touched,
 * so a number past the ones set up is a new location (and the next one). */
static struct loc *find(struct mt_races *r, int id)
{
	if (id < 0) {
		r->untracked++;
		return NULL;
	}
	while (r->nr_locs <= (unsigned)id) {
		struct loc *l = &r->loc[r->nr_locs++];
		memset(l, 0, sizeof(*l));
		l->wv = -1;
	}
	return &r->loc[id];
}

static const char *order_name(unsigned acc)
{
	switch (acc & MT_ACC_ORDER_MASK) {
	case MT_ACC_PLAIN:   return "plain";
	case MT_ACC_RELAXED: return "relaxed";
	case MT_ACC_ACQUIRE: return "acquire";
	case MT_ACC_RELEASE: return "release";
	case MT_ACC_ACQ_REL: return "acq_rel";
	default:             return "seq_cst";
	}
}

static const char *op_name(unsigned acc)
{
	switch (acc & MT_ACC_OP_MASK) {
	case MT_ACC_LOAD:  return "read";
	case MT_ACC_STORE: return "write";
	default:           return "read-modify-write";
	}
}

static void race(struct mt_sim *sim, unsigned v, int site, unsigned acc, unsigned u, unsigned uop, int usite,
                 int uplain, int uwrite)
{
	struct mt_sim_op *op = mt_sim_op_of(sim, v);

	mt_sim_blame_pair(sim, usite, site);    /* the signature names the two sites */
	mt_sim_fail(sim, "I12", MT_INVALID_HANDLE,
	            "data race: v%u %s '%s' (%s %s) and v%u %s's earlier '%s' (%s %s) touch the same "
	            "memory with no happens-before between them",
	            v, op ? mt_in_op_name(op->kind) : "?", mt_sim_site_text(sim, site), order_name(acc),
	            op_name(acc), u, mt_in_op_name(uop), mt_sim_site_text(sim, usite),
	            uplain ? "plain" : "atomic", uwrite ? "write" : "read");
}

/* v's access of the location shadowed by l; 1 if it races. */
static int check(struct mt_races *r, struct mt_sim *sim, struct loc *l, unsigned v, unsigned site,
                 unsigned acc)
{
	unsigned op = acc & MT_ACC_OP_MASK, order = acc & MT_ACC_ORDER_MASK;
	int plain = order == MT_ACC_PLAIN;
	int writes = op & MT_ACC_STORE;
	const uint32_t *vc = mt_sim_clock(sim, v);   /* the acquire of this access is in it */
	struct mt_sim_op *cur = mt_sim_op_of(sim, v);
	uint8_t kind = cur ? cur->kind : 0;

	/* The last write, unordered before this access, with a plain side. */
	if (l->wv >= 0 && (unsigned)l->wv != v && l->wepoch > vc[l->wv] && (plain || l->wplain)) {
		race(sim, v, (int)site, acc, (unsigned)l->wv, l->wop, l->wsite, l->wplain, 1);
		return 1;
	}
	if (writes) {
		for (unsigned u = 0; u < r->nv; u++)
			if (u != v && l->repoch[u] && l->repoch[u] > vc[u] && (plain || l->rplain[u])) {
				race(sim, v, (int)site, acc, u, l->rop[u], l->rsite[u], l->rplain[u], 0);
				return 1;
			}
		l->wv = (int8_t)v;
		l->wplain = (uint8_t)plain;
		l->wop = kind;
		l->wepoch = vc[v];
		l->wsite = (int32_t)site;
		memset(l->repoch, 0, sizeof(l->repoch));   /* every read so far is before it */
	} else {
		l->repoch[v] = vc[v];
		l->rplain[v] = (uint8_t)plain;
		l->rop[v] = kind;
		l->rsite[v] = (int32_t)site;
	}
	return 0;
}

static void access(void *ctx, struct mt_sim *sim, unsigned v, unsigned site, const void *addr, unsigned acc)
{
	struct mt_races *r = ctx;

	if ((acc & MT_ACC_OP_MASK) == MT_ACC_NONE || !addr || r->off)
		return;
	/* A 16-byte access is checked on both its 8-byte halves (a second
	 * location, mt_sim_loc2), so an 8-byte access of either half meets it. */
	int hi = mt_acc_bytes(acc) == 16 ? mt_sim_loc2(sim) : -1;
	struct loc *l = find(r, mt_sim_loc(sim));
	if (l && check(r, sim, l, v, site, acc))
		return;
	if (hi >= 0 && (l = find(r, hi)) != NULL)
		check(r, sim, l, v, site, acc);
}

const struct mt_sim_observer mt_races_observer = {
	.name = "races (I12)",
	.begin = begin,
	.access = access,
};
