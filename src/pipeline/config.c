/* The configuration as GitLab builds it before reading jobs: the file and
 * its includes merged (included files first, the including file wins),
 * then `!reference` tags replaced, then `extends` resolved with GitLab's
 * deep merge (mappings merged key by key, anything else replaced). */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define MAX_INCLUDE_DEPTH 100

int pl_fail(struct loader *l, const struct quai_yaml_node *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (node)
		quai_error_set(l->err, QUAI_EXIT_USAGE, "%s:%u:%u: %s", node->file, node->line, node->col,
		               msg);
	else
		quai_error_set(l->err, QUAI_EXIT_USAGE, "%s: %s", l->p->file, msg);
	free(msg);
	return -1;
}

bool pl_is_global_keyword(const char *key)
{
	static const char *const words[] = {"stages",       "types", "variables", "workflow", "include",
	                                    "default",      "image", "services",  "cache",    "before_script",
	                                    "after_script", "spec",  NULL};
	for (const char *const *w = words; *w; w++)
		if (strcmp(key, *w) == 0)
			return true;
	return false;
}

static struct quai_yaml_node *new_map(struct loader *l, const struct quai_yaml_node *at, size_t cap)
{
	struct quai_yaml_node *m = quai_yaml_new(l->work, QUAI_YAML_MAP, at);
	m->style = QUAI_YAML_BLOCK;
	m->pairs = quai_yaml_alloc(l->work, (cap ? cap : 1) * sizeof(struct quai_yaml_pair));
	return m;
}

static void map_put(struct quai_yaml_node *m, const struct quai_yaml_node *k, const struct quai_yaml_node *v)
{
	struct quai_yaml_pair *pairs = (struct quai_yaml_pair *)m->pairs;
	pairs[m->n++] = (struct quai_yaml_pair){k, v, false};
}

static bool same_key(const struct quai_yaml_node *a, const struct quai_yaml_node *b)
{
	return a->type == QUAI_YAML_SCALAR && b->type == QUAI_YAML_SCALAR && a->len == b->len &&
	       memcmp(a->str, b->str, a->len) == 0;
}

/* True when pair i of m is overridden by a later pair with the same key. */
static bool shadowed(const struct quai_yaml_node *m, size_t i)
{
	for (size_t j = i + 1; j < m->n; j++)
		if (same_key(m->pairs[i].key, m->pairs[j].key))
			return true;
	return false;
}

static const struct quai_yaml_node *lookup(const struct quai_yaml_node *m, const struct quai_yaml_node *key)
{
	for (size_t j = m->n; j-- > 0;)
		if (same_key(m->pairs[j].key, key))
			return m->pairs[j].value;
	return NULL;
}

const struct quai_yaml_node *pl_deep_merge(struct loader *l, const struct quai_yaml_node *a,
                                           const struct quai_yaml_node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->type != QUAI_YAML_MAP || b->type != QUAI_YAML_MAP)
		return b;
	l->steps += a->n + b->n;
	if (l->steps > MAX_WORK || a->n > MAX_MAP || b->n > MAX_MAP) {
		l->too_big = true;
		return b;
	}
	struct quai_yaml_node *m = new_map(l, b, a->n + b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (shadowed(a, i))
			continue;
		const struct quai_yaml_node *bv = lookup(b, a->pairs[i].key);
		map_put(m, a->pairs[i].key, bv ? pl_deep_merge(l, a->pairs[i].value, bv) : a->pairs[i].value);
	}
	for (size_t i = 0; i < b->n; i++)
		if (!shadowed(b, i) && !lookup(a, b->pairs[i].key))
			map_put(m, b->pairs[i].key, b->pairs[i].value);
	return m;
}

static const struct quai_yaml_node *without(struct loader *l, const struct quai_yaml_node *m, const char *key)
{
	if (!quai_yaml_get(m, key))
		return m;
	struct quai_yaml_node *r = new_map(l, m, m->n);
	for (size_t i = 0; i < m->n; i++) {
		const char *k = quai_yaml_str(m->pairs[i].key);
		if (!k || strcmp(k, key) != 0)
			map_put(r, m->pairs[i].key, m->pairs[i].value);
	}
	return r;
}

/* ---- files and include ---- */

struct inc_state {
	char **seen; /* canonical paths already included */
	size_t nseen, cap;
	size_t count;
};

