/*
 * ids_test.c - byte ids by name (input.h, mt_in_ids_by_name;
 * docs/input-format.md, "Byte ids by name"), on tables made here:
 *   - a site's byte id is the hash of its name; two names with one hash:
 *     the one that sorts first keeps it, the other takes the next free id;
 *   - adding sites that do not collide moves no other site's id; an added
 *     name that sorts first and takes a site's hash moves only that site;
 *   - decode maps byte ids to sites, encode back; an id no site has is
 *     kept (until=@N) and encodes to itself; a spare slot has no byte id
 *     and a program stopping there does not encode;
 *   - the fuzzers' half names the site with the first id at or after the
 *     offset, wrapping around;
 *   - a table not registered keeps ids by position.
 */
#undef NDEBUG
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/format/input.h"

static int failures;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
	failures++; } } while (0)

#define MAXN 64
static char names[3][MAXN][32];
static struct mt_site sites[3][MAXN];
static struct mt_site_table tables[3];
static const struct mt_site_table *sets[3][2];

static void make(int t, unsigned n, const char *const *ids)
{
	for (unsigned i = 0; i < n; i++) {
		snprintf(names[t][i], sizeof(names[t][i]), "%s", ids[i]);
		sites[t][i] = (struct mt_site){ names[t][i], MT_SK_R, names[t][i] };
	}
	tables[t] = (struct mt_site_table){ .name = "test", .count = n, .sites = sites[t] };
	sets[t][0] = &tables[t];
	sets[t][1] = NULL;
}

static unsigned byte_of(const struct mt_in_sites *s, const char *id)
{
	int run = mt_in_site_lookup(s, id);
	return run < 0 ? MT_IN_NO_SITE : mt_in_byte_id(s, (unsigned)run);
}

/* Two names "kN" with one hash, the first in strcmp order in a. */
static void colliding(char *a, char *b)
{
	static unsigned seen[MT_IN_MAX_SITES];
	for (unsigned i = 1;; i++) {
		char n[32];
		snprintf(n, sizeof(n), "k%u", i);
		unsigned h = mt_in_name_hash(n);
		if (seen[h]) {
			snprintf(a, 32, "k%u", seen[h]);
			snprintf(b, 32, "%s", n);
			if (strcmp(a, b) > 0) {
				char t[32];
				snprintf(t, sizeof(t), "%s", a);
				snprintf(a, 32, "%s", b);
				snprintf(b, 32, "%s", t);
			}
			return;
		}
		seen[h] = i;
	}
}

