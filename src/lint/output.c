/* Writing findings: tty (with colour and caret excerpts), hadolint's json,
 * SARIF 2.1.0, checkstyle XML, GitLab code quality JSON and gnu lines. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/lint.h"
#include "core/hash.h"
#include "quai_version.h"
#include "core/banned.h"

/* Messages longer than this are cut (a 10 MB word must not come back whole). */
#define MSG_MAX 1000
/* Width of the source excerpt under a syntax error. */
#define EXCERPT_MAX 120

static void json_decref_p(json_t **j)
{
	json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(json_decref_p)))

int quai_lint_format_parse(const char *s)
{
	static const char *const names[] = { "tty", "json", "sarif", "checkstyle", "gitlab_codeclimate", "gnu" };
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "codeclimate") == 0)
		return QUAI_FORMAT_CODECLIMATE;
	return -1;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* True if s[0..n) is all ASCII; eight bytes at a time. */
static bool all_ascii(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080u)
			return false;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* A copy of s that is valid UTF-8 (bad bytes become U+FFFD), at most about
 * `max` bytes long (cut at a character, "..." appended). */
static char *clean_text(const char *s, size_t max)
{
	struct quai_buf b = QUAI_BUF_INIT;
	size_t n = strlen(s), run = 0; /* valid bytes not yet copied start at run */
	if (n <= max && all_ascii(s, n))
		return xstrndup(s, n);
	for (size_t i = 0; i < n;) {
		if (i - run + b.len >= max) {
			quai_buf_add(&b, s + run, i - run);
			quai_buf_puts(&b, "...");
			return quai_buf_detach(&b);
		}
		unsigned cp;
		size_t len = (unsigned char)s[i] < 0x80 ? 1 : utf8_len((const unsigned char *)s + i, n - i, &cp);
		if (len == 0) {
			quai_buf_add(&b, s + run, i - run);
			quai_buf_puts(&b, "\xef\xbf\xbd");
			run = ++i;
			continue;
		}
		i += len;
	}
	quai_buf_add(&b, s + run, n - run);
	return quai_buf_detach(&b);
}

/* s as clean_text() would make it: s itself when it is already clean,
 * else a copy left in *owned for the caller to free. */
static const char *clean_view(const char *s, size_t max, char **owned)
{
	size_t n = strlen(s);
	*owned = NULL;
	if (n <= max && all_ascii(s, n))
		return s;
	return *owned = clean_text(s, max);
}

/* ---- tty and gnu ---- */

static char *put_str(char *p, const char *s)
{
	return mempcpy(p, s, strlen(s)); /* no NUL: the line is not a string */
}

static char *put_num(char *p, unsigned v)
{
	char num[16], *q = num + sizeof(num);
	do
		*--q = (char)('0' + v % 10);
	while (v /= 10);
	size_t n = (size_t)(num + sizeof(num) - q);
	memcpy(p, q, n);
	return p + n;
}

/* "FILE:LINE:COL" then `sep`, the level, a space, the code, a space, the
 * message, a newline: the plain tty line (sep " ") and the gnu line
 * (sep ": ", level followed by ':'). */
static void put_line(FILE *out, const struct quai_finding *it, bool gnu)
{
	cleanup_free char *file_owned = NULL;
	cleanup_free char *msg_owned = NULL;
	const char *file = clean_view(it->file, 4096, &file_owned);
	const char *msg = clean_view(it->message, MSG_MAX, &msg_owned);
	/* the line in one piece: the texts are cut to at most 4096 and
	 * MSG_MAX bytes (and "...") above, the rest is short */
	char line[4096 + MSG_MAX + 128];
	char *p = put_str(line, file);
	*p++ = ':';
	p = put_num(p, it->line);
	*p++ = ':';
	p = put_num(p, it->col);
	p = put_str(p, gnu ? ": " : " ");
	p = put_str(p, quai_lint_level_name(it->level));
	p = put_str(p, gnu ? ": " : " ");
	p = put_str(p, it->code);
	*p++ = ' ';
	p = put_str(p, msg);
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), out);
}

