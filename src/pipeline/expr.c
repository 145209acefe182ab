/* The expression language of rules:if and only/except:variables, as
 * GitLab's Gitlab::Ci::Pipeline::Expression reads it:
 *
 *   expr    = and { "||" and }
 *   and     = compare { "&&" compare }
 *   compare = value [ ("==" | "!=" | "=~" | "!~") value ]
 *   value   = "$" NAME | '"' chars '"' | "'" chars "'" | "/" regex "/" [imsU] | "null" | "(" expr ")"
 *
 * Values behave as Ruby values do there: && and || return one of their
 * operands (only nil and false are false), and the whole expression is
 * true when its value is present (not nil, not false, not a blank string). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define EXPR_MAX  65536u
#define DEPTH_MAX 64u

enum node_kind { N_VAR, N_STR, N_REGEX, N_NULL, N_AND, N_OR, N_EQ, N_NE, N_MATCH, N_NOMATCH };

struct pl_expr {
	enum node_kind kind;
	char *text; /* N_VAR name, N_STR value, N_REGEX source */
	struct pl_regex *re;
	struct pl_expr *l, *r;
};

struct parser {
	const char *s;
	size_t i;
	unsigned depth;
	struct quai_error **err;
};

static int fail(struct parser *p, const char *what)
{
	return quai_error_set(p->err, QUAI_EXIT_USAGE, "col %zu: %s", p->i + 1, what);
}

static void skip_ws(struct parser *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

static struct pl_expr *node(enum node_kind k)
{
	struct pl_expr *e = xcalloc(1, sizeof(*e));
	e->kind = k;
	return e;
}

void pl_expr_free(struct pl_expr *e)
{
	if (!e)
		return;
	pl_expr_free(e->l);
	pl_expr_free(e->r);
	pl_regex_free(e->re);
	free(e->text);
	free(e);
}

static struct pl_expr *parse_or(struct parser *p);

static struct pl_expr *parse_regex(struct parser *p)
{
	const char *s = p->s + p->i;
	size_t n = 1;
	while (s[n] && s[n] != '/') {
		if (s[n] == '\\' && s[n + 1])
			n++;
		n++;
	}
	if (s[n] != '/' || n == 1) {
		fail(p, n == 1 ? "empty regular expression" : "regular expression without its closing '/'");
		return NULL;
	}
	size_t f = n + 1, fe = f;
	while (isalpha((unsigned char)s[fe]))
		fe++;
	cleanup_free char *flags = xstrndup(s + f, fe - f);
	struct pl_regex *re = NULL;
	struct quai_error *e2 = NULL;
	if (pl_regex_compile(&re, s + 1, n - 1, flags, &e2) < 0) {
		quai_error_set(p->err, QUAI_EXIT_USAGE, "col %zu: %s", p->i + 1, e2 ? e2->msg : "bad regex");
		quai_error_free(e2);
		return NULL;
	}
	struct pl_expr *e = node(N_REGEX);
	e->text = xstrndup(s, fe);
	e->re = re;
	p->i += fe;
	return e;
}

static struct pl_expr *parse_value(struct parser *p)
{
	skip_ws(p);
	const char *s = p->s + p->i;
	char c = *s;
	if (c == '(') {
		if (++p->depth > DEPTH_MAX) {
			fail(p, "parentheses nested too deep");
			return NULL;
		}
		p->i++;
		struct pl_expr *e = parse_or(p);
		if (!e)
			return NULL;
		skip_ws(p);
		if (p->s[p->i] != ')') {
			pl_expr_free(e);
			fail(p, "missing ')'");
			return NULL;
		}
		p->i++;
		p->depth--;
		return e;
	}
	if (c == '$') {
		size_t n = 1;
		while (isalnum((unsigned char)s[n]) || s[n] == '_')
			n++;
		if (n == 1) {
			fail(p, "'$' without a variable name");
			return NULL;
		}
		struct pl_expr *e = node(N_VAR);
		e->text = xstrndup(s + 1, n - 1);
		p->i += n;
		return e;
	}
	if (c == '"' || c == '\'') {
		const char *end = strchr(s + 1, c);
		if (!end) {
			fail(p, "string without its closing quote");
			return NULL;
		}
		struct pl_expr *e = node(N_STR);
		e->text = xstrndup(s + 1, (size_t)(end - s - 1));
		p->i += (size_t)(end - s) + 1;
		return e;
	}
	if (c == '/')
		return parse_regex(p);
	if (strncmp(s, "null", 4) == 0 && !isalnum((unsigned char)s[4]) && s[4] != '_') {
		p->i += 4;
		return node(N_NULL);
	}
	if (!c)
		fail(
		    p,
		    "expected a value ($VARIABLE, \"string\", /regex/ or null) at the end of the expression");
	else
		fail(p, "expected a value ($VARIABLE, \"string\", /regex/ or null)");
	return NULL;
}

static struct pl_expr *parse_compare(struct parser *p)
{
	struct pl_expr *l = parse_value(p);
	if (!l)
		return NULL;
	skip_ws(p);
	static const struct {
		const char *op;
		enum node_kind kind;
	} ops[] = {{"==", N_EQ}, {"!=", N_NE}, {"=~", N_MATCH}, {"!~", N_NOMATCH}};
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		if (strncmp(p->s + p->i, ops[k].op, 2) != 0)
			continue;
		p->i += 2;
		struct pl_expr *r = parse_value(p);
		if (!r) {
			pl_expr_free(l);
			return NULL;
		}
		struct pl_expr *e = node(ops[k].kind);
		e->l = l;
		e->r = r;
		return e;
	}
	return l;
}

