/* Regular expressions as container-structure-test uses them (Go's regexp,
 * RE2 syntax) on PCRE2. The pattern is scanned first: what RE2 rejects
 * (backreferences, lookaround, atomic groups, possessive quantifiers,
 * recursion, conditionals, PCRE-only escapes) is an error here too, and the
 * few escapes that mean something else in PCRE2 are rewritten. PCRE2 is then
 * told to behave like RE2: `$` only at the very end unless (?m), UTF-8,
 * ASCII \d \w \b, LF as the only newline, invalid UTF-8 in the subject
 * allowed, and a match limit so that no pattern can run away. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u
#define PATTERN_MAX 65536u

struct quai_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

static int reject(struct quai_error **err, const char *pattern, size_t at, const char *what)
{
	return quai_error_set(err, QUAI_EXIT_FINDINGS,
	                      "regular expression '%s': %s at offset %zu is not supported "
	                      "(patterns use RE2 syntax, as container-structure-test does)",
	                      pattern, what, at);
}

/* Escapes RE2 knows, besides punctuation. */
static bool re2_escape_letter(char c)
{
	return strchr("afnrtvxdDsSwWpPbBAzQE0", c) != NULL;
}

/* Scans one escape at p[i] == '\\', appending its RE2 meaning to `out`.
 * Returns the number of bytes consumed, or 0 for an unsupported escape. */
