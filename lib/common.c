/*
 * common.c - what every implementation shares: configuration defaults,
 * the page allocator, error names, the registry of implementations and the
 * convenience calls that dispatch through a table's operations.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/mt_internal.h"

int mt_internal_config(const struct mt_config *in, struct mt_config *out)
{
	if (!in)
		return MT_ERR_INVAL;
	*out = *in;
	if (!out->per_page)
		out->per_page = MT_DEFAULT_PER_PAGE;
	if (!out->max_frames)
		out->max_frames = MT_DEFAULT_MAX_FRAMES;
	if (out->nr_vcpus < 1 || out->nr_vcpus > MT_MAX_VCPUS)
		return MT_ERR_INVAL;
	if (out->per_page < MT_MIN_PER_PAGE || out->per_page > MT_MAX_PER_PAGE)
		return MT_ERR_INVAL;
	/* Every handle, and the limit itself, must stay below MT_TAIL. */
	if ((uint64_t)out->per_page * out->max_frames >= MT_TAIL)
		return MT_ERR_INVAL;
	if (!out->alloc.alloc_page != !out->alloc.free_page)
		return MT_ERR_INVAL;
	return MT_OK;
}

void *mt_internal_alloc_page(const struct mt_config *cfg, size_t bytes)
{
	if (cfg->alloc.alloc_page)
		return cfg->alloc.alloc_page(cfg->alloc.ctx, bytes);
	return calloc(1, bytes);
}

void mt_internal_free_page(const struct mt_config *cfg, void *page)
{
	if (!page)
		return;
	if (cfg->alloc.free_page)
		cfg->alloc.free_page(cfg->alloc.ctx, page);
	else
		free(page);
}

const char *mt_strerror(int err)
{
	switch (err) {
	case MT_OK:              return "ok";
	case MT_ERR_NOSPACE:     return "no space: no free handle (own list, growth and steal all failed)";
	case MT_ERR_RANGE:       return "handle out of range (>= limit)";
	case MT_ERR_NOT_HELD:    return "handle not handed out (never got, or already put)";
	case MT_ERR_INVAL:       return "invalid argument";
	case MT_ERR_NOMEM:       return "out of memory";
	case MT_ERR_LIMIT:       return "table at its frame limit";
	case MT_ERR_I1_PAIRING:  return "I1 pairing: head and tail must both be TAIL or both < limit";
	case MT_ERR_I2_CHAIN:    return "I2 chain: walk from head must reach tail within limit steps, only tail links TAIL";
	case MT_ERR_I3_EMPTY:    return "I3 empty: an initialised list must never be empty";
	case MT_ERR_I4_OWNER:    return "I4 owner: every entry on list v must be free with .vcpu == v";
	case MT_ERR_I5_DISJOINT: return "I5 disjoint: an entry is on two lists";
	case MT_ERR_I6_CONSERVE: return "I6 conservation: entries on lists + handed out != limit";
	case MT_ERR_I8_LIMITS:   return "I8 limits: limit/frames/page pointers inconsistent";
	case MT_ERR_I9_LIVE_LINK:return "I9 live link: an entry in use carries a list link";
	}
	return "unknown error";
}

/* The registry: a list sorted by (rank, name), built by constructors
 * before main() (one thread), read-only afterwards. */
static struct mt_registration *registry;

void mt_ops_register(struct mt_registration *r)
{
	struct mt_registration **at = &registry;

	while (*at && ((*at)->rank < r->rank ||
	               ((*at)->rank == r->rank && strcmp((*at)->ops->name, r->ops->name) < 0)))
		at = &(*at)->next;
	r->next = *at;
	*at = r;
}

const struct mt_registration *mt_ops_at(unsigned i)
{
	const struct mt_registration *r = registry;

	while (r && i--)
		r = r->next;
	return r;
}

const struct mt_ops *mt_ops_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct mt_registration *r = registry; r; r = r->next)
		if (!strcmp(r->ops->name, name))
			return r->ops;
	return NULL;
}

const struct mt_site *mt_ops_site(const struct mt_ops *ops, const char *id)
{
	if (!ops || !ops->site_tables || !id)
		return NULL;
	for (const struct mt_site_table *const *t = ops->site_tables; *t; t++)
		for (unsigned i = 0; i < (*t)->count; i++)
			if (!strcmp((*t)->sites[i].id, id))
				return &(*t)->sites[i];
	return NULL;
}

int mt_create(const struct mt_ops *ops, const struct mt_config *cfg, struct mt_table **out)
{
	if (!ops || !out)
		return MT_ERR_INVAL;
	return ops->create(cfg, out);
}

void mt_destroy(struct mt_table *t)
{
	if (t)
		t->ops->destroy(t);
}

int mt_get(struct mt_table *t, unsigned vcpu, mt_handle_t *out)
{
	return t->ops->get(t, vcpu, out);
}

int mt_put(struct mt_table *t, unsigned vcpu, mt_handle_t h)
{
	return t->ops->put(t, vcpu, h);
}

int mt_grow(struct mt_table *t, unsigned vcpu)
{
	return t->ops->grow(t, vcpu);
}

int mt_verify(struct mt_table *t, struct mt_report *r)
{
	struct mt_report local;

	return t->ops->verify(t, r ? r : &local);
}

const struct mt_ops *mt_table_ops(const struct mt_table *t)
{
	return t->ops;
}
