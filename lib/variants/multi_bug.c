/*
 * multi_bug.c - multi-bug variants: two slips of the zoo, of different
 * depth, in one implementation, as real code has them.  Each variant's
 * shallow bug is found at once by every engine; the deep one only once
 * the shallow one's signatures are known (--known), or fixed.
 *
 *   multi-b2-b1          stale sentinel (B2: sequential, no preemption)
 *                        + lock-free ABA pop (B1: one preemption)
 *   multi-b5-b1          no steal after a failed allocation (B5: sequential
 *                        liveness, I10) + the lock-free ABA pop (B1).  As in
 *                        the 2015 code, the lock-free pop touches memory the
 *                        locked list code holds privately: with I11 on every
 *                        run that reaches the ABA stops at an I11 finding
 *                        first; the ABA's own list corruption needs I11 off
 *                        (deep_needs_no_i11)
 *   multi-b3-pop-unlock  put without the in-use claim (B3: a double put,
 *                        sequential) + pop unlocking before the head update
 *                        (m-pop-unlock-early: one preemption)
 *
 * The broken steps are the zoo's own (b1_xsa228_aba.c, b2_stale_sentinel.c,
 * b3_double_put.c, b5_oom_no_steal.c, m_pop_unlock_early.c), restated
 * here: each variant file keeps its steps private.
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"

/* ---- B1: the lock-free CAS pop, with its own schedule point ---- */

static const struct mt_site multi_sites[] = {
	{ "ZOO_POP_CAS_HEAD", MT_SK_RW, "pop: cas head (lock-free, no freelist_lock)" },
};
static const struct mt_site_table multi_site_table = { .name = "multi-bug", .count = 1, .sites = multi_sites };
static const struct mt_site_table *const multi_site_tables[] = { &mt_pv_site_table, &multi_site_table, NULL };

static int aba_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];

	for (;;) {
		/* Acquire pairs with the CAS below in other consumers and with
		 * the head store of thread(). */
		uint32_t head = mt_load_acquire(&vc->head, MT_PV_SITE(POP_READ_HEAD));
		if (head == MT_TAIL)
			return MT_ERR_NOSPACE;
		uint32_t next = mt_load_acquire(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
		if (next == MT_TAIL)
			return MT_ERR_NOSPACE;  /* keep the last entry */
		/* BUG (B1): head == A again does not mean A.ref is still B. */
		if (mt_cas_acq_rel(&vc->head, &head, next, &multi_sites[0])) {
			*out = head;
			return MT_OK;
		}
	}
}

/* ---- B2: the stolen sentinel keeps its victim's link ---- */

static void stale_sentinel(struct mt_pv_table *t, unsigned curr)
{
	mt_handle_t s;

	if (t->steps->steal(t, curr, &s) != MT_OK)
		return;
	/* BUG (B2): no "ref = MT_TAIL" here. */
	mt_store_relaxed(&mt_pv_entry(t, s)->vcpu, curr, MT_PV_SITE(GET_SET_OWNER));
	t->steps->thread(t, curr, s, s);
}

/* ---- B5: no steal after a failed allocation below the limit ---- */

static int no_steal_slow(struct mt_pv_table *t, unsigned curr, mt_handle_t *out)
{
	mt_handle_t base;

	mt_lock(&t->maptrack_lock, MT_PV_SITE(GROW_LOCK));
	int rc = t->steps->add_frame(t, curr, &base);
	mt_unlock(&t->maptrack_lock, MT_PV_SITE(GROW_UNLOCK));
	if (rc == MT_OK) {
		t->steps->thread(t, curr, base + 1, base + t->base.cfg.per_page - 1);
		t->steps->hand_out(t, curr, base, 0);
		*out = base;
		return MT_OK;
	}
	/* BUG (B5): out of memory below the limit is final. */
	if (rc == MT_ERR_NOMEM)
		return MT_ERR_NOSPACE;
	if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL) {
		t->steps->sentinel(t, curr);
		if (mt_load_relaxed(&t->vcpus[curr].head, MT_PV_SITE(SENTINEL_CHECK)) == MT_TAIL)
			return MT_ERR_NOSPACE;
	}
	rc = t->steps->steal(t, curr, out);
	if (rc == MT_OK)
		t->steps->hand_out(t, curr, *out, 1);
	return rc;
}

