/* The schema tables and the walk over them (normalize*.c only). */
#ifndef QUAI_COMPOSE_NORMALIZE_H
#define QUAI_COMPOSE_NORMALIZE_H

#include <stdarg.h>

#include "compose/internal.h"

struct nz {
	struct compose_loader *l;
	const char *base_dir;
	struct quai_buf path; /* services.web.ports[0] */
	const char *service;  /* the service being normalised, or NULL */
};

enum nz_kind {
	NZ_ANY,
	NZ_STR,
	NZ_STR_NULL,
	NZ_BOOL,         /* true/false, and the strings y, yes, on, n, no, off (any case) */
	NZ_INT,          /* an integer, or a string holding one */
	NZ_NUM,          /* a number, or a string holding one */
	NZ_INT_OR_STR,   /* an integer or any string */
	NZ_DURATION,     /* "1m30s" */
	NZ_SIZE,         /* bytes, or "512m" */
	NZ_ENUM,         /* one of values */
	NZ_STR_LIST,     /* a list of strings */
	NZ_STR_NUM_LIST, /* a list of strings or numbers, printed as strings */
	NZ_STR_OR_LIST,  /* a string or a list of strings: a list */
	NZ_LIST_OR_DICT, /* KEY=VALUE list or mapping: a mapping */
	NZ_MAP_ANY,      /* a mapping of anything */
	NZ_OBJ,          /* a mapping with the keys of sub */
	NZ_LIST_OBJ,     /* a list of such mappings */
	NZ_CUSTOM,       /* fn */
};

enum nz_flags {
	NZ_NULL_OK = 1,  /* null allowed (an empty object) */
	NZ_FROM_ENV = 2, /* KEY without value: taken from the environment */
	NZ_NEG_OK = 4,   /* -1 allowed for a size */
};

struct nz_field {
	const char *name;
	const struct nz_field *sub; /* NZ_OBJ, NZ_LIST_OBJ */
	const struct quai_yaml_node *(*fn)(struct nz *x, const struct quai_yaml_node *v);
	const char *const *values;   /* NZ_ENUM */
	const char *const *required; /* NZ_OBJ, NZ_LIST_OBJ */
	enum nz_kind kind;
	unsigned flags;
};

void nz_diag(struct nz *x, const struct quai_yaml_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t nz_push_key(struct nz *x, const char *key);
size_t nz_push_index(struct nz *x, size_t i);
void nz_pop(struct nz *x, size_t len);

bool nz_as_bool(const struct quai_yaml_node *v, bool *out);
bool nz_as_int(const struct quai_yaml_node *v, long long *out);
bool nz_as_num(const struct quai_yaml_node *v);
bool nz_check_str(struct nz *x, const struct quai_yaml_node *v);
struct quai_yaml_node *nz_stringify(struct nz *x, const struct quai_yaml_node *v);
/* Every item of the list a string (numbers and booleans as text). */
void nz_str_items(struct nz *x, const struct quai_yaml_node *seq);
const struct quai_yaml_node *nz_ports(struct nz *x, const struct quai_yaml_node *v);
const struct quai_yaml_node *nz_volumes(struct nz *x, const struct quai_yaml_node *v);
const struct quai_yaml_node *nz_list_or_dict(struct nz *x, const struct quai_yaml_node *v, bool from_env);

/* Checks and rewrites one value against f; returns the value to keep. */
const struct quai_yaml_node *nz_value(struct nz *x, const struct nz_field *f, const struct quai_yaml_node *v);
/* Checks and rewrites the mapping m against fields (NULL-name terminated),
 * in place. */
const struct quai_yaml_node *nz_object(struct nz *x, const struct nz_field *fields, struct quai_yaml_node *m,
                                       const char *const *required);

extern const struct nz_field nz_service_fields[];

#endif