static struct pl_expr *parse_and(struct parser *p)
{
	struct pl_expr *l = parse_compare(p);
	if (!l)
		return NULL;
	for (;;) {
		skip_ws(p);
		if (strncmp(p->s + p->i, "&&", 2) != 0)
			return l;
		p->i += 2;
		struct pl_expr *r = parse_compare(p);
		if (!r) {
			pl_expr_free(l);
			return NULL;
		}
		struct pl_expr *e = node(N_AND);
		e->l = l;
		e->r = r;
		l = e;
	}
}

static struct pl_expr *parse_or(struct parser *p)
{
	struct pl_expr *l = parse_and(p);
	if (!l)
		return NULL;
	for (;;) {
		skip_ws(p);
		if (strncmp(p->s + p->i, "||", 2) != 0)
			return l;
		p->i += 2;
		struct pl_expr *r = parse_and(p);
		if (!r) {
			pl_expr_free(l);
			return NULL;
		}
		struct pl_expr *e = node(N_OR);
		e->l = l;
		e->r = r;
		l = e;
	}
}

int pl_expr_parse(struct pl_expr **out, const char *text, struct quai_error **err)
{
	if (strlen(text) > EXPR_MAX)
		return quai_error_set(err, QUAI_EXIT_USAGE, "expression longer than %u bytes", EXPR_MAX);
	struct parser p = {.s = text, .err = err};
	struct pl_expr *e = parse_or(&p);
	if (!e)
		return -1;
	skip_ws(&p);
	if (p.s[p.i]) {
		pl_expr_free(e);
		if (p.s[p.i] == ')')
			return fail(&p, "unexpected ')'");
		return fail(&p, "expected an operator (==, !=, =~, !~, &&, ||) or the end of the expression");
	}
	*out = e;
	return 0;
}

/* ---- evaluation ---- */

enum val_kind { V_NIL, V_BOOL, V_STR, V_REGEX };

struct val {
	enum val_kind kind;
	bool b;
	char *s;                  /* owned, V_STR */
	const struct pl_expr *re; /* V_REGEX: the literal */
};

static void val_release(struct val *v)
{
	free(v->s);
	v->s = NULL;
}

static bool ruby_truthy(const struct val *v)
{
	return v->kind != V_NIL && !(v->kind == V_BOOL && !v->b);
}

static bool present(const struct val *v)
{
	if (!ruby_truthy(v))
		return false;
	if (v->kind != V_STR)
		return true;
	for (const char *c = v->s; *c; c++)
		if (!isspace((unsigned char)*c))
			return true;
	return false;
}

static int eval(const struct pl_expr *e, const struct quai_pipeline_vars *vars, struct val *out,
                struct quai_error **err);

static bool equal(const struct val *a, const struct val *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case V_NIL:
		return true;
	case V_BOOL:
		return a->b == b->b;
	case V_STR:
		return strcmp(a->s, b->s) == 0;
	case V_REGEX:
		return strcmp(a->re->text, b->re->text) == 0;
	}
	return false;
}

