/*
 * locks.c - read-only critical sections as one step (locks.h).
 *
 * A VCPU's critical section (its acquire of lock L, made in one step, to
 * its release of L, with no other lock held and no other VCPU's step in
 * between) whose accesses are only reads of locations that every run so
 * far wrote only while holding L (besides L itself) is told to the search
 * as ONE step (mt_dp_merge) whose footprint reads L: two such sections of
 * two VCPUs commute, and a section that writes keeps its acquire and
 * release as writes of L, ordered with every section on L.  Lipton's
 * reduction: the acquire is a right mover, the release a left mover, a
 * read of a location written only under L a both-mover (no other VCPU can
 * write it while L is held, and the merged step is only enabled with L
 * free, so it needs no place in the footprint: a write of it happens in
 * another section, after an acquire that writes L); at most one step of
 * the section may be a non-mover (anything else: an access of another
 * location, the operation's end, the claims' holds), and its footprint
 * joins the merged one.  The condition "written only under L" is
 * checked, not assumed: every run keeps, per location, the locks held at
 * every write (Eraser's lockset) and the read sites that read it under a
 * lock; a read site whose location is written without that lock, in any
 * run, is flagged for the rest of the exploration, and if a merge of this
 * search relied on it, the search starts again without it (LR.restart).
 * Under c11 the order of two sections also decides which stores later
 * loads may read (the lock's release/acquire pair carries each section's
 * past to the next).  The engine keeps a shadow of every clock without
 * the edges from one merged section to another (fuzz/engine/memory.h,
 * mt_sim_set_shadow; every other edge is in every order the reduction
 * takes as equivalent: a section that writes L is ordered with every
 * other).  A run in which some load could read more stores by its shadow
 * than by its clock (mt_sim_narrowed) relied on an order the reduction
 * did not explore: the search starts again without the reduction
 * (lock_narrowed).  Without one, every load of every equivalent order
 * has the same stores to read as the explored one or fewer (its clock
 * lies between its shadow and the explored clock), so the explored order
 * covers them.
 */
#include "fuzz/explore/locks.h"

#include <stdint.h>
#include <string.h>

#include "lib/mt_access.h"

#define LR_MAX_SITES 1024u
#define LR_MAX_LOCKS 16u
#define LR_SHADOW 1024u                  /* locations of one run (a power of 2) */
#define LR_PROT_MAX 16u

struct lr_loc {
	const void *a;
	uint32_t gen;                    /* the run that filled it */
	uint16_t wset;                   /* locks held at every write so far (bit: LR.locks index) */
	uint8_t nr;
	uint8_t writes;                  /* writes so far (2: more than one) */
	uint32_t wseq;                   /* LR.seq of the last write */
	struct { uint16_t site; uint8_t lock; } r[4];   /* read in a section at a site, relying on
	                                                  * lock (a lock index) or LR_ONCE */
};
#define LR_ONCE 0xffu                    /* "written at most once, before the section" */
#define LR_BY_LOCK 1u                    /* flagged, relied: bits per condition */
#define LR_BY_ONCE 2u

static struct {
	int on;
	uint8_t flagged[LR_MAX_SITES];   /* read site of a location written without its lock
	                                  * (LR_BY_LOCK), or twice or in or after the section
	                                  * (LR_BY_ONCE) */
	uint8_t relied[LR_MAX_SITES];    /* a merge of this search relied on it (same bits) */
	uint32_t seq;                    /* accesses made in this run */
	int restart;                     /* a relied-on site was flagged */
	uint32_t gen;
	unsigned nlocks;
	const void *locks[LR_MAX_LOCKS];
	uint16_t held[MT_IN_MAX_VCPUS];
	struct { const void *a; unsigned site; } pend[MT_IN_MAX_VCPUS][4];
	unsigned npend[MT_IN_MAX_VCPUS];
	struct lr_loc shadow[LR_SHADOW];
	unsigned nshadow;
	int full;                        /* the shadow overflowed (or too many locks): the
	                                  * lock reduction stops, the search starts again */
	struct {
		int active, ok;
		unsigned lock, head, nonmovers, nsites;
		uint32_t start;              /* LR.seq at its acquire */
		uint16_t sites[16];          /* read sites relied on (bit 15: by LR_ONCE) */
		struct mt_dp_fp fp;
	} cs[MT_IN_MAX_VCPUS];
	const void *prot[LR_PROT_MAX];   /* the section's reads of protected locations */
	unsigned nprot;
	int rel;                         /* the step released its section's lock */
	int c11;                         /* the run's model is c11: the clocks' shadow */
	struct mt_sim *sim;
	int unchecked;                   /* tests: every read under a lock taken as protected */
	int (*static_loc)(const void *a);   /* the driver's own locations (not the table's) */
	const struct mt_site *cls_site[LR_MAX_SITES];   /* lr_site_class()'s cache */
	uint8_t cls[LR_MAX_SITES];
} LR;

