/* memory.c - happens-before clocks and the c11 store histories (memory.h). */
#include "fuzz/engine/memory.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mt_access.h"

#define MAXV MT_IN_MAX_VCPUS
#define LOCS MT_MEM_LOCS          /* locations per run */
#define SLOTS (2u * LOCS)        /* index slots (a power of two; at most half full) */
#define SLOTS_MIN 1024u          /* the index in use starts this small (16 KB) */
#define HIST MT_MEM_HISTORY

/* A clock: entries [0, MAXV) are happens-before; [MAXV, 2 MAXV) its
 * shadow (mt_mem_set_shadow): the same edges but those from one merged
 * critical section to another (the explorer's lock reduction, which
 * lets two such sections trade places).  Every join moves both halves. */
#define SH MAXV
typedef uint32_t vclock[2 * MAXV];

struct store {
	uint64_t val;
	uint32_t seq;                /* position in the location's modification order */
	uint32_t epoch;              /* the writer's own clock entry at the store */
	int32_t site;
	int8_t v;                    /* writer; -1: before the run / unseen code */
	uint8_t has_sync;
	uint8_t mrel;                /* shadow: the release of a merged section (or its
	                              * continuation by an RMW) */
	vclock sync;                 /* clock of its release sequence */
	uint32_t seen[MAXV];         /* per VCPU: its own clock entry when it first read
	                              * or wrote this store or a later one (0: not yet) */
};

struct loc {
	const void *addr;            /* NULL: a free slot */
	uint8_t size;                /* bytes of the value (0: unknown: newest only) */
	uint8_t n;                   /* stores kept (1..HIST) */
	uint8_t newest;              /* index of the newest in h[] (a ring) */
	uint8_t wide;                /* a half of a 16-byte access this run: newest only */
	uint32_t seq;                /* seq of the newest */
	uint32_t seen[MAXV];         /* newest seq each VCPU read or wrote (coherence) */
	vclock lnm;                  /* shadow, a lock word: the releases of sections
	                              * that were not merged, joined */
	struct store h[HIST];
};

/* An access told to mt_mem_access() whose mt_mem_after() is to come.
 * They nest: an accessor's address may itself be computed by accesses
 * (mt_pv_entry() reads pages[]) between the two calls. */
struct pending {
	struct loc *loc;
	unsigned acc;                /* as the schedule point was told */
	int32_t site;
};
#define PEND 4u

struct vstate {
	vclock vc;
	uint8_t tick;                /* a release happened: advance own entry at the next event */
	uint8_t has_rel;             /* a release fence lends rel to relaxed stores */
	uint8_t npend;
	uint8_t last_allowed;        /* stores the last access could have read (0: not a load) */
	uint8_t nq, qhead;           /* queued read-from choices (a ring) */
	uint8_t q[MT_MEM_CHOICES];
	struct pending pend[PEND];
	vclock acq;                  /* sync of stores read relaxed (for an acquire fence) */
	vclock rel;
	uint8_t spend_on;            /* shadow: a lock acquired from a merged section's release */
	vclock spend;                /* ... what a section that is not merged joins at its end */
};

/* The index: address -> number of its location this run.  Kept apart
 * from the locations (16 bytes a slot), which are numbered densely in the
 * order a run first touches them: a run's few dozen locations share a few
 * cache lines instead of one far line each in a table of megabytes. */
struct slot {
	const void *addr;            /* NULL: free */
	uint32_t loc;
};

struct mt_mem {
	int c11;
	int shadow;                  /* mt_mem_set_shadow */
	unsigned narrowed;           /* loads narrowed by a merged-to-merged edge, this run */
	int last_loc;                /* the location of the last mt_mem_access(); -1: none */
	int last_loc2;               /* ... its upper half's, if 16 bytes (mt_mem_last_loc2) */
	struct vstate vs[MAXV];
	vclock sc;                   /* the seq_cst order's clock */
	vclock book[MT_IN_MAX_HANDLES];
	unsigned nr_locs, untracked;
	unsigned mask;               /* slots in use - 1: grows from SLOTS_MIN, at most half full */
	unsigned slot_of[LOCS];      /* each location's index slot, to free them */
	struct slot index[SLOTS];
	struct loc loc[LOCS];
};

