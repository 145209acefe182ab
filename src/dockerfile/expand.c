/* Docker's shell-word lexer (BuildKit frontend/dockerfile/shell/lex.go):
 * quotes, escapes and variable references, used to expand words, to remove
 * quotes without expanding, and to find heredoc words. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "dockerfile/internal.h"
#include "core/banned.h"

struct lex {
	const char *s;
	size_t n, i;
	char esc;
	const struct quai_df_vars *vars; /* NULL: keep references as written */
	bool raw_quotes, raw_escapes;
	unsigned depth; /* of nested ${...}: bounded, so that no input exhausts the stack */
	char *err;
};

#define MAX_DEPTH 200
/* Pattern matching is quadratic: longer values or patterns are left alone. */
#define MAX_PATTERN_WORK 4096

static int fail(struct lex *lx, char *msg)
{
	if (!lx->err)
		lx->err = msg;
	else
		free(msg);
	return -1;
}

/* Replaces an inner error by one that says more, as BuildKit does at the end of input. */
static int refail(struct lex *lx, char *msg)
{
	free(lx->err);
	lx->err = msg;
	return -1;
}

static int lex_until(struct lex *lx, struct quai_buf *out, int stop, bool raw_escapes);
static int lex_dollar(struct lex *lx, struct quai_buf *out);

static int lex_squote(struct lex *lx, struct quai_buf *out)
{
	lx->i++;
	if (lx->raw_quotes)
		df_putc(out, '\'');
	for (;;) {
		if (lx->i >= lx->n)
			return fail(lx, xstrdup("unterminated single quote: close it"));
		char c = lx->s[lx->i++];
		if (c == '\'') {
			if (lx->raw_quotes)
				df_putc(out, c);
			return 0;
		}
		df_putc(out, c);
	}
}

static int lex_dquote(struct lex *lx, struct quai_buf *out)
{
	lx->i++;
	if (lx->raw_quotes)
		df_putc(out, '"');
	for (;;) {
		if (lx->i >= lx->n)
			return fail(lx, xasprintf("unterminated double quote: close it or escape it as %c\"", lx->esc));
		char c = lx->s[lx->i];
		if (c == '"') {
			lx->i++;
			if (lx->raw_quotes)
				df_putc(out, c);
			return 0;
		}
		if (c == '$') {
			if (lex_dollar(lx, out) < 0)
				return -1;
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			if (lx->raw_escapes)
				df_putc(out, c);
			if (lx->i >= lx->n)
				continue;
			char d = lx->s[lx->i];
			if (d == '"' || d == '$' || d == lx->esc) {
				c = d;
				lx->i++;
			}
		}
		df_putc(out, c);
	}
}

/* A letter for a variable name: ASCII letters, and (roughly, without
 * Unicode tables) the letters of other scripts. Returns its length, 0 if none. */