void mt_lr_run_begin(void)
{
	if (!LR.on)
		return;
	mt_sim_set_shadow(LR.sim, LR.c11);   /* the clocks' shadow (locks.h, c11) */
	LR.gen++;
	LR.nlocks = 0;
	LR.nshadow = 0;
	LR.full = 0;
	memset(LR.held, 0, sizeof(LR.held));
	memset(LR.npend, 0, sizeof(LR.npend));
	for (unsigned v = 0; v < MT_IN_MAX_VCPUS; v++)
		LR.cs[v].active = 0;
	LR.nprot = 0;
	LR.rel = 0;
}

static void lr_flag(unsigned site, unsigned why)
{
	if (site >= LR_MAX_SITES || (LR.flagged[site] & why))
		return;
	LR.flagged[site] |= (uint8_t)why;
	if (LR.relied[site] & why)
		LR.restart = 1;
}

static struct lr_loc *lr_loc(const void *a)
{
	unsigned h = (unsigned)(((uintptr_t)a >> 2) * 2654435761u) & (LR_SHADOW - 1);
	for (unsigned i = 0; i < LR_SHADOW; i++, h = (h + 1) & (LR_SHADOW - 1)) {
		struct lr_loc *e = &LR.shadow[h];
		if (e->gen != LR.gen) {
			if (LR.nshadow >= LR_SHADOW / 2)
				break;
			LR.nshadow++;
			e->gen = LR.gen;
			e->a = a;
			e->wset = 0xffff;
			e->nr = 0;
			e->writes = 0;
			e->wseq = 0;
			return e;
		}
		if (e->a == a)
			return e;
	}
	LR.full = 1;
	return NULL;
}

static int lr_lock_index(const void *a, int add)
{
	for (unsigned i = 0; i < LR.nlocks; i++)
		if (LR.locks[i] == a)
			return (int)i;
	if (!add || LR.nlocks == LR_MAX_LOCKS)
		return -1;
	LR.locks[LR.nlocks] = a;
	return (int)LR.nlocks++;
}

void mt_lr_point(unsigned v, unsigned site, const void *addr)
{
	if (LR.npend[v] == 4) {
		memmove(&LR.pend[v][0], &LR.pend[v][1], 3 * sizeof(LR.pend[v][0]));
		LR.npend[v] = 3;
	}
	LR.pend[v][LR.npend[v]].a = addr;
	LR.pend[v][LR.npend[v]++].site = site;
}

static int lr_protected(const void *a);

/* A lock site by its name (..._LOCK, ..._UNLOCK), looked up once per
 * site: two strstr() per access were 4% of a bound-free run. */
enum { LR_UNKNOWN, LR_PLAIN, LR_LOCK, LR_UNLOCK };

static unsigned lr_site_class(unsigned site)
{
	const struct mt_site *s = mt_sim_site(LR.sim, site);
	if (LR.cls_site[site] == s && LR.cls[site] != LR_UNKNOWN)
		return LR.cls[site];
	const char *id = s && s->id ? s->id : "";
	unsigned c = strstr(id, "UNLOCK") ? LR_UNLOCK : strstr(id, "LOCK") ? LR_LOCK : LR_PLAIN;
	LR.cls_site[site] = s;
	LR.cls[site] = (uint8_t)c;
	return c;
}