struct mt_mem *mt_mem_new(void)
{
	struct mt_mem *m = calloc(1, sizeof(struct mt_mem));

	if (m)
		m->mask = SLOTS_MIN - 1;
	return m;
}

void mt_mem_free(struct mt_mem *m)
{
	free(m);
}

unsigned mt_mem_last_allowed(const struct mt_mem *m, unsigned v)
{
	return m->vs[v].last_allowed;
}

unsigned mt_mem_untracked(const struct mt_mem *m)
{
	return m->untracked;
}

const uint32_t *mt_mem_clock(const struct mt_mem *m, unsigned v)
{
	return m->vs[v].vc;
}

void mt_mem_begin(struct mt_mem *m, int c11)
{
	for (unsigned i = 0; i < m->nr_locs; i++)
		m->index[m->slot_of[i]].addr = NULL;
	m->nr_locs = 0;
	m->untracked = 0;
	m->last_loc = m->last_loc2 = -1;
	m->c11 = c11;
	memset(m->vs, 0, sizeof(m->vs));
	memset(m->sc, 0, sizeof(m->sc));
	m->narrowed = 0;
	for (unsigned v = 0; v < MAXV; v++)
		m->vs[v].vc[v] = m->vs[v].vc[SH + v] = 1;   /* epoch 0 means "before the run" */
}

static void join(vclock into, const uint32_t *from)
{
	for (unsigned i = 0; i < 2 * MAXV; i++) /* branch-free: vectorised */
		into[i] = from[i] > into[i] ? from[i] : into[i];
}

/* One half: [0, MAXV) (off 0) or the shadow (off SH). */
static void join_half(vclock into, const uint32_t *from, unsigned off)
{
	for (unsigned i = off; i < off + MAXV; i++)
		into[i] = from[i] > into[i] ? from[i] : into[i];
}

/* A release earlier in v's program: its own entry moves on now, so the
 * released clock does not cover what v does after it. */
static inline void catch_up(struct vstate *s, unsigned v)
{
	if (s->tick) {
		s->vc[v]++;
		s->vc[SH + v]++;
		s->tick = 0;
	}
}

uint64_t mt_mem_peek(const void *addr, unsigned size)
{
	switch (size) {
	case 1: return __atomic_load_n((const uint8_t *)addr, __ATOMIC_RELAXED);
	case 2: return __atomic_load_n((const uint16_t *)addr, __ATOMIC_RELAXED);
	case 4: return __atomic_load_n((const uint32_t *)addr, __ATOMIC_RELAXED);
	case 8: return __atomic_load_n((const uint64_t *)addr, __ATOMIC_RELAXED);
	default: return 0;
	}
}

static void write_val(void *val, unsigned size, uint64_t x)
{
	switch (size) {
	case 1: *(uint8_t *)val = (uint8_t)x; break;
	case 2: *(uint16_t *)val = (uint16_t)x; break;
	case 4: *(uint32_t *)val = (uint32_t)x; break;
	case 8: *(uint64_t *)val = x; break;
	default: break;
	}
}

/* Restart l's history with what memory holds, ordered before everyone. */
static void restart(struct loc *l, const void *addr, unsigned size)
{
	l->size = (uint8_t)size;
	l->n = 1;
	l->newest = 0;
	l->seq = 1;
	l->h[0].v = -1;
	l->h[0].site = -1;
	l->h[0].seq = 1;
	l->h[0].epoch = 0;
	l->h[0].has_sync = 0;
	l->h[0].mrel = 0;
	memset(l->lnm, 0, sizeof(l->lnm));
	l->h[0].val = mt_mem_peek(addr, size);
	if (size) {                  /* the c11 fields (sc tracks no sizes) */
		memset(l->seen, 0, sizeof(l->seen));
		memset(l->h[0].seen, 0, sizeof(l->h[0].seen));
	}
}

static inline unsigned slot_hash(const void *addr, unsigned mask)
{
	return (unsigned)(((uintptr_t)addr >> 2) * 0x9e3779b1u) & mask;
}

/* The index doubles when half full (up to SLOTS): a run's few dozen
 * locations stay within a few KB of slots (one 256 KB table missed the
 * cache at every access: a twentieth of the explorer's time). */
