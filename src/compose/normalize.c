/* The Compose Specification's types, checked on one file's interpolated
 * tree, and the short syntaxes rewritten to the long ones `docker compose
 * config` prints. Tables name every key; a few keys have their own code
 * (ports, volumes, build, depends_on...: normalize_svc.c). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose/normalize.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

void nz_diag(struct nz *x, const struct quai_yaml_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	compose_diag(x->l, at, quai_buf_str(&x->path), "%s", msg);
}

size_t nz_push_key(struct nz *x, const char *key)
{
	size_t len = x->path.len;
	quai_buf_printf(&x->path, "%s%s", len ? "." : "", key);
	return len;
}

size_t nz_push_index(struct nz *x, size_t i)
{
	size_t len = x->path.len;
	quai_buf_printf(&x->path, "[%zu]", i);
	return len;
}

void nz_pop(struct nz *x, size_t len)
{
	quai_buf_truncate(&x->path, len);
}

bool nz_as_bool(const struct quai_yaml_node *v, bool *out)
{
	if (!v || v->type != QUAI_YAML_SCALAR || (v->tag && strcmp(v->tag, "tag:yaml.org,2002:bool") != 0))
		return false;
	static const char *const yes[] = {"y", "yes", "true", "on", NULL};
	static const char *const no[] = {"n", "no", "false", "off", NULL};
	for (const char *const *w = yes; *w; w++)
		if (strcasecmp(v->str, *w) == 0) {
			*out = true;
			return true;
		}
	for (const char *const *w = no; *w; w++)
		if (strcasecmp(v->str, *w) == 0) {
			*out = false;
			return true;
		}
	return false;
}

bool nz_as_int(const struct quai_yaml_node *v, long long *out)
{
	if (!v || v->type != QUAI_YAML_SCALAR)
		return false;
	if (v->style == QUAI_YAML_PLAIN)
		return quai_yaml_int(v, out) == 0;
	if (!v->len || v->len > 20)
		return false;
	char *end = NULL;
	long long n = strtoll(v->str, &end, 10);
	if (*end || end == v->str)
		return false;
	*out = n;
	return true;
}

bool nz_as_num(const struct quai_yaml_node *v)
{
	if (!v || v->type != QUAI_YAML_SCALAR || !v->len)
		return false;
	double d;
	if (v->style == QUAI_YAML_PLAIN)
		return quai_yaml_float(v, &d) == 0;
	char *end = NULL;
	(void)strtod(v->str, &end);
	return !*end && end != v->str;
}

/* A scalar as compose stringifies it (null stays null). */
struct quai_yaml_node *nz_stringify(struct nz *x, const struct quai_yaml_node *v)
{
	if (quai_yaml_is_null(v))
		return cn_null(x->l, v);
	struct quai_yaml_node *s = cn_strq(x->l, v->str, v);
	return s;
}

bool nz_check_str(struct nz *x, const struct quai_yaml_node *v)
{
	if (cn_is_string(v))
		return true;
	nz_diag(x, v, "must be a string, found %s", quai_yaml_kind_name(v));
	return false;
}

void nz_str_items(struct nz *x, const struct quai_yaml_node *seq)
{
	for (size_t i = 0; i < seq->n; i++) {
		const struct quai_yaml_node *it = seq->items[i];
		if (it->type != QUAI_YAML_SCALAR || quai_yaml_is_null(it)) {
			size_t p = nz_push_index(x, i);
			nz_diag(x, it, "must be a string, found %s", quai_yaml_kind_name(it));
			nz_pop(x, p);
			continue;
		}
		((const struct quai_yaml_node **)seq->items)[i] = nz_stringify(x, it);
	}
}

