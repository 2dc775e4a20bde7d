/*
 * input.c - the fuzz input format (see input.h and docs/input-format.md).
 */
#include "fuzz/format/input.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/maptrack.h"


/* Bits 3-7 of a record's first byte -> operation (32 slots, weighted
 * towards get and put so random bytes make busy programs). */
static const uint8_t op_of_slot[32] = {
	MT_OP_GET, MT_OP_GET, MT_OP_GET, MT_OP_GET, MT_OP_GET,          /* 0-4 */
	MT_OP_GET, MT_OP_GET, MT_OP_GET, MT_OP_GET, MT_OP_GET,          /* 5-9 */
	MT_OP_PUT_OWN, MT_OP_PUT_OWN, MT_OP_PUT_OWN,                    /* 10-12 */
	MT_OP_PUT_OWN, MT_OP_PUT_OWN, MT_OP_PUT_OWN,                    /* 13-15 */
	MT_OP_PUT_OTHER, MT_OP_PUT_OTHER, MT_OP_PUT_OTHER, MT_OP_PUT_OTHER, /* 16-19 */
	MT_OP_GROW, MT_OP_GROW,                                         /* 20-21 */
	MT_OP_PUT_BAD, MT_OP_PUT_BAD, MT_OP_PUT_BAD,                    /* 22-24 */
	MT_OP_PUT_BAD, MT_OP_PUT_BAD, MT_OP_PUT_BAD,                    /* 25-27 */
	MT_OP_NOP, MT_OP_NOP, MT_OP_NOP, MT_OP_NOP,                     /* 28-31 */
};

/* v2 keeps v1's slots but gives 30-31 to read-from records. */
static const uint8_t v2_op_of_slot_hi[4] = { MT_OP_NOP, MT_OP_NOP, MT_OP_READ_FROM, MT_OP_READ_FROM };

/* Canonical slot of each operation (its first slot above). */
static const uint8_t slot_of_op[MT_OP_COUNT] = { 0, 10, 16, 20, 22, 28, 30 };

static const char *const op_names[MT_OP_COUNT] = {
	"get", "put-own", "put-other", "grow", "put-bad", "nop", "read-from",
};

static const char *const model_names[MT_MODEL_COUNT] = { "sc", "c11" };

static const char *const bad_names[MT_BAD_COUNT] = {
	"range", "tail", "never", "double", "huge", "limit", "free", "last-put",
};

const char *mt_in_op_name(unsigned op)
{
	return op < MT_OP_COUNT ? op_names[op] : "?";
}

const char *mt_in_bad_name(unsigned flavour)
{
	return flavour < MT_BAD_COUNT ? bad_names[flavour] : "?";
}

const char *mt_in_model_name(unsigned model)
{
	return model < MT_MODEL_COUNT ? model_names[model] : "?";
}

/* ---- sites ---- */

/* ---- byte ids by name (docs/input-format.md, "Byte ids by name") ----
 *
 * A site's byte id is the hash of its identifier (mt_in_name_hash); two
 * sites with one hash: in ascending identifier order (strcmp), each takes
 * the first free id at or after its hash, wrapping around.  The fuzzers'
 * half: offset r (0-8191) names the site with the first byte id at or
 * after r, wrapping around.  Computed once per set of tables. */
struct mt_in_ids {
	const struct mt_site_table *const *tables;   /* the set (static arrays) */
	unsigned count;
	uint16_t *byte_of;                     /* run id -> byte id, or MT_IN_NO_SITE */
	uint16_t run_of[MT_IN_MAX_SITES];      /* byte id -> run id, or MT_IN_NO_SITE */
	uint16_t fuzz_of[MT_IN_MAX_SITES];     /* fuzzers' half: id - 8192 -> run id */
};

#define BY_NAME_MAX 8u
static struct { const struct mt_site_table *t; unsigned named; } by_name[BY_NAME_MAX];
static unsigned nr_by_name;
static struct mt_in_ids *ids_cache[BY_NAME_MAX];
static unsigned nr_ids_cache;

void mt_in_ids_by_name(const struct mt_site_table *t, unsigned named)
{
	for (unsigned i = 0; i < nr_by_name; i++)
		if (by_name[i].t == t) {
			by_name[i].named = named;
			return;
		}
	if (nr_by_name == BY_NAME_MAX) {
		fprintf(stderr, "input: more than %u site tables numbered by name\n", BY_NAME_MAX);
		abort();
	}
	by_name[nr_by_name].t = t;
	by_name[nr_by_name++].named = named;
}