/* =~: true when the right side matches somewhere in the left (nil: ""). A
 * right side that is a string holding /regex/flags is that regex; any other
 * string matches when it contains the left side (GitLab's String#scan). */
static int matches(const struct val *l, const struct val *r, bool *out, struct quai_error **err)
{
	const char *text = l->kind == V_STR ? l->s : "";
	if (l->kind == V_BOOL)
		text = l->b ? "true" : "false";
	if (l->kind == V_REGEX)
		text = l->re->text;
	if (r->kind == V_REGEX) {
		int m = pl_regex_search(r->re->re, text, strlen(text));
		if (m < 0)
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "regular expression %s: matching failed (too complex)",
			                      r->re->text);
		*out = m == 1;
		return 0;
	}
	if (r->kind != V_STR) {
		*out = false;
		return 0;
	}
	size_t ps, pn;
	const char *flags = NULL;
	if (pl_regex_literal(r->s, strlen(r->s), &ps, &pn, &flags) == 0) {
		struct pl_regex *re = NULL;
		struct quai_error *e2 = NULL;
		if (pl_regex_compile(&re, r->s + ps, pn, flags, &e2) == 0) {
			int m = pl_regex_search(re, text, strlen(text));
			pl_regex_free(re);
			*out = m == 1;
			return 0;
		}
		quai_error_free(e2);
	}
	*out = strstr(r->s, text) != NULL;
	return 0;
}

static int eval_binary(const struct pl_expr *e, const struct quai_pipeline_vars *vars, struct val *out,
                       struct quai_error **err)
{
	struct val l = {0}, r = {0};
	if (eval(e->l, vars, &l, err) < 0)
		return -1;
	if (e->kind == N_AND || e->kind == N_OR) {
		bool take_left = e->kind == N_AND ? !ruby_truthy(&l) : ruby_truthy(&l);
		if (take_left) {
			*out = l;
			return 0;
		}
		val_release(&l);
		return eval(e->r, vars, out, err);
	}
	if (eval(e->r, vars, &r, err) < 0) {
		val_release(&l);
		return -1;
	}
	bool b = false;
	int rc = 0;
	switch (e->kind) {
	case N_EQ:
		b = equal(&l, &r);
		break;
	case N_NE:
		b = !equal(&l, &r);
		break;
	case N_MATCH:
		rc = matches(&l, &r, &b, err);
		break;
	case N_NOMATCH:
		if (!ruby_truthy(&r)) {
			b = true;
			break;
		}
		rc = matches(&l, &r, &b, err);
		b = !b;
		break;
	default:
		break;
	}
	val_release(&l);
	val_release(&r);
	*out = (struct val){.kind = V_BOOL, .b = b};
	return rc;
}

static int eval(const struct pl_expr *e, const struct quai_pipeline_vars *vars, struct val *out,
                struct quai_error **err)
{
	*out = (struct val){0};
	if (!e)
		return 0;
	switch (e->kind) {
	case N_VAR: {
		const struct quai_pipeline_var *v = quai_pipeline_vars_get(vars, e->text);
		if (v)
			*out = (struct val){.kind = V_STR, .s = xstrdup(v->value)};
		return 0;
	}
	case N_STR:
		*out = (struct val){.kind = V_STR, .s = pl_expand_ex(e->text, vars, true)};
		return 0;
	case N_REGEX:
		*out = (struct val){.kind = V_REGEX, .re = e};
		return 0;
	case N_NULL:
		return 0;
	default:
		return eval_binary(e, vars, out, err);
	}
}

int pl_expr_eval(const struct pl_expr *e, const struct quai_pipeline_vars *vars, bool *out,
                 struct quai_error **err)
{
	struct val v;
	if (eval(e, vars, &v, err) < 0)
		return -1;
	*out = present(&v);
	val_release(&v);
	return 0;
}

int quai_pipeline_if(bool *out, const char *expr, const struct quai_pipeline_vars *vars,
                     struct quai_error **err)
{
	struct pl_expr *e = NULL;
	if (pl_expr_parse(&e, expr, err) < 0)
		return -1;
	int rc = pl_expr_eval(e, vars, out, err);
	pl_expr_free(e);
	return rc;
}
