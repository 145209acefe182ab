/* hadolint's label rules DL3048-DL3058: label keys, and the label-schema
 * of .hadolint.yaml (`label-schema: {name: type}`, `strict-labels`) with a
 * validator per type. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/rules_dl3b.h"

static bool all_chars(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(set, s[i]))
			return false;
	return true;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* An absolute URI (RFC 3986): scheme ":" then URI characters only. */
bool quai_lint_valid_url(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return false;
	size_t n = 1 + strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (s[n] != ':')
		return false;
	bool fragment = false;
	for (const char *p = s + n + 1; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return false;
			p += 2;
		} else if (*p == '#') {
			if (fragment)
				return false;
			fragment = true;
		} else if (!all_chars(p, 1, "-._~:/?[]@!$&'()*+,;=")) {
			return false;
		}
	}
	return true;
}

static bool num_in(const char *s, size_t n, int lo, int hi)
{
	if (!digits(s, n))
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v >= lo && v <= hi;
}

/* 2006-01-02T15:04:05[.123](Z|+07:00) */
bool quai_lint_valid_rfc3339(const char *s)
{
	if (strlen(s) < 20 || !num_in(s, 4, 0, 9999) || s[4] != '-' || !num_in(s + 5, 2, 1, 12) ||
	    s[7] != '-' || !num_in(s + 8, 2, 1, 31) || (s[10] != 'T' && s[10] != 't') ||
	    !num_in(s + 11, 2, 0, 23) || s[13] != ':' || !num_in(s + 14, 2, 0, 59) || s[16] != ':' ||
	    !num_in(s + 17, 2, 0, 60))
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		size_t n = strspn(p + 1, "0123456789");
		if (n == 0)
			return false;
		p += 1 + n;
	}
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
		return true;
	return (p[0] == '+' || p[0] == '-') && num_in(p + 1, 2, 0, 23) && p[3] == ':' &&
	       num_in(p + 4, 2, 0, 59) && p[6] == '\0';
}

/* The licences people use; an SPDX identifier outside this list is
 * reported as invalid. */
static const char *const spdx_ids[] = {
    "0BSD",
    "AFL-3.0",
    "AGPL-1.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-2.0",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSL-1.0",
    "BUSL-1.1",
    "CAL-1.0",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CECILL-2.1",
    "CPAL-1.0",
    "CPL-1.0",
    "ECL-2.0",
    "EFL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "GFDL-1.3",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IPL-1.0",
    "ISC",
    "LGPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LPPL-1.3c",
    "MIT",
    "MIT-0",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "MulanPSL-2.0",
    "NCSA",
    "ODbL-1.0",
    "OFL-1.1",
    "OpenSSL",
    "OSL-3.0",
    "PHP-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "SSPL-1.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.0",
    "ZPL-2.1",
    NULL,
};

bool quai_lint_valid_spdx(const char *s)
{
	for (const char *const *id = spdx_ids; *id; id++)
		if (quai_lint_streq(s, *id))
			return true;
	return false;
}

bool quai_lint_valid_git_hash(const char *s)
{
	size_t n = strlen(s);
	return (n == 7 || n == 40) && strspn(s, "0123456789abcdef") == n;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading
 * zeros when `strict_num`. */
static bool semver_ids(const char *s, size_t n, bool strict_num)
{
	for (size_t i = 0; i <= n;) {
		size_t len = 0;
		while (i + len < n && s[i + len] != '.')
			len++;
		if (len == 0 || !all_chars(s + i, len, "-"))
			return false;
		if (strict_num && digits(s + i, len) && len > 1 && s[i] == '0')
			return false;
		i += len + 1;
	}
	return true;
}

/* MAJOR.MINOR.PATCH[-pre][+build] (semver.org 2.0.0) */
bool quai_lint_valid_semver(const char *s)
{
	size_t core = strcspn(s, "-+");
	const char *p = s;
	for (int part = 0; part < 3; part++) {
		size_t n = strspn(p, "0123456789");
		if (n == 0 || (n > 1 && p[0] == '0'))
			return false;
		p += n;
		if (part < 2 && *p++ != '.')
			return false;
	}
	if ((size_t)(p - s) != core)
		return false;
	if (*p == '-') {
		size_t n = strcspn(p + 1, "+");
		if (!semver_ids(p + 1, n, true))
			return false;
		p += 1 + n;
	}
	if (*p == '+')
		return semver_ids(p + 1, strlen(p + 1), false);
	return *p == '\0';
}

static bool dot_atom(const char *s, size_t n, const char *atext)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] == '.' && s[i + 1] == '.') || (s[i] != '.' && !all_chars(s + i, 1, atext)))
			return false;
	return true;
}

/* addr-spec of RFC 5322: local-part "@" domain. */
bool quai_lint_valid_email(const char *s)
{
	const char *at = strrchr(s, '@');
	if (!at || at == s || !at[1])
		return false;
	size_t llen = (size_t)(at - s);
	bool local_ok;
	if (s[0] == '"')
		local_ok = llen >= 2 && s[llen - 1] == '"' && !memchr(s + 1, '"', llen - 2);
	else
		local_ok = !memchr(s, '@', llen) && dot_atom(s, llen, "!#$%&'*+-/=?^_`{|}~");
	if (!local_ok)
		return false;
	const char *d = at + 1;
	size_t dlen = strlen(d);
	if (d[0] == '[')
		return d[dlen - 1] == ']' && dlen > 2;
	if (!dot_atom(d, dlen, "-"))
		return false;
	for (const char *label = d; label < d + dlen;) {
		size_t n = strcspn(label, ".");
		if (label[0] == '-' || label[n - 1] == '-' || n > 63)
			return false;
		label += n + (label[n] == '.');
	}
	return true;
}