unsigned mt_in_name_hash(const char *id)
{
	uint32_t h = 2166136261u;                /* FNV-1a, 32 bits */

	for (const unsigned char *c = (const unsigned char *)id; *c; c++)
		h = (h ^ *c) * 16777619u;
	return (h ^ h >> 13 ^ h >> 26) & (MT_IN_MAX_SITES - 1u);
}

struct named_site {
	const char *id;
	unsigned run;
};

static int by_id(const void *a, const void *b)
{
	const struct named_site *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->run > y->run) - (x->run < y->run);
}

/* The byte ids of a set of tables, or NULL if they are by position. */
static const struct mt_in_ids *ids_of(const struct mt_site_table *const *tables, unsigned count)
{
	int any = 0;

	for (const struct mt_site_table *const *t = tables; t && *t && !any; t++)
		for (unsigned i = 0; i < nr_by_name; i++)
			any |= by_name[i].t == *t;
	if (!any)
		return NULL;
	for (unsigned i = 0; i < nr_ids_cache; i++)
		if (ids_cache[i]->tables == tables && ids_cache[i]->count == count)
			return ids_cache[i];
	struct mt_in_ids *m = calloc(1, sizeof(*m));
	struct named_site *ns = calloc(count ? count : 1, sizeof(*ns));
	if (!m || !ns || !(m->byte_of = malloc((count ? count : 1) * sizeof(*m->byte_of)))) {
		fprintf(stderr, "input: out of memory for the byte ids of %u sites\n", count);
		abort();
	}
	m->tables = tables;
	m->count = count;
	unsigned n = 0, run = 0;
	for (const struct mt_site_table *const *t = tables; *t && run < count; t++) {
		unsigned named = (*t)->count;
		for (unsigned i = 0; i < nr_by_name; i++)
			if (by_name[i].t == *t && by_name[i].named < named)
				named = by_name[i].named;
		for (unsigned i = 0; i < (*t)->count && run < count; i++, run++) {
			m->byte_of[run] = MT_IN_NO_SITE;
			if (i < named && (*t)->sites[i].id)
				ns[n++] = (struct named_site){ (*t)->sites[i].id, run };
		}
	}
	qsort(ns, n, sizeof(*ns), by_id);
	for (unsigned b = 0; b < MT_IN_MAX_SITES; b++)
		m->run_of[b] = m->fuzz_of[b] = MT_IN_NO_SITE;
	unsigned placed = 0;
	for (unsigned k = 0; k < n && placed < MT_IN_MAX_SITES; k++) {
		if (k && !strcmp(ns[k].id, ns[k - 1].id))
			continue;        /* a second site of that name: the first has the id */
		unsigned b = mt_in_name_hash(ns[k].id);
		while (m->run_of[b] != MT_IN_NO_SITE)
			b = (b + 1) & (MT_IN_MAX_SITES - 1u);
		m->run_of[b] = (uint16_t)ns[k].run;
		m->byte_of[ns[k].run] = (uint16_t)b;
		placed++;
	}
	free(ns);
	/* The fuzzers' half: walk down from the top, twice around, carrying
	 * the nearest site at or above. */
	uint16_t next = MT_IN_NO_SITE;
	for (unsigned k = 2 * MT_IN_MAX_SITES; placed && k-- > 0;) {
		unsigned b = k & (MT_IN_MAX_SITES - 1u);
		if (m->run_of[b] != MT_IN_NO_SITE)
			next = m->run_of[b];
		m->fuzz_of[b] = next;
	}
	if (nr_ids_cache < BY_NAME_MAX)
		ids_cache[nr_ids_cache++] = m;    /* else rebuilt next time (and kept) */
	return m;
}

unsigned mt_in_byte_id(const struct mt_in_sites *s, unsigned run_id)
{
	if (run_id >= MT_IN_MAX_SITES)
		return run_id - MT_IN_MAX_SITES < MT_IN_MAX_SITES ? run_id - MT_IN_MAX_SITES : MT_IN_NO_SITE;
	if (!s || !s->ids)
		return run_id;
	return run_id < s->ids->count ? s->ids->byte_of[run_id] : MT_IN_NO_SITE;
}

