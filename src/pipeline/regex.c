/* The regular expressions of rules:if (`/pattern/flags`): GitLab runs
 * them with RE2, so what RE2 refuses (backreferences, lookaround, atomic
 * groups) is refused here too; PCRE2 matches, with `$` only at the end as
 * in RE2 and a match limit so that no pattern can run away. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define PATTERN_MAX 4096u

struct pl_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

static const char *re2_refuses(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len) {
			char c = p[i + 1];
			if ((c >= '1' && c <= '9') || c == 'k' || c == 'g')
				return "a backreference";
			i++;
			continue;
		}
		if (p[i] == '(' && i + 2 < len && p[i + 1] == '?') {
			char c = p[i + 2];
			if (c == '=' || c == '!')
				return "a lookahead";
			if (c == '<' && i + 3 < len && (p[i + 3] == '=' || p[i + 3] == '!'))
				return "a lookbehind";
			if (c == '>')
				return "an atomic group";
			if (c == 'R' || (c >= '0' && c <= '9') || c == '&')
				return "recursion";
		}
	}
	return NULL;
}

int pl_regex_compile(struct pl_regex **out, const char *pattern, size_t len, const char *flags,
                     struct quai_error **err)
{
	if (len > PATTERN_MAX)
		return quai_error_set(err, QUAI_EXIT_USAGE, "regular expression longer than %u bytes",
		                      PATTERN_MAX);
	const char *what = re2_refuses(pattern, len);
	if (what)
		return quai_error_set(
		    err, QUAI_EXIT_USAGE,
		    "regular expression /%.*s/: %s is not supported (GitLab uses RE2 syntax)", (int)len,
		    pattern, what);
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
	for (const char *f = flags ? flags : ""; *f; f++) {
		switch (*f) {
		case 'i':
			opts |= PCRE2_CASELESS;
			break;
		case 'm':
			opts |= PCRE2_MULTILINE;
			break;
		case 's':
			opts |= PCRE2_DOTALL;
			break;
		case 'U':
			opts |= PCRE2_UNGREEDY;
			break;
		default:
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "regular expression flag '%c' is not one of i, m, s, U", *f);
		}
	}
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		return quai_error_set(err, QUAI_EXIT_USAGE, "regular expression /%.*s/: %s at offset %zu",
		                      (int)len, pattern, (const char *)msg, (size_t)off);
	}
	struct pl_regex *r = xcalloc(1, sizeof(*r));
	r->code = re;
	r->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mctx, 1000000u);
	pcre2_set_depth_limit(r->mctx, 10000u);
	r->md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!r->mctx || !r->md)
		abort();
	*out = r;
	return 0;
}

int pl_regex_search(const struct pl_regex *re, const char *s, size_t len)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, re->mctx);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

void pl_regex_free(struct pl_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int pl_regex_literal(const char *s, size_t len, size_t *pat_start, size_t *pat_len, const char **flags)
{
	if (len < 2 || s[0] != '/')
		return -1;
	size_t i = 1;
	for (; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			continue;
		}
		if (s[i] == '/')
			break;
	}
	if (i >= len || i == 1)
		return -1;
	size_t f = i + 1;
	for (size_t k = f; k < len; k++)
		if (!strchr("imsU", s[k]) || s[k] == '\0')
			return -1;
	*pat_start = 1;
	*pat_len = i - 1;
	*flags = s + f;
	return 0;
}