static const struct quai_yaml_node *norm_list(struct nz *x, const struct quai_yaml_node *v, bool nums,
                                              bool single)
{
	if (single && v->type == QUAI_YAML_SCALAR && cn_is_string(v)) {
		struct quai_yaml_node *s = cn_seq(x->l, v);
		cn_push(x->l, s, v);
		return s;
	}
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list%s, found %s", single ? " or a string" : "",
		        quai_yaml_kind_name(v));
		return v;
	}
	struct quai_yaml_node *s = cn_mut(v);
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		size_t p = nz_push_index(x, i);
		if (nums && it->type == QUAI_YAML_SCALAR && nz_as_num(it))
			((const struct quai_yaml_node **)s->items)[i] = nz_stringify(x, it);
		else
			nz_check_str(x, it);
		nz_pop(x, p);
	}
	return s;
}

const struct quai_yaml_node *nz_list_or_dict(struct nz *x, const struct quai_yaml_node *v, bool from_env)
{
	struct quai_yaml_node *m = cn_map(x->l, v);
	m->tag = v->tag;
	if (v->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < v->n; i++) {
			const struct quai_yaml_node *it = v->items[i];
			size_t p = nz_push_index(x, i);
			if (it->type != QUAI_YAML_SCALAR || quai_yaml_is_null(it)) {
				nz_diag(x, it, "must be a string KEY=VALUE, found %s",
				        quai_yaml_kind_name(it));
				nz_pop(x, p);
				continue;
			}
			const char *eq = strchr(it->str, '=');
			if (eq == it->str) {
				nz_diag(x, it, "'%s' has no name before '='", it->str);
				nz_pop(x, p);
				continue;
			}
			cleanup_free char *key =
			    eq ? xstrndup(it->str, (size_t)(eq - it->str)) : xstrdup(it->str);
			struct quai_yaml_node *k = cn_str(x->l, key, it);
			if (eq) {
				cn_put_key(x->l, m, k, cn_strq(x->l, eq + 1, it));
			} else {
				const char *ev = from_env ? compose_env_get(&x->l->env, key) : NULL;
				cn_put_key(x->l, m, k,
				           ev         ? cn_strq(x->l, ev, it)
				           : from_env ? cn_null(x->l, it)
				                      : cn_strq(x->l, "", it));
			}
			nz_pop(x, p);
		}
		return m;
	}
	if (v->type != QUAI_YAML_MAP) {
		nz_diag(x, v, "must be a mapping or a list of KEY=VALUE, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *k = v->pairs[i].key, *val = v->pairs[i].value;
		if (k->type != QUAI_YAML_SCALAR) {
			nz_diag(x, k, "keys must be strings");
			continue;
		}
		size_t p = nz_push_key(x, k->str);
		if (val->type != QUAI_YAML_SCALAR) {
			nz_diag(x, val, "must be a string, number, boolean or null, found %s",
			        quai_yaml_kind_name(val));
		} else if (quai_yaml_is_null(val)) {
			const char *ev = from_env ? compose_env_get(&x->l->env, k->str) : NULL;
			cn_put_key(x->l, m, k, ev ? cn_strq(x->l, ev, val) : cn_null(x->l, val));
		} else {
			cn_put_key(x->l, m, k, nz_stringify(x, val));
		}
		nz_pop(x, p);
	}
	return m;
}

