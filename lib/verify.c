/*
 * verify.c - mt_verify(): walk every list with a bound and report the first
 * broken invariant (I1-I9 of ../shared/maptrack-history.md, section 3).
 * Works on any implementation through its view/list_ends/entry operations.
 * Quiescent points only: no get, put or grow in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>

#include "lib/mt_internal.h"

static int fail(struct mt_report *r, int err, unsigned list, mt_handle_t h, const char *fmt, ...)
{
	va_list ap;

	r->err = err;
	r->list = list;
	r->handle = h;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return err;
}

/* Walk one list; on_list[h] = list + 1 for each entry reached. */
static int walk(struct mt_table *t, const struct mt_view *v, unsigned l,
                uint32_t *on_list, uint64_t *count, struct mt_report *r)
{
	mt_handle_t head, tail;

	t->ops->list_ends(t, l, &head, &tail);
	if (v->has_tail && ((head == MT_TAIL) != (tail == MT_TAIL)))
		return fail(r, MT_ERR_I1_PAIRING, l, head, "list %u: head %u, tail %u", l, head, tail);
	if ((head != MT_TAIL && head >= v->limit) || (v->has_tail && tail != MT_TAIL && tail >= v->limit))
		return fail(r, MT_ERR_I1_PAIRING, l, head, "list %u: head %u / tail %u beyond limit %u",
		            l, head, tail, v->limit);
	if (head == MT_TAIL)
		return MT_OK;        /* never filled (or, baseline, empty) */

	mt_handle_t cur = head;
	for (uint64_t steps = 0;; steps++) {
		struct mt_entry_view e;

		if (steps > v->limit)
			return fail(r, MT_ERR_I2_CHAIN, l, cur, "list %u: no end within %u steps (cycle)", l, v->limit);
		if (cur >= v->limit)
			return fail(r, MT_ERR_I2_CHAIN, l, cur, "list %u: link to %u beyond limit %u", l, cur, v->limit);
		if (on_list[cur] == l + 1)
			return fail(r, MT_ERR_I2_CHAIN, l, cur, "list %u: cycle through handle %u", l, cur);
		if (on_list[cur])
			return fail(r, MT_ERR_I5_DISJOINT, l, cur, "handle %u on list %u and list %u",
			            cur, on_list[cur] - 1, l);
		if (t->ops->entry(t, cur, &e) != MT_OK)
			return fail(r, MT_ERR_I8_LIMITS, l, cur, "handle %u below limit has no page", cur);
		on_list[cur] = l + 1;
		(*count)++;
		if (e.in_use)
			return fail(r, MT_ERR_I4_OWNER, l, cur, "handle %u on list %u is in use", cur, l);
		if (v->has_tail && e.owner != l)
			return fail(r, MT_ERR_I4_OWNER, l, cur, "handle %u on list %u has .vcpu %u", cur, l, e.owner);
		if (e.link == MT_TAIL) {
			if (v->has_tail && cur != tail)
				return fail(r, MT_ERR_I2_CHAIN, l, cur, "list %u ends at %u, tail is %u", l, cur, tail);
			return MT_OK;
		}
		if (v->has_tail && cur == tail)
			return fail(r, MT_ERR_I2_CHAIN, l, cur, "list %u: tail %u links on to %u", l, cur, e.link);
		cur = e.link;
	}
}

int mt_internal_verify(struct mt_table *t, struct mt_report *r)
{
	struct mt_view v;

	r->err = MT_OK;
	r->list = -1u;
	r->handle = MT_INVALID_HANDLE;
	r->detail[0] = '\0';
	t->ops->view(t, &v);
	if (v.nr_frames > v.max_frames || v.limit != (uint64_t)v.nr_frames * v.per_page)
		return fail(r, MT_ERR_I8_LIMITS, -1u, MT_INVALID_HANDLE,
		            "limit %u, %u frames of %u (max %u)", v.limit, v.nr_frames, v.per_page, v.max_frames);

	uint32_t *on_list = calloc(v.limit ? v.limit : 1, sizeof(*on_list));
	if (!on_list)
		return fail(r, MT_ERR_NOMEM, -1u, MT_INVALID_HANDLE, "verify: no memory for %u handles", v.limit);

	uint64_t listed = 0, in_use = 0;
	int rc = MT_OK;
	for (unsigned l = 0; l < v.nr_lists && rc == MT_OK; l++)
		rc = walk(t, &v, l, on_list, &listed, r);
	for (mt_handle_t h = 0; h < v.limit && rc == MT_OK; h++) {
		struct mt_entry_view e;

		if (t->ops->entry(t, h, &e) != MT_OK)
			rc = fail(r, MT_ERR_I8_LIMITS, -1u, h, "handle %u below limit has no page", h);
		else if (e.in_use && e.link != MT_TAIL)
			rc = fail(r, MT_ERR_I9_LIVE_LINK, -1u, h, "handle %u is in use but links to %u", h, e.link);
		else if (e.in_use)
			in_use++;
		else if (!on_list[h])
			rc = fail(r, MT_ERR_I6_CONSERVE, -1u, h, "handle %u is free but on no list (lost)", h);
	}
	if (rc == MT_OK && listed + in_use != v.limit)
		rc = fail(r, MT_ERR_I6_CONSERVE, -1u, MT_INVALID_HANDLE,
		          "%llu listed + %llu in use != limit %u",
		          (unsigned long long)listed, (unsigned long long)in_use, v.limit);
	free(on_list);
	return rc;
}