static size_t scan_escape(struct quai_buf *out, const char *p, size_t i, bool in_class, const char **what)
{
	char c = p[i + 1];
	if (c == '\0') {
		*what = "a trailing backslash";
		return 0;
	}
	if (c >= '1' && c <= '9') {
		*what = "a backreference";
		return 0;
	}
	if (c == 'k' || c == 'g') {
		*what = "a backreference";
		return 0;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '0') {
		if (!re2_escape_letter(c)) {
			*what = "this escape sequence";
			return 0;
		}
		if (in_class && strchr("bBAzQE", c)) {
			*what = "this escape inside a character class";
			return 0;
		}
		if (c == 'v') { /* a vertical tab in Go, any vertical space in PCRE2 */
			quai_buf_puts(out, "\\x{0B}");
			return 2;
		}
		if (c == 's') { /* Go's \s is [\t\n\f\r ]: no vertical tab */
			quai_buf_puts(out, in_class ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
			return 2;
		}
		if (c == 'S' && !in_class) {
			quai_buf_puts(out, "[^\\t\\n\\f\\r ]");
			return 2;
		}
	}
	if ((c == 'p' || c == 'P' || c == 'x') && p[i + 2] == '{') {
		const char *end = strchr(p + i + 2, '}');
		if (end) {
			size_t n = (size_t)(end - (p + i)) + 1;
			quai_buf_add(out, p + i, n);
			return n;
		}
	}
	quai_buf_add(out, p + i, 2);
	return 2;
}

/* Checks what follows "(?" at p[i]; returns NULL when RE2 knows it. */
static const char *check_group(const char *p, size_t i)
{
	const char *q = p + i + 2;
	if (q[0] == 'P' && q[1] == '<')
		return NULL;
	if (q[0] == '<' && q[1] != '=' && q[1] != '!')
		return NULL;
	if (q[0] == '=' || q[0] == '!')
		return "a lookahead";
	if (q[0] == '<')
		return "a lookbehind";
	if (q[0] == '>')
		return "an atomic group";
	if (q[0] == '(')
		return "a conditional";
	if (q[0] == '#')
		return "a comment group";
	if (q[0] == '|')
		return "a branch reset group";
	if (q[0] == 'R' || (q[0] >= '0' && q[0] <= '9') || q[0] == '+' || q[0] == '&' ||
	    (q[0] == 'P' && (q[1] == '>' || q[1] == '=')))
		return "recursion or a subroutine call";
	/* flags: [imsU]*(-[imsU]*)?(:|\)) */
	bool minus = false;
	for (; *q; q++) {
		if (strchr("imsU", *q))
			continue;
		if (*q == '-' && !minus) {
			minus = true;
			continue;
		}
		if (*q == ':' || *q == ')')
			return NULL;
		break;
	}
	return "this group or flag";
}

/* Rewrites `pattern` into `out`, or fails on what RE2 does not support. */
static int translate(struct quai_buf *out, const char *pattern, struct quai_error **err)
{
	const char *p = pattern;
	bool in_class = false;
	size_t i = 0;
	while (p[i]) {
		char c = p[i];
		if (c == '\\' && p[i + 1] == 'Q') {
			const char *end = strstr(p + i + 2, "\\E");
			size_t stop = end ? (size_t)(end - p) + 2 : strlen(p);
			quai_buf_add(out, p + i, stop - i);
			i = stop;
			continue;
		}
		if (c == '\\') {
			const char *what = NULL;
			size_t n = scan_escape(out, p, i, in_class, &what);
			if (n == 0)
				return reject(err, pattern, i, what);
			i += n;
			continue;
		}
		if (in_class) {
			if (c == '[' && p[i + 1] == ':') {
				const char *end = strstr(p + i + 2, ":]");
				if (end) {
					size_t stop = (size_t)(end - p) + 2;
					quai_buf_add(out, p + i, stop - i);
					i = stop;
					continue;
				}
			}
			if (c == ']')
				in_class = false;
			quai_buf_putc(out, c);
			i++;
			continue;
		}
		if (c == '[') {
			in_class = true;
			quai_buf_putc(out, c);
			i++;
			if (p[i] == '^')
				quai_buf_putc(out, p[i++]);
			if (p[i] == ']') /* a leading ] is literal */
				quai_buf_putc(out, p[i++]);
			continue;
		}
		if (c == '(' && p[i + 1] == '?') {
			const char *what = check_group(p, i);
			if (what)
				return reject(err, pattern, i, what);
		}
		if (c == '(' && p[i + 1] == '*')
			return reject(err, pattern, i, "a PCRE verb");
		if ((c == '*' || c == '+' || c == '?' || c == '}') && p[i + 1] == '+')
			return reject(err, pattern, i + 1, "a possessive quantifier");
		quai_buf_putc(out, c);
		i++;
	}
	return 0;
}

int quai_regex_compile(struct quai_regex **out, const char *pattern, struct quai_error **err)
{
	*out = NULL;
	if (strlen(pattern) > PATTERN_MAX)
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "regular expression is longer than %u bytes",
		                      PATTERN_MAX);
	cleanup_buf struct quai_buf rewritten = QUAI_BUF_INIT;
	if (translate(&rewritten, pattern, err) < 0)
		return -1;
	pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	pcre2_set_bsr(cctx, PCRE2_BSR_ANYCRLF);
	uint32_t options = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
#ifdef PCRE2_MATCH_INVALID_UTF
	options |= PCRE2_MATCH_INVALID_UTF;
#endif
	int code;
	PCRE2_SIZE offset;
	const char *src = quai_buf_str(&rewritten);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, strlen(src), options, &code, &offset, cctx);
	pcre2_compile_context_free(cctx);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "regular expression '%s': %s", pattern,
		                      (const char *)msg);
	}
	struct quai_regex *r = xcalloc(1, sizeof(*r));
	r->code = re;
	r->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
	*out = r;
	return 0;
}

void quai_regex_free(struct quai_regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int quai_regex_search(const struct quai_regex *re, const char *subject, size_t len, struct quai_error **err)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	int rc = pcre2_match(re->code, (PCRE2_SPTR)(subject ? subject : ""), subject ? len : 0, 0, 0, md,
	                     re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof(msg));
	return quai_error_set(err, QUAI_EXIT_FINDINGS, "matching failed: %s", (const char *)msg);
}

int quai_regex_match(const char *pattern, const char *subject, size_t len, struct quai_error **err)
{
	struct quai_regex *re = NULL;
	if (quai_regex_compile(&re, pattern, err) < 0 || !re)
		return -1;
	int rc = quai_regex_search(re, subject, len, err);
	quai_regex_free(re);
	return rc;
}