/* A byte id (0-8191) -> run id: the site with that id, or (kept, never
 * reached) the id itself by position, MT_IN_MAX_SITES + the id by name. */
static unsigned run_of_byte(const struct mt_in_ids *ids, unsigned b)
{
	if (!ids)
		return b;
	return ids->run_of[b] != MT_IN_NO_SITE ? ids->run_of[b] : MT_IN_MAX_SITES + b;
}

void mt_in_sites_init(struct mt_in_sites *s, const struct mt_site_table *const *tables)
{
	s->tables = tables;
	s->strict = 0;
	s->count = 0;
	for (const struct mt_site_table *const *t = tables; t && *t; t++)
		s->count += (*t)->count;
	if (s->count > MT_IN_MAX_SITES)
		s->count = MT_IN_MAX_SITES;
	s->ids = ids_of(tables, s->count);
	for (unsigned n = 0; n < MT_IN_V1_SITES; n++) {
		const char *id = mt_in_v1_site_id(n);
		int got = id ? mt_in_site_lookup(s, id) : -1;
		s->v1[n] = got < 0 ? MT_IN_NO_SITE : (uint16_t)got;
	}
}

const struct mt_site *mt_in_site(const struct mt_in_sites *s, unsigned id)
{
	if (!s || id >= s->count)
		return NULL;
	for (const struct mt_site_table *const *t = s->tables; *t; t++) {
		if (id < (*t)->count)
			return &(*t)->sites[id];
		id -= (*t)->count;
	}
	return NULL;
}

int mt_in_site_lookup(const struct mt_in_sites *s, const char *id)
{
	unsigned base = 0;

	if (!s || !s->tables)
		return -1;
	for (const struct mt_site_table *const *t = s->tables; *t; t++) {
		for (unsigned i = 0; i < (*t)->count; i++)
			if (base + i < s->count && !strcmp((*t)->sites[i].id, id))
				return (int)(base + i);
		base += (*t)->count;
	}
	return -1;
}

/* Bytes 0xf0-0xff of the per-page field: bigger pages (Xen's is 256). */
static const uint16_t big_pages[16] = {
	9, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256,
};

static unsigned per_page_of(uint8_t b)
{
	if (b < 0xf0)
		return 2u + b % 7u;          /* 2-8: limits and stealing within a few ops */
	return big_pages[b - 0xf0];
}

static int per_page_byte(unsigned n, uint8_t *b)
{
	if (n >= 2 && n <= 8) {
		*b = (uint8_t)(n - 2);
		return 0;
	}
	for (unsigned i = 0; i < 16; i++)
		if (big_pages[i] == n) {
			*b = (uint8_t)(0xf0 + i);
			return 0;
		}
	return -1;
}

/* One record's bytes (4; v1 leaves b[3] at 0) -> record. */
static void decode_record(const uint8_t *b, int v2, const struct mt_in_sites *s, const uint8_t *vcpu_of,
                          struct mt_in_record *r)
{
	unsigned slot = b[0] >> 3;

	r->vcpu = vcpu_of[b[0] & 7u];
	r->op = v2 && slot >= 28 ? v2_op_of_slot_hi[slot - 28] : op_of_slot[slot];
	r->arg = b[1];
	if (b[2] < 0x80) {
		r->run_mode = MT_RUN_POINTS;
		r->run_n = b[2];
	} else if (b[2] < 0xc0) {
		unsigned raw = (b[2] & 0x3fu) << 8 | b[3], n = s ? s->count : 0, id;
		const struct mt_in_ids *ids = s ? s->ids : NULL;
		if (!v2)
			id = s ? s->v1[b[2] & 0x3f] : MT_IN_NO_SITE;
		else if (raw < MT_IN_MAX_SITES)
			id = run_of_byte(ids, raw);   /* no such site: kept, never reached, round trips */
		else if (ids)
			id = ids->fuzz_of[raw - MT_IN_MAX_SITES];
		else
			id = n ? (raw - MT_IN_MAX_SITES) % n : MT_IN_NO_SITE;
		if (id == MT_IN_NO_SITE) {          /* a site this implementation lacks */
			r->run_mode = MT_RUN_ALL;
			r->run_n = 0;
		} else {
			r->run_mode = MT_RUN_UNTIL;
			r->run_n = (uint16_t)id;
		}
	} else {
		r->run_mode = MT_RUN_ALL;
		r->run_n = 0;
	}
	if (r->op == MT_OP_READ_FROM) {     /* not a schedule: only its choice counts */
		r->run_mode = MT_RUN_ALL;
		r->run_n = 0;
	}
}

