/* The .dockerignore matcher, with the semantics of the docker CLI: its
 * ReadAll (comments, trimming, cleaning) and moby's patternmatcher, which
 * turns each pattern into a regular expression, or into an exact, prefix or
 * suffix comparison when the pattern allows, and matches a path against the
 * results of its parent directory (MatchesUsingParentResults). Patterns are
 * matched here by a small automaton over code points that behaves like the
 * regular expression docker builds. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context/context.h"
#include "context/internal.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "core/banned.h"

enum tok_kind { T_LIT, T_ONE, T_STAR, T_CLASS, T_DSTAR_MID, T_DSTAR_END, T_BOL };

struct range {
	uint32_t lo, hi;
};

struct tok {
	enum tok_kind kind;
	uint32_t ch;          /* T_LIT */
	struct range *ranges; /* T_CLASS */
	size_t nranges;
	bool negated;
};

enum match_type { M_EXACT, M_PREFIX, M_SUFFIX, M_REGEX };

struct pattern {
	char *text; /* cleaned, without the leading '!' */
	bool exclusion;
	enum match_type type;
	struct tok *toks;
	size_t ntoks, cap;
};

struct quai_dockerignore {
	struct pattern *pats;
	size_t npats, cap;
	bool exceptions;
};

/* Decodes one UTF-8 code point at s (len > 0); invalid bytes give U+FFFD
 * and advance by one, as Go does. */
