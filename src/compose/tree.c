/* Building and changing the model's nodes, paths, findings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compose/internal.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

void compose_diag(struct compose_loader *l, const struct quai_yaml_node *at, const char *path,
                  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_free char *full = path && *path ? xasprintf("%s: %s", path, msg) : xstrdup(msg);
	const char *file = at && at->file ? at->file : l->doc->file;
	if (l->diags)
		quai_findings_add(l->diags, file, at ? at->line : 0, at ? at->col : 0, QUAI_LEVEL_ERROR,
		                  "QC1000", full);
}

static size_t capacity(size_t n)
{
	size_t c = 1;
	while (c < n)
		c <<= 1;
	return c;
}

struct quai_yaml_node *cn_map(struct compose_loader *l, const struct quai_yaml_node *at)
{
	return quai_yaml_new(l->doc, QUAI_YAML_MAP, at);
}

struct quai_yaml_node *cn_seq(struct compose_loader *l, const struct quai_yaml_node *at)
{
	return quai_yaml_new(l->doc, QUAI_YAML_SEQ, at);
}

struct quai_yaml_node *cn_str(struct compose_loader *l, const char *s, const struct quai_yaml_node *at)
{
	struct quai_yaml_node *n = quai_yaml_new_str(l->doc, s, strlen(s), at);
	n->style = QUAI_YAML_PLAIN;
	n->tag = NULL;
	return n;
}

struct quai_yaml_node *cn_strq(struct compose_loader *l, const char *s, const struct quai_yaml_node *at)
{
	struct quai_yaml_node *n = cn_str(l, s, at);
	n->style = QUAI_YAML_DOUBLE_QUOTED;
	return n;
}

struct quai_yaml_node *cn_int(struct compose_loader *l, long long v, const struct quai_yaml_node *at)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return cn_str(l, buf, at);
}

struct quai_yaml_node *cn_bool(struct compose_loader *l, bool v, const struct quai_yaml_node *at)
{
	return cn_str(l, v ? "true" : "false", at);
}

struct quai_yaml_node *cn_null(struct compose_loader *l, const struct quai_yaml_node *at)
{
	return cn_str(l, "null", at);
}

static bool key_is(const struct quai_yaml_node *k, const char *key, size_t len)
{
	return k->type == QUAI_YAML_SCALAR && k->len == len && memcmp(k->str, key, len) == 0;
}

void cn_put_key(struct compose_loader *l, struct quai_yaml_node *map, const struct quai_yaml_node *key,
                const struct quai_yaml_node *value)
{
	struct quai_yaml_pair *pairs = (struct quai_yaml_pair *)map->pairs;
	for (size_t i = 0; i < map->n; i++)
		if (key_is(pairs[i].key, key->str, key->len)) {
			pairs[i].value = value;
			return;
		}
	if (map->n == 0 || (map->n & (map->n - 1)) == 0) {
		struct quai_yaml_pair *np = quai_yaml_alloc(l->doc, capacity(map->n + 1) * sizeof(*np));
		if (map->n)
			memcpy(np, pairs, map->n * sizeof(*np));
		pairs = np;
		map->pairs = np;
	}
	pairs[map->n++] = (struct quai_yaml_pair){key, value, false};
}

void cn_put(struct compose_loader *l, struct quai_yaml_node *map, const char *key,
            const struct quai_yaml_node *value)
{
	const struct quai_yaml_node *k = quai_yaml_get_key(map, key);
	if (!k)
		k = cn_str(l, key, value);
	cn_put_key(l, map, k, value);
}

void cn_del(struct quai_yaml_node *map, const char *key)
{
	struct quai_yaml_pair *pairs = (struct quai_yaml_pair *)map->pairs;
	size_t len = strlen(key), w = 0;
	for (size_t i = 0; i < map->n; i++)
		if (!key_is(pairs[i].key, key, len))
			pairs[w++] = pairs[i];
	map->n = w; /* the array keeps its capacity, at least capacity(w) */
}

