/* Values of the configuration with their types checked: strings, lists
 * of strings (script's nested lists flattened), booleans, numbers, exit
 * codes, mappings with known keys, and variables read as GitLab's Ruby
 * reads YAML 1.1. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define NEST_MAX 10

int pl_scalar(struct loader *l, const char **out, const struct quai_yaml_node *node, const char *what)
{
	if (!node || node->type != QUAI_YAML_SCALAR) {
		pl_fail(l, node, "%s: expected a string, found %s", what, quai_yaml_kind_name(node));
		return -1;
	}
	*out = quai_yaml_is_null(node) && !quai_yaml_is_quoted(node) ? "" : node->str;
	return 0;
}

static int strv_add(struct loader *l, struct quai_buf *acc, size_t *n, const struct quai_yaml_node *node,
                    const char *what, bool nested, unsigned depth)
{
	if (node->type == QUAI_YAML_SCALAR) {
		if (quai_yaml_is_null(node))
			return pl_fail(l, node, "%s: expected a string, found null", what);
		if (*n >= MAX_STRV)
			return pl_fail(l, node, "%s: more than %u entries", what, MAX_STRV);
		char *s = xstrdup(node->str);
		quai_buf_add(acc, &s, sizeof(s));
		(*n)++;
		return 0;
	}
	if (node->type != QUAI_YAML_SEQ || (depth > 0 && !nested))
		return pl_fail(l, node, "%s: expected a string or a list of strings, found %s", what,
		               quai_yaml_kind_name(node));
	if (depth > NEST_MAX)
		return pl_fail(l, node, "%s: lists nested more than %d levels", what, NEST_MAX);
	for (size_t i = 0; i < node->n; i++)
		if (strv_add(l, acc, n, node->items[i], what, nested, depth + 1) < 0)
			return -1;
	return 0;
}

int pl_strv(struct loader *l, char ***out, const struct quai_yaml_node *node, const char *what, bool nested)
{
	struct quai_buf acc = QUAI_BUF_INIT;
	size_t n = 0;
	*out = NULL;
	int rc = strv_add(l, &acc, &n, node, what, nested, 0);
	char *null = NULL;
	quai_buf_add(&acc, &null, sizeof(null));
	char **v = (char **)(void *)quai_buf_detach(&acc);
	if (rc < 0) {
		pl_strv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

int pl_want_bool(struct loader *l, bool *out, const struct quai_yaml_node *node, const char *what)
{
	if (quai_yaml_bool(node, out, QUAI_YAML_BOOL_11) < 0)
		return pl_fail(l, node, "%s: expected true or false, found %s", what,
		               quai_yaml_kind_name(node));
	return 0;
}

int pl_want_int(struct loader *l, long long *out, const struct quai_yaml_node *node, const char *what,
                long long lo, long long hi)
{
	if (quai_yaml_int(node, out) < 0 || *out < lo || *out > hi)
		return pl_fail(l, node, "%s: expected a whole number from %lld to %lld", what, lo, hi);
	return 0;
}

int pl_ints(struct loader *l, int **out, size_t *n, const struct quai_yaml_node *node, const char *what)
{
	const struct quai_yaml_node *const *items = &node;
	size_t count = 1;
	if (node->type == QUAI_YAML_SEQ) {
		items = node->items;
		count = node->n;
	}
	*out = xcalloc(count ? count : 1, sizeof(int));
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		long long v = 0;
		if (pl_want_int(l, &v, items[i], what, 0, 255) < 0)
			return -1;
		(*out)[(*n)++] = (int)v;
	}
	return 0;
}

/* Checks that every key of map is one of names. */
int pl_keys_in(struct loader *l, const struct quai_yaml_node *map, const char *what, const char *const *names)
{
	if (map->type != QUAI_YAML_MAP)
		return pl_fail(l, map, "%s: expected a mapping, found %s", what, quai_yaml_kind_name(map));
	for (size_t i = 0; i < map->n; i++) {
		const char *k = quai_yaml_str(map->pairs[i].key);
		bool ok = false;
		for (const char *const *n = names; k && *n; n++)
			ok |= strcmp(k, *n) == 0;
		if (!ok) {
			struct quai_buf b = QUAI_BUF_INIT;
			for (const char *const *n = names; *n; n++)
				quai_buf_printf(&b, "%s%s", n == names ? "" : ", ", *n);
			pl_fail(l, map->pairs[i].key, "%s: unknown keyword '%s' (known: %s)", what,
			        k ? k : "?", quai_buf_str(&b));
			quai_buf_release(&b);
			return -1;
		}
	}
	return 0;
}

/* A plain scalar as GitLab's Ruby (Psych, YAML 1.1) sees it, turned back
 * into the string GitLab passes on: 010 is 8, 0x1f is 31, 1_000 is 1000,
 * 1.10 is 1.1. *out is NULL when the text stays as written. */
