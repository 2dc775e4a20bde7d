/* harness.c - decode, run, check (see harness.h). */
#include "fuzz/harness.h"

#include "fuzz/input.h"
#include "fuzz/sim.h"
#include "lib/variants/zoo.h"

const struct mt_ops *mt_harness_impl(const char *name)
{
	return mt_impl_find(name);
}

void mt_harness_list_impls(FILE *out)
{
	for (const struct mt_ops *const *o = mt_ops_builtin; *o; o++)
		fprintf(out, "%s\n", (*o)->name);
	for (const struct mt_ops *const *o = mt_zoo; *o; o++)
		fprintf(out, "%s\n", (*o)->name);
}

int mt_harness_run(const uint8_t *data, size_t size, const struct mt_ops *ops, FILE *trace)
{
	static struct mt_program prog;   /* 20 KiB: not on the stack */

	mt_in_decode(data, size, &prog);
	return mt_sim_run(&prog, ops, trace);
}

void mt_harness_report(FILE *out)
{
	mt_sim_report(out);
}