void mt_in_decode(const uint8_t *data, size_t size, const struct mt_in_sites *s, struct mt_program *p)
{
	uint8_t h[MT_IN_V2_HEADER_LEN] = { 0 };

	if (!data)
		size = 0;
	int v2 = size > 0 && data[0] == MT_IN_V2_TAG;
	size_t hlen = v2 ? MT_IN_V2_HEADER_LEN : MT_IN_HEADER_LEN;
	size_t rlen = v2 ? MT_IN_V2_RECORD_LEN : MT_IN_RECORD_LEN;
	for (size_t i = 0; i < hlen && i < size; i++)
		h[i] = data[i];
	p->ids = s ? s->ids : NULL;
	p->version = v2 ? 2 : 1;
	p->model = v2 ? (uint8_t)(h[5] % MT_MODEL_COUNT) : MT_MODEL_SC;
	p->nr_vcpus = 1u + h[1] % MT_IN_MAX_VCPUS;
	p->per_page = per_page_of(h[2]);
	/* Big pages get at most 4 frames: every quiescent check walks the table. */
	p->max_frames = 1u + h[3] % (p->per_page > 8 ? MT_IN_MAX_BIG_FRAMES : MT_IN_MAX_FRAMES);
	p->alloc_fail = h[4];
	p->nr_records = 0;
	if (size <= hlen)
		return;
	size_t body = size - hlen;
	size_t n = (body + rlen - 1) / rlen;
	if (n > MT_IN_MAX_RECORDS)
		n = MT_IN_MAX_RECORDS;
	/* VCPU of each value of the 3 low bits (no division per record). */
	uint8_t vcpu_of[8];
	for (unsigned j = 0; j < 8; j++)
		vcpu_of[j] = (uint8_t)(j % p->nr_vcpus);
	for (size_t i = 0; i < n; i++) {
		uint8_t b[MT_IN_V2_RECORD_LEN] = { 0 };
		size_t off = hlen + i * rlen;
		for (size_t j = 0; j < rlen && off + j < size; j++)   /* a trailing partial record: zeros */
			b[j] = data[off + j];
		decode_record(b, v2, s, vcpu_of, &p->rec[i]);
	}
	p->nr_records = (unsigned)n;
}

size_t mt_in_encode(const struct mt_program *p, uint8_t *out, size_t cap)
{
	uint8_t pp;
	size_t len = MT_IN_V2_HEADER_LEN + (size_t)p->nr_records * MT_IN_V2_RECORD_LEN;

	if (len > cap || per_page_byte(p->per_page, &pp) != 0 ||
	    p->nr_vcpus < 1 || p->nr_vcpus > MT_IN_MAX_VCPUS ||
	    p->max_frames < 1 || p->max_frames > MT_IN_MAX_FRAMES ||
	    (p->per_page > 8 && p->max_frames > MT_IN_MAX_BIG_FRAMES) || p->model >= MT_MODEL_COUNT)
		return 0;
	out[0] = MT_IN_V2_TAG;
	out[1] = (uint8_t)(p->nr_vcpus - 1);
	out[2] = pp;
	out[3] = (uint8_t)(p->max_frames - 1);
	out[4] = p->alloc_fail;
	out[5] = p->model;
	for (unsigned i = 0; i < p->nr_records; i++) {
		const struct mt_in_record *r = &p->rec[i];
		uint8_t *b = out + MT_IN_V2_HEADER_LEN + (size_t)i * MT_IN_V2_RECORD_LEN;
		if (r->op >= MT_OP_COUNT || r->vcpu >= p->nr_vcpus)
			return 0;
		b[0] = (uint8_t)((slot_of_op[r->op] << 3) | r->vcpu);
		b[1] = r->arg;
		b[3] = 0;
		switch (r->op == MT_OP_READ_FROM ? MT_RUN_ALL : r->run_mode) {
		case MT_RUN_POINTS:
			if (r->run_n > 0x7f)
				return 0;
			b[2] = (uint8_t)r->run_n;
			break;
		case MT_RUN_UNTIL: {
			unsigned id = r->run_n;
			if (p->ids)
				id = id >= MT_IN_MAX_SITES ? id - MT_IN_MAX_SITES
				     : id < p->ids->count ? p->ids->byte_of[id] : MT_IN_NO_SITE;
			if (id >= MT_IN_MAX_SITES)
				return 0;
			b[2] = (uint8_t)(0x80 | (id >> 8));
			b[3] = (uint8_t)(id & 0xff);
			break;
		}
		default:
			b[2] = 0xff;
			break;
		}
	}
	return len;
}

