/* hadolint's rules DL3043-DL3067 that look at instructions rather than
 * shell scripts: ONBUILD triggers, ENV self references, COPY destinations,
 * HEALTHCHECK per stage, instruction order, stage names, secrets in ARG and
 * ENV, FROM --platform, USER ids, COPY of a whole filesystem. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/rules_dl3b.h"

/* Length of the image name in a FROM reference: the tag (`:tag` after the
 * last '/') and the digest (`@...`) removed. */
static size_t image_name_len(const char *img)
{
	size_t n = strcspn(img, "@");
	size_t slash = 0;
	for (size_t i = 0; i < n; i++)
		if (img[i] == '/')
			slash = i;
	for (size_t i = slash; i < n; i++)
		if (img[i] == ':')
			return i;
	return n;
}

const char *quai_lint_stage_key(const struct quai_dockerfile *df, int i, size_t *len)
{
	const struct quai_df_stage *st = &df->stages[i];
	if (st->name) {
		*len = strlen(st->name);
		return st->name;
	}
	const char *img = st->image ? st->image : "";
	*len = image_name_len(img);
	return img;
}

bool quai_lint_from_is(const struct quai_dockerfile *df, int i, const char *name)
{
	const char *img = df->stages[i].image ? df->stages[i].image : "";
	size_t n = image_name_len(img);
	return strlen(name) == n && strncmp(img, name, n) == 0;
}

bool quai_lint_from_refers(const struct quai_dockerfile *df, int i, int j)
{
	size_t klen;
	const char *key = quai_lint_stage_key(df, j, &klen);
	const char *img = df->stages[i].image ? df->stages[i].image : "";
	return image_name_len(img) == klen && strncmp(img, key, klen) == 0;
}

/* The instruction at `i` if it, or its ONBUILD trigger, is of kind `k`. */
static const struct quai_df_instr *of_kind(const struct quai_dockerfile *df, size_t i, enum quai_df_kind k)
{
	const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
	return in->kind == k ? in : NULL;
}

void quai_lint_dl3043(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_ONBUILD || !in->onbuild)
			continue;
		enum quai_df_kind k = in->onbuild->kind;
		if (k == QUAI_DF_ONBUILD || k == QUAI_DF_FROM || k == QUAI_DF_MAINTAINER)
			quai_lint_report(ctx, in);
	}
}

/* Does `text` reference `$name` or `${name}`? A bare `$name` counts only
 * when no name character follows it. */
static bool references(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		if (p[1] == '{' && strncmp(p + 2, name, n) == 0 && p[2 + n] == '}')
			return true;
		if (strncmp(p + 1, name, n) == 0 && !isalnum((unsigned char)p[1 + n]) && p[1 + n] != '_')
			return true;
	}
	return false;
}

struct names {
	const char **v;
	size_t n, cap;
};

static bool names_has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (quai_lint_streq(s->v[i], name))
			return true;
	return false;
}

static void names_add(struct names *s, const char *name)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = name;
}

/* A key of this ENV that another pair of the same ENV references, and that
 * no earlier ENV or ARG defined. */
static bool env_self_reference(const struct quai_df_instr *env, const struct names *defined)
{
	for (size_t k = 0; k < env->nkvs; k++) {
		if (names_has(defined, env->kvs[k].key))
			continue;
		for (size_t m = 0; m < env->nkvs; m++)
			if (m != k && env->kvs[m].value && references(env->kvs[m].value, env->kvs[k].key))
				return true;
	}
	return false;
}

void quai_lint_dl3044(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	struct names defined = {0};
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind == QUAI_DF_ENV && env_self_reference(in, &defined))
			quai_lint_report(ctx, &df->instrs[i]);
		if (in->kind == QUAI_DF_ENV || in->kind == QUAI_DF_ARG)
			for (size_t k = 0; k < in->nkvs; k++)
				names_add(&defined, in->kvs[k].key);
	}
	free(defined.v);
}

/* Absolute for hadolint: /path, c:\path, c:/path, or a variable. */
static bool absolute_dest(const struct quai_df_word *w)
{
	const char *s = w->raw ? w->raw : w->text;
	while (*s == '"' || *s == '\'')
		s++;
	if (*s == '/' || *s == '$')
		return true;
	return s[0] && s[1] == ':' && (s[2] == '\\' || s[2] == '/');
}