/* DL3048: label keys as docker recommends: lowercase alphanumerics, '.'
 * and '-', starting with a letter and ending with a letter or digit, no
 * repeated separators, no docker-reserved namespace. */
static bool valid_label_key(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || !islower((unsigned char)k[0]) ||
	    !(islower((unsigned char)k[n - 1]) || isdigit((unsigned char)k[n - 1])))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || k[i] == '.' ||
		      k[i] == '-'))
			return false;
	if (strncmp(k, "com.docker.", 11) == 0 || strncmp(k, "io.docker.", 10) == 0 ||
	    strncmp(k, "org.dockerproject.", 18) == 0)
		return false;
	return !strstr(k, "..") && !strstr(k, "--");
}

void quai_lint_dl3048(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_LABEL)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			if (!valid_label_key(in->kvs[k].key)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static bool label_in_schema(const struct quai_lint_config *cfg, const char *key)
{
	for (size_t s = 0; s < cfg->nlabel_schema; s++)
		if (quai_lint_streq(cfg->label_schema[s].name, key))
			return true;
	return false;
}

void quai_lint_dl3050(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	const struct quai_lint_config *cfg = quai_lint_ctx_config(ctx);
	if (!cfg->strict_labels)
		return;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		for (size_t k = 0; in->kind == QUAI_DF_LABEL && k < in->nkvs; k++) {
			if (!label_in_schema(cfg, in->kvs[k].key)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

/* Does stage `s` (its own instructions) set label `name`? */
static bool stage_sets_label(const struct quai_dockerfile *df, size_t s, const char *name)
{
	for (size_t i = df->stages[s].from_index; i < df->stages[s].end_index; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		for (size_t k = 0; in->kind == QUAI_DF_LABEL && k < in->nkvs; k++)
			if (quai_lint_streq(in->kvs[k].key, name))
				return true;
	}
	return false;
}

/* Is stage `s` only a source of COPY --from (by its alias) later on? Then
 * its labels do not matter. */
static bool stage_copied_from(const struct quai_dockerfile *df, size_t s)
{
	const char *alias = df->stages[s].name;
	for (size_t i = df->stages[s].from_index + 1; alias && i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		const struct quai_df_flag *from =
		    in->kind == QUAI_DF_COPY ? quai_df_instr_flag(in, "from") : NULL;
		if (from && from->value && quai_lint_streq(from->value, alias))
			return true;
	}
	return false;
}

/* DL3049: each stage must set every label of the schema, itself or
 * through the stage it builds on, unless it is only copied from. */
void quai_lint_dl3049(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	const struct quai_lint_config *cfg = quai_lint_ctx_config(ctx);
	if (!cfg->nlabel_schema || !df->nstages)
		return;
	cleanup_free bool *good = xcalloc(df->nstages, sizeof(*good));
	for (size_t l = 0; l < cfg->nlabel_schema; l++) {
		const char *name = cfg->label_schema[l].name;
		for (size_t s = 0; s < df->nstages; s++) {
			good[s] = stage_sets_label(df, s, name);
			for (size_t j = 0; j < s && !good[s]; j++)
				good[s] = good[j] && df->stages[j].name &&
				          quai_lint_from_is(df, (int)s, df->stages[j].name);
			if (!good[s] && !stage_copied_from(df, s))
				quai_lint_reportf(ctx, &df->instrs[df->stages[s].from_index],
				                  "Label `%s` is missing.", name);
		}
	}
}

/* DL3051-DL3058: the value of each schema label of type `type` (any type
 * when NULL) must pass `valid`; the message is "<word> `name` <what>". */
static void check_typed(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df, const char *type,
                        bool (*valid)(const char *), const char *word, const char *what)
{
	const struct quai_lint_config *cfg = quai_lint_ctx_config(ctx);
	for (size_t l = 0; l < cfg->nlabel_schema; l++) {
		const struct quai_label_schema *ls = &cfg->label_schema[l];
		if (type && (!ls->type || strcasecmp(ls->type, type) != 0))
			continue;
		for (size_t i = 0; i < df->ninstrs; i++) {
			const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
			for (size_t k = 0; in->kind == QUAI_DF_LABEL && k < in->nkvs; k++) {
				const char *v = in->kvs[k].value ? in->kvs[k].value : "";
				if (quai_lint_streq(in->kvs[k].key, ls->name) && !valid(v)) {
					quai_lint_reportf(ctx, &df->instrs[i], "%s `%s` %s", word, ls->name,
					                  what);
					break;
				}
			}
		}
	}
}

static bool not_empty(const char *s)
{
	return s[0] != '\0';
}

void quai_lint_dl3051(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, NULL, not_empty, "label", "is empty.");
}

void quai_lint_dl3052(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "url", quai_lint_valid_url, "Label", "is not a valid URL.");
}

void quai_lint_dl3053(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "rfc3339", quai_lint_valid_rfc3339, "Label",
	            "is not a valid time format - must be conform to RFC3339.");
}

void quai_lint_dl3054(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "spdx", quai_lint_valid_spdx, "Label", "is not a valid SPDX identifier.");
}

void quai_lint_dl3055(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "hash", quai_lint_valid_git_hash, "Label", "is not a valid git hash.");
}

void quai_lint_dl3056(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "semver", quai_lint_valid_semver, "Label",
	            "does not conform to semantic versioning.");
}

void quai_lint_dl3058(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_typed(ctx, df, "email", quai_lint_valid_email, "Label",
	            "is not a valid email format - must be conform to RFC5322.");
}
