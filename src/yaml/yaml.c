/* libyaml's documents turned into quai_yaml trees (see yaml.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "yaml/yaml.h"
#include "core/banned.h"

#define MAX_DEPTH   256
#define MAX_FILE    (64u << 20)
#define MERGE_WORK  (8u << 20) /* key comparisons and merged pairs per stream */
#define ARENA_CHUNK 16384u

struct quai_yaml_arena {
	struct quai_yaml_arena *next;
	size_t used;
	size_t cap;
	_Alignas(max_align_t) unsigned char data[];
};

static void *arena_alloc(struct quai_yaml_arena **head, size_t size)
{
	size = (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	struct quai_yaml_arena *a = *head;
	if (!a || a->cap - a->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		struct quai_yaml_arena *n = xmalloc(sizeof(*n) + cap);
		n->used = 0;
		n->cap = cap;
		if (a && size > ARENA_CHUNK) {
			/* a big block: keep filling the current chunk after it */
			n->next = a->next;
			a->next = n;
			n->used = size;
			return n->data;
		}
		n->next = a;
		*head = n;
		a = n;
	}
	void *p = a->data + a->used;
	a->used += size;
	return p;
}

static void arena_free(struct quai_yaml_arena *a)
{
	while (a) {
		struct quai_yaml_arena *next = a->next;
		free(a);
		a = next;
	}
}

struct loader {
	struct quai_yaml_doc *doc;
	yaml_document_t *ydoc;
	struct quai_yaml_node **memo; /* by libyaml node index - 1 */
	unsigned char *busy;          /* 1 while a node is being converted */
	size_t work;
	struct quai_error **err;
};

static const struct quai_yaml_node *convert(struct loader *l, int index, unsigned depth);

static int fail_at(struct loader *l, const yaml_node_t *n, const char *msg)
{
	return quai_error_set(l->err, QUAI_EXIT_USAGE, "%s:%lu:%lu: %s", l->doc->file,
			      (unsigned long)n->start_mark.line + 1, (unsigned long)n->start_mark.column + 1, msg);
}

static const char *copy_tag(struct loader *l, const yaml_char_t *tag)
{
	if (!tag)
		return NULL;
	const char *t = (const char *)tag;
	if (strcmp(t, YAML_STR_TAG) == 0 || strcmp(t, YAML_SEQ_TAG) == 0 || strcmp(t, YAML_MAP_TAG) == 0)
		return NULL;
	size_t len = strlen(t);
	char *out = arena_alloc(&l->doc->arena, len + 1);
	memcpy(out, t, len + 1);
	return out;
}

static bool is_merge_key(const struct quai_yaml_node *k)
{
	return k->type == QUAI_YAML_SCALAR && k->style == QUAI_YAML_PLAIN && !k->tag && k->len == 2 &&
	       memcmp(k->str, "<<", 2) == 0;
}

static bool same_key(const struct quai_yaml_node *a, const struct quai_yaml_node *b)
{
	return a->type == QUAI_YAML_SCALAR && b->type == QUAI_YAML_SCALAR && a->len == b->len &&
	       memcmp(a->str, b->str, a->len) == 0;
}

static bool spend(struct loader *l, const yaml_node_t *n, size_t cost)
{
	l->work += cost;
	if (l->work <= MERGE_WORK)
		return true;
	fail_at(l, n, "too many merged keys (merge keys repeated beyond reason); simplify the anchors");
	return false;
}

/* Whether key is among out[0..n) or the explicit keys of pairs. */
static bool key_taken(const struct quai_yaml_pair *out, size_t n, const struct quai_yaml_node *key)
{
	for (size_t i = 0; i < n; i++)
		if (same_key(out[i].key, key))
			return true;
	return false;
}

/* The mappings a non-mapping merge value v lists. */
static int merge_sources(struct loader *l, const yaml_node_t *where, const struct quai_yaml_node *v,
			 const struct quai_yaml_node *const **out, size_t *n)
{
	if (v->type != QUAI_YAML_SEQ) {
		fail_at(l, where, "the value of a merge key (<<) must be a mapping or a list of mappings");
		return -1;
	}
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i]->type != QUAI_YAML_MAP) {
			fail_at(l, where, "the value of a merge key (<<) must be a mapping or a list of mappings");
			return -1;
		}
	*out = v->items;
	*n = v->n;
	return 0;
}