static const struct quai_dockerfile *find_source(const char *file, const struct quai_dockerfile *const *sources,
						 size_t nsources)
{
	for (size_t i = 0; sources && i < nsources; i++)
		if (sources[i] && sources[i]->name && strcmp(sources[i]->name, file) == 0)
			return sources[i];
	return NULL;
}

/* Bytes [*start, *end) of line `line` (1-based) of df, after any BOM. */
static bool find_line(const struct quai_dockerfile *df, unsigned line, size_t *start, size_t *end)
{
	const char *s = df->src;
	size_t n = df->src_len, i = 0;
	if (!s)
		return false;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (unsigned l = 1; l < line; l++) {
		const char *nl = memchr(s + i, '\n', n - i);
		if (!nl)
			return false;
		i = (size_t)(nl - s) + 1;
	}
	const char *nl = memchr(s + i, '\n', n - i);
	size_t e = nl ? (size_t)(nl - s) : n;
	if (e > i && s[e - 1] == '\r')
		e--;
	*start = i;
	*end = e;
	return true;
}

static void put_excerpt(FILE *out, const struct quai_dockerfile *df, const struct quai_finding *it, bool color)
{
	size_t start, end;
	if (!it->line || !find_line(df, it->line, &start, &end))
		return;
	size_t col = it->col ? it->col - 1 : 0;
	if (col > end - start)
		col = end - start;
	/* Show a window of the line around the column. */
	size_t from = start, to = end;
	bool cut_left = false, cut_right = false;
	if (to - from > EXCERPT_MAX) {
		if (col > EXCERPT_MAX / 2) {
			from = start + col - EXCERPT_MAX / 2;
			cut_left = true;
		}
		if (to - from > EXCERPT_MAX) {
			to = from + EXCERPT_MAX;
			cut_right = true;
		}
	}
	struct quai_buf text = QUAI_BUF_INIT, caret = QUAI_BUF_INIT;
	if (cut_left) {
		quai_buf_puts(&text, "...");
		quai_buf_puts(&caret, "   ");
	}
	for (size_t i = from; i < to;) {
		unsigned char c = (unsigned char)df->src[i];
		unsigned cp;
		size_t len = c >= 0x80 ? utf8_len((const unsigned char *)df->src + i, to - i, &cp) : 1;
		if (c == '\t' || (c >= 0x20 && c < 0x7f) || len > 1) {
			quai_buf_add(&text, df->src + i, len);
		} else {
			quai_buf_putc(&text, '?');
			len = 1;
		}
		if (i < start + col)
			quai_buf_putc(&caret, c == '\t' ? '\t' : ' ');
		i += len;
	}
	if (cut_right)
		quai_buf_puts(&text, "...");
	char num[16];
	int w = snprintf(num, sizeof(num), "%u", it->line);
	fprintf(out, "%s %s |%s %s\n", color ? "\033[2m" : "", num, color ? "\033[0m" : "", quai_buf_str(&text));
	fprintf(out, "%s %*s |%s %s%s^%s\n", color ? "\033[2m" : "", w, "", color ? "\033[0m" : "",
		quai_buf_str(&caret), color ? "\033[1;31m" : "", color ? "\033[0m" : "");
	quai_buf_release(&text);
	quai_buf_release(&caret);
}

static const char *level_color(enum quai_lint_level level)
{
	switch (level) {
	case QUAI_LEVEL_ERROR:
		return "\033[1;31m";
	case QUAI_LEVEL_WARNING:
		return "\033[1;33m";
	case QUAI_LEVEL_INFO:
		return "\033[1;36m";
	default:
		return "\033[1;37m";
	}
}

static void write_tty(FILE *out, const struct quai_findings *f, bool color,
		      const struct quai_dockerfile *const *sources, size_t nsources)
{
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		if (color) {
			cleanup_free char *file = clean_text(it->file, 4096);
			cleanup_free char *msg = clean_text(it->message, MSG_MAX);
			fprintf(out, "\033[1m%s:%u:%u\033[0m %s%s\033[0m \033[2m%s\033[0m %s\n", file, it->line, it->col,
				level_color(it->level), quai_lint_level_name(it->level), it->code, msg);
		} else {
			put_line(out, it, false);
		}
		if (strcmp(it->code, "DL1000") == 0) {
			const struct quai_dockerfile *df = find_source(it->file, sources, nsources);
			if (df)
				put_excerpt(out, df, it, color);
		}
	}
}