static void grow(struct mt_mem *m)
{
	for (unsigned i = 0; i < m->nr_locs; i++)
		m->index[m->slot_of[i]].addr = NULL;
	m->mask = m->mask * 2u + 1u;
	for (unsigned i = 0; i < m->nr_locs; i++) {
		unsigned h = slot_hash(m->loc[i].addr, m->mask);
		while (m->index[h].addr)
			h = (h + 1) & m->mask;
		m->index[h].addr = m->loc[i].addr;
		m->index[h].loc = i;
		m->slot_of[i] = h;
	}
}

static struct loc *find(struct mt_mem *m, const void *addr, unsigned size)
{
	if (m->nr_locs * 2u >= m->mask && m->mask < SLOTS - 1)
		grow(m);
	unsigned h = slot_hash(addr, m->mask);

	for (unsigned probe = 0; probe < 64; probe++, h = (h + 1) & m->mask) {
		struct slot *sl = &m->index[h];
		if (sl->addr == addr) {
			m->last_loc = (int)sl->loc;
			return &m->loc[sl->loc];
		}
		if (!sl->addr) {
			if (m->nr_locs == LOCS)
				break;
			struct loc *l = &m->loc[m->nr_locs];
			sl->addr = addr;
			sl->loc = m->nr_locs;
			m->slot_of[m->nr_locs] = h;
			m->last_loc = (int)m->nr_locs++;
			l->addr = addr;
			l->wide = 0;
			restart(l, addr, size);
			return l;
		}
	}
	if (m->mask < SLOTS - 1) {   /* a long run of probes: more room, not untracked */
		grow(m);
		return find(m, addr, size);
	}
	m->untracked++;
	return NULL;
}

int mt_mem_last_loc(const struct mt_mem *m)
{
	return m->last_loc;
}

int mt_mem_last_loc2(const struct mt_mem *m)
{
	return m->last_loc2;
}

/* A 16-byte access at addr: its halves at addr and addr + 8 are the
 * locations that 8-byte accesses of them use (ThreadSanitizer's 8-byte
 * shadow cells), whichever came first; the access is performed on both
 * at one schedule point (it cannot tear), and both read only their
 * newest store from now on in this run (no 16-byte values in the
 * histories; an 8-byte access of a half then cannot read a value the
 * 16-byte stores never left there).  Returns the upper half (or NULL:
 * untracked); m->last_loc2 is its number. */
static struct loc *find_upper_half(struct mt_mem *m, const void *addr)
{
	struct loc *hi = find(m, (const char *)addr + 8, 0);

	m->last_loc2 = hi ? m->last_loc : -1;
	if (hi) {
		hi->wide = 1;
		hi->size = 0;
	}
	return hi;
}

static inline int hb_before(const struct store *s, const struct vstate *vs, unsigned off)
{
	return s->v < 0 || s->epoch <= vs->vc[off + (unsigned)s->v];
}

/* Some VCPU read or wrote s or a later store at an event that happens
 * before vs's next one: read-read (and write-read) coherence through
 * happens-before: vs may not read older than s. */
static inline int seen_before(const struct store *s, const struct vstate *vs, unsigned off)
{
	for (unsigned u = 0; u < MAXV; u++)
		if (s->seen[u] && s->seen[u] <= vs->vc[off + u])
			return 1;
	return 0;
}

static inline unsigned ring_back(const struct loc *l, unsigned back)
{
	return (l->newest + HIST - back) % HIST;
}

/* v read or wrote the store `back` steps from the newest at its epoch e:
 * it and every older store kept are seen by v from e on. */
static void mark_seen(struct loc *l, unsigned back, unsigned v, uint32_t e)
{
	for (unsigned b = back; b < l->n; b++) {
		struct store *st = &l->h[ring_back(l, b)];
		if (st->seen[v])
			break;               /* and so is every older one */
		st->seen[v] = e;
	}
}

void mt_mem_choose(struct mt_mem *m, unsigned v, unsigned choice)
{
	struct vstate *s = &m->vs[v];

	if (s->nq < MT_MEM_CHOICES)  /* a full queue drops the choice */
		s->q[(s->qhead + s->nq++) % MT_MEM_CHOICES] = (uint8_t)choice;
}

/* How many stores, newest first, v's load of l may read: back to the
 * newest that happens before it (clock half off) or that v, or an access
 * that happens before it, read or wrote. */