/* v made an access (its after callback: acc says what it did). */
void mt_lr_access(unsigned v, const void *addr, unsigned acc)
{
	unsigned site = LR_MAX_SITES;
	for (unsigned i = LR.npend[v]; i-- > 0;)
		if (LR.pend[v][i].a == addr) {
			site = LR.pend[v][i].site;
			memmove(&LR.pend[v][i], &LR.pend[v][i + 1], (LR.npend[v] - i - 1) * sizeof(LR.pend[v][0]));
			LR.npend[v]--;
			break;
		}
	unsigned op = acc & MT_ACC_OP_MASK;
	LR.seq++;
	unsigned cls = site < LR_MAX_SITES ? lr_site_class(site) : LR_PLAIN;
	int unlock = cls == LR_UNLOCK, lock = cls == LR_LOCK;
	if (lock && op == MT_ACC_RMW) {
		int li = lr_lock_index(addr, 1);
		if (li < 0) {
			LR.full = 1;
			return;
		}
		if (LR.held[v]) {
			LR.cs[v].ok = 0;     /* nested: the outer section is not merged */
		} else {
			LR.cs[v].active = 1;
			LR.cs[v].ok = 1;
			LR.cs[v].lock = (unsigned)li;
			LR.cs[v].head = mt_dp_depth() - 1;
			LR.cs[v].nonmovers = 0;
			LR.cs[v].nsites = 0;
			LR.cs[v].start = LR.seq;
			LR.nprot = 0;
			mt_dp_fp_clear(&LR.cs[v].fp);
			mt_dp_fp_add(&LR.cs[v].fp, addr, 0);
		}
		LR.held[v] |= (uint16_t)(1u << li);
		return;
	}
	int li = lr_lock_index(addr, 0);
	if (li >= 0) {
		if (unlock && op == MT_ACC_STORE && (LR.held[v] >> li & 1u)) {
			LR.held[v] &= (uint16_t)~(1u << li);
			if (LR.cs[v].active && LR.cs[v].lock == (unsigned)li)
				LR.rel = 1;
			else if (LR.c11)
				mt_sim_section_end(LR.sim, v, addr, 0);
		} else if (op != MT_ACC_LOAD) {
			LR.cs[v].ok = 0;     /* a lock word written otherwise */
		}
		return;                  /* a failed attempt reads the lock word */
	}
	if (op == MT_ACC_NONE)
		return;
	struct lr_loc *e = lr_loc(addr);
	if (op != MT_ACC_LOAD) {
		LR.cs[v].ok = 0;         /* a section that writes: not merged */
		if (e) {
			e->wset &= LR.held[v];
			e->writes = (uint8_t)(e->writes < 2 ? e->writes + 1 : 2);
			e->wseq = LR.seq;
			for (unsigned i = 0; i < e->nr; i++)
				if (e->r[i].lock == LR_ONCE)
					lr_flag(e->r[i].site, LR_BY_ONCE);   /* written after the read */
				else if (!(e->wset >> e->r[i].lock & 1u))
					lr_flag(e->r[i].site, LR_BY_LOCK);
		}
		return;
	}
	if (!LR.cs[v].active || LR.held[v] != (uint16_t)(1u << LR.cs[v].lock) || !e || site >= LR_MAX_SITES)
		return;
	unsigned l = LR.cs[v].lock;
	if (LR.unchecked) {
		/* the broken reduction of the tests: every read under a lock
		 * taken as protected, unchecked */
		if (LR.nprot < LR_PROT_MAX)
			LR.prot[LR.nprot++] = addr;
		else
			LR.cs[v].ok = 0;
		return;
	}
	/* protected by its lock (every write of it so far under l), else
	 * written at most once and before this section (LR_ONCE) */
	if (!(e->wset >> l & 1u))
		lr_flag(site, LR_BY_LOCK);
	if (!(e->writes == 0 || (e->writes == 1 && e->wseq < LR.cs[v].start)))
		lr_flag(site, LR_BY_ONCE);
	unsigned by = !(LR.flagged[site] & LR_BY_LOCK) ? LR_BY_LOCK
	            : !(LR.flagged[site] & LR_BY_ONCE) ? LR_BY_ONCE : 0;
	if (!by)
		return;                  /* not protected: a non-mover */
	unsigned rl = by == LR_BY_LOCK ? l : LR_ONCE;
	unsigned i;
	for (i = 0; i < e->nr; i++)
		if (e->r[i].site == site && e->r[i].lock == rl)
			break;
	if (i == e->nr) {
		if (e->nr == 4)
			return;              /* not remembered: not relied on */
		e->r[e->nr].site = (uint16_t)site;
		e->r[e->nr++].lock = (uint8_t)rl;
	}
	if (!lr_protected(addr)) {
		if (LR.nprot < LR_PROT_MAX)
			LR.prot[LR.nprot++] = addr;
		else
			LR.cs[v].ok = 0;
	}
	if (LR.cs[v].nsites < 16)
		LR.cs[v].sites[LR.cs[v].nsites++] = (uint16_t)(site | (by == LR_BY_ONCE ? 0x8000u : 0));
	else
		LR.cs[v].ok = 0;
}