static void write_gnu(FILE *out, const struct quai_findings *f)
{
	for (size_t i = 0; i < f->len; i++)
		put_line(out, &f->items[i], true);
}

/* ---- JSON formats ---- */

static json_t *jstr(const char *s, size_t max)
{
	cleanup_free char *clean = clean_text(s, max);
	return json_string(clean);
}

static void dump(FILE *out, json_t *j, size_t flags)
{
	json_dumpf(j, out, flags | JSON_COMPACT);
	fputc('\n', out);
}

static void write_json(FILE *out, const struct quai_findings *f)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "file", jstr(it->file, 4096));
		json_object_set_new(o, "line", json_integer(it->line));
		json_object_set_new(o, "column", json_integer(it->col));
		json_object_set_new(o, "level", json_string(quai_lint_level_name(it->level)));
		json_object_set_new(o, "code", jstr(it->code, 64));
		json_object_set_new(o, "message", jstr(it->message, MSG_MAX));
		json_array_append_new(arr, o);
	}
	dump(out, arr, JSON_SORT_KEYS);
}

static const char *codeclimate_severity(enum quai_lint_level level)
{
	switch (level) {
	case QUAI_LEVEL_ERROR:
		return "blocker";
	case QUAI_LEVEL_WARNING:
		return "major";
	case QUAI_LEVEL_INFO:
		return "info";
	default:
		return "minor";
	}
}

static void write_codeclimate(FILE *out, const struct quai_findings *f)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("issue"));
		json_object_set_new(o, "check_name", jstr(it->code, 64));
		json_object_set_new(o, "description", jstr(it->message, MSG_MAX));
		json_object_set_new(o, "categories", json_pack("[s]", "Bug Risk"));
		json_t *loc = json_object();
		json_object_set_new(loc, "path", jstr(it->file, 4096));
		json_object_set_new(loc, "lines", json_pack("{s:I,s:I}", "begin", (json_int_t)it->line, "end",
							     (json_int_t)it->line));
		json_object_set_new(o, "location", loc);
		json_object_set_new(o, "severity", json_string(codeclimate_severity(it->level)));
		/* The fingerprint hashes the issue itself (path, line, code,
		 * message), so it is stable across runs of the same tree. */
		cleanup_free char *key = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		char hex[41];
		quai_sha1_hex(key ? key : "", key ? strlen(key) : 0, hex);
		json_object_set_new(o, "fingerprint", json_string(hex));
		json_array_append_new(arr, o);
	}
	dump(out, arr, 0);
}

static const char *sarif_level(enum quai_lint_level level)
{
	switch (level) {
	case QUAI_LEVEL_ERROR:
		return "error";
	case QUAI_LEVEL_WARNING:
		return "warning";
	default:
		return "note";
	}
}

static const struct quai_lint_rule_info *rule_info(const char *code)
{
	size_t n;
	const struct quai_lint_rule_info *rules = quai_lint_rules(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].code, code) == 0)
			return &rules[i];
	return NULL;
}

static json_t *sarif_rule(const char *code, enum quai_lint_level seen_level)
{
	const struct quai_lint_rule_info *info = rule_info(code);
	json_t *r = json_object();
	json_object_set_new(r, "id", json_string(code));
	cleanup_free char *help = NULL;
	cleanup_free char *desc = NULL;
	if (strncmp(code, "SC", 2) == 0) {
		help = xasprintf("https://www.shellcheck.net/wiki/%s", code);
		desc = xasprintf("ShellCheck %s", code);
	} else if (strncmp(code, "DL", 2) == 0) {
		help = xasprintf("https://github.com/hadolint/hadolint/wiki/%s", code);
	}
	const char *text = info ? info->summary : desc ? desc : code;
	json_object_set_new(r, "shortDescription", json_pack("{s:o}", "text", jstr(text, MSG_MAX)));
	if (help)
		json_object_set_new(r, "helpUri", json_string(help));
	enum quai_lint_level level = info ? info->level : seen_level;
	json_object_set_new(r, "defaultConfiguration", json_pack("{s:s}", "level", sarif_level(level)));
	return r;
}