static unsigned allowed_from(const struct loc *l, const struct vstate *s, unsigned v, unsigned off)
{
	unsigned allowed = 1;
	while (allowed < l->n) {
		const struct store *st = &l->h[ring_back(l, allowed - 1)];
		if (hb_before(st, s, off) || st->seq <= l->seen[v] || seen_before(st, s, off))
			break;
		allowed++;
	}
	return allowed;
}

/* What an order (enum mt_acc's order bits) takes part in. */
static inline int acquires(unsigned order)
{
	return order == MT_ACC_ACQUIRE || order == MT_ACC_ACQ_REL || order == MT_ACC_SEQ_CST;
}

static inline int releases(unsigned order)
{
	return order == MT_ACC_RELEASE || order == MT_ACC_ACQ_REL || order == MT_ACC_SEQ_CST;
}

/* The weaker of two orders as a load's (a release's load half is relaxed). */
static unsigned weaker_load(unsigned a, unsigned b)
{
	unsigned ra = a == MT_ACC_SEQ_CST ? 2 : acquires(a), rb = b == MT_ACC_SEQ_CST ? 2 : acquires(b);
	unsigned r = ra < rb ? ra : rb;

	return r == 2 ? MT_ACC_SEQ_CST : r == 1 ? MT_ACC_ACQUIRE : MT_ACC_RELAXED;
}

void mt_mem_fence(struct mt_mem *m, unsigned v, unsigned order)
{
	struct vstate *s = &m->vs[v];

	catch_up(s, v);
	if (acquires(order))
		join(s->vc, s->acq);
	if (order == MT_ACC_SEQ_CST) {
		join(s->vc, m->sc);
		memcpy(m->sc, s->vc, sizeof(vclock));
	}
	if (releases(order)) {
		memcpy(s->rel, s->vc, sizeof(vclock));
		s->has_rel = 1;
		s->tick = 1;
	}
}

/* The access itself: what it reads (the newest store, or under c11 an
 * older one the load may see) and what it writes.  Returns the ring index
 * of the store a load read if not the newest, else -1. */
static int perform(struct mt_mem *m, unsigned v, struct loc *l, int site, unsigned acc)
{
	struct vstate *s = &m->vs[v];
	unsigned op = acc & MT_ACC_OP_MASK, order = acc & MT_ACC_ORDER_MASK;
	int acquire = acquires(order), release = releases(order);
	unsigned back = 0;

	s->last_allowed = 0;
	catch_up(s, v);
	if (order == MT_ACC_SEQ_CST) {
		join(s->vc, m->sc);
		memcpy(m->sc, s->vc, sizeof(vclock));
	}
	if (op & MT_ACC_LOAD) {
		/* Only an access whose accessor takes its value from the model
		 * (MT_ACC_DEFER) may read an older store: elsewhere the value read
		 * is memory's, the newest. */
		if (op == MT_ACC_LOAD && m->c11 && l->size && order != MT_ACC_PLAIN && order != MT_ACC_SEQ_CST &&
		    (acc & MT_ACC_DEFER)) {
			unsigned allowed = allowed_from(l, s, v, 0);
			s->last_allowed = (uint8_t)allowed;
			/* Shadow: would the load have more stores to read if no merged
			 * section had followed another?  Then the order of two of them
			 * decides what it reads (the explorer may not merge them). */
			if (m->shadow && allowed < l->n && allowed_from(l, s, v, SH) > allowed)
				m->narrowed++;
			/* The oldest queued choice serves the next load that has a
			 * choice to make. */
			if (s->nq && allowed > 1) {
				back = s->q[s->qhead] % allowed;
				s->qhead = (uint8_t)((s->qhead + 1) % MT_MEM_CHOICES);
				s->nq--;
			}
		}
		const struct store *st = &l->h[ring_back(l, back)];
		if (m->c11) {
			if (st->seq > l->seen[v])
				l->seen[v] = st->seq;
			mark_seen(l, back, v, s->vc[v]);
		}
		if (st->has_sync) {
			uint32_t *into = acquire ? s->vc : order != MT_ACC_PLAIN ? s->acq : NULL;
			if (into && m->shadow && st->mrel) {
				/* a merged section's release: its shadow is not joined,
				 * only the lock's releases by sections not merged; a
				 * section that turns out not merged joins it at its end */
				join_half(into, st->sync, 0);
				join_half(into, l->lnm, SH);
				if (acquire && op == MT_ACC_RMW) {
					if (!s->spend_on)
						memset(s->spend, 0, sizeof(s->spend));
					join_half(s->spend, st->sync, SH);
					s->spend_on = 1;
				}
			} else if (into) {
				join(into, st->sync);
			}
		}
	}
	if (op & MT_ACC_STORE) {
		/* sc keeps only the newest store (its release sequence is all a
		 * later acquire can meet): overwritten in place; c11 keeps a ring. */
		const struct store *prev = &l->h[l->newest];
		unsigned slot = m->c11 ? (l->newest + 1) % HIST : l->newest;
		struct store *st = &l->h[slot];
		int goes_on = op == MT_ACC_RMW && prev->has_sync;   /* an RMW continues it */
		if (goes_on && st != prev)
			memcpy(st->sync, prev->sync, sizeof(vclock));
		st->has_sync = (uint8_t)goes_on;
		st->mrel = (uint8_t)(goes_on && prev->mrel);
		const uint32_t *lend = release ? s->vc : order != MT_ACC_PLAIN && s->has_rel ? s->rel : NULL;
		if (lend) {
			if (st->has_sync)
				join(st->sync, lend);
			else
				memcpy(st->sync, lend, sizeof(vclock));
			st->has_sync = 1;
		}
		st->v = (int8_t)v;
		st->epoch = s->vc[v];
		st->site = site;
		st->seq = ++l->seq;
		if (m->c11) {
			st->val = prev->val;     /* the caller reads the new value from memory */
			memset(st->seen, 0, sizeof(st->seen));
			l->newest = (uint8_t)slot;
			if (l->n < HIST)
				l->n++;
			l->seen[v] = st->seq;
			mark_seen(l, 0, v, s->vc[v]);
		}
		if (release)
			s->tick = 1;
	}
	return back ? (int)ring_back(l, back) : -1;
}

