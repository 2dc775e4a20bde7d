/* adapter.c - the toy free list (toy.h), one adapter per mode. */
#include <stdlib.h>

#include "fuzz/checkers/contract.h"
#include "stress/toys/toy.h"

static void *create(enum toy_mode mode, const struct mt_config *cfg)
{
	struct toy *t = malloc(sizeof(*t));
	if (t && toy_init(t, cfg->per_page ? cfg->per_page : 16, mode) == 0)
		return t;
	free(t);
	return NULL;
}
static void destroy(void *t) { toy_fini(t); free(t); }
static int get(void *t, unsigned v, uint32_t *h) { (void)v; return toy_get(t, h); }
static int put(void *t, unsigned v, uint32_t h) { (void)v; return toy_put(t, h); }
static unsigned limit(void *t) { return ((struct toy *)t)->n; }

#define TOY(sym, mode, name_, summary_)                                                 \
	static void *create_##sym(const struct mt_config *cfg) { return create(mode, cfg); } \
	static const struct mt_fl_adapter sym = {                                       \
		.name = name_, .summary = summary_, .create = create_##sym,             \
		.destroy = destroy, .get = get, .put = put, .handle_limit = limit,     \
		.capacity_exact = true, .remote_put = true, .bad_puts_refused = true }; \
	MT_FL_REGISTER(sym)

TOY(toy_ok, TOY_OK, "toy", "a locked stack, bad puts refused")
TOY(toy_dup, TOY_DUP, "toy-dup", "the 100th get hands out a handle that is out (C1)")
TOY(toy_refuse, TOY_REFUSE, "toy-refuse", "the 100th put of a held handle is refused (C2)")
TOY(toy_double_put, TOY_DOUBLE_PUT, "toy-double-put", "puts of free handles are accepted (C3)")
TOY(toy_leak, TOY_LEAK, "toy-leak", "the 100th put is accepted and the handle dropped (C5)")
