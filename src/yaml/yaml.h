/* YAML documents as read-only trees that remember where every node was.
 *
 * One loader for every YAML file quai reads (quai.yml, compose files,
 * pipelines, server configuration): libyaml parses, this module turns each
 * document into a tree of nodes with their line:col, resolves aliases (an
 * alias is the anchored node itself, shared, so alias bombs cost nothing),
 * expands merge keys (`<<: *a`, `<<: [*a, *b]`: keys written in the mapping
 * win, then earlier maps of the list) and refuses recursive aliases.
 *
 * The tree belongs to its quai_yaml_doc: every pointer into it lives until
 * quai_yaml_free(). Nodes are never NULL inside a tree: an empty value is a
 * plain scalar "" (see quai_yaml_is_null). */
#ifndef QUAI_YAML_YAML_H
#define QUAI_YAML_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum quai_yaml_type {
	QUAI_YAML_SCALAR,
	QUAI_YAML_SEQ,
	QUAI_YAML_MAP,
};

enum quai_yaml_style {
	QUAI_YAML_PLAIN,
	QUAI_YAML_SINGLE_QUOTED,
	QUAI_YAML_DOUBLE_QUOTED,
	QUAI_YAML_LITERAL,
	QUAI_YAML_FOLDED,
	QUAI_YAML_BLOCK, /* sequences and mappings in block style */
	QUAI_YAML_FLOW,  /* [a, b] and {a: b} */
};

struct quai_yaml_node;

struct quai_yaml_pair {
	const struct quai_yaml_node *key;
	const struct quai_yaml_node *value;
	bool merged; /* came from a `<<` merge key, not written in this mapping */
};

struct quai_yaml_node {
	enum quai_yaml_type type;
	enum quai_yaml_style style;
	const char *file; /* the file it was read from (the doc's name) */
	unsigned line;    /* 1-based, where the node starts */
	unsigned col;  /* 1-based */
	/* An explicit tag other than the defaults, as resolved by libyaml:
	 * "!reference", "!reset", "tag:yaml.org,2002:int"...; NULL when the
	 * node has none (libyaml cannot tell `!!str x` from `x`). */
	const char *tag;
	/* QUAI_YAML_SCALAR: the value, NUL-terminated, len bytes (may hold NUL
	 * bytes when the document escaped one). */
	const char *str;
	size_t len;
	/* QUAI_YAML_SEQ: items[0..n); QUAI_YAML_MAP: pairs[0..n), in document
	 * order, merged pairs where their `<<` key was. */
	size_t n;
	const struct quai_yaml_node *const *items;
	const struct quai_yaml_pair *pairs;
};

struct quai_yaml_doc {
	const char *file;                          /* the name given to quai_yaml_load */
	const struct quai_yaml_node *const *roots; /* one per document in the stream */
	size_t nroots;
	const struct quai_yaml_node *root; /* roots[0], or NULL for an empty stream */
	struct quai_yaml_arena *arena;     /* owns everything above */
};

/* Parses data[0..len) (file names the source in messages). On a syntax
 * error returns -1 with "FILE:LINE:COL: what is wrong". An empty stream
 * gives a doc with root NULL and nroots 0. */
int quai_yaml_load(struct quai_yaml_doc **out, const char *file, const char *data, size_t len,
		   struct quai_error **err);
/* Reads and parses a file (at most 64 MiB). */
int quai_yaml_load_file(struct quai_yaml_doc **out, const char *path, struct quai_error **err);
void quai_yaml_free(struct quai_yaml_doc *doc);

static inline void cleanup_yaml_docp(struct quai_yaml_doc **d)
{
	quai_yaml_free(*d);
}
#define cleanup_yaml_doc __attribute__((cleanup(cleanup_yaml_docp)))

/* Building trees (for resolved models: interpolation, merges, extends).
 * An empty doc named file, to own new nodes; memory from quai_yaml_alloc
 * is zeroed and lives as long as doc. quai_yaml_new makes a node of type
 * at the position of at (file/line/col copied; at may be NULL).
 * quai_yaml_new_str copies s[0..len). */
struct quai_yaml_doc *quai_yaml_doc_new(const char *file);
void *quai_yaml_alloc(struct quai_yaml_doc *doc, size_t size);
struct quai_yaml_node *quai_yaml_new(struct quai_yaml_doc *doc, enum quai_yaml_type type,
				     const struct quai_yaml_node *at);
struct quai_yaml_node *quai_yaml_new_str(struct quai_yaml_doc *doc, const char *s, size_t len,
					 const struct quai_yaml_node *at);

/* The value of the last pair of map whose key is the scalar key; NULL when
 * absent or when map is NULL or not a mapping. */
const struct quai_yaml_node *quai_yaml_get(const struct quai_yaml_node *map, const char *key);
/* The key node of that pair (for positions), or NULL. */
const struct quai_yaml_node *quai_yaml_get_key(const struct quai_yaml_node *map, const char *key);
/* The first key written twice in map (merged keys excluded), or NULL. */
const struct quai_yaml_node *quai_yaml_dup_key(const struct quai_yaml_node *map);

/* The scalar's string, or NULL when node is NULL or not a scalar. */
const char *quai_yaml_str(const struct quai_yaml_node *node);
/* True for NULL, and for the plain scalars "", "~", "null", "Null", "NULL"
 * without a tag. */
bool quai_yaml_is_null(const struct quai_yaml_node *node);
/* True when node is a scalar written with quotes or as a block scalar: a
 * string whatever it looks like. */
bool quai_yaml_is_quoted(const struct quai_yaml_node *node);

enum quai_yaml_bool_flags {
	QUAI_YAML_BOOL_12 = 0, /* true/True/TRUE, false/False/FALSE */
	QUAI_YAML_BOOL_11 = 1, /* also y, yes, on, n, no, off in any of those cases */
};
/* Reads a plain boolean scalar; -1 (no error set) when it is not one. */
int quai_yaml_bool(const struct quai_yaml_node *node, bool *out, unsigned flags);
/* Reads a plain integer scalar (decimal with sign, 0x hex, 0o octal, `_`
 * not allowed); -1 (no error set) when it is not one or out of range. */
int quai_yaml_int(const struct quai_yaml_node *node, long long *out);
/* Reads a plain float or integer scalar (also .inf, .nan); -1 when not one. */
int quai_yaml_float(const struct quai_yaml_node *node, double *out);

/* "a string", "a number", "a boolean", "null", "a list", "a mapping", for
 * messages such as "expected a list, found a mapping". */
const char *quai_yaml_kind_name(const struct quai_yaml_node *node);

/* Sets *err to "FILE:LINE:COL: message" for node (or "FILE: message" when
 * node is NULL), status QUAI_EXIT_USAGE, and returns -1. */
int quai_yaml_fail(struct quai_error **err, const struct quai_yaml_doc *doc, const struct quai_yaml_node *node,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
