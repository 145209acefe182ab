/* A Dockerfile's references to other images: every stage's FROM and the
 * --from= of COPY, ADD and RUN --mount, after expanding ARG defaults and
 * the image's build arguments as BuildKit would; stage names, stage
 * numbers and scratch are not images. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "plan/internal.h"
#include "core/banned.h"

struct vars {
	char **keys;
	char **vals; /* NULL: declared without a value */
	size_t n, cap;
};

static const char *vars_lookup(void *ctx, const char *name)
{
	struct vars *v = ctx;
	for (size_t i = v->n; i-- > 0;)
		if (strcmp(v->keys[i], name) == 0)
			return v->vals[i];
	return NULL;
}

static void vars_set(struct vars *v, const char *key, char *val)
{
	size_t cap = v->cap;
	v->keys = xgrow(v->keys, &cap, v->n + 1, sizeof(*v->keys));
	v->vals = xgrow(v->vals, &v->cap, v->n + 1, sizeof(*v->vals));
	v->keys[v->n] = xstrdup(key);
	v->vals[v->n] = val;
	v->n++;
}

static void vars_release(struct vars *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->keys[i]);
		free(v->vals[i]);
	}
	free(v->keys);
	free(v->vals);
	memset(v, 0, sizeof(*v));
}

static const char *build_arg(char *const *args, const char *key)
{
	size_t n = strlen(key);
	for (char *const *p = args; p && *p; p++)
		if (strncmp(*p, key, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

static char *expand(const char *word, char escape, struct vars *v)
{
	struct quai_df_vars dv = {vars_lookup, NULL, v};
	char *out = NULL, *msg = NULL;
	if (quai_df_expand(&out, &msg, word, escape, &dv) < 0) {
		free(msg);
		return NULL;
	}
	return out;
}

/* ARG instructions in [from, to): values from build_args, else their
 * expanded defaults. */
static void declare_args(struct vars *v, const struct quai_dockerfile *df, size_t from, size_t to,
                         char *const *build_args)
{
	for (size_t i = from; i < to; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_ARG)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			const struct quai_df_kv *kv = &in->kvs[k];
			const char *given = build_arg(build_args, kv->key);
			char *val = NULL;
			if (given)
				val = xstrdup(given);
			else if (kv->value)
				val = expand(kv->value, df->escape, v);
			vars_set(v, kv->key, val);
		}
	}
}

struct refs {
	char **v;
	size_t n, cap;
};

static void refs_add(struct refs *r, char *ref)
{
	if (!ref)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i], ref) == 0) {
			free(ref);
			return;
		}
	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = ref;
}

/* Whether name is a stage defined before stage `before` (case-insensitive, as docker). */
static bool earlier_stage(const struct quai_dockerfile *df, const char *name, size_t before)
{
	for (size_t s = 0; s < before && s < df->nstages; s++)
		if (df->stages[s].name && strcasecmp(df->stages[s].name, name) == 0)
			return true;
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* `from=` of a RUN --mount value, or NULL. */
static char *mount_from(const char *val)
{
	const char *p = val;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > 5 && strncmp(p, "from=", 5) == 0)
			return xstrndup(p + 5, len - 5);
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

static void stage_refs(struct refs *r, const struct quai_dockerfile *df, size_t s, struct vars *globals,
                       char *const *build_args)
{
	const struct quai_df_stage *st = &df->stages[s];
	const struct quai_df_instr *from = &df->instrs[st->from_index];
	if (from->nwords > 0) {
		char *img = expand(from->words[0].raw, df->escape, globals);
		if (img && *img && strcasecmp(img, "scratch") != 0 && !earlier_stage(df, img, s))
			refs_add(r, img);
		else
			free(img);
	}
	struct vars local = {0};
	for (size_t i = 0; i < globals->n; i++)
		vars_set(&local, globals->keys[i], globals->vals[i] ? xstrdup(globals->vals[i]) : NULL);
	for (size_t i = st->from_index + 1; i < st->end_index; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_ARG) {
			declare_args(&local, df, i, i + 1, build_args);
			continue;
		}
		const char *val = NULL;
		cleanup_free char *mount = NULL;
		if (in->kind == QUAI_DF_COPY || in->kind == QUAI_DF_ADD) {
			const struct quai_df_flag *f = quai_df_instr_flag(in, "from");
			val = f ? f->value : NULL;
		} else if (in->kind == QUAI_DF_RUN) {
			for (size_t k = 0; k < in->nflags && !mount; k++)
				if (strcmp(in->flags[k].name, "mount") == 0 && in->flags[k].value)
					mount = mount_from(in->flags[k].value);
			val = mount;
		}
		if (!val)
			continue;
		char *ref = expand(val, df->escape, &local);
		if (ref && *ref && !all_digits(ref) && !earlier_stage(df, ref, df->nstages))
			refs_add(r, ref);
		else
			free(ref);
	}
	vars_release(&local);
}

int plan_dockerfile_refs(char ***out, size_t *n, const char *path, const char *name, char *const *build_args,
                         struct quai_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *src = NULL;
	size_t len = 0;
	if (quai_file_read(&src, &len, path, PLAN_DOCKERFILE_MAX, err) < 0)
		return -1;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, name, src, len);
	struct vars globals = {0};
	struct refs r = {0};
	size_t first = df.nstages ? df.stages[0].from_index : df.ninstrs;
	declare_args(&globals, &df, 0, first, build_args);
	for (size_t s = 0; s < df.nstages; s++)
		stage_refs(&r, &df, s, &globals, build_args);
	vars_release(&globals);
	quai_dockerfile_release(&df);
	*out = r.v;
	*n = r.n;
	return 0;
}