void cn_push(struct compose_loader *l, struct quai_yaml_node *seq, const struct quai_yaml_node *item)
{
	const struct quai_yaml_node **items = (const struct quai_yaml_node **)seq->items;
	if (seq->n == 0 || (seq->n & (seq->n - 1)) == 0) {
		const struct quai_yaml_node **ni =
		    quai_yaml_alloc(l->doc, capacity(seq->n + 1) * sizeof(const struct quai_yaml_node *));
		if (seq->n)
			memcpy(ni, items, seq->n * sizeof(const struct quai_yaml_node *));
		items = ni;
		seq->items = ni;
	}
	items[seq->n++] = item;
}

struct quai_yaml_node *cn_copy(struct compose_loader *l, const struct quai_yaml_node *n)
{
	struct quai_yaml_node *c = quai_yaml_new(l->doc, n->type, n);
	c->style = n->style;
	c->tag = n->tag;
	switch (n->type) {
	case QUAI_YAML_SCALAR: {
		char *s = quai_yaml_alloc(l->doc, n->len + 1);
		memcpy(s, n->str, n->len);
		c->str = s;
		c->len = n->len;
		break;
	}
	case QUAI_YAML_SEQ:
		for (size_t i = 0; i < n->n; i++)
			cn_push(l, c, cn_copy(l, n->items[i]));
		break;
	case QUAI_YAML_MAP:
		for (size_t i = 0; i < n->n; i++)
			cn_put_key(l, c, n->pairs[i].key, cn_copy(l, n->pairs[i].value));
		break;
	}
	return c;
}

bool cn_is_string(const struct quai_yaml_node *n)
{
	if (!n || n->type != QUAI_YAML_SCALAR)
		return false;
	if (n->style != QUAI_YAML_PLAIN)
		return true;
	bool b;
	double d;
	return !quai_yaml_is_null(n) && quai_yaml_bool(n, &b, QUAI_YAML_BOOL_12) < 0 &&
	       quai_yaml_float(n, &d) < 0;
}

bool cn_tagged(const struct quai_yaml_node *n, const char *tag)
{
	return n && n->tag && strcmp(n->tag, tag) == 0;
}

/* A tag of a parsed file, copied into l->doc. */
static const char *own_tag(struct compose_loader *l, const char *tag)
{
	if (!tag)
		return NULL;
	size_t n = strlen(tag);
	char *c = quai_yaml_alloc(l->doc, n + 1);
	memcpy(c, tag, n + 1);
	return c;
}

static struct quai_yaml_node *copy_key(struct compose_loader *l, const struct quai_yaml_node *k,
                                       const char *file)
{
	/* keys are scalars in the model: a list or mapping as a key is reported */
	if (k->type != QUAI_YAML_SCALAR)
		compose_diag(l, k, NULL, "a mapping key must be a string, found %s", quai_yaml_kind_name(k));
	bool scalar = k->type == QUAI_YAML_SCALAR;
	struct quai_yaml_node *c = quai_yaml_new_str(l->doc, scalar ? k->str : "", scalar ? k->len : 0, k);
	c->style = scalar ? k->style : QUAI_YAML_DOUBLE_QUOTED;
	c->tag = own_tag(l, k->tag);
	c->file = file;
	return c;
}

/* Aliases are shared in the parsed tree but copied here: a document whose
 * aliases expand beyond this many nodes is refused. */
#define MAX_NODES 1000000u
/* Keys of one mapping, items of one list: compose's own lookups are linear,
 * so are some of ours; no real file comes near. */
#define MAX_ENTRIES 10000u

static bool over_budget(struct compose_loader *l, const struct quai_yaml_node *n)
{
	if (++l->copied <= MAX_NODES)
		return false;
	if (l->copied == MAX_NODES + 1)
		compose_diag(l, n, NULL,
		             "the document expands to too many nodes (aliases repeated beyond reason)");
	return true;
}