static uint32_t decode(const char *s, size_t len, size_t *adv)
{
	const unsigned char *u = (const unsigned char *)s;
	*adv = 1;
	if (u[0] < 0x80)
		return u[0];
	size_t n = u[0] >= 0xf0 && u[0] < 0xf8 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
	if (n == 0 || n > len)
		return 0xfffd;
	uint32_t c = u[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0xfffd;
		c = (c << 6) | (u[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0xfffd;
	*adv = n;
	return c;
}

void quai_context_clean_path(char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n > 0 && p[0] == '/';
	if (n == 0) {
		return;
	}
	if (rooted) {
		r = w = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/' || (p[r] == '.' && (r + 1 == n || p[r + 1] == '/'))) {
			r++; /* empty or "." element */
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && p[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					p[w++] = '/';
				p[w++] = '.';
				p[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				p[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				p[w++] = p[r];
		}
	}
	if (w == 0)
		p[w++] = '.';
	p[w] = '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim_dup(const char *s, size_t len)
{
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* filepath.Match's getEsc: one class character, checked. */
static int class_char(const char *p, size_t *i, size_t len, uint32_t *out)
{
	if (*i >= len || p[*i] == '-' || p[*i] == ']')
		return -1;
	if (p[*i] == '\\') {
		(*i)++;
		if (*i >= len)
			return -1;
		if ((p[*i] >= 'a' && p[*i] <= 'z') || (p[*i] >= 'A' && p[*i] <= 'Z') ||
		    (p[*i] >= '0' && p[*i] <= '9'))
			return -2;
	} else if (p[*i] == '*' || p[*i] == '?' || p[*i] == '[') {
		return -2; /* docker's regular expression would differ from the class */
	}
	size_t adv;
	*out = decode(p + *i, len - *i, &adv);
	*i += adv;
	if (*i >= len)
		return -1;
	return 0;
}

static struct tok *add_tok(struct pattern *pat, enum tok_kind kind, uint32_t ch)
{
	pat->toks = xgrow(pat->toks, &pat->cap, pat->ntoks + 1, sizeof(*pat->toks));
	struct tok *t = &pat->toks[pat->ntoks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->ch = ch;
	return t;
}

/* Parses the class starting at p[*i] == '['; on success *i is past ']'. */
static int parse_class(struct pattern *pat, const char *p, size_t *i, size_t len)
{
	struct tok *t = add_tok(pat, T_CLASS, 0);
	size_t cap = 0;
	(*i)++;
	if (*i < len && p[*i] == '^') {
		t->negated = true;
		(*i)++;
	}
	for (;;) {
		if (*i < len && p[*i] == ']' && t->nranges > 0) {
			(*i)++;
			return 0;
		}
		uint32_t lo, hi;
		int rc = class_char(p, i, len, &lo);
		if (rc < 0)
			return rc;
		hi = lo;
		if (p[*i] == '-') {
			(*i)++;
			rc = class_char(p, i, len, &hi);
			if (rc < 0)
				return rc;
			if (hi < lo)
				return -1; /* docker's regular expression does not compile */
		}
		t->ranges = xgrow(t->ranges, &cap, t->nranges + 1, sizeof(*t->ranges));
		t->ranges[t->nranges++] = (struct range){lo, hi};
	}
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Compiles pat->text as patternmatcher's compile() does. Returns 0, -1 for a
 * bad pattern (filepath.Match's ErrBadPattern) or -2 for one docker accepts
 * but quai does not reproduce. */
static int compile(struct pattern *pat)
{
	const char *p = pat->text;
	size_t len = strlen(p), i = 0;
	pat->type = M_EXACT;
	for (size_t iter = 0; i < len; iter++) {
		char c = p[i];
		if (c == '*' && i + 1 < len && p[i + 1] == '*') {
			i += 2;
			if (i < len && p[i] == '/')
				i++;
			if (i >= len) {
				add_tok(pat, T_DSTAR_END, 0);
				pat->type = pat->type == M_EXACT ? M_PREFIX : M_REGEX;
			} else {
				add_tok(pat, T_DSTAR_MID, 0);
				pat->type = M_REGEX;
			}
			if (iter == 0)
				pat->type = M_SUFFIX;
		} else if (c == '*') {
			add_tok(pat, T_STAR, 0);
			pat->type = M_REGEX;
			i++;
		} else if (c == '?') {
			add_tok(pat, T_ONE, 0);
			pat->type = M_REGEX;
			i++;
		} else if (c == '\\') {
			i++;
			if (i >= len)
				return -1;
			if (is_alnum(p[i]))
				return -2;
			size_t adv;
			add_tok(pat, T_LIT, decode(p + i, len - i, &adv));
			i += adv;
			pat->type = M_REGEX;
		} else if (c == '[') {
			int rc = parse_class(pat, p, &i, len);
			if (rc < 0)
				return rc;
			pat->type = M_REGEX;
		} else if (c == ']') {
			add_tok(pat, T_LIT, ']');
			pat->type = M_REGEX;
			i++;
		} else if (c == '^') {
			add_tok(pat, T_BOL, 0);
			i++;
		} else {
			size_t adv;
			add_tok(pat, T_LIT, decode(p + i, len - i, &adv));
			i += adv;
		}
	}
	return 0;
}

static bool class_has(const struct tok *t, uint32_t c)
{
	bool in = false;
	for (size_t i = 0; i < t->nranges && !in; i++)
		in = t->ranges[i].lo <= c && c <= t->ranges[i].hi;
	return in != t->negated;
}

/* The regular expression ^TOKENS$ docker builds, as an automaton over code
 * points: cur[k] is "before token k", ins[k] "inside the .* of a double star". */
static bool regex_match(const struct pattern *pat, const char *s)
{
	size_t n = pat->ntoks, len = strlen(s), pos = 0;
	bool *st = xcalloc(4 * (n + 1), sizeof(bool));
	bool *cur = st, *ins = st + (n + 1), *ncur = st + 2 * (n + 1), *nins = st + 3 * (n + 1);
	bool alive = true;
	cur[0] = true;
	for (;;) {
		for (size_t k = 0; k < n; k++) {
			enum tok_kind kd = pat->toks[k].kind;
			if (cur[k] && (kd == T_STAR || kd == T_DSTAR_MID || kd == T_DSTAR_END ||
			               (kd == T_BOL && pos == 0)))
				cur[k + 1] = true;
		}
		if (pos >= len || !alive)
			break;
		size_t adv;
		uint32_t c = decode(s + pos, len - pos, &adv);
		memset(ncur, 0, 2 * (n + 1) * sizeof(bool));
		alive = false;
		for (size_t k = 0; k < n; k++) {
			const struct tok *t = &pat->toks[k];
			bool to_next = false, stay = false;
			if (cur[k]) {
				switch (t->kind) {
				case T_LIT:
					to_next = c == t->ch;
					break;
				case T_ONE:
					to_next = c != '/';
					break;
				case T_CLASS:
					to_next = class_has(t, c);
					break;
				case T_STAR:
					stay = c != '/';
					break;
				case T_DSTAR_END:
					stay = c != '\n';
					break;
				case T_DSTAR_MID:
					nins[k] |= c != '\n';
					to_next = c == '/';
					break;
				case T_BOL:
					break;
				}
			}
			if (ins[k]) {
				nins[k] |= c != '\n';
				to_next |= c == '/';
			}
			ncur[k + 1] |= to_next;
			ncur[k] |= stay;
		}
		bool *tmp = cur;
		cur = ncur;
		ncur = tmp;
		tmp = ins;
		ins = nins;
		nins = tmp;
		for (size_t k = 0; k <= n; k++)
			alive |= cur[k] || ins[k];
		pos += adv;
	}
	bool ok = pos >= len && cur[n];
	free(st);
	return ok;
}

static bool pattern_match(const struct pattern *pat, const char *path)
{
	size_t tl = strlen(pat->text), pl = strlen(path);
	switch (pat->type) {
	case M_EXACT:
		return strcmp(path, pat->text) == 0;
	case M_PREFIX:
		return strncmp(path, pat->text, tl - 2) == 0;
	case M_SUFFIX: {
		const char *suffix = pat->text + 2;
		size_t sl = tl - 2;
		if (pl >= sl && memcmp(path + pl - sl, suffix, sl) == 0)
			return true;
		return suffix[0] == '/' && strcmp(path, suffix + 1) == 0;
	}
	case M_REGEX:
		return regex_match(pat, path);
	}
	return false;
}

static void pattern_release(struct pattern *pat)
{
	for (size_t i = 0; i < pat->ntoks; i++)
		free(pat->toks[i].ranges);
	free(pat->toks);
	free(pat->text);
}

/* NewPatternMatcher's handling of one pattern. */
static int add_pattern(struct quai_dockerignore *di, const char *raw, const char *where,
                       struct quai_error **err)
{
	cleanup_free char *p = trim_dup(raw, strlen(raw));
	if (p[0] == '\0')
		return 0;
	quai_context_clean_path(p);
	struct pattern pat = {0};
	if (p[0] == '!') {
		if (p[1] == '\0')
			return quai_error_set(err, QUAI_EXIT_USAGE, "%sillegal exclusion pattern '!'", where);
		pat.exclusion = true;
	}
	pat.text = xstrdup(p + pat.exclusion);
	int rc = compile(&pat);
	if (rc < 0) {
		pattern_release(&pat);
		if (rc == -2)
			return quai_error_set(
			    err, QUAI_EXIT_USAGE,
			    "%sunsupported pattern '%s' (an escaped letter or '*', '?', '[' in a class)",
			    where, p);
		return quai_error_set(err, QUAI_EXIT_USAGE, "%ssyntax error in pattern '%s'", where, p);
	}
	di->pats = xgrow(di->pats, &di->cap, di->npats + 1, sizeof(*di->pats));
	di->pats[di->npats++] = pat;
	di->exceptions |= pat.exclusion;
	return 0;
}

int quai_dockerignore_add(struct quai_dockerignore *di, const char *pattern, struct quai_error **err)
{
	return add_pattern(di, pattern, "", err);
}

/* The docker CLI's ReadAll for one line: NULL when the line holds no pattern. */
static char *read_line_pattern(const char *line, size_t len)
{
	if (len > 0 && line[0] == '#')
		return NULL;
	cleanup_free char *p = trim_dup(line, len);
	if (p[0] == '\0')
		return NULL;
	bool invert = p[0] == '!';
	char *body = invert ? trim_dup(p + 1, strlen(p + 1)) : xstrdup(p);
	if (body[0] != '\0') {
		quai_context_clean_path(body);
		if (body[0] == '/' && body[1] != '\0')
			memmove(body, body + 1, strlen(body));
	}
	if (!invert)
		return body;
	char *out = xasprintf("!%s", body);
	free(body);
	return out;
}

int quai_dockerignore_parse(struct quai_dockerignore **out, const char *text, size_t len, const char *source,
                            struct quai_error **err)
{
	struct quai_dockerignore *di = xcalloc(1, sizeof(*di));
	size_t pos = 0, lineno = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;
		lineno++;
		if (l > 0 && text[pos + l - 1] == '\r')
			l--;
		cleanup_free char *p = read_line_pattern(text + pos, l);
		pos = end + 1;
		if (!p)
			continue;
		cleanup_free char *where = xasprintf("%s:%zu: ", source ? source : ".dockerignore", lineno);
		if (add_pattern(di, p, where, err) < 0) {
			quai_dockerignore_free(di);
			return -1;
		}
	}
	*out = di;
	return 0;
}

int quai_dockerignore_load(struct quai_dockerignore **out, const char *path, struct quai_error **err)
{
	if (!path) {
		*out = xcalloc(1, sizeof(**out));
		return 0;
	}
	cleanup_free char *text = NULL;
	size_t len = 0;
	cleanup_error struct quai_error *rerr = NULL;
	if (quai_file_read(&text, &len, path, QUAI_DOCKERIGNORE_MAX, &rerr) < 0) {
		if (access(path, F_OK) < 0 && errno == ENOENT) {
			*out = xcalloc(1, sizeof(**out));
			return 0;
		}
		*err = steal_pointer(&rerr);
		return -1;
	}
	return quai_dockerignore_parse(out, text, len, path, err);
}

bool quai_dockerignore_match_step(const struct quai_dockerignore *di, const char *relpath, const bool *parent,
                                  bool *out)
{
	bool matched = false;
	for (size_t i = 0; i < di->npats; i++) {
		const struct pattern *pat = &di->pats[i];
		bool m = parent ? parent[i] : false;
		out[i] = false;
		if (!m) {
			if (pat->exclusion != matched)
				continue;
			m = pattern_match(pat, relpath);
			if (!m && !parent) {
				/* no parent results: try each parent directory */
				cleanup_free char *dir = xstrdup(relpath);
				for (char *s = strchr(dir, '/'); s && !m; s = strchr(s + 1, '/')) {
					*s = '\0';
					m = pattern_match(pat, dir);
					*s = '/';
				}
			}
		}
		out[i] = m;
		if (m)
			matched = !pat->exclusion;
	}
	return matched;
}

bool quai_dockerignore_match(const struct quai_dockerignore *di, const char *relpath)
{
	if (!di || di->npats == 0)
		return false;
	cleanup_free char *path = xstrdup(relpath);
	quai_context_clean_path(path);
	if (path[0] == '/')
		memmove(path, path + 1, strlen(path));
	bool *a = xcalloc(2 * di->npats, sizeof(bool));
	bool *parent = NULL, *cur = a, matched = false;
	char *s = path;
	for (;;) {
		char *slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		matched = quai_dockerignore_match_step(di, path, parent, cur);
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
		parent = cur;
		cur = cur == a ? a + di->npats : a;
	}
	free(a);
	return matched;
}

bool quai_dockerignore_has_exceptions(const struct quai_dockerignore *di)
{
	return di && di->exceptions;
}

bool quai_dockerignore_walk_excluded_dir(const struct quai_dockerignore *di, const char *reldir)
{
	size_t dl = strlen(reldir);
	for (size_t i = 0; di && i < di->npats; i++) {
		const struct pattern *pat = &di->pats[i];
		if (!pat->exclusion)
			continue;
		size_t tl = strlen(pat->text);
		/* pattern + "/" starts with dir + "/" */
		if (tl + 1 >= dl + 1 && memcmp(pat->text, reldir, dl) == 0 &&
		    (tl == dl || pat->text[dl] == '/'))
			return true;
	}
	return false;
}

size_t quai_dockerignore_count(const struct quai_dockerignore *di)
{
	return di ? di->npats : 0;
}

void quai_dockerignore_free(struct quai_dockerignore *di)
{
	if (!di)
		return;
	for (size_t i = 0; i < di->npats; i++)
		pattern_release(&di->pats[i]);
	free(di->pats);
	free(di);
}