/* ---- text form ---- */

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

char *mt_in_record_text(const struct mt_in_record *r, const struct mt_in_sites *s, char *buf, size_t cap)
{
	size_t len = 0;

	if (!cap)
		return buf;
	buf[0] = '\0';
	append(buf, cap, &len, "v%u %s", r->vcpu, mt_in_op_name(r->op));
	switch (r->op) {
	case MT_OP_GET:
		append(buf, cap, &len, " rand=%u/%u/%u", r->arg & 7u, (r->arg >> 3) & 7u, r->arg >> 6);
		break;
	case MT_OP_PUT_OWN:
	case MT_OP_PUT_OTHER:
		append(buf, cap, &len, " idx=%u", r->arg);
		break;
	case MT_OP_PUT_BAD:
		append(buf, cap, &len, " bad=%s k=%u", mt_in_bad_name(r->arg & 7u), r->arg >> 3);
		break;
	case MT_OP_READ_FROM:
		append(buf, cap, &len, " store=%u", r->arg);
		return buf;              /* no run length: it schedules nothing */
	default:
		if (r->arg)
			append(buf, cap, &len, " arg=0x%02x", r->arg);
		break;
	}
	switch (r->run_mode) {
	case MT_RUN_POINTS:
		append(buf, cap, &len, " run=%u", r->run_n);
		break;
	case MT_RUN_UNTIL: {
		const struct mt_site *site = mt_in_site(s, r->run_n);
		if (site)
			append(buf, cap, &len, " until=%s", site->id);
		else
			append(buf, cap, &len, " until=@%u", s ? mt_in_byte_id(s, r->run_n) : r->run_n);
		break;
	}
	default:
		append(buf, cap, &len, " run=all");
		break;
	}
	return buf;
}

