/* What the files of src/pipeline/ share and nothing else needs. */
#ifndef QUAI_PIPELINE_INTERNAL_H
#define QUAI_PIPELINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "pipeline/pipeline.h"
#include "yaml/yaml.h"

#define MAX_INCLUDES  150 /* GitLab's limit of included files */
#define MAX_EXTENDS   11  /* levels of extends */
#define MAX_REFERENCE 10  /* nested !reference */
#define MAX_JOBS      5000
#define MAX_PARALLEL  200      /* jobs of one parallel:matrix */
#define MAX_WORK      2000000u /* merge steps and nodes visited per pipeline */
#define MAX_MAP       10000u   /* keys of one mapping that is merged */
#define MAX_STRV      100000u  /* strings of one list (script, paths...) */

/* The loader's state while one pipeline is built. */
struct loader {
	const struct quai_pipeline_context *ctx;
	struct quai_pipeline *p;
	struct quai_yaml_doc *work;  /* owns the nodes built by merges */
	struct quai_yaml_doc **docs; /* every file read */
	size_t ndocs;
	const struct quai_yaml_node *root; /* the merged configuration */
	char **files;                      /* the project's files, for exists: (lazily) */
	size_t steps;                      /* merge steps, capped (MAX_WORK) */
	bool too_big;                      /* a cap was hit while merging */
	struct memo *memo;                 /* !reference resolution of shared (aliased) nodes */
	struct quai_error **err;
};

/* templates.c: the templates built in (include:template). The text of
 * NAME (and its length), NULL when it is not built in. */
const char *pl_template_find(const char *name, size_t *len);
/* The built-in names, comma-separated, for messages. */
const char *pl_template_names(void);

/* config.c: files, include, !reference, extends, default. */
int pl_config_load(struct loader *l);
/* A deep merge as GitLab does it: mappings merged key by key (b wins),
 * anything else replaced by b. */
const struct quai_yaml_node *pl_deep_merge(struct loader *l, const struct quai_yaml_node *a,
                                           const struct quai_yaml_node *b);