static int read_doc(struct loader *l, const struct quai_yaml_node **out, const char *path, const char *name,
                    const char *data, size_t len, const struct quai_yaml_node *at)
{
	struct quai_yaml_doc *doc = NULL;
	int rc;
	if (data) {
		rc = quai_yaml_load(&doc, name, data, len, l->err);
	} else if (!path) {
		return quai_error_set(l->err, QUAI_EXIT_USAGE, "%s: nothing to read", name);
	} else {
		cleanup_free char *buf = NULL;
		size_t n = 0;
		struct quai_error *e2 = NULL;
		if (quai_file_read(&buf, &n, path, 8u << 20, &e2) < 0) {
			if (at)
				pl_fail(l, at, "include '%s': %s", name, e2 ? e2->msg : "cannot read");
			else
				quai_error_set(l->err, QUAI_EXIT_USAGE, "%s", e2 ? e2->msg : "cannot read");
			quai_error_free(e2);
			return -1;
		}
		rc = quai_yaml_load(&doc, name, buf, n, l->err);
	}
	if (rc < 0)
		return -1;
	l->docs = xrealloc(l->docs, (l->ndocs + 1) * sizeof(struct quai_yaml_doc *));
	l->docs[l->ndocs++] = doc;
	size_t nf = pl_strv_len(l->p->files);
	l->p->files = xrealloc(l->p->files, (nf + 2) * sizeof(char *));
	l->p->files[nf] = xstrdup(name);
	l->p->files[nf + 1] = NULL;
	if (doc->nroots > 1 && quai_yaml_get(doc->root, "spec"))
		return pl_fail(l, quai_yaml_get_key(doc->root, "spec"),
		               "spec:inputs (a header document) is not supported by quai");
	if (doc->nroots > 1)
		return pl_fail(l, doc->roots[1],
		               "a pipeline file holds one YAML document, this is a second one");
	const struct quai_yaml_node *root = doc->root;
	if (!root || quai_yaml_is_null(root)) {
		*out = NULL;
		return 0;
	}
	if (root->type != QUAI_YAML_MAP)
		return pl_fail(l, root, "a pipeline file is a mapping of keywords and jobs, found %s",
		               quai_yaml_kind_name(root));
	if (root->n > MAX_MAP)
		return pl_fail(l, root, "more than %u top-level keys", MAX_MAP);
	const struct quai_yaml_node *dup = quai_yaml_dup_key(root);
	if (dup)
		return pl_fail(l, dup, "'%s' is defined twice", dup->str);
	*out = root;
	return 0;
}

static int load_tree(struct loader *l, struct inc_state *st, const struct quai_yaml_node **out,
                     const struct quai_yaml_node *root, unsigned depth);

static int include_path(struct loader *l, struct inc_state *st, const struct quai_yaml_node **acc,
                        const char *rel, const struct quai_yaml_node *at, unsigned depth)
{
	const char *root = l->p->project_dir;
	cleanup_free char *path = xasprintf("%s/%s", root, rel);
	char canon[PATH_MAX];
	if (!realpath(path, canon))
		return pl_fail(l, at, "include '%s': the file does not exist in the project", rel);
	size_t rootlen = strlen(root);
	if (strncmp(canon, root, rootlen) != 0 || (canon[rootlen] != '/' && strcmp(root, "/") != 0))
		return pl_fail(l, at, "include '%s': the file is outside the project", rel);
	for (size_t i = 0; i < st->nseen; i++)
		if (strcmp(st->seen[i], canon) == 0)
			return 0; /* included already: GitLab merges it once */
	if (++st->count > MAX_INCLUDES)
		return pl_fail(l, at, "more than %d included files", MAX_INCLUDES);
	st->seen = xgrow(st->seen, &st->cap, st->nseen + 1, sizeof(char *));
	st->seen[st->nseen++] = xstrdup(canon);
	size_t n = strlen(rel);
	if (!(n > 4 && strcmp(rel + n - 4, ".yml") == 0) && !(n > 5 && strcmp(rel + n - 5, ".yaml") == 0))
		return pl_fail(l, at, "include '%s': included files end in .yml or .yaml", rel);
	const struct quai_yaml_node *inc = NULL;
	if (read_doc(l, &inc, path, rel, NULL, 0, at) < 0)
		return -1;
	if (!inc)
		return 0;
	const struct quai_yaml_node *tree = NULL;
	if (load_tree(l, st, &tree, inc, depth + 1) < 0)
		return -1;
	*acc = pl_deep_merge(l, *acc, tree);
	return 0;
}