void mt_mem_access(struct mt_mem *m, unsigned v, int site, const void *addr, unsigned acc)
{
	struct vstate *s = &m->vs[v];
	unsigned op = acc & MT_ACC_OP_MASK;

	s->last_allowed = 0;
	m->last_loc = m->last_loc2 = -1;
	if (op == MT_ACC_NONE || !addr)
		return;
	unsigned size = m->c11 ? mt_acc_bytes(acc) : 0;
	int wide = mt_acc_bytes(acc) == 16;
	struct loc *hi = wide ? find_upper_half(m, addr) : NULL;
	m->last_loc = -1;
	struct loc *l = find(m, addr, wide ? 0 : size);
	if (!l)
		return;
	if (wide || l->wide) {
		l->wide = 1;             /* newest only (find_upper_half) */
		l->size = 0;
		size = 0;
	}
	/* Written by code the model does not see (or reused memory)? */
	if (size && (l->size != size || mt_mem_peek(addr, size) != l->h[l->newest].val))
		restart(l, addr, size);
	if (!(acc & MT_ACC_DEFER) || (!m->c11 && !(acc & MT_ACC_CAS)) || wide) {
		/* decided now: no value to give (sc reads memory's, the newest) */
		perform(m, v, l, site, acc);
		if (hi && hi != l)
			perform(m, v, hi, site, acc);
		if ((op & MT_ACC_STORE) && l->size)
			l->h[l->newest].val = mt_mem_peek(addr, l->size);   /* best effort: not yet written */
		return;
	}
	/* The accessor reports the access itself in mt_mem_after(): decided
	 * there, when it happens (an address computed by further accesses may
	 * let other VCPUs run in between). */
	if (s->npend == PEND) {      /* deeper than any accessor nests: forget the oldest */
		memmove(&s->pend[0], &s->pend[1], (PEND - 1) * sizeof(s->pend[0]));
		s->npend--;
	}
	s->pend[s->npend++] = (struct pending){ .loc = l, .acc = acc, .site = site };
}

int mt_mem_after(struct mt_mem *m, unsigned v, const void *addr, unsigned acc, void *val,
                 struct mt_mem_read *r)
{
	struct vstate *s = &m->vs[v];
	int i = (int)s->npend - 1;

