/*
 * zoo_registry_test - the registry is consistent: every zoo variant has a
 * unique name, a summary and a matching info row with origin, breaks,
 * known engines and stress scenarios; mt_impl_find() finds builtins and variants; no variant
 * name shadows a builtin; every variant creates and destroys a table.
 */
#include <string.h>

#include "lib/testing/script.h"
#include "lib/variants/zoo.h"

static int known_engines(const char *s)
{
	static const char *const engines[] = { "sim", "race", "c11", "tsan", "stress", "lsan" };
	char buf[128];
	int n = 0;

	MT_CHECK(strlen(s) < sizeof(buf));
	strcpy(buf, s);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int ok = 0;
		for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
			ok |= !strcmp(w, engines[i]);
		if (!ok) {
			fprintf(stderr, "unknown engine '%s' in \"%s\"\n", w, s);
			return 0;
		}
		n++;
	}
	return n;
}

int main(void)
{
	unsigned n = 0;

	for (const struct mt_variant_info *info; (info = mt_zoo_at(n)) != NULL; n++) {
		const struct mt_ops *ops = info->ops;

		MT_CHECK(ops->name && ops->name[0]);
		MT_CHECK(ops->summary && strlen(ops->summary) > 10);
		MT_CHECK(ops->create && ops->destroy && ops->get && ops->put && ops->grow &&
		         ops->verify && ops->view && ops->list_ends && ops->entry && ops->site_tables);
		/* complete info */
		MT_CHECK(info->origin && info->origin[0]);
		MT_CHECK(info->breaks && info->breaks[0]);
		MT_CHECK(info->detected_by && known_engines(info->detected_by) > 0);
		MT_CHECK(info->sequential == 0 || info->sequential == 1);
		/* stress scenarios: names only; a variant stress or TSan can see
		 * names where (bugbench runs them) */
		MT_CHECK(info->stress_scenarios != NULL);
		MT_CHECK(strspn(info->stress_scenarios, "abcdefghijklmnopqrstuvwxyz_ ") ==
		         strlen(info->stress_scenarios));
		if (strstr(info->detected_by, "stress") || strstr(info->detected_by, "tsan"))
			MT_CHECK(info->stress_scenarios[0] != 0);
		MT_CHECK(mt_variant_info(ops->name) == info);
		/* unique, in name order, and found by name; never shadowing a builtin */
		for (unsigned k = 0; k < n; k++)
			MT_CHECK(strcmp(mt_zoo_at(k)->ops->name, ops->name) < 0);
		MT_CHECK(mt_ops_find(ops->name) == ops);
		MT_CHECK(mt_impl_find(ops->name) == ops);
		MT_CHECK(strcmp(ops->name, "production") && strcmp(ops->name, "baseline"));

		/* each variant is a working table */
		struct mt_config cfg = { .nr_vcpus = 2, .per_page = 4, .max_frames = 2 };
		struct mt_table *t = NULL;
		MT_CHECK_RC(mt_create(ops, &cfg, &t), MT_OK);
		MT_CHECK(mt_table_ops(t) == ops);
		mt_destroy(t);
	}
	MT_CHECK(n >= 8 + 6);                  /* 8 historical + at least 6 mutants */

	/* builtins come first (registered by lib/, not by the zoo), unknown
	 * names are refused */
	MT_CHECK(mt_ops_at(0)->ops == &mt_ops_production && mt_ops_at(1)->ops == &mt_ops_baseline);
	for (unsigned k = 0; k < 2; k++)
		MT_CHECK(mt_variant_info(mt_ops_at(k)->ops->name) == NULL);
	MT_CHECK(mt_ops_at(2 + n) == NULL);    /* nothing registered but builtins and zoo */
	MT_CHECK(mt_impl_find("production") == &mt_ops_production);
	MT_CHECK(mt_impl_find("no-such-variant") == NULL);
	MT_CHECK(mt_impl_find("") == NULL);
	MT_CHECK(mt_impl_find(NULL) == NULL);
	MT_CHECK(mt_variant_info(NULL) == NULL);
	MT_CHECK(mt_variant_info("no-such-variant") == NULL);

	printf("zoo_registry_test: %u variants ok\n", n);
	return 0;
}