static int include_local(struct loader *l, struct inc_state *st, const struct quai_yaml_node **acc,
                         const struct quai_yaml_node *node, const struct quai_pipeline_vars *vars,
                         unsigned depth)
{
	const char *s = quai_yaml_str(node);
	if (!s || !*s)
		return pl_fail(l, node, "include:local is a file path, found %s", quai_yaml_kind_name(node));
	cleanup_free char *x = pl_expand_ex(s, vars, true);
	const char *rel = x;
	while (*rel == '/')
		rel++;
	if (strstr(rel, "..") && (strncmp(rel, "../", 3) == 0 || strstr(rel, "/../")))
		return pl_fail(l, node, "include '%s': the path leaves the project", s);
	if (!strpbrk(rel, "*?[{"))
		return include_path(l, st, acc, rel, node, depth);
	/* a wildcard: `*` within a directory, `**` across directories */
	struct quai_buf pat = QUAI_BUF_INIT;
	for (const char *p = rel; *p; p++) {
		if (p[0] == '*' && p[1] == '*' && p[2] != '/') {
			quai_buf_puts(&pat, "**/*");
			p++;
		} else {
			quai_buf_putc(&pat, *p);
		}
	}
	if (!l->files)
		l->files = pl_glob_files(l->p->project_dir);
	int rc = 0;
	for (char **f = l->files; *f && rc == 0; f++)
		if (pl_glob_match(quai_buf_str(&pat), *f))
			rc = include_path(l, st, acc, *f, node, depth);
	quai_buf_release(&pat);
	return rc;
}

/* A template built into quai, merged like an included file (once). */
static int include_template(struct loader *l, struct inc_state *st, const struct quai_yaml_node **acc,
                            const struct quai_yaml_node *node, unsigned depth)
{
	size_t len = 0;
	const char *text = pl_template_find(node->str, &len);
	cleanup_free char *key = xasprintf("template:%s", node->str);
	for (size_t i = 0; i < st->nseen; i++)
		if (strcmp(st->seen[i], key) == 0)
			return 0;
	if (++st->count > MAX_INCLUDES)
		return pl_fail(l, node, "more than %d included files", MAX_INCLUDES);
	st->seen = xgrow(st->seen, &st->cap, st->nseen + 1, sizeof(char *));
	st->seen[st->nseen++] = xstrdup(key);
	const struct quai_yaml_node *inc = NULL;
	if (read_doc(l, &inc, NULL, key, text, len, node) < 0)
		return -1;
	const struct quai_yaml_node *tree = NULL;
	if (load_tree(l, st, &tree, inc, depth + 1) < 0)
		return -1;
	*acc = pl_deep_merge(l, *acc, tree);
	return 0;
}

static int include_item(struct loader *l, struct inc_state *st, const struct quai_yaml_node **acc,
                        const struct quai_yaml_node *item, const struct quai_pipeline_vars *vars,
                        unsigned depth)
{
	if (item->type == QUAI_YAML_SCALAR) {
		if (strncmp(item->str, "https://", 8) == 0 || strncmp(item->str, "http://", 7) == 0)
			return pl_fail(l, item,
			               "include of a remote URL ('%s') is not supported: quai runs offline; "
			               "copy the file into the project and include it with include:local",
			               item->str);
		return include_local(l, st, acc, item, vars, depth);
	}
	if (item->type != QUAI_YAML_MAP)
		return pl_fail(l, item, "an include is a path or a mapping with local:, found %s",
		               quai_yaml_kind_name(item));
	const struct quai_yaml_node *local = NULL, *tmpl = NULL, *rules = NULL;
	for (size_t i = 0; i < item->n; i++) {
		const struct quai_yaml_node *k = item->pairs[i].key;
		const char *name = quai_yaml_str(k);
		if (!name)
			return pl_fail(l, k, "include keys are strings");
		if (strcmp(name, "local") == 0) {
			local = item->pairs[i].value;
		} else if (strcmp(name, "rules") == 0) {
			rules = item->pairs[i].value;
		} else if (strcmp(name, "template") == 0) {
			tmpl = item->pairs[i].value;
			const char *t = quai_yaml_str(tmpl);
			size_t len;
			if (!t)
				return pl_fail(l, tmpl, "include:template is a template name, found %s",
				               quai_yaml_kind_name(tmpl));
			if (!pl_template_find(t, &len))
				return pl_fail(l, tmpl,
				               "include:template '%s' is not built into quai: quai runs offline; "
				               "the built-in templates are %s (copy another template into the "
				               "project and include it with include:local)",
				               t, pl_template_names());
		} else if (strcmp(name, "project") == 0 || strcmp(name, "remote") == 0 ||
		           strcmp(name, "component") == 0 ||
		           strcmp(name, "file") == 0 || strcmp(name, "ref") == 0 ||
		           strcmp(name, "inputs") == 0 || strcmp(name, "integrity") == 0 ||
		           strcmp(name, "cache") == 0) {
			return pl_fail(
			    l, k,
			    "include:%s is not supported: quai runs offline and reads only files of "
			    "this project (include:local)",
			    name);
		} else {
			return pl_fail(l, k, "'%s' is not an include keyword (local, template, rules)",
			               name);
		}
	}
	if (local && tmpl)
		return pl_fail(l, item, "an include has one of local: and template:, not both");
	if (!local && !tmpl)
		return pl_fail(l, item, "include without local: or template:");
	if (rules) {
		if (pl_rules_check(l, rules, false) < 0)
			return -1;
		struct pl_rule_result r = {0};
		if (pl_rules_eval(l, &r, rules, vars, "include") < 0)
			return -1;
		free(r.reason);
		const struct quai_yaml_node *when = r.rule ? quai_yaml_get(r.rule, "when") : NULL;
		if (!r.matched || (when && quai_yaml_str(when) && strcmp(when->str, "never") == 0))
			return 0;
	}
	if (tmpl)
		return include_template(l, st, acc, tmpl, depth);
	return include_local(l, st, acc, local, vars, depth);
}

