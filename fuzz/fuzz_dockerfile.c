/* Fuzz target for the Dockerfile parser: parses the input, runs the whole
 * linter with the default configuration, writes the findings in every
 * output format, and expands the words of each instruction as docker would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dockerfile.h"
#include "fuzz/fuzz.h"
#include "lint/lint.h"
#include "core/banned.h"

/* Variables for quai_df_expand: the ARG and ENV pairs seen so far. */
struct vars {
	const struct quai_dockerfile *df;
	size_t upto; /* instructions before this index are in scope */
	size_t unset;
};

static const char *lookup(void *ctx, const char *name)
{
	struct vars *v = ctx;
	const char *found = NULL;
	for (size_t i = 0; i < v->upto; i++) {
		const struct quai_df_instr *in = &v->df->instrs[i];
		if (in->kind != QUAI_DF_ARG && in->kind != QUAI_DF_ENV)
			continue;
		for (size_t k = 0; k < in->nkvs; k++)
			if (in->kvs[k].key && strcmp(in->kvs[k].key, name) == 0)
				found = in->kvs[k].value;
	}
	return found;
}

static void on_unset(void *ctx, const char *name)
{
	struct vars *v = ctx;
	v->unset += strlen(name) > 0;
}

static void expand(const char *word, char escape, const struct quai_df_vars *vars)
{
	char *out = NULL;
	char *errmsg = NULL;
	if (!word)
		return;
	if (quai_df_expand(&out, &errmsg, word, escape, vars) == 0)
		free(out);
	else
		free(errmsg);
}

static void expand_instr(const struct quai_dockerfile *df, size_t idx, struct vars *v)
{
	const struct quai_df_instr *in = &df->instrs[idx];
	struct quai_df_vars vars = {lookup, on_unset, v};
	v->upto = idx;
	expand(in->args_text, df->escape, &vars);
	for (size_t i = 0; i < in->nwords; i++)
		expand(in->words[i].raw, df->escape, &vars);
	for (size_t i = 0; i < in->nkvs; i++)
		expand(in->kvs[i].value, df->escape, &vars);
	for (size_t i = 0; i < in->nflags; i++)
		expand(in->flags[i].value, df->escape, &vars);
	expand(in->from_image, df->escape, &vars);
}

/* strlen that takes NULL: the tree may leave optional strings unset */
static size_t len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Touches every accessor so that a dangling pointer or a wrong length in the
 * tree shows up under ASan. */
static size_t walk(const struct quai_dockerfile *df)
{
	size_t sum = 0;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		const char *raw = quai_dockerfile_raw(df, in);
		/* the raw text must lie inside the source */
		if (in->raw_off > df->src_len || in->raw_len > df->src_len - in->raw_off)
			abort();
		if (raw && in->raw_len)
			sum += (unsigned char)raw[0] + (unsigned char)raw[in->raw_len - 1];
		sum += strlen(quai_df_kind_name(in->kind));
		sum += quai_df_kind_from_name(in->keyword ? in->keyword : "", len(in->keyword));
		sum += quai_df_kind_expands(in->kind);
		sum += quai_df_instr_flag(in, "from") != NULL;
		sum += quai_df_instr_flag(in, "platform") != NULL;
		for (size_t k = 0; k < in->njson_args; k++)
			sum += len(in->json_args[k]);
		for (size_t k = 0; k < in->nheredocs; k++)
			sum += len(in->heredocs[k].delim) + len(in->heredocs[k].body);
		if (in->from_alias)
			sum += quai_dockerfile_stage_by_name(df, in->from_alias) >= 0;
		if (in->healthcheck_cmd)
			sum += len(in->healthcheck_cmd->args_text);
		if (in->onbuild)
			sum += len(in->onbuild->args_text);
	}
	for (size_t i = 0; i < df->ncomments; i++)
		sum += len(df->comments[i].text);
	for (size_t i = 0; i < df->ndirectives; i++)
		sum += len(df->directives[i].name) + len(df->directives[i].value);
	for (size_t i = 0; i < df->ndiags; i++)
		sum += len(df->diags[i].message);
	return sum;
}

static FILE *devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, "Dockerfile", (const char *)data, size);
	volatile size_t sum = walk(&df);
	(void)sum;

	struct vars v = {&df, 0, 0};
	for (size_t i = 0; i < df.ninstrs; i++)
		expand_instr(&df, i, &v);

	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	struct quai_findings findings = {0};
	quai_lint_dockerfile(&findings, &df, &cfg);
	quai_findings_sort(&findings);
	(void)quai_lint_failed(&findings, &cfg);

	FILE *out = devnull();
	if (out) {
		const struct quai_dockerfile *sources[] = {&df};
		static const enum quai_lint_format formats[] = {
		    QUAI_FORMAT_TTY,        QUAI_FORMAT_JSON,        QUAI_FORMAT_SARIF,
		    QUAI_FORMAT_CHECKSTYLE, QUAI_FORMAT_CODECLIMATE, QUAI_FORMAT_GNU,
		};
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			quai_lint_write(out, formats[i], &findings, i == 0, sources, 1);
		fflush(out);
	}

	quai_findings_release(&findings);
	quai_lint_config_release(&cfg);
	quai_dockerfile_release(&df);
	return 0;
}