static const struct quai_yaml_node *convert_map(struct loader *l, const yaml_node_t *yn,
						struct quai_yaml_node *node, unsigned depth)
{
	size_t count = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
	const struct quai_yaml_node **keys = xcalloc(count ? count : 1, sizeof(const struct quai_yaml_node *));
	const struct quai_yaml_node **vals = xcalloc(count ? count : 1, sizeof(const struct quai_yaml_node *));
	size_t total = 0;
	bool merges = false;
	const struct quai_yaml_node *ret = NULL;
	for (size_t i = 0; i < count; i++) {
		yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
		keys[i] = convert(l, p->key, depth + 1);
		if (!keys[i])
			goto out;
		vals[i] = convert(l, p->value, depth + 1);
		if (!vals[i])
			goto out;
		if (is_merge_key(keys[i])) {
			merges = true;
			const struct quai_yaml_node *const *src = &vals[i];
			size_t nsrc = 1;
			if (vals[i]->type != QUAI_YAML_MAP && merge_sources(l, yn, vals[i], &src, &nsrc) < 0)
				goto out;
			for (size_t s = 0; s < nsrc; s++)
				total += src[s]->n;
		} else {
			total++;
		}
	}
	struct quai_yaml_pair *pairs = arena_alloc(&l->doc->arena, (total ? total : 1) * sizeof(*pairs));
	size_t n = 0;
	if (merges) {
		/* written keys first, so that they win over merged ones */
		for (size_t i = 0; i < count; i++)
			if (!is_merge_key(keys[i]))
				pairs[n++] = (struct quai_yaml_pair){ keys[i], vals[i], false };
		size_t written = n;
		n = 0;
		struct quai_yaml_pair *order = arena_alloc(&l->doc->arena, (total ? total : 1) * sizeof(*order));
		size_t w = 0;
		for (size_t i = 0; i < count; i++) {
			if (!is_merge_key(keys[i])) {
				order[n++] = pairs[w++];
				continue;
			}
			const struct quai_yaml_node *const *src = &vals[i];
			size_t nsrc = 1;
			if (vals[i]->type != QUAI_YAML_MAP)
				(void)merge_sources(l, yn, vals[i], &src, &nsrc);
			for (size_t s = 0; s < nsrc; s++)
				for (size_t k = 0; k < src[s]->n; k++) {
					const struct quai_yaml_pair *sp = &src[s]->pairs[k];
					if (!spend(l, yn, written + n + 1))
						goto out;
					if (key_taken(pairs, written, sp->key) || key_taken(order, n, sp->key))
						continue;
					order[n++] = (struct quai_yaml_pair){ sp->key, sp->value, true };
				}
		}
		pairs = order;
	} else {
		for (size_t i = 0; i < count; i++)
			pairs[n++] = (struct quai_yaml_pair){ keys[i], vals[i], false };
	}
	node->pairs = pairs;
	node->n = n;
	ret = node;
out:
	free(keys);
	free(vals);
	return ret;
}