/* A copy without interpolation (top-level x-* extensions). */
static struct quai_yaml_node *interp_node_raw(struct compose_loader *l, const struct quai_yaml_node *n,
                                              const char *file)
{
	if (over_budget(l, n))
		return cn_null(l, n);
	struct quai_yaml_node *c = quai_yaml_new(l->doc, n->type, n);
	c->file = file;
	c->style = n->style;
	c->tag = own_tag(l, n->tag);
	if (n->type == QUAI_YAML_SCALAR) {
		char *s = quai_yaml_alloc(l->doc, n->len + 1);
		memcpy(s, n->str, n->len);
		c->str = s;
		c->len = n->len;
	}
	if (n->type == QUAI_YAML_SEQ)
		for (size_t i = 0; i < n->n && i < MAX_ENTRIES; i++)
			cn_push(l, c, interp_node_raw(l, n->items[i], file));
	else if (n->type == QUAI_YAML_MAP)
		for (size_t i = 0; i < n->n && i < MAX_ENTRIES; i++)
			cn_put_key(l, c, copy_key(l, n->pairs[i].key, file),
			           interp_node_raw(l, n->pairs[i].value, file));
	return c;
}

/* QC1001 once per variable read unset (names: one per line). */
static void warn_unset(struct compose_loader *l, const struct quai_yaml_node *at, const char *file,
                       const char *names)
{
	for (const char *p = names; *p;) {
		size_t len = strcspn(p, "\n");
		cleanup_free char *name = xstrndup(p, len);
		p += len + (p[len] ? 1 : 0);
		if (compose_env_get(&l->warned, name))
			continue;
		compose_env_set(&l->warned, name, "", true);
		cleanup_free char *msg =
		    xasprintf("the variable %s is not set: it is read as an empty string "
		              "(set it, or write ${%s:-default})",
		              name, name);
		quai_findings_add(&l->warnings, file, at->line, at->col, QUAI_LEVEL_WARNING, "QC1001", msg);
	}
}

/* Interpolation of a tree: scalars that change become strings (quoted
 * style), as compose interpolates strings and casts them afterwards. */