/* root with its includes merged under it. */
static int load_tree(struct loader *l, struct inc_state *st, const struct quai_yaml_node **out,
                     const struct quai_yaml_node *root, unsigned depth)
{
	if (depth > MAX_INCLUDE_DEPTH)
		return pl_fail(l, root, "includes nested more than %d levels", MAX_INCLUDE_DEPTH);
	const struct quai_yaml_node *inc = quai_yaml_get(root, "include");
	if (!inc) {
		*out = root;
		return 0;
	}
	/* include paths and include:rules see the predefined, the user's and
	 * this file's global variables */
	struct quai_pipeline_vars vars = {0};
	pl_vars_append(&vars, &l->p->predefined);
	const struct quai_yaml_node *gv = quai_yaml_get(root, "variables");
	if (gv && gv->type == QUAI_YAML_MAP)
		for (size_t i = 0; i < gv->n; i++) {
			const char *k = quai_yaml_str(gv->pairs[i].key);
			const struct quai_yaml_node *v = gv->pairs[i].value;
			if (v->type == QUAI_YAML_MAP)
				v = quai_yaml_get(v, "value");
			if (k && quai_yaml_str(v))
				quai_pipeline_vars_add(&vars, k, v->str);
		}
	pl_vars_append(&vars, &l->p->user);
	pl_vars_expand_all(&vars);
	const struct quai_yaml_node *acc = NULL;
	int rc = 0;
	if (inc->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < inc->n && rc == 0; i++)
			rc = include_item(l, st, &acc, inc->items[i], &vars, depth);
	} else {
		rc = include_item(l, st, &acc, inc, &vars, depth);
	}
	quai_pipeline_vars_release(&vars);
	if (rc < 0)
		return -1;
	*out = pl_deep_merge(l, acc, without(l, root, "include"));
	return 0;
}

/* ---- !reference ---- */

static const struct quai_yaml_node *resolve_refs(struct loader *l, const struct quai_yaml_node *n,
                                                 unsigned depth);

static const struct quai_yaml_node *reference(struct loader *l, const struct quai_yaml_node *n,
                                              unsigned depth)
{
	if (depth >= MAX_REFERENCE) {
		pl_fail(l, n, "!reference nested more than %d levels (or refers to itself)", MAX_REFERENCE);
		return NULL;
	}
	if (n->n == 0) {
		pl_fail(l, n, "!reference needs a path: !reference [job, keyword, ...]");
		return NULL;
	}
	const struct quai_yaml_node *cur = l->root;
	struct quai_buf path = QUAI_BUF_INIT;
	for (size_t i = 0; i < n->n; i++) {
		const char *k = quai_yaml_str(n->items[i]);
		if (!k) {
			quai_buf_release(&path);
			pl_fail(l, n->items[i], "!reference path items are names, found %s",
			        quai_yaml_kind_name(n->items[i]));
			return NULL;
		}
		quai_buf_printf(&path, "%s%s", i ? "." : "", k);
		cur = quai_yaml_get(cur, k);
		if (!cur) {
			pl_fail(l, n->items[i], "!reference to '%s': not found", quai_buf_str(&path));
			quai_buf_release(&path);
			return NULL;
		}
	}
	quai_buf_release(&path);
	return resolve_refs(l, cur, depth + 1);
}