static const struct quai_yaml_node *convert(struct loader *l, int index, unsigned depth)
{
	yaml_node_t *yn = yaml_document_get_node(l->ydoc, index);
	if (!yn) {
		quai_error_set(l->err, QUAI_EXIT_USAGE, "%s: invalid YAML document", l->doc->file);
		return NULL;
	}
	size_t slot = (size_t)(index - 1);
	if (l->memo[slot])
		return l->memo[slot];
	if (l->busy[slot]) {
		fail_at(l, yn, "an alias refers to a node that contains it (recursive alias)");
		return NULL;
	}
	if (depth > MAX_DEPTH) {
		fail_at(l, yn, "nesting too deep (more than 256 levels)");
		return NULL;
	}
	l->busy[slot] = 1;
	struct quai_yaml_node *node = arena_alloc(&l->doc->arena, sizeof(*node));
	*node = (struct quai_yaml_node){
		.file = l->doc->file,
		.line = (unsigned)yn->start_mark.line + 1,
		.col = (unsigned)yn->start_mark.column + 1,
		.tag = copy_tag(l, yn->tag),
	};
	const struct quai_yaml_node *ret = node;
	switch (yn->type) {
	case YAML_SCALAR_NODE: {
		node->type = QUAI_YAML_SCALAR;
		switch (yn->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			node->style = QUAI_YAML_SINGLE_QUOTED;
			break;
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			node->style = QUAI_YAML_DOUBLE_QUOTED;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
			node->style = QUAI_YAML_LITERAL;
			break;
		case YAML_FOLDED_SCALAR_STYLE:
			node->style = QUAI_YAML_FOLDED;
			break;
		default:
			node->style = QUAI_YAML_PLAIN;
		}
		size_t len = yn->data.scalar.length;
		char *s = arena_alloc(&l->doc->arena, len + 1);
		if (len)
			memcpy(s, yn->data.scalar.value, len);
		s[len] = '\0';
		node->str = s;
		node->len = len;
		break;
	}
	case YAML_SEQUENCE_NODE: {
		node->type = QUAI_YAML_SEQ;
		node->style = yn->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE ? QUAI_YAML_FLOW : QUAI_YAML_BLOCK;
		size_t count = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
		const struct quai_yaml_node **items = arena_alloc(&l->doc->arena, (count ? count : 1) * sizeof(const struct quai_yaml_node *));
		for (size_t i = 0; i < count; i++) {
			items[i] = convert(l, yn->data.sequence.items.start[i], depth + 1);
			if (!items[i]) {
				ret = NULL;
				break;
			}
		}
		node->items = items;
		node->n = count;
		break;
	}
	case YAML_MAPPING_NODE:
		node->type = QUAI_YAML_MAP;
		node->style = yn->data.mapping.style == YAML_FLOW_MAPPING_STYLE ? QUAI_YAML_FLOW : QUAI_YAML_BLOCK;
		ret = convert_map(l, yn, node, depth);
		break;
	default:
		quai_error_set(l->err, QUAI_EXIT_USAGE, "%s: invalid YAML node", l->doc->file);
		ret = NULL;
	}
	l->busy[slot] = 0;
	l->memo[slot] = ret ? node : NULL;
	return ret;
}

static int parse_error(const yaml_parser_t *p, const char *file, struct quai_error **err)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	unsigned long line = (unsigned long)p->problem_mark.line + 1;
	unsigned long col = (unsigned long)p->problem_mark.column + 1;
	if (p->error == YAML_MEMORY_ERROR)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s: out of memory reading YAML", file);
	if (p->context)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%lu:%lu: invalid YAML: %s (%s, line %lu)", file,
				      line, col, problem, p->context, (unsigned long)p->context_mark.line + 1);
	return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%lu:%lu: invalid YAML: %s", file, line, col, problem);
}

struct quai_yaml_doc *quai_yaml_doc_new(const char *file)
{
	struct quai_yaml_doc *doc = xcalloc(1, sizeof(*doc));
	size_t flen = strlen(file);
	char *fcopy = arena_alloc(&doc->arena, flen + 1);
	memcpy(fcopy, file, flen + 1);
	doc->file = fcopy;
	return doc;
}

void *quai_yaml_alloc(struct quai_yaml_doc *doc, size_t size)
{
	void *p = arena_alloc(&doc->arena, size ? size : 1);
	memset(p, 0, size ? size : 1);
	return p;
}

struct quai_yaml_node *quai_yaml_new(struct quai_yaml_doc *doc, enum quai_yaml_type type,
				     const struct quai_yaml_node *at)
{
	struct quai_yaml_node *n = quai_yaml_alloc(doc, sizeof(*n));
	n->type = type;
	n->style = type == QUAI_YAML_SCALAR ? QUAI_YAML_PLAIN : QUAI_YAML_BLOCK;
	n->file = at ? at->file : doc->file;
	n->line = at ? at->line : 0;
	n->col = at ? at->col : 0;
	if (type == QUAI_YAML_SCALAR)
		n->str = "";
	return n;
}

