/* Builder flags as BuildKit's BFlags and its RUN --mount, --network and
 * HEALTHCHECK parsers accept them; suggestions for misspelt names. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "dockerfile/internal.h"
#include "core/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum ftype { F_STRING, F_STRINGS, F_BOOL };

struct fspec {
	const char *name;
	enum ftype type;
	bool labs; /* only with a labs `# syntax=` frontend */
};

static const struct fspec from_flags[] = { { "platform", F_STRING, false } };
static const struct fspec copy_flags[] = {
	{ "from", F_STRING, false },  { "chown", F_STRING, false },	{ "chmod", F_STRING, false },
	{ "link", F_BOOL, false },    { "parents", F_BOOL, false },	{ "exclude", F_STRINGS, false },
};
static const struct fspec add_flags[] = {
	{ "chown", F_STRING, false },	 { "chmod", F_STRING, false },	   { "link", F_BOOL, false },
	{ "keep-git-dir", F_BOOL, false }, { "checksum", F_STRING, false }, { "exclude", F_STRINGS, false },
	{ "unpack", F_BOOL, false },
};
static const struct fspec run_flags[] = {
	{ "mount", F_STRINGS, false },
	{ "network", F_STRING, false },
	{ "security", F_STRING, true },
	{ "device", F_STRINGS, true },
};
static const struct fspec health_flags[] = {
	{ "interval", F_STRING, false },       { "timeout", F_STRING, false }, { "start-period", F_STRING, false },
	{ "start-interval", F_STRING, false }, { "retries", F_STRING, false },
};

/* ---- suggestions ---- */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

static size_t distance(const char *a, size_t n, const char *b)
{
	size_t m = strlen(b);
	size_t row[40];
	if (m + 1 > sizeof(row) / sizeof(row[0]))
		return (size_t)-1;
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

const char *df_suggest(const char *w, size_t n, const char *const *words, size_t nwords)
{
	if (n == 0 || n > 32)
		return NULL;
	const char *best = NULL;
	size_t score = 3;
	for (size_t i = 0; i < nwords; i++) {
		size_t d = distance(w, n, words[i]);
		if (d < score && d < strlen(words[i])) {
			score = d;
			best = words[i];
		}
	}
	return best;
}

/* ---- Go's time.ParseDuration ---- */

#define DUR_LIMIT (1ULL << 63)

static unsigned long long duration_unit(const char *s, size_t len)
{
	static const struct {
		const char *name;
		unsigned long long mult;
	} units[] = {
		{ "ns", 1ULL },		    { "us", 1000ULL },		{ "\xc2\xb5s", 1000ULL }, { "\xce\xbcs", 1000ULL },
		{ "ms", 1000000ULL },	    { "s", 1000000000ULL },	{ "m", 60000000000ULL },   { "h", 3600000000000ULL },
	};
	for (size_t i = 0; i < N(units); i++)
		if (strlen(units[i].name) == len && memcmp(units[i].name, s, len) == 0)
			return units[i].mult;
	return 0;
}

/* One "<number><unit>" of a Go duration at *sp; adds its nanoseconds to *d. */
static bool duration_part(const char **sp, unsigned long long *d)
{
	const char *s = *sp, *p = s;
	unsigned long long v = 0, f = 0;
	double scale = 1;
	if (!(*s == '.' || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > DUR_LIMIT / 10)
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > DUR_LIMIT)
			return false;
	}
	bool pre = s != p, post = false;
	if (*s == '.') {
		p = ++s;
		bool overflow = false;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (overflow || f > (DUR_LIMIT - 1) / 10) {
				overflow = true;
				continue;
			}
			f = f * 10 + (unsigned long long)(*s - '0');
			scale *= 10;
		}
		post = s != p;
	}
	if (!pre && !post)
		return false;
	size_t ul = 0;
	while (s[ul] && s[ul] != '.' && !(s[ul] >= '0' && s[ul] <= '9'))
		ul++;
	unsigned long long mult = ul ? duration_unit(s, ul) : 0;
	if (!mult || v > DUR_LIMIT / mult)
		return false;
	v *= mult;
	if (f > 0) {
		v += (unsigned long long)((double)f * ((double)mult / scale));
		if (v > DUR_LIMIT)
			return false;
	}
	*d += v;
	*sp = s + ul;
	return *d <= DUR_LIMIT;
}