static const struct quai_yaml_node *norm_scalar(struct nz *x, const struct nz_field *f,
                                                const struct quai_yaml_node *v)
{
	bool b;
	long long n;
	switch (f->kind) {
	case NZ_STR:
		nz_check_str(x, v);
		return v;
	case NZ_STR_NULL:
		if (!quai_yaml_is_null(v))
			nz_check_str(x, v);
		return v;
	case NZ_BOOL:
		if (!nz_as_bool(v, &b)) {
			nz_diag(x, v, "must be a boolean, found %s", quai_yaml_kind_name(v));
			return v;
		}
		return cn_bool(x->l, b, v);
	case NZ_INT:
		if (!nz_as_int(v, &n)) {
			nz_diag(x, v, "must be an integer, found %s", quai_yaml_kind_name(v));
			return v;
		}
		return cn_int(x->l, n, v);
	case NZ_NUM:
		if (!nz_as_num(v)) {
			nz_diag(x, v, "must be a number, found %s", quai_yaml_kind_name(v));
			return v;
		}
		if (v->style != QUAI_YAML_PLAIN)
			return cn_str(x->l, v->str, v);
		return v;
	case NZ_INT_OR_STR:
		if (v->type != QUAI_YAML_SCALAR || quai_yaml_is_null(v) ||
		    quai_yaml_bool(v, &b, QUAI_YAML_BOOL_12) == 0)
			nz_diag(x, v, "must be an integer or a string, found %s", quai_yaml_kind_name(v));
		else if (nz_as_int(v, &n))
			return cn_int(x->l, n, v);
		return v;
	case NZ_DURATION:
		if (!cn_is_string(v))
			nz_diag(x, v, "must be a duration string such as \"1m30s\", found %s",
			        quai_yaml_kind_name(v));
		else if (!compose_valid_duration(v->str))
			nz_diag(
			    x, v,
			    "invalid duration \"%s\": use a number with a unit, such as 10s, 1m30s, 500ms",
			    v->str);
		return v;
	case NZ_SIZE:
		if (nz_as_int(v, &n) && v->style == QUAI_YAML_PLAIN) {
			if (n < 0 && !(f->flags & NZ_NEG_OK))
				nz_diag(x, v, "must not be negative");
			return v;
		}
		if (!cn_is_string(v))
			nz_diag(x, v, "must be a size such as 512m or 2g, found %s", quai_yaml_kind_name(v));
		else if (!compose_valid_size(v->str) &&
		         !((f->flags & NZ_NEG_OK) && strcmp(v->str, "-1") == 0))
			nz_diag(x, v,
			        "invalid size \"%s\": use a number of bytes or one with a unit b, k, m, g",
			        v->str);
		return v;
	default:
		return v;
	}
}

static const struct quai_yaml_node *norm_enum(struct nz *x, const struct nz_field *f,
                                              const struct quai_yaml_node *v)
{
	if (!nz_check_str(x, v))
		return v;
	for (const char *const *e = f->values; *e; e++)
		if (strcmp(v->str, *e) == 0)
			return v;
	struct quai_buf b = QUAI_BUF_INIT;
	for (const char *const *e = f->values; *e; e++)
		quai_buf_printf(&b, "%s%s", e == f->values ? "" : ", ", *e);
	nz_diag(x, v, "\"%s\" is not one of %s", v->str, quai_buf_str(&b));
	quai_buf_release(&b);
	return v;
}

const struct quai_yaml_node *nz_value(struct nz *x, const struct nz_field *f, const struct quai_yaml_node *v)
{
	if (cn_tagged(v, "!reset"))
		return v;
	const struct quai_yaml_node *r = v;
	switch (f->kind) {
	case NZ_ANY:
		return v;
	case NZ_STR:
	case NZ_STR_NULL:
	case NZ_BOOL:
	case NZ_INT:
	case NZ_NUM:
	case NZ_INT_OR_STR:
	case NZ_DURATION:
	case NZ_SIZE:
		if (v->type != QUAI_YAML_SCALAR) {
			nz_diag(x, v, "must be a %s, found %s",
			        f->kind == NZ_BOOL  ? "boolean"
			        : f->kind == NZ_INT ? "integer"
			        : f->kind == NZ_NUM ? "number"
			                            : "string",
			        quai_yaml_kind_name(v));
			return v;
		}
		r = norm_scalar(x, f, v);
		break;
	case NZ_ENUM:
		r = norm_enum(x, f, v);
		break;
	case NZ_STR_LIST:
		r = norm_list(x, v, false, false);
		break;
	case NZ_STR_NUM_LIST:
		r = norm_list(x, v, true, false);
		break;
	case NZ_STR_OR_LIST:
		r = norm_list(x, v, false, true);
		break;
	case NZ_LIST_OR_DICT:
		r = nz_list_or_dict(x, v, f->flags & NZ_FROM_ENV);
		break;
	case NZ_MAP_ANY:
		if (quai_yaml_is_null(v) && (f->flags & NZ_NULL_OK))
			return v;
		if (v->type != QUAI_YAML_MAP)
			nz_diag(x, v, "must be a mapping, found %s", quai_yaml_kind_name(v));
		return v;
	case NZ_OBJ:
		if (quai_yaml_is_null(v) && (f->flags & NZ_NULL_OK))
			r = cn_map(x->l, v);
		else
			r = v;
		r = nz_object(x, f->sub, cn_mut(r), f->required);
		break;
	case NZ_LIST_OBJ:
		if (v->type != QUAI_YAML_SEQ) {
			nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
			return v;
		}
		for (size_t i = 0; i < v->n; i++) {
			size_t p = nz_push_index(x, i);
			((const struct quai_yaml_node **)v->items)[i] =
			    nz_object(x, f->sub, cn_mut(v->items[i]), f->required);
			nz_pop(x, p);
		}
		return v;
	case NZ_CUSTOM:
		r = f->fn(x, v);
		break;
	}
	if (r != v && v->tag && !r->tag)
		cn_mut(r)->tag = v->tag;
	return r;
}

