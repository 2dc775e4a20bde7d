/*
 * b1-xsa228-aba - origin: XSA-228 part 1 (CVE-2017-12136), Xen e76ff6c156
 * (2015-06-19, stealing added; pop is a bare cmpxchg on head) until
 * 02cbeeb620 (2017-08-15, per-VCPU maptrack_freelist_lock).
 *
 * Change: pop takes no freelist_lock.  It reads head, reads next =
 * head.ref, fails if either is MT_TAIL, and compare-and-swaps head from
 * head to next (retrying on a lost CAS).  Both the owner's get and every
 * steal use it, so one list has several lock-free consumers: ABA.
 *
 * Interleaving (shared/maptrack-history.md B1), V: A->B->C->D:
 *   1. S steals from V: reads head = A, next = A.ref = B; stalls before
 *      its CAS (site ZOO_POP_CAS_HEAD).
 *   2. V gets A, gets B, puts A (C->D->A), gets C, gets D: V's list is A.
 *   3. S's CAS(head, A, B) succeeds: V.head = B (in use by V), S gets A
 *      while A is still V's tail.
 *
 * Breaks: I5 (B is on V's list and handed out; A is V's tail and handed
 * out), I7 (V's next pop can return B again), I9 (the next put into V
 * links A, which S holds), I2/I6 (entries behind the stale head are lost).
 */
#include "lib/mt_internal.h"
#include "lib/variants/zoo.h"
#include "lib/variants/zoo_steps.h"

/* The one schedule point this variant adds to the per-VCPU family's. */
static const struct mt_site b1_sites[] = {
	{ "ZOO_POP_CAS_HEAD", MT_SK_RW, "pop: cas head (lock-free, no freelist_lock)" },
};
const struct mt_site_table mt_zoo_b1_site_table = { .name = "b1-xsa228-aba", .count = 1, .sites = b1_sites };
static const struct mt_site_table *const b1_site_tables[] = { &mt_pv_site_table, &mt_zoo_b1_site_table, NULL };

int mt_zoo_aba_pop(struct mt_pv_table *t, unsigned v, mt_handle_t *out)
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
		/* BUG: head == A again does not mean A.ref is still B. */
		if (mt_cas_acq_rel(&vc->head, &head, next, &b1_sites[0])) {
			*out = head;
			return MT_OK;
		}
	}
}

static const struct mt_pv_steps b1_steps = {
	.pop = mt_zoo_aba_pop,
	.put = mt_pv_put,
	.add_frame = mt_pv_add_frame,
	.thread = mt_pv_thread,
	.steal = mt_pv_steal,
	.sentinel = mt_pv_sentinel,
	.slow = mt_pv_slow,
	.hand_out = mt_pv_hand_out,
	.destroy = mt_pv_destroy,
};

MT_PV_DEFINE_SITES(mt_zoo_b1_xsa228_aba, "b1-xsa228-aba",
	"XSA-228 part 1: lock-free CAS pop shared by get and steal; ABA hands out an entry still on a list (I5, I7, I9)",
	b1_steps, b1_site_tables)

MT_ZOO_REGISTER(mt_zoo_b1_xsa228_aba,
	"XSA-228 part 1 (B1), Xen e76ff6c156..02cbeeb620",
	"I5 I4 I7 I9 I6", "sim stress", 0, "steal")