bool df_parse_duration(const char *s, long long *ns)
{
	unsigned long long d = 0;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s)
		if (!duration_part(&s, &d))
			return false;
	if (neg) {
		*ns = d == DUR_LIMIT ? LLONG_MIN : -(long long)d;
		return true;
	}
	if (d > DUR_LIMIT - 1)
		return false;
	*ns = (long long)d;
	return true;
}

/* ---- RUN --mount ---- */

static bool parse_bool(const char *v)
{
	static const char *const ok[] = { "1", "t", "T", "TRUE", "true", "True",
					  "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(v, ok[i]) == 0)
			return true;
	return false;
}

static bool parse_uint(const char *v, unsigned base)
{
	if (!*v)
		return false;
	unsigned long long x = 0;
	for (; *v; v++) {
		unsigned d = (unsigned)(*v - '0');
		if (d >= base)
			return false;
		x = x * base + d;
		if (x > 0xffffffffULL)
			return false;
	}
	return true;
}

static bool one_of(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, set[i]) == 0)
			return true;
	return false;
}

/* Go's encoding/csv on one record. Returns false on a quoting error. */
static bool csv_fields(const char *s, char ***out, size_t *nout)
{
	struct quai_buf f = QUAI_BUF_INIT;
	char **v = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	for (;;) {
		quai_buf_truncate(&f, 0);
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s) {
					ok = false;
					break;
				}
				if (*s == '"') {
					if (s[1] == '"') {
						df_putc(&f, '"');
						s += 2;
						continue;
					}
					s++;
					break;
				}
				df_putc(&f, *s++);
			}
			if (ok && *s && *s != ',')
				ok = false;
		} else {
			size_t k = strcspn(s, ",");
			if (memchr(s, '"', k))
				ok = false;
			df_buf_add(&f, s, k);
			s += k;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n++] = quai_buf_detach(&f);
		if (!ok || *s != ',')
			break;
		s++;
	}
	*out = v;
	*nout = n;
	return ok;
}

static const char *const mount_keys[] = { "type",     "from", "source",	  "src",      "target", "dst",	   "destination",
					  "readonly", "ro",   "readwrite", "rw",       "required", "id",	   "sharing",
					  "mode",     "uid",  "gid",	   "size",     "env" };
static const char *const mount_types[] = { "bind", "cache", "tmpfs", "secret", "ssh" };

/* A field without '=': only the boolean options may be written so. */
static char *mount_bare_field(const char *key, const char *type)
{
	if (!strcmp(key, "ro") || !strcmp(key, "readonly") || !strcmp(key, "rw") || !strcmp(key, "readwrite"))
		return NULL;
	if (strcmp(key, "required") != 0)
		return xasprintf("field '%.40s' must be a key=value pair", key);
	if (strcmp(type, "secret") != 0 && strcmp(type, "ssh") != 0 && strcmp(type, "?") != 0)
		return xasprintf("'required' is only for secret and ssh mounts, not %s", type);
	return NULL;
}

/* A key=value field; `type` (the mount type so far) is updated by type=. */
static char *mount_field(const char *key, const char *val, char type[8])
{
	static const char *const sharing[] = { "shared", "private", "locked" };
	if (!one_of(key, mount_keys, N(mount_keys))) {
		const char *s = df_suggest(key, strlen(key), mount_keys, N(mount_keys));
		return s ? xasprintf("unexpected key '%.40s': did you mean '%s'?", key, s)
			 : xasprintf("unexpected key '%.40s'", key);
	}
	if (!strcmp(key, "from")) {
		const char *d = strchr(val, '$');
		return d && d[1] ? xstrdup("'from' doesn't support variable expansion: define an alias stage instead")
				 : NULL;
	}
	if (strchr(val, '$')) {
		if (!strcmp(key, "type"))
			memcpy(type, "?", 2);
		return NULL; /* checked after expansion */
	}
	if (!strcmp(key, "type")) {
		if (!one_of(val, mount_types, N(mount_types))) {
			const char *s = df_suggest(val, strlen(val), mount_types, N(mount_types));
			return s ? xasprintf("unsupported mount type '%.40s': did you mean '%s'?", val, s)
				 : xasprintf("unsupported mount type '%.40s': use bind, cache, tmpfs, secret or ssh", val);
		}
		for (size_t k = 0; val[k]; k++)
			type[k] = lower(val[k]), type[k + 1] = '\0';
	} else if (!strcmp(key, "readonly") || !strcmp(key, "ro") || !strcmp(key, "readwrite") ||
		   !strcmp(key, "rw") || !strcmp(key, "required")) {
		if (!parse_bool(val))
			return xasprintf("'%s' takes true or false, not '%.40s'", key, val);
	} else if (!strcmp(key, "sharing")) {
		if (*val && !one_of(val, sharing, N(sharing)))
			return xasprintf("unsupported sharing value '%.40s': use shared, private or locked", val);
	} else if (!strcmp(key, "mode")) {
		if (!parse_uint(val, 8))
			return xasprintf("mode '%.40s' is not an octal number", val);
	} else if (!strcmp(key, "uid") || !strcmp(key, "gid")) {
		if (!parse_uint(val, 10))
			return xasprintf("%s '%.40s' is not a number", key, val);
	}
	return NULL;
}