	while (i >= 0 && s->pend[i].loc->addr != addr)
		i--;
	if (i < 0)
		return 0;
	struct pending pd = s->pend[i];
	memmove(&s->pend[i], &s->pend[i + 1], (s->npend - (unsigned)i - 1) * sizeof(s->pend[0]));
	s->npend--;
	struct loc *l = pd.loc;
	/* The operation as it turned out (a CAS that failed only read), in
	 * the order the schedule point was told (MT_WEAKEN applies there). */
	unsigned how = (acc & MT_ACC_OP_MASK) | (pd.acc & ~(unsigned)MT_ACC_OP_MASK);
	/* A compare-exchange that failed: a load with its failure order (the
	 * order given here), never stronger than the load half of the
	 * point's order (MT_WEAKEN applies there). */
	if ((pd.acc & MT_ACC_CAS) && (acc & MT_ACC_OP_MASK) == MT_ACC_LOAD && (acc & MT_ACC_ORDER_MASK))
		how = (how & ~(unsigned)MT_ACC_ORDER_MASK) |
		      weaker_load(acc & MT_ACC_ORDER_MASK, pd.acc & MT_ACC_ORDER_MASK);
	/* A load with no value to give (an accessor's failed CAS: the code
	 * saw memory's value) reads the newest store, or the model's
	 * coherence would follow a store the code never saw. */
	if (!val)
		how &= ~(unsigned)MT_ACC_DEFER;
	if ((how & MT_ACC_OP_MASK) == MT_ACC_LOAD && l->size && val &&
	    mt_mem_peek(val, l->size) != l->h[l->newest].val)
		restart(l, addr, l->size);   /* written by code the model does not see */
	int from = perform(m, v, l, pd.site, how);
	if ((how & MT_ACC_STORE) && l->size)
		l->h[l->newest].val = mt_mem_peek(addr, l->size);
	if (from < 0 || !val)
		return 0;
	const struct store *st = &l->h[from], *nw = &l->h[l->newest];
	write_val(val, l->size, st->val);
	if (r) {
		r->val = st->val;
		r->newer_val = nw->val;
		r->from_v = st->v;
		r->newer_v = nw->v;
		r->from_site = st->site;
		r->newer_site = nw->site;
		r->back = (unsigned)(l->seq - st->seq);
		r->site = pd.site;
		r->size = l->size;
	}
	return 1;
}

void mt_mem_hand_release(struct mt_mem *m, unsigned v, unsigned h)
{
	if (h >= MT_IN_MAX_HANDLES)
		return;
	catch_up(&m->vs[v], v);
	memcpy(m->book[h], m->vs[v].vc, sizeof(vclock));
	m->vs[v].tick = 1;
}

void mt_mem_hand_acquire(struct mt_mem *m, unsigned v, unsigned h)
{
	if (h < MT_IN_MAX_HANDLES)
		join(m->vs[v].vc, m->book[h]);
}

void mt_mem_set_shadow(struct mt_mem *m, int on)
{
	m->shadow = on;
}

unsigned mt_mem_narrowed(const struct mt_mem *m)
{
	return m->narrowed;
}

void mt_mem_section_end(struct mt_mem *m, unsigned v, const void *lock, int merged)
{
	struct vstate *s = &m->vs[v];

	if (!m->shadow)
		return;
	struct loc *l = NULL;
	unsigned h = slot_hash(lock, m->mask);
	for (unsigned probe = 0; probe < 64 && m->index[h].addr; probe++, h = (h + 1) & m->mask)
		if (m->index[h].addr == lock) {
			l = &m->loc[m->index[h].loc];
			break;
		}
	int pend = !merged && s->spend_on;
	if (pend)
		join_half(s->vc, s->spend, SH);   /* the edge it did not take provisionally */
	s->spend_on = 0;
	if (!l)
		return;
	struct store *st = &l->h[l->newest];  /* the release that ended the section */
	if (st->v != (int8_t)v || !st->has_sync)
		return;
	if (merged) {
		st->mrel = 1;
	} else {
		if (pend)                        /* ... which its release passes on too */
			join_half(st->sync, s->spend, SH);
		join_half(l->lnm, st->sync, SH);
	}
}