static struct quai_yaml_node *interp_node(struct compose_loader *l, const struct quai_yaml_node *n,
                                          struct quai_buf *path, unsigned depth, const char *file)
{
	if (over_budget(l, n))
		return cn_null(l, n);
	struct quai_yaml_node *c = quai_yaml_new(l->doc, n->type, n);
	c->file = file;
	c->style = n->style;
	c->tag = own_tag(l, n->tag);
	size_t plen = path->len;
	switch (n->type) {
	case QUAI_YAML_SCALAR: {
		struct quai_buf out = QUAI_BUF_INIT;
		char *msg = NULL;
		struct quai_buf unset = QUAI_BUF_INIT;
		l->env.unset = &unset;
		int rc = memchr(n->str, '$', n->len)
		             ? compose_interpolate(&out, n->str, n->len, &l->env, &msg)
		             : 0;
		l->env.unset = NULL;
		warn_unset(l, n, file, quai_buf_str(&unset));
		quai_buf_release(&unset);
		if (rc < 0) {
			compose_diag(l, n, quai_buf_str(path), "%s", msg);
			free(msg);
			quai_buf_release(&out);
			out = (struct quai_buf)QUAI_BUF_INIT;
			quai_buf_add(&out, n->str, n->len);
		} else if (!out.data) {
			quai_buf_add(&out, n->str, n->len);
		} else if (n->style == QUAI_YAML_PLAIN &&
		           (out.len != n->len || memcmp(out.data, n->str, n->len) != 0)) {
			c->style = QUAI_YAML_DOUBLE_QUOTED;
		}
		char *s = quai_yaml_alloc(l->doc, out.len + 1);
		memcpy(s, out.data, out.len);
		c->str = s;
		c->len = out.len;
		quai_buf_release(&out);
		break;
	}
	case QUAI_YAML_SEQ:
		if (n->n > MAX_ENTRIES)
			compose_diag(l, n, quai_buf_str(path), "a list of %zu items: at most %u are read",
			             n->n, MAX_ENTRIES);
		for (size_t i = 0; i < n->n && i < MAX_ENTRIES; i++) {
			quai_buf_printf(path, "[%zu]", i);
			cn_push(l, c, interp_node(l, n->items[i], path, depth + 1, file));
			quai_buf_truncate(path, plen);
		}
		break;
	case QUAI_YAML_MAP:
		if (n->n > MAX_ENTRIES)
			compose_diag(l, n, quai_buf_str(path), "a mapping of %zu keys: at most %u are read",
			             n->n, MAX_ENTRIES);
		for (size_t i = 0; i < n->n && i < MAX_ENTRIES; i++) {
			const struct quai_yaml_node *k = n->pairs[i].key;
			if (depth == 0 && k->type == QUAI_YAML_SCALAR && strncmp(k->str, "x-", 2) == 0) {
				cn_put_key(l, c, copy_key(l, k, file),
				           interp_node_raw(l, n->pairs[i].value, file));
				continue;
			}
			quai_buf_printf(path, "%s%s", plen ? "." : "",
			                k->type == QUAI_YAML_SCALAR ? k->str : "?");
			if (k->type == QUAI_YAML_SCALAR && !n->pairs[i].merged &&
			    quai_yaml_get_key(c, k->str))
				compose_diag(l, k, quai_buf_str(path),
				             "the key is written twice in this mapping");
			cn_put_key(l, c, copy_key(l, k, file),
			           interp_node(l, n->pairs[i].value, path, depth + 1, file));
			quai_buf_truncate(path, plen);
		}
		break;
	}
	return c;
}

struct quai_yaml_node *compose_interp_tree(struct compose_loader *l, const struct quai_yaml_node *root,
                                           const char *file)
{
	struct quai_buf path = QUAI_BUF_INIT;
	struct quai_yaml_node *n = interp_node(l, root, &path, 0, file);
	quai_buf_release(&path);
	return n;
}

char *compose_path_join(const char *dir, const char *p)
{
	struct quai_buf b = QUAI_BUF_INIT;
	if (p[0] == '~' && (p[1] == '/' || !p[1])) {
		const char *home = getenv("HOME");
		quai_buf_puts(&b, home ? home : "");
		quai_buf_puts(&b, p + 1);
	} else if (p[0] != '/') {
		quai_buf_puts(&b, dir);
		quai_buf_putc(&b, '/');
		quai_buf_puts(&b, p);
	} else {
		quai_buf_puts(&b, p);
	}
	/* clean: drop "." and empty parts, resolve ".." lexically */
	char *s = quai_buf_detach(&b);
	size_t *starts = xcalloc(strlen(s) + 1, sizeof(size_t));
	size_t nparts = 0, w = 0;
	char *out = xmalloc(strlen(s) + 2);
	for (char *q = s; *q;) {
		while (*q == '/')
			q++;
		char *e = q;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - q);
		if (len == 0 || (len == 1 && q[0] == '.')) {
		} else if (len == 2 && q[0] == '.' && q[1] == '.') {
			if (nparts)
				w = starts[--nparts];
		} else {
			starts[nparts++] = w;
			out[w++] = '/';
			memcpy(out + w, q, len);
			w += len;
		}
		q = e;
	}
	if (!w)
		out[w++] = '/';
	out[w] = '\0';
	free(starts);
	free(s);
	return out;
}

char *compose_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

bool compose_is_remote(const char *s)
{
	static const char *const prefixes[] = {"http://",     "https://", "git://", "git@",
	                                       "github.com/", "ssh://",   NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (strncmp(s, *p, strlen(*p)) == 0)
			return true;
	return false;
}
