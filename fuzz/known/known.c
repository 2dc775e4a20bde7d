/* known.c - signatures from one run and the known-findings file (known.h). */
#include "fuzz/known/known.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tok_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static const char *site_id_of(const struct mt_sim *sim, int site)
{
	const struct mt_site *s = site >= 0 ? mt_sim_site(sim, (unsigned)site) : NULL;

	return s && s->id ? s->id : "unknown_site";
}

/* The invariant as a signature names it: the list-shape invariants that
 * the quiescent walk checks in one pass (I1-I6, I9) are one class, "list":
 * which of them the walk meets first depends on noise around the bug
 * (other lists, other handles), not on the bug. */
static const char *inv_class(const char *inv)
{
	static const char *const list[] = { "I1", "I2", "I3", "I4", "I5", "I6", "I9" };

	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (!strcmp(inv, list[i]))
			return "list";
	return inv;
}

int mt_signature(const struct mt_sim *sim, char *buf, size_t cap)
{
	const struct mt_sim_blame *b = mt_sim_blame(sim);
	const char *det, *stop = "seq";

	if (!mt_sim_failed(sim) || b->phase == MT_PHASE_NONE) {
		if (cap)
			buf[0] = '\0';
		return -1;
	}
	if (b->hint >= 0 && b->other >= 0) {
		/* A finding made of two accesses (I11, I12): the pair of sites,
		 * sorted.  Which VCPU reached the pair second, in which
		 * operation, and where it had been stopped, is noise. */
		const char *x = site_id_of(sim, b->hint), *y = site_id_of(sim, b->other);
		if (strcmp(x, y) > 0) {
			const char *t = x;
			x = y;
			y = t;
		}
		snprintf(buf, cap, "%s:%s:%s", b->inv, x, y);
		goto clean;
	}
	switch (b->phase) {
	case MT_PHASE_OP:
		det = mt_in_op_name(b->op);
		/* the operation that saw it was preempted where it matters
		 * (a write of another VCPU met after resuming) */
		if (b->op_preempt >= 0)
			stop = site_id_of(sim, b->op_preempt);
		break;
	case MT_PHASE_QUIESCENT:
	case MT_PHASE_FINAL:
		/* The walk sees the state, not who made it: which operation
		 * returned last, and its stops, depend on noise. */
		det = "quiescent";
		break;
	default:
		det = "end";
		break;
	}
	if (b->hint >= 0)
		stop = site_id_of(sim, b->hint);
	snprintf(buf, cap, "%s:%s:%s", inv_class(b->inv), det, stop);
clean:
	for (char *c = buf; *c; c++)
		if (!tok_char((unsigned char)*c) && *c != ':')
			*c = '_';
	return 0;
}

/* A signature of the one-run form (before root-cause signatures): its
 * middle token names the detecting operation, or its invariant is the
 * walk's class "list".  The new forms never have either. */
static int old_form(const char *s)
{
	static const char *const det[] = { "get", "put-own", "put-other", "grow", "put-bad", "quiescent", "end" };
	const char *a = strchr(s, ':'), *b = a ? strchr(a + 1, ':') : NULL;

	if (!a || !b)
		return 0;
	if (a - s == 4 && !strncmp(s, "list", 4))
		return 1;
	for (unsigned i = 0; i < sizeof(det) / sizeof(det[0]); i++)
		if ((size_t)(b - a - 1) == strlen(det[i]) && !strncmp(a + 1, det[i], strlen(det[i])))
			return 1;
	return 0;
}

int mt_signature_valid(const char *s)
{
	unsigned colons = 0;
	size_t tok = 0;

	for (; *s; s++) {
		if (*s == ':') {
			if (!tok)
				return 0;
			colons++;
			tok = 0;
		} else if (tok_char((unsigned char)*s)) {
			tok++;
		} else {
			return 0;
		}
	}
	return colons == 2 && tok > 0;
}

/* ---- the known-findings file ---- */

struct mt_known {
	unsigned n, cap;
	char (*sig)[MT_SIG_MAX];
	unsigned long *matches;
};

struct mt_known *mt_known_empty(void)
{
	struct mt_known *k = calloc(1, sizeof(*k));

	if (!k) {
		fprintf(stderr, "known: out of memory\n");
		exit(2);
	}
	return k;
}