/* Fails at node with "FILE:LINE:COL: " + message. */
int pl_fail(struct loader *l, const struct quai_yaml_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True for the top-level keys that are not jobs. */
bool pl_is_global_keyword(const char *key);

/* values.c: typed values (below); job.c: one resolved job mapping into a model job (not yet expanded
 * for parallel, rules not evaluated). */
int pl_job_parse(struct loader *l, struct quai_pipeline_job *job, const char *name,
                 const struct quai_yaml_node *def);
void pl_job_release(struct quai_pipeline_job *job);
/* Reads a string or a list of strings (nested lists flattened, as GitLab
 * does for script) into a NULL-terminated vector. */
int pl_strv(struct loader *l, char ***out, const struct quai_yaml_node *node, const char *what, bool nested);
/* Reads variables: a mapping of KEY: value or KEY: {value, description,
 * expand, options}. */
int pl_vars(struct loader *l, struct quai_pipeline_vars *out, const struct quai_yaml_node *node,
            const char *what);
/* A boolean (YAML 1.1 words too), a whole number in [lo, hi], exit codes
 * (one or a list, 0..255), a mapping whose keys are all in names
 * (NULL-terminated); -1 with an error at node otherwise. */
int pl_want_bool(struct loader *l, bool *out, const struct quai_yaml_node *node, const char *what);
int pl_want_int(struct loader *l, long long *out, const struct quai_yaml_node *node, const char *what,
                long long lo, long long hi);
int pl_ints(struct loader *l, int **out, size_t *n, const struct quai_yaml_node *node, const char *what);
int pl_keys_in(struct loader *l, const struct quai_yaml_node *map, const char *what,
               const char *const *names);
/* A plain number as GitLab's Ruby prints it after reading YAML 1.1
 * ("1.10" -> "1.1", "010" -> "8"), or NULL when the text stays as written.
 * The caller frees it. */
char *pl_ruby_number(const struct quai_yaml_node *v);
/* The scalar's text as GitLab's Ruby sees a string/number; -1 for others. */
int pl_scalar(struct loader *l, const char **out, const struct quai_yaml_node *node, const char *what);

/* The concrete jobs of one parallel job. */
struct pl_instance {
	char *name;
	int index, total;
	struct quai_pipeline_vars vars; /* matrix values */
};
/* parallel: N or parallel: {matrix: [...]} of the job named base. */
int pl_parallel(struct loader *l, struct pl_instance **out, size_t *n, const char *base,
                const struct quai_yaml_node *parallel);
int pl_matrix(struct loader *l, struct pl_instance **out, size_t *n, const char *base,
              const struct quai_yaml_node *matrix);
void pl_instances_free(struct pl_instance *inst, size_t n);

/* graph.c: the index of the job named name, or -1; a created job's needs
 * and dependencies resolved to concrete names; a cycle is an error. */
int pl_job_index(const struct quai_pipeline *p, const char *name);
int pl_resolve_needs(struct loader *l, struct quai_pipeline_job *job);
int pl_resolve_dependencies(struct loader *l, struct quai_pipeline_job *job);
int pl_check_cycles(struct loader *l);

/* rules.c: rules, only/except, workflow. */
struct pl_rule_result {
	bool matched;                      /* a rule matched (or only/except let the job in) */
	const struct quai_yaml_node *rule; /* the matching rule, or NULL */
	char *reason;
};
/* Evaluates rules (a list) for a job or workflow with vars visible to
 * `if`; *out describes the first matching rule. */
int pl_rules_eval(struct loader *l, struct pl_rule_result *out, const struct quai_yaml_node *rules,
                  const struct quai_pipeline_vars *vars, const char *what);
/* only/except for a job: *created false with a reason when excluded. */
int pl_only_except(struct loader *l, bool *created, char **reason, const struct quai_yaml_node *only,
                   const struct quai_yaml_node *except, const struct quai_pipeline_vars *vars);
/* Checks the shape of a rules list (keys, types); expressions parsed. */
int pl_rules_check(struct loader *l, const struct quai_yaml_node *rules, bool workflow);

/* expr.c: the rules:if language. */
struct pl_expr;
int pl_expr_parse(struct pl_expr **out, const char *text, struct quai_error **err);
int pl_expr_eval(const struct pl_expr *e, const struct quai_pipeline_vars *vars, bool *out,
                 struct quai_error **err);
void pl_expr_free(struct pl_expr *e);

/* regex.c: RE2-like regular expressions (/pattern/flags) on PCRE2. */
struct pl_regex;
/* Compiles pattern with flags (any of "imsx"); -1 with an error. */
int pl_regex_compile(struct pl_regex **out, const char *pattern, size_t len, const char *flags,
                     struct quai_error **err);
/* 1 when re matches somewhere in s, 0 when not, -1 on a matching error. */
int pl_regex_search(const struct pl_regex *re, const char *s, size_t len);
void pl_regex_free(struct pl_regex *re);
/* Parses "/pattern/flags" (the whole of s); 0 and the parts when it is one. */
int pl_regex_literal(const char *s, size_t len, size_t *pat_start, size_t *pat_len, const char **flags);

/* glob.c: File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB, as
 * changes: and exists: use it ("**\/" any directories, {a,b} braces). */
bool pl_glob_match(const char *pattern, const char *path);
/* Every file under dir (relative paths, .git skipped), NULL-terminated. */
char **pl_glob_files(const char *dir);

/* vars.c */
char *pl_expand_ex(const char *s, const struct quai_pipeline_vars *vars, bool keep_unknown);
/* One entry per key: the last value, at the place of the first. */
void pl_vars_dedup(struct quai_pipeline_vars *vars);
void pl_vars_copy(struct quai_pipeline_vars *out, const struct quai_pipeline_vars *in);
void pl_vars_append(struct quai_pipeline_vars *out, const struct quai_pipeline_vars *in);
/* Expands every value of vars (not raw ones) against vars itself. */
void pl_vars_expand_all(struct quai_pipeline_vars *vars);
void pl_strv_free(char **v);
size_t pl_strv_len(char *const *v);
char **pl_strv_dup(char *const *v);

#endif