/* Returns a message (caller frees) if BuildKit refuses the mount spec. */
static char *mount_error(const char *spec)
{
	char **f = NULL;
	size_t n = 0;
	char *err = NULL;
	char type[8] = "bind";
	if (!*spec)
		return xstrdup("it is empty: write e.g. --mount=type=cache,target=/root/.cache");
	if (!csv_fields(spec, &f, &n))
		err = xstrdup("its quoting is not valid CSV");
	for (size_t i = 0; !err && i < n; i++) {
		char *eq = strchr(f[i], '=');
		if (eq)
			*eq = '\0';
		for (char *k = f[i]; *k; k++)
			*k = lower(*k);
		err = eq ? mount_field(f[i], eq + 1, type) : mount_bare_field(f[i], type);
	}
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
	return err;
}

/* ---- flags of an instruction ---- */

static void check_value(struct df_parser *p, const struct quai_df_instr *in, const struct quai_df_flag *f)
{
	const char *v = f->value;
	if (!v)
		return;
	if (in->kind == QUAI_DF_RUN && !strcmp(f->name, "mount")) {
		char *err = mount_error(v);
		if (err) {
			df_diag(p, f->pos, "invalid --mount: %s", err);
			free(err);
		}
	} else if (in->kind == QUAI_DF_RUN && !strcmp(f->name, "network") && !strchr(v, '$')) {
		static const char *const modes[] = { "default", "none", "host" };
		if (!one_of(v, modes, 3))
			df_diag(p, f->pos, "unsupported network mode '%.40s': use default, none or host", v);
	} else if (in->kind == QUAI_DF_RUN && !strcmp(f->name, "security") && !strchr(v, '$')) {
		static const char *const modes[] = { "sandbox", "insecure" };
		if (!one_of(v, modes, 2))
			df_diag(p, f->pos, "unsupported security mode '%.40s': use sandbox or insecure", v);
	} else if (in->kind == QUAI_DF_HEALTHCHECK && *v) {
		if (!strcmp(f->name, "retries")) {
			const char *d = v + (*v == '+' || *v == '-');
			bool ok = *d != '\0';
			long long x = 0;
			for (; ok && *d; d++) {
				ok = *d >= '0' && *d <= '9' && x <= 0x80000000LL;
				x = x * 10 + (*d - '0');
			}
			if (*v == '-')
				x = -x;
			if (!ok || x > 0x7fffffffLL || x < -0x80000000LL)
				df_diag(p, f->pos, "invalid --retries '%.40s': give a whole number, e.g. --retries=3", v);
			else if (x < 0)
				df_diag(p, f->pos, "--retries cannot be negative (%lld)", x);
		} else {
			long long ns;
			if (!df_parse_duration(v, &ns))
				df_diag(p, f->pos,
					"invalid duration '%.40s' for --%s: write a number with a unit, e.g. 30s or 1m30s",
					v, f->name);
			else if (ns != 0 && ns < 1000000)
				df_diag(p, f->pos, "--%s cannot be less than 1ms", f->name);
		}
	}
}