/* Resolved nodes by address, so that a node shared by aliases is
 * resolved once (an alias bomb stays cheap). */
struct memo {
	const struct quai_yaml_node **keys, **vals;
	size_t cap, n;
};

static size_t memo_slot(const struct memo *m, const struct quai_yaml_node *k)
{
	size_t h = ((size_t)(uintptr_t)k >> 4) * 0x9e3779b97f4a7c15ull;
	size_t i = h & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static const struct quai_yaml_node *memo_get(struct memo *m, const struct quai_yaml_node *k)
{
	if (!m->cap)
		return NULL;
	size_t i = memo_slot(m, k);
	return m->keys[i] ? m->vals[i] : NULL;
}

static void memo_put(struct memo *m, const struct quai_yaml_node *k, const struct quai_yaml_node *v)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct memo bigger = {xcalloc(cap, sizeof(const struct quai_yaml_node *)),
		                      xcalloc(cap, sizeof(const struct quai_yaml_node *)), cap, 0};
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = memo_slot(&bigger, m->keys[i]);
			bigger.keys[j] = m->keys[i];
			bigger.vals[j] = m->vals[i];
			bigger.n++;
		}
		free(m->keys);
		free(m->vals);
		m->keys = bigger.keys;
		m->vals = bigger.vals;
		m->cap = bigger.cap;
		m->n = bigger.n;
	}
	size_t i = memo_slot(m, k);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
}

static const struct quai_yaml_node *resolve_node(struct loader *l, const struct quai_yaml_node *n,
                                                 unsigned depth);

static const struct quai_yaml_node *resolve_refs(struct loader *l, const struct quai_yaml_node *n,
                                                 unsigned depth)
{
	if (n->type == QUAI_YAML_SCALAR && !n->tag)
		return n;
	if (++l->steps > MAX_WORK) {
		pl_fail(l, n, "the configuration is too large once aliases and !reference are expanded");
		return NULL;
	}
	if (depth > 0)
		return resolve_node(l, n, depth);
	if (!l->memo)
		l->memo = xcalloc(1, sizeof(*l->memo));
	const struct quai_yaml_node *r = memo_get(l->memo, n);
	if (r)
		return r;
	r = resolve_node(l, n, depth);
	if (r)
		memo_put(l->memo, n, r);
	return r;
}

static const struct quai_yaml_node *resolve_node(struct loader *l, const struct quai_yaml_node *n,
                                                 unsigned depth)
{
	if (n->tag && n->tag[0] == '!') {
		if (strcmp(n->tag, "!reference") != 0) {
			pl_fail(l, n, "the YAML tag '%s' is not supported (only !reference)", n->tag);
			return NULL;
		}
		if (n->type != QUAI_YAML_SEQ) {
			pl_fail(l, n, "!reference takes a list: !reference [job, keyword]");
			return NULL;
		}
		return reference(l, n, depth);
	}
	if (n->type == QUAI_YAML_SCALAR)
		return n;
	const struct quai_yaml_node **vals = xcalloc(n->n ? n->n : 1, sizeof(const struct quai_yaml_node *));
	bool changed = false;
	for (size_t i = 0; i < n->n; i++) {
		const struct quai_yaml_node *v = n->type == QUAI_YAML_SEQ ? n->items[i] : n->pairs[i].value;
		vals[i] = resolve_refs(l, v, depth);
		if (!vals[i]) {
			free(vals);
			return NULL;
		}
		changed |= vals[i] != v;
	}
	const struct quai_yaml_node *r = n;
	if (changed && n->type == QUAI_YAML_MAP) {
		struct quai_yaml_node *m = new_map(l, n, n->n);
		for (size_t i = 0; i < n->n; i++)
			map_put(m, n->pairs[i].key, vals[i]);
		r = m;
	} else if (changed) {
		struct quai_yaml_node *s = quai_yaml_new(l->work, QUAI_YAML_SEQ, n);
		s->style = n->style;
		const struct quai_yaml_node **items =
		    quai_yaml_alloc(l->work, n->n * sizeof(const struct quai_yaml_node *));
		memcpy(items, vals, n->n * sizeof(const struct quai_yaml_node *));
		s->items = items;
		s->n = n->n;
		r = s;
	}
	free(vals);
	return r;
}

