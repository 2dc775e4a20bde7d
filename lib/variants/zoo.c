/*
 * zoo.c - the bug zoo's view of the registry (lib/maptrack.h): a variant
 * is a registered implementation whose info is a struct mt_variant_info
 * (MT_ZOO_REGISTER in the variant's own file).  The "I*" codes are those of
 * shared/maptrack-history.md section 3 (mt_verify() reports I1-I9).
 */
#include <string.h>

#include "lib/variants/zoo.h"

const struct mt_ops *mt_impl_find(const char *name)
{
	return mt_ops_find(name);
}

/* Only MT_ZOO_REGISTER gives rank 2 with an info pointer. */
static const struct mt_variant_info *info_of(const struct mt_registration *r)
{
	return r->rank == 2 && r->info ? (const struct mt_variant_info *)r->info : NULL;
}

const struct mt_variant_info *mt_zoo_at(unsigned i)
{
	const struct mt_registration *r;

	for (unsigned k = 0; (r = mt_ops_at(k)) != NULL; k++)
		if (info_of(r) && i-- == 0)
			return info_of(r);
	return NULL;
}

const struct mt_variant_info *mt_variant_info(const char *name)
{
	const struct mt_registration *r;

	if (!name)
		return NULL;
	for (unsigned k = 0; (r = mt_ops_at(k)) != NULL; k++)
		if (!strcmp(r->ops->name, name))
			return info_of(r);
	return NULL;
}