int main(void)
{
	char lo[32], hi[32];
	colliding(lo, hi);
	unsigned h = mt_in_name_hash(lo);
	CHECK(h == mt_in_name_hash(hi) && h < MT_IN_MAX_SITES);
	/* FNV-1a of "treiber.c.41.7.cas64", folded: the documented rule. */
	CHECK(mt_in_name_hash("treiber.c.41.7.cas64") == 3234);

	/* Set 0: a.c.1.1.read4, lo's partner hi only, the last a spare. */
	const char *ids0[] = { "a.c.1.1.read4", "b.c.2.2.write8", hi, "IX_SPARE" };
	make(0, 4, ids0);
	mt_in_ids_by_name(&tables[0], 3);
	struct mt_in_sites s0;
	mt_in_sites_init(&s0, sets[0]);
	CHECK(s0.ids != NULL && s0.count == 4);
	CHECK(byte_of(&s0, "a.c.1.1.read4") == mt_in_name_hash("a.c.1.1.read4"));
	CHECK(byte_of(&s0, hi) == h);                    /* alone: its hash */
	CHECK(mt_in_byte_id(&s0, 3) == MT_IN_NO_SITE);   /* the spare */

	/* Set 1: the same plus lo (sorts first, same hash) and one more name. */
	const char *ids1[] = { "z.c.9.9.cas64", "a.c.1.1.read4", lo, "b.c.2.2.write8", hi, "IX_SPARE" };
	make(1, 6, ids1);
	mt_in_ids_by_name(&tables[1], 5);
	struct mt_in_sites s1;
	mt_in_sites_init(&s1, sets[1]);
	CHECK(byte_of(&s1, lo) == h);                    /* sorts first: keeps the hash */
	CHECK(byte_of(&s1, hi) != h && byte_of(&s1, hi) != MT_IN_NO_SITE);   /* moved on */
	CHECK(byte_of(&s1, "a.c.1.1.read4") == byte_of(&s0, "a.c.1.1.read4"));
	CHECK(byte_of(&s1, "b.c.2.2.write8") == byte_of(&s0, "b.c.2.2.write8"));

	/* Decode and encode: record 0 stops at b.c's byte id, record 1 at an
	 * id no site has, record 2 in the fuzzers' half at offset b.c's id. */
	unsigned bid = byte_of(&s1, "b.c.2.2.write8"), none = (bid + 4096) % MT_IN_MAX_SITES;
	for (unsigned k = 0; k < MT_IN_MAX_SITES; k++, none = (none + 1) % MT_IN_MAX_SITES) {
		int used = 0;
		for (unsigned r = 0; r < 5; r++)
			used |= mt_in_byte_id(&s1, r) == none;
		if (!used)
			break;
	}
	unsigned fz = MT_IN_MAX_SITES + bid;
	uint8_t in[] = { 0x02, 0x01, 0x02, 0x01, 0x00, 0x00,
	                 0x00, 0x00, (uint8_t)(0x80 | bid >> 8), (uint8_t)bid,
	                 0x01, 0x00, (uint8_t)(0x80 | none >> 8), (uint8_t)none,
	                 0x00, 0x00, (uint8_t)(0x80 | fz >> 8), (uint8_t)fz };
	static struct mt_program p;
	mt_in_decode(in, sizeof(in), &s1, &p);
	CHECK(p.nr_records == 3 && p.ids == s1.ids);
	CHECK(p.rec[0].run_mode == MT_RUN_UNTIL && !strcmp(mt_in_site(&s1, p.rec[0].run_n)->id, "b.c.2.2.write8"));
	CHECK(p.rec[1].run_mode == MT_RUN_UNTIL && mt_in_site(&s1, p.rec[1].run_n) == NULL);
	CHECK(p.rec[2].run_mode == MT_RUN_UNTIL && !strcmp(mt_in_site(&s1, p.rec[2].run_n)->id, "b.c.2.2.write8"));
	char buf[128], want[64];
	snprintf(want, sizeof(want), "v1 get rand=0/0/0 until=@%u", none);
	CHECK(!strcmp(mt_in_record_text(&p.rec[1], &s1, buf, sizeof(buf)), want));
	uint8_t out[64];
	size_t n = mt_in_encode(&p, out, sizeof(out));
	CHECK(n == sizeof(in) && !memcmp(out, in, 14));  /* the fuzzers' half becomes the site's own id */
	CHECK(n == sizeof(in) && out[16] == (0x80 | bid >> 8) && out[17] == (uint8_t)bid);
	/* The text form round trips through the same ids. */
	static struct mt_program q;
	char text[256], err[128];
	snprintf(text, sizeof(text), "vcpus 2\nv0 get until=b.c.2.2.write8\nv1 get until=@%u\n", none);
	CHECK(mt_in_parse_text(text, &s1, &q, err, sizeof(err)) == 0);
	CHECK(q.rec[0].run_n == p.rec[0].run_n && q.rec[1].run_n == p.rec[1].run_n);
	/* A stop at a spare slot cannot be written as bytes. */
	q.rec[0].run_n = 5;
	CHECK(mt_in_encode(&q, out, sizeof(out)) == 0);

	/* The fuzzers' half: every offset names the site at or after it. */
	unsigned ok = 0;
	for (unsigned r = 0; r < MT_IN_MAX_SITES; r++) {
		unsigned id = MT_IN_MAX_SITES + r;
		uint8_t one[] = { 0x02, 0x01, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
		                  (uint8_t)(0x80 | id >> 8), (uint8_t)id };
		mt_in_decode(one, sizeof(one), &s1, &p);
		unsigned got = mt_in_byte_id(&s1, p.rec[0].run_n), best = MT_IN_NO_SITE;
		for (unsigned d = 0; d < MT_IN_MAX_SITES && best == MT_IN_NO_SITE; d++)
			for (unsigned k = 0; k < 5; k++)
				if (mt_in_byte_id(&s1, k) == (r + d) % MT_IN_MAX_SITES)
					best = (r + d) % MT_IN_MAX_SITES;
		ok += got == best;
	}
	CHECK(ok == MT_IN_MAX_SITES);

	/* A table nobody registered: ids by position, as before. */
	const char *ids2[] = { "POP_LOCK", "POP_READ_HEAD" };
	make(2, 2, ids2);
	struct mt_in_sites s2;
	mt_in_sites_init(&s2, sets[2]);
	CHECK(s2.ids == NULL && mt_in_byte_id(&s2, 1) == 1 && byte_of(&s2, "POP_READ_HEAD") == 1);

	printf("SUMMARY test=ids collision=%s/%s hash=%u failures=%d\n", lo, hi, h, failures);
	return failures != 0;
}