struct quai_yaml_node *quai_yaml_new_str(struct quai_yaml_doc *doc, const char *s, size_t len,
					 const struct quai_yaml_node *at)
{
	struct quai_yaml_node *n = quai_yaml_new(doc, QUAI_YAML_SCALAR, at);
	char *copy = quai_yaml_alloc(doc, len + 1);
	if (len)
		memcpy(copy, s, len);
	n->str = copy;
	n->len = len;
	if (at && at->type == QUAI_YAML_SCALAR)
		n->style = at->style;
	return n;
}

int quai_yaml_load(struct quai_yaml_doc **out, const char *file, const char *data, size_t len,
		   struct quai_error **err)
{
	*out = NULL;
	struct quai_yaml_doc *doc = quai_yaml_doc_new(file);

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		quai_yaml_free(doc);
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s: cannot start the YAML parser", file);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	const struct quai_yaml_node **roots = NULL;
	size_t nroots = 0, cap = 0;
	size_t work = 0;
	int rc = 0;
	for (;;) {
		yaml_document_t ydoc;
		if (!yaml_parser_load(&parser, &ydoc)) {
			rc = parse_error(&parser, file, err);
			break;
		}
		if (!yaml_document_get_root_node(&ydoc)) {
			yaml_document_delete(&ydoc);
			break;
		}
		size_t nnodes = (size_t)(ydoc.nodes.top - ydoc.nodes.start);
		struct loader l = {
			.doc = doc,
			.ydoc = &ydoc,
			.memo = xcalloc(nnodes, sizeof(struct quai_yaml_node *)),
			.busy = xcalloc(nnodes, 1),
			.work = work,
			.err = err,
		};
		const struct quai_yaml_node *root = convert(&l, 1, 0);
		work = l.work;
		free(l.memo);
		free(l.busy);
		yaml_document_delete(&ydoc);
		if (!root) {
			rc = -1;
			break;
		}
		roots = xgrow(roots, &cap, nroots + 1, sizeof(const struct quai_yaml_node *));
		roots[nroots++] = root;
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		free(roots);
		quai_yaml_free(doc);
		return -1;
	}
	const struct quai_yaml_node **kept = arena_alloc(&doc->arena, (nroots ? nroots : 1) * sizeof(const struct quai_yaml_node *));
	if (nroots)
		memcpy(kept, roots, nroots * sizeof(const struct quai_yaml_node *));
	free(roots);
	doc->roots = kept;
	doc->nroots = nroots;
	doc->root = nroots ? kept[0] : NULL;
	*out = doc;
	return 0;
}

int quai_yaml_load_file(struct quai_yaml_doc **out, const char *path, struct quai_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	*out = NULL;
	if (quai_file_read(&data, &len, path, MAX_FILE, err) < 0)
		return -1;
	return quai_yaml_load(out, path, data, len, err);
}

void quai_yaml_free(struct quai_yaml_doc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc);
}

const struct quai_yaml_node *quai_yaml_get_key(const struct quai_yaml_node *map, const char *key)
{
	if (!map || map->type != QUAI_YAML_MAP)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = map->n; i-- > 0;) {
		const struct quai_yaml_node *k = map->pairs[i].key;
		if (k->type == QUAI_YAML_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
			return k;
	}
	return NULL;
}