void quai_lint_dl3045(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	cleanup_free bool *workdir = xcalloc(df->nstages + 1, sizeof(*workdir));
	bool before_from = false;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i], *in = quai_lint_effective(top);
		bool *cur = top->stage >= 0 ? &workdir[top->stage] : &before_from;
		if (top->kind == QUAI_DF_FROM) {
			for (int j = top->stage - 1; j >= 0; j--)
				if (quai_lint_from_refers(df, top->stage, j)) {
					*cur = workdir[j];
					break;
				}
		} else if (in->kind == QUAI_DF_WORKDIR) {
			*cur = true;
		} else if (in->kind == QUAI_DF_COPY && in->nwords >= 2 && !*cur &&
		           !absolute_dest(&in->words[in->nwords - 1])) {
			quai_lint_report(ctx, top);
		}
	}
}

/* Stages without a HEALTHCHECK of their own or from a stage they build on,
 * reported at their FROM. */
void quai_lint_dl3057(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	cleanup_free bool *good = xcalloc(df->nstages + 1, sizeof(*good));
	for (size_t s = 0; s < df->nstages; s++) {
		const struct quai_df_stage *st = &df->stages[s];
		for (size_t i = st->from_index; i < st->end_index && !good[s]; i++)
			good[s] = df->instrs[i].kind == QUAI_DF_HEALTHCHECK;
		for (size_t j = 0; j < s && !good[s]; j++)
			good[s] = good[j] && quai_lint_from_refers(df, (int)s, (int)j);
		if (!good[s])
			quai_lint_report(ctx, &df->instrs[st->from_index]);
	}
}

void quai_lint_dl3061(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		enum quai_df_kind k = df->instrs[i].kind;
		if (k == QUAI_DF_FROM)
			return;
		if (k != QUAI_DF_ARG && k != QUAI_DF_UNKNOWN)
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

void quai_lint_dl3063(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = of_kind(df, i, QUAI_DF_FROM);
		if (!in)
			continue;
		const char *alias = in->from_alias;
		if (alias && (quai_lint_streq(alias, "scratch") || quai_lint_streq(alias, "context")))
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

static const char *const sensitive_names[] = {
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
    NULL,
};

static const char *const suspicious_parts[] = {
    "api_key", "client_key", "password", "private", "secret", "token", "username", NULL,
};

static bool is_sensitive(const char *name)
{
	/* The lists are upper case: compare the first letter before the rest. */
	char first = (char)toupper((unsigned char)name[0]);
	for (const char *const *s = sensitive_names; *s; s++)
		if ((*s)[0] == first && strcasecmp(name, *s) == 0)
			return true;
	/* The parts are lower case: lower the name once, not once per part. */
	char lower[256];
	size_t n = strlen(name);
	bool lowered = n < sizeof(lower);
	for (size_t i = 0; lowered && i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	for (const char *const *s = suspicious_parts; *s; s++)
		if (lowered ? strstr(lower, *s) != NULL : strcasestr(name, *s) != NULL)
			return true;
	return false;
}

void quai_lint_dl3064(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_ARG && in->kind != QUAI_DF_ENV)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			if (is_sensitive(in->kvs[k].key)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

void quai_lint_dl3065(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = of_kind(df, i, QUAI_DF_FROM);
		if (!in)
			continue;
		const struct quai_df_flag *p = quai_df_instr_flag(in, "platform");
		if (p && p->value &&
		    (quai_lint_streq(p->value, "$TARGETPLATFORM") || quai_lint_streq(p->value, "${TARGETPLATFORM}")))
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

void quai_lint_dl3066(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = of_kind(df, i, QUAI_DF_USER);
		if (!in)
			continue;
		const char *u = in->args_text ? in->args_text : "";
		size_t n = strcspn(u, ":");
		for (size_t c = 0; c < n; c++) {
			if (!isdigit((unsigned char)u[c])) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static bool is_root_path(const struct quai_df_word *w)
{
	const char *s = w->text;
	size_t n = strlen(s);
	while (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	return n == 1 && s[0] == '/';
}

void quai_lint_dl3067(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = of_kind(df, i, QUAI_DF_COPY);
		if (!in)
			continue;
		if (!quai_df_instr_flag(in, "from") || in->nwords < 2 ||
		    !is_root_path(&in->words[in->nwords - 1]))
			continue;
		for (size_t w = 0; w + 1 < in->nwords; w++) {
			if (is_root_path(&in->words[w])) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}