static int lr_protected(const void *a)
{
	for (unsigned i = 0; i < LR.nprot; i++)
		if (LR.prot[i] == a)
			return 1;
	return 0;
}

/* v's step (fp) was told to the search: a step of its section, maybe the
 * last (the release), which then merges the section if it may (1). */
int mt_lr_step_done(unsigned v, const struct mt_dp_fp *fp, int table_alive)
{
	int merged = 0;
	for (unsigned u = 0; u < MT_IN_MAX_VCPUS; u++)
		if (u != v && LR.cs[u].active)
			LR.cs[u].ok = 0;     /* another VCPU ran inside u's section */
	if (LR.cs[v].active) {
		const void *lk = LR.locks[LR.cs[v].lock];
		int mover = !fp->kr && !fp->kw && !fp->reads_all && !fp->overflow;
		for (unsigned i = 0; i < fp->n && mover; i++)
			if (fp->e[i].loc != lk && (fp->e[i].write || !lr_protected(fp->e[i].loc)))
				mover = 0;
		struct mt_dp_fp *m = &LR.cs[v].fp;
		if (!mover) {
			LR.cs[v].nonmovers++;
			for (unsigned i = 0; i < fp->n; i++)
				if (fp->e[i].loc != lk)
					mt_dp_fp_add(m, fp->e[i].loc, fp->e[i].write);
			m->kr |= fp->kr;
			m->kw |= fp->kw;
			m->any_write |= fp->any_write;
			m->reads_all |= fp->reads_all;
			m->overflow |= fp->overflow;
			m->driver |= fp->driver;
		}
		if (LR.rel) {
			LR.cs[v].active = 0;
			if (LR.cs[v].ok && LR.cs[v].nonmovers <= 1 && table_alive && !LR.full && !m->overflow &&
			    LR.held[v] == 0) {
				m->driver |= MT_LR_FP_MERGED;
				for (unsigned i = 0; i < m->n; i++)
					if (m->e[i].loc != lk && !LR.static_loc(m->e[i].loc))
						m->driver |= MT_LR_FP_EXTRA;
				if (!mt_dp_merge(mt_dp_depth() - LR.cs[v].head, m)) {
					for (unsigned i = 0; i < LR.cs[v].nsites; i++) {
						unsigned st = LR.cs[v].sites[i];
						LR.relied[st & 0x7fffu] |= (uint8_t)(st & 0x8000u ? LR_BY_ONCE : LR_BY_LOCK);
					}
					merged = 1;
				}
			}
			if (LR.c11)
				mt_sim_section_end(LR.sim, v, lk, merged);
		}
	}
	LR.rel = 0;
	return merged;
}

void mt_lr_search(struct mt_sim *sim, int on, int c11, int unchecked, int (*static_loc)(const void *a))
{
	LR.on = on;
	LR.c11 = c11;
	LR.sim = sim;
	LR.unchecked = unchecked;
	LR.static_loc = static_loc;
	memset(LR.flagged, 0, sizeof(LR.flagged));
	memset(LR.relied, 0, sizeof(LR.relied));
	LR.restart = 0;
}

int mt_lr_on(void)
{
	return LR.on;
}

int mt_lr_run_end(int *narrowed, int *off)
{
	*narrowed = LR.on && LR.c11 && mt_sim_narrowed(LR.sim);
	*off = 0;
	if (LR.on && (LR.full || *narrowed)) {
		/* a run touched more locations than the check keeps: its
		 * writes were not all seen; or, under c11, a load could read
		 * more stores had two merged sections traded places: no more
		 * merges, from the start */
		LR.on = 0;
		LR.restart = 1;
		*off = 1;
		mt_sim_set_shadow(LR.sim, 0);
	}
	return LR.restart;
}

void mt_lr_restarted(void)
{
	LR.restart = 0;
	memset(LR.relied, 0, sizeof(LR.relied));
}