void mt_in_print_header(const struct mt_program *p, FILE *out)
{
	fprintf(out, "maptrack-input v%u\n", MT_IN_VERSION);
	if (p->version != MT_IN_VERSION)
		fprintf(out, "# read from a version %u input\n", p->version);
	fprintf(out, "model %s\n", mt_in_model_name(p->model));
	fprintf(out, "vcpus %u\n", p->nr_vcpus);
	fprintf(out, "per_page %u\n", p->per_page);
	fprintf(out, "max_frames %u\n", p->max_frames);
	fprintf(out, "alloc_fail 0x%02x\n", p->alloc_fail);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int lookup(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

int mt_in_model_of(const char *name)
{
	return name ? lookup(model_names, MT_MODEL_COUNT, name) : -1;
}

static int parse_site(const char *str, const struct mt_in_sites *s, unsigned *site)
{
	unsigned long v;

	if (*str == '@') {
		/* A raw id (decode prints one for a site the implementation
		 * lacks): kept as it is, so text round trips.  ('#' starts a
		 * comment.) */
		if (parse_uint(str + 1, MT_IN_MAX_SITES - 1, &v))
			return -1;
		*site = run_of_byte(s ? s->ids : NULL, (unsigned)v);
		return 0;
	}
	/* By identifier (POP_READ_NEXT, with or without MT_SITE_). */
	if (!strncmp(str, "MT_SITE_", 8))
		str += 8;
	int id = mt_in_site_lookup(s, str);
	if (id >= 0) {
		*site = (unsigned)id;
		return 0;
	}
	if (s && s->strict)
		return -1;
	/* Another implementation's site: never reached by this one. */
	const struct mt_registration *r;
	for (unsigned i = 0; (r = mt_ops_at(i)) != NULL; i++)
		if (mt_ops_site(r->ops, str)) {
			*site = MT_IN_NO_SITE;
			return 0;
		}
	return -1;
}

#define PERR(...) do { snprintf(err, errcap, "line %u: ", lineno); \
	size_t l_ = strlen(err); snprintf(err + l_, errcap > l_ ? errcap - l_ : 0, __VA_ARGS__); \
	return -1; } while (0)

/* One record line, tokens already split. */
static int parse_record(char **tok, int ntok, const struct mt_in_sites *s, struct mt_in_record *r,
                        unsigned lineno, char *err, size_t errcap)
{
	unsigned long v;
	int op;

	if (tok[0][0] != 'v' || parse_uint(tok[0] + 1, MT_IN_MAX_VCPUS - 1, &v))
		PERR("expected a VCPU v0-v7, got '%s'", tok[0]);
	r->vcpu = (uint8_t)v;
	if (ntok < 2 || (op = lookup(op_names, MT_OP_COUNT, tok[1])) < 0)
		PERR("expected an operation (get, put-own, put-other, grow, put-bad, nop, read-from) after %s", tok[0]);
	r->op = (uint8_t)op;
	r->arg = 0;
	r->run_mode = MT_RUN_ALL;
	r->run_n = 0;
	unsigned bad = 0, k = 0;
	int have_bad = 0, have_k = 0;
	for (int i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq)
			PERR("expected key=value, got '%s'", tok[i]);
		*eq = '\0';
		const char *key = tok[i], *val = eq + 1;
		if (!strcmp(key, "arg")) {
			if (parse_uint(val, 255, &v))
				PERR("arg must be 0-255");
			r->arg = (uint8_t)v;
		} else if (!strcmp(key, "rand") && op == MT_OP_GET) {
			unsigned a = 0, b = 0, c = 0;
			char extra;
			int n = sscanf(val, "%u/%u/%u%c", &a, &b, &c, &extra);
			if (n < 1 || n > 3 || a > 7 || b > 7 || c > 3)
				PERR("rand=A/B/C with A,B in 0-7 and C in 0-3");
			r->arg = (uint8_t)(a | b << 3 | c << 6);
		} else if (!strcmp(key, "idx") && (op == MT_OP_PUT_OWN || op == MT_OP_PUT_OTHER)) {
			if (parse_uint(val, 255, &v))
				PERR("idx must be 0-255");
			r->arg = (uint8_t)v;
		} else if (!strcmp(key, "bad") && op == MT_OP_PUT_BAD) {
			int f = lookup(bad_names, MT_BAD_COUNT, val);
			if (f < 0)
				PERR("bad= one of range tail never double huge limit free last-put");
			bad = (unsigned)f;
			have_bad = 1;
		} else if (!strcmp(key, "store") && op == MT_OP_READ_FROM) {
			if (parse_uint(val, 255, &v))
				PERR("store must be 0-255");
			r->arg = (uint8_t)v;
		} else if (!strcmp(key, "k") && op == MT_OP_PUT_BAD) {
			if (parse_uint(val, 31, &v))
				PERR("k must be 0-31");
			k = (unsigned)v;
			have_k = 1;
		} else if (!strcmp(key, "run")) {
			if (!strcmp(val, "all")) {
				r->run_mode = MT_RUN_ALL;
			} else {
				if (parse_uint(val, 127, &v))
					PERR("run= a count 0-127 or 'all'");
				r->run_mode = MT_RUN_POINTS;
				r->run_n = (uint8_t)v;
			}
		} else if (!strcmp(key, "until")) {
			unsigned site;
			if (parse_site(val, s, &site))
				PERR("until= a site of this implementation (e.g. POP_READ_NEXT) or @N (0-%u), got '%s'",
				     MT_IN_MAX_SITES - 1, val);
			r->run_mode = site == MT_IN_NO_SITE ? MT_RUN_ALL : MT_RUN_UNTIL;
			r->run_n = site == MT_IN_NO_SITE ? 0 : (uint16_t)site;
		} else {
			PERR("unknown field '%s' for %s", key, op_names[op]);
		}
	}
	if (have_bad || have_k)
		r->arg = (uint8_t)(bad | k << 3);
	if (op == MT_OP_READ_FROM && r->run_mode != MT_RUN_ALL)
		PERR("read-from takes no run= or until= (it schedules nothing)");
	return 0;
}