/* ---- extends ---- */

struct entry {
	const struct quai_yaml_node *key;
	const struct quai_yaml_node *val;
	int state; /* 0 unresolved, 1 resolving, 2 done */
};

static struct entry *find_entry(struct entry *e, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(e[i].key->str, name) == 0)
			return &e[i];
	return NULL;
}

static int extend(struct loader *l, struct entry *all, size_t n, struct entry *e, unsigned depth)
{
	if (e->state == 2)
		return 0;
	if (e->state == 1)
		return pl_fail(l, e->key, "'%s': extends forms a cycle", e->key->str);
	if (depth > MAX_EXTENDS)
		return pl_fail(l, e->key, "'%s': extends nested more than %d levels", e->key->str,
		               MAX_EXTENDS);
	const struct quai_yaml_node *ext =
	    e->val->type == QUAI_YAML_MAP ? quai_yaml_get(e->val, "extends") : NULL;
	if (!ext) {
		e->state = 2;
		return 0;
	}
	e->state = 1;
	const struct quai_yaml_node *const *names = &ext;
	size_t nn = 1;
	if (ext->type == QUAI_YAML_SEQ) {
		names = ext->items;
		nn = ext->n;
	}
	const struct quai_yaml_node *acc = NULL;
	for (size_t i = 0; i < nn; i++) {
		const char *name = quai_yaml_str(names[i]);
		if (!name)
			return pl_fail(l, names[i], "extends takes a job name or a list of them, found %s",
			               quai_yaml_kind_name(names[i]));
		struct entry *base = find_entry(all, n, name);
		if (!base)
			return pl_fail(l, names[i], "'%s' extends '%s', which is not defined", e->key->str,
			               name);
		if (base->val->type != QUAI_YAML_MAP)
			return pl_fail(l, names[i], "'%s' extends '%s', which is not a mapping", e->key->str,
			               name);
		if (extend(l, all, n, base, depth + 1) < 0)
			return -1;
		acc = pl_deep_merge(l, acc, base->val);
	}
	e->val = pl_deep_merge(l, acc, without(l, e->val, "extends"));
	e->state = 2;
	return 0;
}

static int resolve_extends(struct loader *l)
{
	const struct quai_yaml_node *root = l->root;
	struct entry *all = xcalloc(root->n ? root->n : 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < root->n; i++) {
		const char *k = quai_yaml_str(root->pairs[i].key);
		if (!k) {
			free(all);
			return pl_fail(l, root->pairs[i].key, "top-level keys are names, found %s",
			               quai_yaml_kind_name(root->pairs[i].key));
		}
		if (shadowed(root, i))
			continue;
		all[n++] = (struct entry){root->pairs[i].key, root->pairs[i].value, 0};
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!pl_is_global_keyword(all[i].key->str))
			rc = extend(l, all, n, &all[i], 0);
	if (rc == 0) {
		struct quai_yaml_node *m = new_map(l, root, n);
		for (size_t i = 0; i < n; i++)
			map_put(m, all[i].key, all[i].val);
		l->root = m;
	}
	free(all);
	return rc;
}

int pl_config_load(struct loader *l)
{
	const struct quai_pipeline_context *c = l->ctx;
	const struct quai_yaml_node *root = NULL;
	if (read_doc(l, &root, l->p->file, l->p->file, c->data, c->len, NULL) < 0)
		return -1;
	if (!root)
		return pl_fail(l, NULL, "the pipeline file is empty: it needs at least one job");
	struct inc_state st = {0};
	int rc = load_tree(l, &st, &l->root, root, 0);
	for (size_t i = 0; i < st.nseen; i++)
		free(st.seen[i]);
	free(st.seen);
	if (rc < 0)
		return -1;
	if (l->too_big)
		return pl_fail(l, NULL,
		               "the configuration is too large to merge (mappings of more than %u keys, "
		               "or aliases repeated beyond reason)",
		               MAX_MAP);
	const struct quai_yaml_node *r = resolve_refs(l, l->root, 0);
	if (l->memo) {
		free(l->memo->keys);
		free(l->memo->vals);
		free(l->memo);
		l->memo = NULL;
	}
	if (!r)
		return -1;
	l->root = r;
	if (resolve_extends(l) < 0)
		return -1;
	if (l->too_big)
		return pl_fail(l, NULL,
		               "the configuration is too large to merge (mappings of more than %u keys, "
		               "or aliases repeated beyond reason)",
		               MAX_MAP);
	return 0;
}
