/* The resolved model printed as `docker compose config` prints it: YAML
 * with two-space indentation (or JSON), mapping keys sorted below the top
 * level, strings quoted where YAML 1.1 or 1.2 readers would take them for
 * something else, and every literal $ written $$ so that the output reads
 * back as the same model. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose/internal.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_DEPTH 200

static bool typed_plain(const struct quai_yaml_node *n)
{
	bool b;
	double d;
	return n->style == QUAI_YAML_PLAIN &&
	       (quai_yaml_is_null(n) || quai_yaml_bool(n, &b, QUAI_YAML_BOOL_12) == 0 ||
	        quai_yaml_float(n, &d) == 0);
}

static bool needs_quotes(const char *s, size_t len)
{
	static const char *const words[] = {"y",    "n",     "yes",  "no", "on", "off",
	                                    "true", "false", "null", "~",  NULL};
	if (!len || strlen(s) != len)
		return true;
	for (const char *const *w = words; *w; w++)
		if (strcasecmp(s, *w) == 0)
			return true;
	if (strchr("?:,[]{}#&*!|>'\"%@` \t", s[0]) || (s[0] == '-' && (len == 1 || s[1] == ' ')))
		return true;
	if (strchr("-+.0123456789", s[0])) {
		/* numbers, YAML 1.1 sexagesimals and dates, 0x/0o/0b */
		if (strspn(s, "0123456789:._+-eE") == len)
			return true;
		if (s[0] == '0' && len > 1 && strchr("xXoObB", s[1]))
			return true;
		if (s[0] == '.' || s[0] == '+' || s[0] == '-')
			for (const char *const *w = (const char *const[]){".inf", ".nan", NULL}; *w; w++)
				if (strcasecmp(s + (s[0] != '.'), *w) == 0)
					return true;
	}
	if (s[len - 1] == ' ' || s[len - 1] == ':' || s[len - 1] == '\t')
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return true;
		if ((c == ':' && (i + 1 == len || s[i + 1] == ' ')) || (c == '#' && i && s[i - 1] == ' '))
			return true;
	}
	return false;
}

/* s with every $ doubled. */
static char *escape_dollars(const char *s, size_t len, size_t *out_len)
{
	struct quai_buf b = QUAI_BUF_INIT;
	quai_buf_add(&b, "", 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '$')
			quai_buf_putc(&b, '$');
		quai_buf_putc(&b, s[i]);
	}
	*out_len = b.len;
	return quai_buf_detach(&b);
}