void mt_known_free(struct mt_known *k)
{
	if (!k)
		return;
	free(k->sig);
	free(k->matches);
	free(k);
}

static void add(struct mt_known *k, const char *sig)
{
	for (unsigned i = 0; i < k->n; i++)
		if (!strcmp(k->sig[i], sig))
			return;      /* a repeated line is one signature */
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		k->sig = realloc(k->sig, k->cap * sizeof(*k->sig));
		k->matches = realloc(k->matches, k->cap * sizeof(*k->matches));
		if (!k->sig || !k->matches) {
			fprintf(stderr, "known: out of memory\n");
			exit(2);
		}
	}
	snprintf(k->sig[k->n], MT_SIG_MAX, "%s", sig);
	k->matches[k->n++] = 0;
}

struct mt_known *mt_known_load(const char *path, char *err, size_t errcap)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;

	if (!f) {
		snprintf(err, errcap, "%s: cannot read the known-findings file: %s", path, strerror(errno));
		return NULL;
	}
	struct mt_known *k = mt_known_empty();
	unsigned old = 0, old_line = 0;
	char old_sig[MT_SIG_MAX] = "";
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, errcap, "%s:%u: line too long", path, lineno);
			goto bad;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = line, *e;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s)
			continue;
		if (strlen(s) >= MT_SIG_MAX || !mt_signature_valid(s)) {
			snprintf(err, errcap,
			         "%s:%u: not a signature: '%.80s' (want three tokens INV:X:Y, e.g. "
			         "I7:seq:put-bad or I5:POP_READ_HEAD:POP_WRITE_HEAD; '#' starts a comment)",
			         path, lineno, s);
			goto bad;
		}
		if (old_form(s) && !old++) {
			old_line = lineno;
			snprintf(old_sig, sizeof(old_sig), "%.*s", (int)sizeof(old_sig) - 1, s);
		}
		add(k, s);
	}
	if (ferror(f)) {
		snprintf(err, errcap, "%s: read error", path);
		goto bad;
	}
	fclose(f);
	if (old)
		fprintf(stderr, "%s:%u: warning: '%s' and %u more line(s) are signatures of the older one-run form "
		        "(INV:DETECTOR:STOP); findings are now named from their minimised reproducer "
		        "(INV:seq:OP, INV:order:OP, INV:SITE:SITE; fuzz/known/root_cause.h), so these never "
		        "match: accept the findings again (tools/triage --accept)\n", path, old_line, old_sig, old - 1);
	return k;
bad:
	fclose(f);
	mt_known_free(k);
	return NULL;
}

int mt_known_match(struct mt_known *k, const char *sig)
{
	for (unsigned i = 0; k && i < k->n; i++)
		if (!strcmp(k->sig[i], sig)) {
			k->matches[i]++;
			return 1;
		}
	return 0;
}

unsigned mt_known_count(const struct mt_known *k)
{
	return k ? k->n : 0;
}

const char *mt_known_at(const struct mt_known *k, unsigned i, unsigned long *matches)
{
	if (!k || i >= k->n)
		return NULL;
	if (matches)
		*matches = k->matches[i];
	return k->sig[i];
}

/* ---- new signatures, saved once ---- */

void mt_signature_file_name(const char *sig, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "new-%s", sig);

	for (size_t i = 4; i < n && i < cap; i++)
		if (!tok_char((unsigned char)buf[i]))
			buf[i] = '_';
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int mt_known_save_once(const char *dir, const char *sig, const char *finding, const uint8_t *data,
                       size_t size)
{
	char name[MT_SIG_MAX + 8], path[4096], tmp[4096], txt[4200];

	mt_signature_file_name(sig, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%s", dir, (long)getpid(), name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	int bad = write_all(fd, data, size);
	bad |= close(fd);
	if (bad) {
		unlink(tmp);
		return -1;
	}
	int rc = link(tmp, path);
	int e = errno;
	unlink(tmp);
	if (rc != 0) {
		if (e == EEXIST)
			return 0;
		errno = e;
		return -1;
	}
	/* The one process that created it writes the description. */
	snprintf(txt, sizeof(txt), "%s.txt", path);
	FILE *f = fopen(txt, "w");
	if (f) {
		fprintf(f, "%s\n%s\n", sig, finding ? finding : "");
		fclose(f);
	}
	return 1;
}