static const char *sarif_uri(const char *file)
{
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	return file;
}

static void write_sarif(FILE *out, const struct quai_findings *f)
{
	json_t *rules = json_array();
	json_t *index = json_object(); /* code -> rule index */
	json_t *results = json_array();
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		json_t *idx = json_object_get(index, it->code);
		if (!idx) {
			idx = json_integer((json_int_t)json_array_size(rules));
			json_object_set_new(index, it->code, idx);
			json_array_append_new(rules, sarif_rule(it->code, it->level));
		}
		json_t *region = json_pack("{s:I,s:I}", "startLine", (json_int_t)(it->line ? it->line : 1), "startColumn",
					   (json_int_t)(it->col ? it->col : 1));
		json_t *phys = json_pack("{s:{s:o},s:o}", "artifactLocation", "uri", jstr(sarif_uri(it->file), 4096),
					 "region", region);
		json_t *res = json_pack("{s:s,s:O,s:s,s:{s:o},s:[{s:o}]}", "ruleId", it->code, "ruleIndex", idx, "level",
					sarif_level(it->level), "message", "text", jstr(it->message, MSG_MAX),
					"locations", "physicalLocation", phys);
		json_array_append_new(results, res);
	}
	json_decref(index);
	json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "quai", "version", QUAI_VERSION,
				   "rules", rules);
	cleanup_json json_t *doc = json_pack("{s:s,s:s,s:[{s:{s:o},s:o}]}", "$schema",
					     "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
					     "runs", "tool", "driver", driver, "results", results);
	dump(out, doc, 0);
}

/* ---- checkstyle ---- */

/* Writes s as an XML attribute value: letters, digits, space, '.', '/' as
 * they are, every other character as a numeric reference (as hadolint
 * does); bytes that are not UTF-8 and characters XML forbids become U+FFFD. */
static void xml_attr(FILE *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t len = utf8_len((const unsigned char *)s + i, n - i, &cp);
		if (len == 0) {
			cp = 0xfffd;
			len = 1;
		}
		i += len;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
		    c == '/') {
			fputc(c, out);
			continue;
		}
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			cp = 0xfffd;
		if (cp == 0xfffe || cp == 0xffff)
			cp = 0xfffd;
		fprintf(out, "&#%u;", cp);
	}
}

static void write_checkstyle(FILE *out, const struct quai_findings *f)
{
	fputs("<?xml version='1.0' encoding='UTF-8'?><checkstyle version='4.3'>", out);
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		if (i == 0 || strcmp(f->items[i - 1].file, it->file) != 0) {
			if (i)
				fputs("</file>", out);
			fputs("<file name='", out);
			xml_attr(out, it->file, 4096);
			fputs("' >", out);
		}
		fprintf(out, "<error line='%u' column='%u' severity='%s' message='", it->line, it->col,
			quai_lint_level_name(it->level));
		xml_attr(out, it->message, MSG_MAX);
		fputs("' source='", out);
		xml_attr(out, it->code, sizeof(it->code));
		fputs("' />", out);
	}
	if (f->len)
		fputs("</file>", out);
	fputs("</checkstyle>\n", out);
}

void quai_lint_write(FILE *out, enum quai_lint_format format, const struct quai_findings *f, bool color,
		     const struct quai_dockerfile *const *sources, size_t nsources)
{
	switch (format) {
	case QUAI_FORMAT_JSON:
		write_json(out, f);
		break;
	case QUAI_FORMAT_SARIF:
		write_sarif(out, f);
		break;
	case QUAI_FORMAT_CHECKSTYLE:
		write_checkstyle(out, f);
		break;
	case QUAI_FORMAT_CODECLIMATE:
		write_codeclimate(out, f);
		break;
	case QUAI_FORMAT_GNU:
		write_gnu(out, f);
		break;
	case QUAI_FORMAT_TTY:
	default:
		write_tty(out, f, color, sources, nsources);
		break;
	}
}