char *pl_ruby_number(const struct quai_yaml_node *v)
{
	if (quai_yaml_is_quoted(v) || v->tag)
		return NULL;
	const char *s = v->str;
	size_t n = strlen(s);
	if (n == 0 || n > 40)
		return NULL;
	char digits[48];
	size_t k = 0;
	bool dot = false, exp = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_')
			continue;
		if (c == '.')
			dot = true;
		if (c == 'e' || c == 'E')
			exp = true;
		digits[k++] = c;
	}
	digits[k] = '\0';
	char *end;
	const char *d = digits + (digits[0] == '-' || digits[0] == '+');
	if (!dot && !exp) {
		int base = 10;
		if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
			base = 16;
		else if (d[0] == '0' && d[1])
			base = 8;
		if (base == 10 && (!d[0] || strspn(d, "0123456789") != strlen(d)))
			return NULL;
		if (base == 10 && !strchr(s, '_') && s[0] != '+')
			return NULL; /* as written */
		long long x = strtoll(digits, &end, base);
		if (*end || end == digits)
			return NULL;
		return xasprintf("%lld", x);
	}
	/* YAML 1.1 floats need a dot: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? */
	if (!dot || (!isdigit((unsigned char)d[0]) && d[0] != '.'))
		return NULL;
	double x = strtod(digits, &end);
	if (*end)
		return NULL;
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	double ax = x < 0 ? -x : x;
	if (ax != 0 && (ax < 1e-4 || ax >= 1e16)) {
		/* Ruby: 1.0e+20, 1.5e-05 */
		char *e = strchr(buf, 'e');
		if (!e)
			return NULL;
		char mant[40];
		snprintf(mant, sizeof(mant), "%.*s%s", (int)(e - buf), buf,
		         strchr(buf, '.') && strchr(buf, '.') < e ? "" : ".0");
		int ex = atoi(e + 1);
		return xasprintf("%se%c%02d", mant, ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
	}
	snprintf(buf, sizeof(buf), "%.17g", x);
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*f", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return xstrdup(buf);
}

int pl_vars(struct loader *l, struct quai_pipeline_vars *out, const struct quai_yaml_node *node,
            const char *what)
{
	if (node->type != QUAI_YAML_MAP)
		return pl_fail(l, node, "%s: expected a mapping of NAME: value, found %s", what,
		               quai_yaml_kind_name(node));
	static const char *const keys[] = {"value", "description", "expand", "options", NULL};
	for (size_t i = 0; i < node->n; i++) {
		const char *k = quai_yaml_str(node->pairs[i].key);
		const struct quai_yaml_node *v = node->pairs[i].value;
		if (!k || !*k)
			return pl_fail(l, node->pairs[i].key, "%s: variable names are strings", what);
		for (const char *c = k; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				return pl_fail(l, node->pairs[i].key,
				               "%s: '%s' is not a valid variable name "
				               "(letters, digits and _)",
				               what, k);
		const char *value = "";
		const char *desc = NULL;
		char *number = NULL;
		const char *boolean = NULL;
		bool expand = true;
		if (v->type == QUAI_YAML_MAP) {
			if (pl_keys_in(l, v, what, keys) < 0)
				return -1;
			const struct quai_yaml_node *x = quai_yaml_get(v, "value");
			if (x && pl_scalar(l, &value, x, "variables:value") < 0)
				return -1;
			x = quai_yaml_get(v, "description");
			if (x && pl_scalar(l, &desc, x, "variables:description") < 0)
				return -1;
			x = quai_yaml_get(v, "expand");
			if (x && pl_want_bool(l, &expand, x, "variables:expand") < 0)
				return -1;
			x = quai_yaml_get(v, "options");
			if (x) {
				char **opts = NULL;
				if (pl_strv(l, &opts, x, "variables:options", false) < 0)
					return -1;
				bool found = false;
				for (char **o = opts; *o; o++)
					found |= strcmp(*o, value) == 0;
				pl_strv_free(opts);
				if (!found)
					return pl_fail(
					    l, x, "%s: the value of '%s' is not one of its options", what, k);
			}
		} else if (v->type == QUAI_YAML_SCALAR) {
			bool b = false;
			/* GitLab reads YAML 1.1: yes/on/true are true, passed on as Ruby prints them */
			if (!quai_yaml_is_quoted(v) && quai_yaml_bool(v, &b, QUAI_YAML_BOOL_11) == 0 &&
			    strlen(v->str) > 1)
				boolean = b ? "true" : "false";
			/* KEY: with no value is allowed: Ruby's nil.to_s, "" */
			if (pl_scalar(l, &value, v, what) < 0)
				return -1;
			number = pl_ruby_number(v);
			if (number)
				value = number;
			if (boolean)
				value = boolean;
		} else {
			return pl_fail(l, v,
			               "%s: the value of '%s' is a string or a mapping with value:, found %s",
			               what, k, quai_yaml_kind_name(v));
		}
		struct quai_pipeline_var *var = quai_pipeline_vars_add(out, k, value);
		free(number);
		var->raw = !expand;
		var->description = desc ? xstrdup(desc) : NULL;
	}
	return 0;
}

/* ---- keywords ---- */