/* The flags BuildKit accepts for an instruction. False when it does not look
 * at the flags at all (ARG, STOPSIGNAL, HEALTHCHECK NONE). */
static bool spec_for(const struct quai_df_instr *in, const struct fspec **spec, size_t *n)
{
	*spec = NULL;
	*n = 0;
	switch (in->kind) {
	case QUAI_DF_ARG:
	case QUAI_DF_STOPSIGNAL:
	case QUAI_DF_UNKNOWN:
		return false;
	case QUAI_DF_HEALTHCHECK:
		if (in->healthcheck_none)
			return false;
		*spec = health_flags, *n = N(health_flags);
		break;
	case QUAI_DF_FROM:
		*spec = from_flags, *n = N(from_flags);
		break;
	case QUAI_DF_COPY:
		*spec = copy_flags, *n = N(copy_flags);
		break;
	case QUAI_DF_ADD:
		*spec = add_flags, *n = N(add_flags);
		break;
	case QUAI_DF_RUN:
		*spec = run_flags, *n = N(run_flags);
		break;
	default:
		break;
	}
	return true;
}

static void unknown_flag(struct df_parser *p, const struct quai_df_instr *in, const struct quai_df_flag *f,
			 const char *name, const struct fspec *spec, size_t nspec)
{
	const char *kw = quai_df_kind_name(in->kind);
	if (nspec == 0) {
		df_diag(p, f->pos, "%s takes no flags: remove '--%s'", kw, name);
		return;
	}
	const char *names[8];
	size_t nn = 0;
	struct quai_buf all = QUAI_BUF_INIT;
	for (size_t k = 0; k < nspec; k++) {
		if (spec[k].labs && !p->labs)
			continue;
		names[nn++] = spec[k].name;
		quai_buf_printf(&all, "%s--%s", all.len ? ", " : "", spec[k].name);
	}
	const char *sug = df_suggest(f->name, strlen(f->name), names, nn);
	if (sug)
		df_diag(p, f->pos, "unknown flag '--%s' for %s: did you mean '--%s'?", name, kw, sug);
	else
		df_diag(p, f->pos, "unknown flag '--%s' for %s: it takes %s", name, kw, quai_buf_str(&all));
	quai_buf_release(&all);
}

static void known_flag(struct df_parser *p, const struct quai_df_instr *in, const struct quai_df_flag *f,
		       const char *name, const struct fspec *s, bool dup)
{
	if (s->labs && !p->labs)
		df_diag(p, f->pos,
			"flag '--%s' of %s needs the labs syntax: add '# syntax=docker/dockerfile:1-labs' as the "
			"first line",
			name, quai_df_kind_name(in->kind));
	else if (dup)
		df_diag(p, f->pos, "duplicate flag '--%s': give it once", name);
	else if (s->type == F_BOOL && f->value && !*f->value)
		df_diag(p, f->pos, "missing a value on flag '--%s=': write --%s or --%s=false", name, name, name);
	else if (s->type == F_BOOL && f->value && strcasecmp(f->value, "true") != 0 &&
		 strcasecmp(f->value, "false") != 0)
		df_diag(p, f->pos, "flag '--%s' takes true or false, not '%.40s'", name, f->value);
	else if (s->type != F_BOOL && !f->value)
		df_diag(p, f->pos, "missing a value on flag '--%s': write --%s=value", name, name);
	else
		check_value(p, in, f);
}

void df_check_flags(struct df_parser *p, const struct quai_df_instr *in)
{
	const struct fspec *spec;
	size_t nspec;
	if (!spec_for(in, &spec, &nspec))
		return;
	bool seen[8] = { false };
	for (size_t i = 0; i < in->nflags && !df_diags_full(p); i++) {
		const struct quai_df_flag *f = &in->flags[i];
		const struct fspec *s = NULL;
		bool dup = false;
		for (size_t k = 0; k < nspec; k++) {
			if (strcmp(spec[k].name, f->name) == 0) {
				s = &spec[k];
				dup = seen[k] && s->type != F_STRINGS;
				seen[k] = true;
			}
		}
		char *name = df_snippet(f->name, strlen(f->name), 40);
		if (s)
			known_flag(p, in, f, name, s, dup);
		else
			unknown_flag(p, in, f, name, spec, nspec);
		free(name);
	}
}
