/*
 * v1_sites.c - the frozen site numbering of input format version 1.
 *
 * A v1 record's `until` field names a site by its position in the one
 * central site list the project had then (lib/mt_sites.h before each
 * implementation brought its own tables).  That list is kept here, by
 * identifier only, so that every v1 input keeps its meaning: decoding maps
 * a v1 number to its identifier and the identifier to the implementation's
 * own site (mt_in_sites_init()).  Never edit: v2 inputs name sites by the
 * implementation's ids instead.
 */
#include "fuzz/format/input.h"

static const char *const v1_ids[] = {
	"NONE", /* 0 */
	"POP_LOCK",
	"POP_READ_HEAD",
	"POP_READ_NEXT",
	"POP_WRITE_HEAD",
	"POP_UNLOCK",
	"PAGE_READ",
	"GET_SET_OWNER",
	"GET_CLEAR_LINK",
	"GET_HAND_OUT",
	"GROW_LOCK", /* 10 */
	"GROW_ALLOC",
	"GROW_STORE_PAGE",
	"GROW_PUBLISH_LIMIT",
	"GROW_UNLOCK",
	"THREAD_LOCK",
	"THREAD_READ_HEAD",
	"THREAD_LINK",
	"THREAD_WRITE_HEAD",
	"THREAD_WRITE_TAIL",
	"THREAD_UNLOCK", /* 20 */
	"STEAL_RANDOM",
	"SENTINEL_RESET",
	"SENTINEL_CHECK",
	"PUT_READ_LIMIT",
	"PUT_CLAIM",
	"PUT_READ_OWNER",
	"PUT_MARK_TAIL",
	"PUT_SWING_TAIL",
	"PUT_LINK",
	"BASE_LOCK", /* 30 */
	"BASE_READ_HEAD",
	"BASE_READ_NEXT",
	"BASE_WRITE_HEAD",
	"BASE_GROW",
	"BASE_CLAIM",
	"BASE_LINK",
	"BASE_UNLOCK",
	"ZOO_POP_CAS_HEAD",
};

const char *mt_in_v1_site_id(unsigned n)
{
	return n < sizeof(v1_ids) / sizeof(v1_ids[0]) ? v1_ids[n] : NULL;
}