static void write_quoted(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void write_text(FILE *out, const char *s, size_t len)
{
	if (needs_quotes(s, len))
		write_quoted(out, s, len);
	else
		fputs(s, out);
}

static void write_scalar(FILE *out, const struct quai_yaml_node *n)
{
	if (typed_plain(n)) {
		fputs(quai_yaml_is_null(n) ? "null" : n->str, out);
		return;
	}
	size_t len;
	cleanup_free char *s = escape_dollars(n->str, n->len, &len);
	write_text(out, s, len);
}

/* Keys are not interpolated: written as they are. */
static void write_key(FILE *out, const struct quai_yaml_node *k)
{
	write_text(out, k->str, k->len);
}

static int cmp_pair(const void *a, const void *b)
{
	const struct quai_yaml_pair *pa = a, *pb = b;
	return strcmp(pa->key->str, pb->key->str);
}

/* The pairs of a mapping in printing order (sorted below the top). */
static struct quai_yaml_pair *ordered(const struct quai_yaml_node *m, unsigned depth)
{
	struct quai_yaml_pair *p = xcalloc(m->n + 1, sizeof(*p));
	if (m->n)
		memcpy(p, m->pairs, m->n * sizeof(*p));
	if (depth > 0)
		qsort(p, m->n, sizeof(*p), cmp_pair);
	return p;
}

static bool is_empty_coll(const struct quai_yaml_node *n)
{
	return n->type != QUAI_YAML_SCALAR && n->n == 0;
}

static void write_node(FILE *out, const struct quai_yaml_node *n, unsigned indent, unsigned depth);

static void write_value_after_key(FILE *out, const struct quai_yaml_node *v, unsigned indent, unsigned depth)
{
	if (v->type == QUAI_YAML_SCALAR) {
		fputc(' ', out);
		write_scalar(out, v);
		fputc('\n', out);
	} else if (is_empty_coll(v)) {
		fputs(v->type == QUAI_YAML_MAP ? " {}\n" : " []\n", out);
	} else {
		fputc('\n', out);
		write_node(out, v, indent + 2, depth + 1);
	}
}

static void write_node(FILE *out, const struct quai_yaml_node *n, unsigned indent, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return;
	if (n->type == QUAI_YAML_MAP) {
		cleanup_free struct quai_yaml_pair *p = ordered(n, depth);
		for (size_t i = 0; i < n->n; i++) {
			fprintf(out, "%*s", (int)indent, "");
			write_key(out, p[i].key);
			fputc(':', out);
			write_value_after_key(out, p[i].value, indent, depth);
		}
		return;
	}
	if (n->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const struct quai_yaml_node *it = n->items[i];
			fprintf(out, "%*s-", (int)indent, "");
			if (it->type == QUAI_YAML_MAP && it->n) {
				/* the first key on the dash's line, the others under it */
				cleanup_free struct quai_yaml_pair *p = ordered(it, depth + 1);
				for (size_t k = 0; k < it->n; k++) {
					if (k)
						fprintf(out, "%*s", (int)indent + 2, "");
					else
						fputc(' ', out);
					write_key(out, p[k].key);
					fputc(':', out);
					write_value_after_key(out, p[k].value, indent + 2, depth + 1);
				}
			} else if (it->type == QUAI_YAML_SEQ && it->n) {
				fputc('\n', out);
				write_node(out, it, indent + 2, depth + 1);
			} else {
				write_value_after_key(out, it, indent, depth);
			}
		}
		return;
	}
	fprintf(out, "%*s", (int)indent, "");
	write_scalar(out, n);
	fputc('\n', out);
}

static json_t *to_json(const struct quai_yaml_node *n, unsigned depth)
{
	if (depth > MAX_DEPTH)
		return json_null();
	if (n->type == QUAI_YAML_MAP) {
		json_t *o = json_object();
		cleanup_free struct quai_yaml_pair *p = ordered(n, depth);
		for (size_t i = 0; i < n->n; i++) {
			json_object_setn_new_nocheck(o, p[i].key->str, p[i].key->len,
			                             to_json(p[i].value, depth + 1));
		}
		return o;
	}
	if (n->type == QUAI_YAML_SEQ) {
		json_t *a = json_array();
		for (size_t i = 0; i < n->n; i++)
			json_array_append_new(a, to_json(n->items[i], depth + 1));
		return a;
	}
	if (typed_plain(n)) {
		bool b;
		long long i;
		double d;
		if (quai_yaml_is_null(n))
			return json_null();
		if (quai_yaml_bool(n, &b, QUAI_YAML_BOOL_12) == 0)
			return json_boolean(b);
		if (quai_yaml_int(n, &i) == 0)
			return json_integer(i);
		if (quai_yaml_float(n, &d) == 0 && d == d && d < 1e308 && d > -1e308)
			return json_real(d);
	}
	size_t len;
	cleanup_free char *s = escape_dollars(n->str, n->len, &len);
	return json_stringn_nocheck(s, len);
}

int quai_compose_write(FILE *out, const struct quai_compose *c, bool json, struct quai_error **err)
{
	if (json) {
		json_t *j = to_json(c->model, 0);
		int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		json_decref(j);
		if (rc < 0)
			return quai_error_set(err, QUAI_EXIT_USAGE, "cannot write the model as JSON");
		fputc('\n', out);
	} else {
		write_node(out, c->model, 0, 0);
	}
	if (fflush(out) != 0 || ferror(out))
		return quai_error_errno(err, errno, "cannot write the model");
	return 0;
}