int mt_in_parse_text(const char *text, const struct mt_in_sites *s, struct mt_program *p,
                     char *err, size_t errcap)
{
	unsigned lineno = 0;
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	int rc = 0;

	if (!copy) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	memcpy(copy, text, len + 1);
	memset(p, 0, sizeof(*p));
	p->ids = s ? s->ids : NULL;
	p->version = MT_IN_VERSION;
	p->nr_vcpus = 2;
	p->per_page = 4;
	p->max_frames = 2;
	p->alloc_fail = 0;

	char *save = NULL;
	for (char *line = copy; line && rc == 0; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[16];
		int ntok = 0;
		for (char *s = strtok(line, " \t\r"); s; s = strtok(NULL, " \t\r")) {
			if (ntok == 16) {
				snprintf(err, errcap, "line %u: too many fields", lineno);
				rc = -1;
				break;
			}
			tok[ntok++] = s;
		}
		if (rc || ntok == 0)
			continue;
		unsigned long v;
		if (!strcmp(tok[0], "maptrack-input")) {
			/* The text form names sites, so a v1 text reads as is. */
			if (ntok != 2 || (strcmp(tok[1], "v1") && strcmp(tok[1], "v2"))) {
				snprintf(err, errcap, "line %u: only 'maptrack-input v1' and 'v2' are known", lineno);
				rc = -1;
			}
		} else if (!strcmp(tok[0], "model")) {
			int m = ntok == 2 ? mt_in_model_of(tok[1]) : -1;
			if (p->nr_records) {
				snprintf(err, errcap, "line %u: header line 'model' after the first record", lineno);
				rc = -1;
			} else if (m < 0) {
				snprintf(err, errcap, "line %u: model must be sc or c11", lineno);
				rc = -1;
			} else {
				p->model = (uint8_t)m;
			}
		} else if (!strcmp(tok[0], "version") || !strcmp(tok[0], "vcpus") ||
		           !strcmp(tok[0], "per_page") || !strcmp(tok[0], "max_frames") ||
		           !strcmp(tok[0], "alloc_fail")) {
			if (p->nr_records) {
				snprintf(err, errcap, "line %u: header line '%s' after the first record", lineno, tok[0]);
				rc = -1;
			} else if (ntok != 2 || parse_uint(tok[1], 0xffffffffu, &v)) {
				snprintf(err, errcap, "line %u: '%s' needs one number", lineno, tok[0]);
				rc = -1;
			} else if (!strcmp(tok[0], "version")) {
				/* v1 texts carried the raw first byte: it has no meaning. */
				if (v > 255) { snprintf(err, errcap, "line %u: version 0-255", lineno); rc = -1; }
			} else if (!strcmp(tok[0], "vcpus")) {
				if (v < 1 || v > MT_IN_MAX_VCPUS) { snprintf(err, errcap, "line %u: vcpus 1-8", lineno); rc = -1; }
				else p->nr_vcpus = (unsigned)v;
			} else if (!strcmp(tok[0], "per_page")) {
				uint8_t b;
				if (per_page_byte((unsigned)v, &b)) {
					snprintf(err, errcap, "line %u: per_page must be 2-8, 9, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192 or 256", lineno);
					rc = -1;
				} else {
					p->per_page = (unsigned)v;
				}
			} else if (!strcmp(tok[0], "max_frames")) {
				if (v < 1 || v > MT_IN_MAX_FRAMES || (p->per_page > 8 && v > MT_IN_MAX_BIG_FRAMES)) {
					snprintf(err, errcap, "line %u: max_frames 1-16 (1-4 with more than 8 per page; per_page goes first)", lineno);
					rc = -1;
				}
				else p->max_frames = (unsigned)v;
			} else {
				if (v > 255) { snprintf(err, errcap, "line %u: alloc_fail is a byte", lineno); rc = -1; }
				else p->alloc_fail = (uint8_t)v;
			}
		} else {
			if (p->nr_records >= MT_IN_MAX_RECORDS) {
				snprintf(err, errcap, "line %u: more than %u records", lineno, MT_IN_MAX_RECORDS);
				rc = -1;
			} else if (parse_record(tok, ntok, s, &p->rec[p->nr_records], lineno, err, errcap)) {
				rc = -1;
			} else if (p->rec[p->nr_records].vcpu >= p->nr_vcpus) {
				snprintf(err, errcap, "line %u: v%u but only %u VCPUs", lineno,
				         p->rec[p->nr_records].vcpu, p->nr_vcpus);
				rc = -1;
			} else {
				p->nr_records++;
			}
		}
	}
	free(copy);
	return rc;
}