/* ---- B3: put without the IN_USE -> FREE claim ---- */

static int unguarded_put(struct mt_pv_table *t, unsigned caller, mt_handle_t h)
{
	(void)caller;
	uint32_t limit = mt_load_acquire(&t->limit, MT_PV_SITE(PUT_READ_LIMIT));
	if (h >= limit)
		return MT_ERR_RANGE;
	struct mt_entry *e = mt_pv_entry(t, h);

	/* BUG (B3): a free handle is put again. */
	mt_store_release(&e->state, MT_STATE_FREE, MT_PV_SITE(PUT_CLAIM));
	uint32_t owner = mt_load_relaxed(&e->vcpu, MT_PV_SITE(PUT_READ_OWNER));
	/* 1. Set entry to be a tail. */
	mt_store_relaxed(&e->ref, MT_TAIL, MT_PV_SITE(PUT_MARK_TAIL));
	/* 2. Add entry to the tail of the owner's list. */
	uint32_t prev = mt_xchg_acq_rel(&t->vcpus[owner].tail, h, MT_PV_SITE(PUT_SWING_TAIL));
	/* 3. Link the old tail to the new entry. */
	mt_store_release(&mt_pv_entry(t, prev)->ref, h, MT_PV_SITE(PUT_LINK));
	return MT_OK;
}

/* ---- m-pop-unlock-early: unlocked before the head update ---- */

static int unlock_early_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
{
	struct mt_vcpu *vc = &t->vcpus[v];

	mt_lock(&vc->freelist_lock, MT_PV_SITE(POP_LOCK));
	uint32_t head = mt_load_relaxed(&vc->head, MT_PV_SITE(POP_READ_HEAD));
	uint32_t next = MT_TAIL;
	if (head != MT_TAIL)
		next = mt_load_acquire(&mt_pv_entry(t, head)->ref, MT_PV_SITE(POP_READ_NEXT));
	/* BUG: unlocked before the head update it was protecting. */
	mt_unlock(&vc->freelist_lock, MT_PV_SITE(POP_UNLOCK));
	if (head == MT_TAIL || next == MT_TAIL)
		return MT_ERR_NOSPACE;
	mt_store_relaxed(&vc->head, next, MT_PV_SITE(POP_WRITE_HEAD));
	*out = head;
	return MT_OK;
}

/* ---- the variants ---- */

static const struct mt_pv_steps b2_b1_steps = {
	.pop = aba_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = stale_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE_SITES(mt_zoo_multi_b2_b1, "multi-b2-b1",
	"two bugs: XSA-228 part 2's stale sentinel (sequential) and part 1's lock-free ABA pop (one preemption)",
	b2_b1_steps, multi_site_tables)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b2_b1, "multi-bug: B2 + B1",
	"I2 I5 I11", "sim", 1, 2, 0)

static const struct mt_pv_steps b5_b1_steps = {
	.pop = aba_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = no_steal_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE_SITES(mt_zoo_multi_b5_b1, "multi-b5-b1",
	"two bugs: B5's spurious allocation failure (sequential, I10) and B1's lock-free ABA pop (list corruption seen with I11 off)",
	b5_b1_steps, multi_site_tables)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b5_b1, "multi-bug: B5 + B1 (2015 per-VCPU lists)",
	"I10 I5 I11", "sim", 1, 2, 1)

static const struct mt_pv_steps b3_unlock_steps = {
	.pop = unlock_early_pop,
	.put = unguarded_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};
MT_PV_DEFINE(mt_zoo_multi_b3_pop_unlock, "multi-b3-pop-unlock",
	"two bugs: B3's unguarded put (double put, sequential) and a pop that unlocks before the head update (one preemption)",
	b3_unlock_steps)
MT_ZOO_REGISTER_MULTI(mt_zoo_multi_b3_pop_unlock, "multi-bug: B3 + m-pop-unlock-early",
	"I7 I5", "sim", 1, 2, 0)