static const struct nz_field *find_field(const struct nz_field *fields, const char *name)
{
	for (const struct nz_field *f = fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

const struct quai_yaml_node *nz_object(struct nz *x, const struct nz_field *fields, struct quai_yaml_node *m,
                                       const char *const *required)
{
	if (m->type != QUAI_YAML_MAP) {
		nz_diag(x, m, "must be a mapping, found %s", quai_yaml_kind_name(m));
		return m;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct quai_yaml_node *k = m->pairs[i].key;
		if (k->type != QUAI_YAML_SCALAR) {
			nz_diag(x, k, "keys must be strings, found %s", quai_yaml_kind_name(k));
			continue;
		}
		if (strncmp(k->str, "x-", 2) == 0)
			continue;
		const struct nz_field *f = find_field(fields, k->str);
		if (!f) {
			nz_diag(x, k, "'%s' is not allowed here%s", k->str,
			        x->path.len ? ""
			                    : " (top-level keys: version, name, services, networks, volumes, "
			                      "configs, secrets, include, x-*)");
			continue;
		}
		size_t p = nz_push_key(x, k->str);
		((struct quai_yaml_pair *)m->pairs)[i].value = nz_value(x, f, m->pairs[i].value);
		nz_pop(x, p);
	}
	for (const char *const *r = required; r && *r; r++)
		if (!quai_yaml_get(m, *r))
			nz_diag(x, m, "'%s' is required", *r);
	return m;
}

bool compose_valid_duration(const char *s)
{
	if (strcmp(s, "0") == 0)
		return true;
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return false;
	while (*p) {
		bool digits = false;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				p++;
				digits = true;
			}
		}
		if (!digits)
			return false;
		static const char *const units[] = {"ns", "us", "\xc2\xb5s", "ms", "s", "m", "h", NULL};
		size_t best = 0;
		for (const char *const *u = units; *u; u++) {
			size_t n = strlen(*u);
			if (n > best && strncmp(p, *u, n) == 0)
				best = n;
		}
		if (!best)
			return false;
		p += best;
	}
	return true;
}

bool compose_valid_size(const char *s)
{
	const char *p = s;
	bool digits = false;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (!digits)
		return false;
	if (*p == ' ')
		p++;
	if (*p && strchr("kKmMgGtTpPeEbB", *p)) {
		char u = *p++;
		if (u != 'b' && u != 'B') {
			if (*p == 'i' || *p == 'I')
				p++;
			if (*p == 'b' || *p == 'B')
				p++;
		}
	}
	return !*p;
}

bool compose_valid_restart(const char *s)
{
	if (strcmp(s, "no") == 0 || strcmp(s, "always") == 0 || strcmp(s, "unless-stopped") == 0 ||
	    strcmp(s, "on-failure") == 0)
		return true;
	if (strncmp(s, "on-failure:", 11) != 0 || !s[11])
		return false;
	for (const char *p = s + 11; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}