static size_t name_char(const char *s, size_t i, size_t n, bool digits)
{
	unsigned char c = (unsigned char)s[i];
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (digits && c >= '0' && c <= '9'))
		return 1;
	if (c < 0xc2)
		return 0;
	size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (i + len > n)
		return 0;
	unsigned cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (size_t k = 1; k < len; k++) {
		unsigned char b = (unsigned char)s[i + k];
		if ((b & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (b & 0x3f);
	}
	bool letter = cp == 0xaa || cp == 0xb5 || cp == 0xba || (cp >= 0xc0 && cp <= 0x2af && cp != 0xd7 && cp != 0xf7) ||
		      (cp >= 0x370 && cp < 0x2000) || (cp >= 0x2c00 && cp < 0x2e00) || (cp >= 0x3040 && cp < 0xd800) ||
		      cp >= 0xf900;
	return letter ? len : 0;
}

static bool special_param(char c)
{
	return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

/* processName: [name_start, name_end) of the name at lx->i. Sets *plain
 * when it is an ordinary variable name (not $1 or $@). */
static void lex_name(struct lex *lx, size_t *start, bool *plain)
{
	*start = lx->i;
	*plain = false;
	if (lx->i >= lx->n)
		return;
	char c = lx->s[lx->i];
	if (c >= '0' && c <= '9') {
		while (lx->i < lx->n && lx->s[lx->i] >= '0' && lx->s[lx->i] <= '9')
			lx->i++;
		return;
	}
	if (special_param(c)) {
		lx->i++;
		return;
	}
	size_t k;
	while (lx->i < lx->n && (k = name_char(lx->s, lx->i, lx->n, true)))
		lx->i += k;
	*plain = lx->i > *start;
}

static const char *get_var(struct lex *lx, const char *name, bool plain, bool report)
{
	const char *v = lx->vars->lookup ? lx->vars->lookup(lx->vars->ctx, name) : NULL;
	if (!v && report && plain && lx->vars->on_unset)
		lx->vars->on_unset(lx->vars->ctx, name);
	return v;
}

/* ---- patterns of ${v#p}, ${v%p}, ${v/p/r} ---- */

/* A shell pattern as BuildKit converts it: `*`, `?`, `\*`, `\?`, `\\`;
 * `\}` and `\/` are plain. Returns 0, or -1 for another escape. */
static int compile_pattern(const char *p, struct quai_buf *out)
{
	/* encoding: '\1' = star, '\2' = any char, '\3' x = literal x */
	for (; *p; p++) {
		if (*p == '*') {
			df_putc(out, '\1');
		} else if (*p == '?') {
			df_putc(out, '\2');
		} else if (*p == '\\') {
			if (p[1] == '}' || p[1] == '/')
				continue;
			if (p[1] != '*' && p[1] != '?' && p[1] != '\\')
				return -1;
			df_putc(out, '\3');
			df_putc(out, *++p);
		} else {
			df_putc(out, '\3');
			df_putc(out, *p);
		}
	}
	return 0;
}

/* Does the compiled pattern match all of s[0..n)? */
static bool pmatch(const char *p, size_t pn, const char *s, size_t n)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
	while (si < n) {
		if (pi < pn && p[pi] == '\1') {
			star_p = ++pi;
			star_s = si;
		} else if (pi < pn && (p[pi] == '\2' || (p[pi] == '\3' && p[pi + 1] == s[si]))) {
			pi += p[pi] == '\2' ? 1 : 2;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '\1')
		pi++;
	return pi == pn;
}

static int trim_pattern(struct lex *lx, struct quai_buf *out, const char *value, const char *pat, bool suffix,
			bool greedy)
{
	struct quai_buf cp = QUAI_BUF_INIT;
	if (compile_pattern(pat, &cp) < 0) {
		quai_buf_release(&cp);
		return fail(lx, xasprintf("invalid pattern '%s' in substitution", pat));
	}
	const char *p = quai_buf_str(&cp);
	size_t n = strlen(value), cut = 0;
	if (n > MAX_PATTERN_WORK || cp.len > MAX_PATTERN_WORK) {
		quai_buf_puts(out, value);
		quai_buf_release(&cp);
		return 0;
	}
	bool found = false;
	for (size_t k = 0; k <= n; k++) {
		size_t len = greedy ? n - k : k;
		bool m = suffix ? pmatch(p, cp.len, value + n - len, len) : pmatch(p, cp.len, value, len);
		if (m) {
			cut = len;
			found = true;
			break;
		}
	}
	if (!found)
		quai_buf_puts(out, value);
	else if (suffix)
		df_buf_add(out, value, n - cut);
	else
		quai_buf_puts(out, value + cut);
	quai_buf_release(&cp);
	return 0;
}

static int replace_pattern(struct lex *lx, struct quai_buf *out, const char *value, const char *pat,
			   const char *repl, bool all)
{
	struct quai_buf cp = QUAI_BUF_INIT;
	if (compile_pattern(pat, &cp) < 0) {
		quai_buf_release(&cp);
		return fail(lx, xasprintf("invalid pattern '%s' in substitution", pat));
	}
	const char *p = quai_buf_str(&cp);
	size_t n = strlen(value), i = 0;
	bool done = n > MAX_PATTERN_WORK || cp.len > MAX_PATTERN_WORK;
	while (i <= n) {
		size_t end = (size_t)-1;
		if (!done)
			for (size_t e = n + 1; e-- > i;)
				if (pmatch(p, cp.len, value + i, e - i)) {
					end = e;
					break;
				}
		if (end == (size_t)-1) {
			if (i < n)
				df_putc(out, value[i]);
			i++;
			continue;
		}
		quai_buf_puts(out, repl);
		done = !all;
		if (end == i) {
			if (i < n)
				df_putc(out, value[i]);
			i++;
		} else {
			i = end;
		}
	}
	quai_buf_release(&cp);
	return 0;
}

/* ---- $ references ---- */

/* A ${...} reference being read. */
struct ref {
	const char *name;
	bool plain;	 /* an ordinary name, not $1 or $@ */
	size_t start;	 /* of its '$' */
	bool null_unset; /* ':' before the operator */
	char op;
};

/* Outputs the reference as written (no variables) and returns true, or
 * returns false when it is to be expanded. */
static bool keep_ref(struct lex *lx, struct quai_buf *out, const struct ref *r)
{
	if (lx->vars)
		return false;
	df_buf_add(out, lx->s + r->start, lx->i - r->start);
	return true;
}

/* ${name/pattern/replacement} and ${name//pattern/replacement}. */
static int lex_replace(struct lex *lx, struct quai_buf *out, const struct ref *r)
{
	cleanup_buf struct quai_buf pat = QUAI_BUF_INIT;
	cleanup_buf struct quai_buf repl = QUAI_BUF_INIT;
	bool all = lx->i < lx->n && lx->s[lx->i] == '/';
	if (all)
		lx->i++;
	if (lex_until(lx, &pat, '/', true) < 0)
		return lx->i >= lx->n ? refail(lx, xstrdup("missing '/' in '${name/pattern/replacement}'")) : -1;
	if (lex_until(lx, &repl, '}', true) < 0)
		return lx->i >= lx->n ? refail(lx, xstrdup("missing '}' after '${'")) : -1;
	if (keep_ref(lx, out, r))
		return 0;
	const char *v = get_var(lx, r->name, r->plain, true);
	return replace_pattern(lx, out, v ? v : "", quai_buf_str(&pat), quai_buf_str(&repl), all);
}

static int apply_op(struct lex *lx, struct quai_buf *out, const struct ref *r, const char *w)
{
	bool pattern = r->op == '#' || r->op == '%';
	const char *v = get_var(lx, r->name, r->plain, pattern);
	bool unset = !v || (r->null_unset && !*v);
	switch (r->op) {
	case '-':
		quai_buf_puts(out, unset ? w : v);
		return 0;
	case '+':
		quai_buf_puts(out, unset ? "" : w);
		return 0;
	case '?':
		if (!v)
			return fail(lx, xasprintf("%s: %s", r->name, *w ? w : "is not allowed to be unset"));
		if (unset)
			return fail(lx, xasprintf("%s: %s", r->name, *w ? w : "is not allowed to be empty"));
		quai_buf_puts(out, v);
		return 0;
	default: {
		bool greedy = *w == r->op;
		return trim_pattern(lx, out, v ? v : "", greedy ? w + 1 : w, r->op == '%', greedy);
	}
	}
}

/* ${name OP word} for OP in - + ? # %, with or without ':'. */
static int lex_op(struct lex *lx, struct quai_buf *out, const struct ref *r)
{
	char op = r->op;
	bool known = op == '+' || op == '-' || op == '?' || op == '#' || op == '%';
	bool pattern = op == '#' || op == '%';
	if (!known && !r->null_unset)
		return fail(lx, xasprintf("unsupported modifier '%c' in '${%s%c...}': use -, +, ?, #, %% or /", op,
					  r->name, op));
	if (r->null_unset && pattern)
		return fail(lx, xasprintf("unsupported modifier ':%c' in substitution", op));
	cleanup_buf struct quai_buf word = QUAI_BUF_INIT;
	if (lex_until(lx, &word, '}', pattern) < 0)
		return lx->i >= lx->n ? refail(lx, xstrdup("missing '}' after '${'")) : -1;
	if (!known)
		return fail(lx, xasprintf("unsupported modifier ':%c' in '${%s:%c...}': use :-, :+ or :?", op,
					  r->name, op));
	if (keep_ref(lx, out, r))
		return 0;
	return apply_op(lx, out, r, quai_buf_str(&word));
}

static int lex_braced(struct lex *lx, struct quai_buf *out, size_t start)
{
	lx->i++; /* '{' */
	if (lx->i >= lx->n)
		return fail(lx, xstrdup("missing '}' after '${'"));
	char c = lx->s[lx->i];
	if (c == '{' || c == '}' || c == ':')
		return fail(lx, xstrdup("bad substitution: '${' must be followed by a variable name"));
	size_t ns;
	struct ref r = { .start = start };
	lex_name(lx, &ns, &r.plain);
	cleanup_free char *name = xstrndup(lx->s + ns, lx->i - ns);
	r.name = name;
	if (lx->i >= lx->n)
		return fail(lx, xstrdup("missing '}' after '${'"));
	r.op = lx->s[lx->i++];
	if (r.op == '}') {
		if (keep_ref(lx, out, &r))
			return 0;
		const char *v = get_var(lx, name, r.plain, true);
		quai_buf_puts(out, v ? v : "");
		return 0;
	}
	if (r.op == '/')
		return lex_replace(lx, out, &r);
	if (r.op == ':') {
		r.null_unset = true;
		if (lx->i >= lx->n)
			return fail(lx, xstrdup("missing '}' after '${'"));
		r.op = lx->s[lx->i++];
	}
	return lex_op(lx, out, &r);
}

static int lex_dollar(struct lex *lx, struct quai_buf *out)
{
	size_t start = lx->i++;
	if (lx->i < lx->n && lx->s[lx->i] == '{') {
		if (lx->depth >= MAX_DEPTH)
			return fail(lx, xstrdup("variable references nested too deeply"));
		lx->depth++;
		int r = lex_braced(lx, out, start);
		lx->depth--;
		return r;
	}
	size_t ns;
	bool plain;
	lex_name(lx, &ns, &plain);
	if (lx->i == ns) {
		df_putc(out, '$');
		return 0;
	}
	if (!lx->vars) {
		df_buf_add(out, lx->s + start, lx->i - start);
		return 0;
	}
	char *name = xstrndup(lx->s + ns, lx->i - ns);
	const char *v = get_var(lx, name, plain, true);
	quai_buf_puts(out, v ? v : "");
	free(name);
	return 0;
}

/* processStopOn: up to `stop` (consumed) or the end when stop is -1. */
static int lex_until(struct lex *lx, struct quai_buf *out, int stop, bool raw_escapes)
{
	bool saved = lx->raw_escapes;
	int r = 0;
	lx->raw_escapes = raw_escapes;
	while (lx->i < lx->n) {
		char c = lx->s[lx->i];
		if (stop >= 0 && c == (char)stop) {
			lx->i++;
			goto out;
		}
		if (c == '$' || c == '\'' || c == '"') {
			r = c == '$' ? lex_dollar(lx, out) : c == '\'' ? lex_squote(lx, out) : lex_dquote(lx, out);
			if (r < 0)
				goto out;
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			if (lx->raw_escapes)
				df_putc(out, c);
			if (lx->i >= lx->n)
				break;
			c = lx->s[lx->i++];
		}
		df_putc(out, c);
	}
	if (stop >= 0)
		r = fail(lx, xasprintf("missing '%c'", stop));
out:
	lx->raw_escapes = saved;
	return r;
}

int quai_df_expand(char **out, char **errmsg, const char *word, char escape, const struct quai_df_vars *vars)
{
	static const struct quai_df_vars none = { NULL, NULL, NULL };
	struct lex lx = { .s = word, .n = strlen(word), .esc = escape, .vars = vars ? vars : &none };
	struct quai_buf b = QUAI_BUF_INIT;
	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (lex_until(&lx, &b, -1, false) < 0) {
		quai_buf_release(&b);
		if (errmsg)
			*errmsg = lx.err;
		else
			free(lx.err);
		return -1;
	}
	*out = quai_buf_detach(&b);
	return 0;
}

char *df_unquote(const char *s, size_t n, char escape, char **err)
{
	struct lex lx = { .s = s, .n = n, .esc = escape };
	struct quai_buf b = QUAI_BUF_INIT;
	*err = NULL;
	size_t k = 0;
	while (k < n && s[k] != '\'' && s[k] != '"' && s[k] != '$' && s[k] != escape)
		k++;
	if (k == n)
		return xstrndup(s, n); /* nothing to remove */
	/* Removing quotes and escapes only shortens: room for all of it
	 * once, not a growth per byte. */
	b.cap = n + 1;
	b.data = xmalloc(b.cap);
	b.data[0] = '\0';
	if (lex_until(&lx, &b, -1, false) < 0) {
		*err = lx.err;
		quai_buf_release(&b);
		return xstrndup(s, n);
	}
	return quai_buf_detach(&b);
}

/* ---- heredoc words ---- */

bool df_shell_words(const char *s, size_t n, struct df_span **out, size_t *nout)
{
	struct lex lx = { .s = s, .n = n, .esc = '\\', .raw_quotes = true, .raw_escapes = true };
	struct quai_buf scratch = QUAI_BUF_INIT;
	struct df_span *w = NULL;
	size_t nw = 0, cap = 0, ws = 0;
	bool in_word = false, ok = true;
	while (lx.i < n) {
		char c = s[lx.i];
		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			if (in_word) {
				w = xgrow(w, &cap, nw + 1, sizeof(*w));
				w[nw++] = (struct df_span){ ws, lx.i };
				in_word = false;
			}
			lx.i++;
			continue;
		}
		if (!in_word) {
			in_word = true;
			ws = lx.i;
		}
		quai_buf_truncate(&scratch, 0);
		if (c == '$' || c == '\'' || c == '"') {
			int r = c == '$' ? lex_dollar(&lx, &scratch) : c == '\'' ? lex_squote(&lx, &scratch)
									: lex_dquote(&lx, &scratch);
			if (r < 0) {
				ok = false;
				break;
			}
			continue;
		}
		lx.i += (c == '\\' && lx.i + 1 < n) ? 2 : 1;
	}
	if (ok && in_word) {
		w = xgrow(w, &cap, nw + 1, sizeof(*w));
		w[nw++] = (struct df_span){ ws, n };
	}
	quai_buf_release(&scratch);
	free(lx.err);
	*out = w;
	*nout = ok ? nw : 0;
	return ok;
}

bool df_heredoc_name(const char *s, size_t n, char **name, bool *quoted)
{
	struct lex lx = { .s = s, .n = n, .esc = '\\' };
	struct quai_buf b = QUAI_BUF_INIT;
	bool quote_seen = false, ok = true;
	while (lx.i < n) {
		char c = s[lx.i];
		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			ok = false; /* more than one word */
			break;
		}
		if (c == '\'' || c == '"') {
			quote_seen = true;
			if ((c == '\'' ? lex_squote(&lx, &b) : lex_dquote(&lx, &b)) < 0) {
				ok = false;
				break;
			}
			continue;
		}
		if (c == '$') {
			if (lex_dollar(&lx, &b) < 0) {
				ok = false;
				break;
			}
			continue;
		}
		lx.i++;
		if (c == '\\') {
			if (lx.i >= n)
				break;
			c = s[lx.i++];
		}
		df_putc(&b, c);
	}
	free(lx.err);
	if (!ok || b.len == 0) {
		quai_buf_release(&b);
		return false;
	}
	*name = quai_buf_detach(&b);
	*quoted = quote_seen;
	return true;
}
