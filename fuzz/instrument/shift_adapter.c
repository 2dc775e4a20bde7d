/* shift_adapter.c - the shift list for the toolkit (fuzz/checkers/contract.h). */
#include <stdlib.h>

#include "fuzz/checkers/contract.h"
#include "fuzz/instrument/shift.h"

static void *create(const struct mt_config *cfg)
{
	struct shift *s = malloc(sizeof(*s));

	if (s && shift_init(s, cfg->per_page ? cfg->per_page : 8) == 0)
		return s;
	free(s);
	return NULL;
}
static void destroy(void *s) { shift_fini(s); free(s); }
static int get(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = shift_get(s)) != SHIFT_NIL; }
static int get_late(void *s, unsigned v, uint32_t *h) { (void)v; return (*h = shift_get_late_move(s)) != SHIFT_NIL; }
static int put(void *s, unsigned v, uint32_t h) { (void)v; shift_put(s, h); return 0; }
static unsigned limit(void *s) { return ((struct shift *)s)->n; }

static const struct mt_fl_adapter shift = {
	.name = "shift", .summary = "array list under a mutex, get moves the rest down (memmove)",
	.create = create, .destroy = destroy, .get = get, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(shift)

static const struct mt_fl_adapter shift_late = {
	.name = "shift-late-move", .summary = "the same, memmove after the unlock",
	.create = create, .destroy = destroy, .get = get_late, .put = put, .handle_limit = limit,
	.capacity_exact = true, .remote_put = true, .races = true };
MT_FL_REGISTER(shift_late)