const struct quai_yaml_node *quai_yaml_get(const struct quai_yaml_node *map, const char *key)
{
	if (!map || map->type != QUAI_YAML_MAP)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = map->n; i-- > 0;) {
		const struct quai_yaml_node *k = map->pairs[i].key;
		if (k->type == QUAI_YAML_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

const struct quai_yaml_node *quai_yaml_dup_key(const struct quai_yaml_node *map)
{
	if (!map || map->type != QUAI_YAML_MAP)
		return NULL;
	for (size_t i = 1; i < map->n; i++) {
		if (map->pairs[i].merged)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!map->pairs[j].merged && same_key(map->pairs[i].key, map->pairs[j].key))
				return map->pairs[i].key;
	}
	return NULL;
}

const char *quai_yaml_str(const struct quai_yaml_node *node)
{
	return node && node->type == QUAI_YAML_SCALAR ? node->str : NULL;
}

bool quai_yaml_is_null(const struct quai_yaml_node *node)
{
	if (!node)
		return true;
	if (node->type != QUAI_YAML_SCALAR || node->style != QUAI_YAML_PLAIN)
		return false;
	if (node->tag)
		return strcmp(node->tag, YAML_NULL_TAG) == 0;
	const char *s = node->str;
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

bool quai_yaml_is_quoted(const struct quai_yaml_node *node)
{
	return node && node->type == QUAI_YAML_SCALAR && node->style != QUAI_YAML_PLAIN;
}

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

int quai_yaml_bool(const struct quai_yaml_node *node, bool *out, unsigned flags)
{
	static const char *const yes12[] = { "true", "True", "TRUE", NULL };
	static const char *const no12[] = { "false", "False", "FALSE", NULL };
	static const char *const yes11[] = { "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no11[] = { "n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL };
	if (!node || node->type != QUAI_YAML_SCALAR || node->style != QUAI_YAML_PLAIN)
		return -1;
	if (node->tag && strcmp(node->tag, YAML_BOOL_TAG) != 0)
		return -1;
	const char *s = node->str;
	if (one_of(s, yes12) || ((flags & QUAI_YAML_BOOL_11) && one_of(s, yes11))) {
		*out = true;
		return 0;
	}
	if (one_of(s, no12) || ((flags & QUAI_YAML_BOOL_11) && one_of(s, no11))) {
		*out = false;
		return 0;
	}
	return -1;
}

int quai_yaml_int(const struct quai_yaml_node *node, long long *out)
{
	if (!node || node->type != QUAI_YAML_SCALAR || node->style != QUAI_YAML_PLAIN || !node->len)
		return -1;
	if (node->tag && strcmp(node->tag, YAML_INT_TAG) != 0)
		return -1;
	const char *s = node->str;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		s += 2;
	}
	if (!*s)
		return -1;
	unsigned long long v = 0;
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (d >= base || v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (neg ? v > (unsigned long long)LLONG_MAX + 1 : v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v) : (long long)v;
	return 0;
}

int quai_yaml_float(const struct quai_yaml_node *node, double *out)
{
	long long i;
	if (quai_yaml_int(node, &i) == 0) {
		*out = (double)i;
		return 0;
	}
	if (!node || node->type != QUAI_YAML_SCALAR || node->style != QUAI_YAML_PLAIN || !node->len)
		return -1;
	const char *s = node->str;
	static const char *const inf[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL };
	static const char *const ninf[] = { "-.inf", "-.Inf", "-.INF", NULL };
	static const char *const nan[] = { ".nan", ".NaN", ".NAN", NULL };
	if (one_of(s, inf)) {
		*out = HUGE_VAL;
		return 0;
	}
	if (one_of(s, ninf)) {
		*out = -HUGE_VAL;
		return 0;
	}
	if (one_of(s, nan)) {
		*out = NAN;
		return 0;
	}
	/* [-+]? (digits)? (. digits)? ([eE][-+]? digits)? with at least one digit */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
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
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	errno = 0;
	char *end = NULL;
	double v = strtod(s, &end);
	if (errno == ERANGE || end != p)
		return -1;
	*out = v;
	return 0;
}

const char *quai_yaml_kind_name(const struct quai_yaml_node *node)
{
	if (quai_yaml_is_null(node))
		return "null";
	switch (node->type) {
	case QUAI_YAML_SEQ:
		return "a list";
	case QUAI_YAML_MAP:
		return "a mapping";
	case QUAI_YAML_SCALAR:
		break;
	}
	bool b;
	double d;
	if (quai_yaml_bool(node, &b, QUAI_YAML_BOOL_12) == 0)
		return "a boolean";
	if (quai_yaml_float(node, &d) == 0)
		return "a number";
	return "a string";
}

int quai_yaml_fail(struct quai_error **err, const struct quai_yaml_doc *doc, const struct quai_yaml_node *node,
		   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!node || !node->line)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s: %s", node ? node->file : doc->file, msg);
	return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%u:%u: %s", node->file ? node->file : doc->file, node->line,
			      node->col, msg);
}
