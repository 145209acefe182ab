/* Runs every rule over a parsed Dockerfile, then filters what they found
 * through ignore pragmas, ignored codes and severity overrides. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/heredoc.h"
#include "lint/pragma.h"
#include "lint/rule.h"
#include "lint/rules.h"

struct pending {
	size_t instr; /* top-level instruction index, or ninstrs when unknown */
	struct quai_df_pos pos;
	const struct quai_lint_rule *rule;
	char *message; /* NULL for the rule's summary */
};

struct shell_entry {
	bool parsed;
	struct quai_sh_script script;
};

struct quai_lint_ctx {
	const struct quai_dockerfile *df;
	const struct quai_lint_config *cfg;
	const struct quai_lint_rule *rule;
	struct pending *pend;
	size_t npend, cap;
	struct shell_entry *sh; /* one per top-level instruction, made on first use */
};

const struct quai_lint_config *quai_lint_ctx_config(const struct quai_lint_ctx *ctx)
{
	return ctx->cfg;
}

/* Index of the top-level instruction `at` is or belongs to (an ONBUILD
 * trigger, a HEALTHCHECK's CMD); ninstrs if none. */
static size_t top_index(const struct quai_dockerfile *df, const struct quai_df_instr *at)
{
	if (df->ninstrs && at >= df->instrs && at < df->instrs + df->ninstrs)
		return (size_t)(at - df->instrs);
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->onbuild == at || in->healthcheck_cmd == at)
			return i;
	}
	return df->ninstrs;
}

static void add_pending(struct quai_lint_ctx *ctx, const struct quai_df_instr *at, struct quai_df_pos pos,
			char *message)
{
	ctx->pend = xgrow(ctx->pend, &ctx->cap, ctx->npend + 1, sizeof(*ctx->pend));
	ctx->pend[ctx->npend++] = (struct pending){ top_index(ctx->df, at), pos, ctx->rule, message };
}

void quai_lint_report(struct quai_lint_ctx *ctx, const struct quai_df_instr *at)
{
	add_pending(ctx, at, at->pos, NULL); /* the rule's summary */
}

void quai_lint_reportf(struct quai_lint_ctx *ctx, const struct quai_df_instr *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_pending(ctx, at, at->pos, xvasprintf(fmt, ap));
	va_end(ap);
}

void quai_lint_report_at(struct quai_lint_ctx *ctx, const struct quai_df_instr *at, struct quai_df_pos pos,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_pending(ctx, at, pos, xvasprintf(fmt, ap));
	va_end(ap);
}

/* Is the first heredoc of a RUN its script? Yes for `RUN <<EOF` and
 * `RUN bash <<EOF`; no for `RUN python3 <<EOF` or `RUN cat <<EOF >file`. */
static bool heredoc_is_script(const char *args)
{
	const char *prog;
	size_t n;
	if (!quai_lint_heredoc_prog(args, &prog, &n))
		return false;
	if (n == 0)
		return true;
	static const char *const shells[] = { "sh", "bash", "ash", "dash", "zsh", "ksh" };
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (n == strlen(shells[i]) && strncmp(prog, shells[i], n) == 0)
			return true;
	return false;
}

const struct quai_sh_script *quai_lint_shell_of(struct quai_lint_ctx *ctx, const struct quai_df_instr *instr)
{
	size_t idx = top_index(ctx->df, instr);
	if (ctx->sh && idx < ctx->df->ninstrs && ctx->sh[idx].parsed)
		return &ctx->sh[idx].script; /* parsed for an earlier rule */
	instr = quai_lint_effective(instr);
	if (instr->kind != QUAI_DF_RUN || idx == ctx->df->ninstrs)
		return NULL;
	if (!ctx->sh)
		ctx->sh = xcalloc(ctx->df->ninstrs, sizeof(*ctx->sh));
	struct shell_entry *e = &ctx->sh[idx];
	if (e->parsed)
		return &e->script;

	e->parsed = true;
	if (!instr->json && instr->args_text && !(instr->nheredocs && heredoc_is_script(instr->args_text))) {
		/* the script is the arguments as they are: no copy */
		quai_sh_parse(&e->script, instr->args_text, strlen(instr->args_text));
		return &e->script;
	}
	cleanup_buf struct quai_buf text = QUAI_BUF_INIT;
	if (instr->json) {
		for (size_t i = 0; i < instr->njson_args; i++) {
			if (i)
				quai_buf_putc(&text, ' ');
			quai_buf_puts(&text, instr->json_args[i]);
		}
	} else if (instr->args_text) {
		quai_buf_puts(&text, instr->args_text);
		if (instr->nheredocs && heredoc_is_script(instr->args_text)) {
			quai_buf_putc(&text, '\n');
			quai_buf_puts(&text, instr->heredocs[0].body ? instr->heredocs[0].body : "");
		}
	}
	quai_sh_parse(&e->script, quai_buf_str(&text), text.len);
	return &e->script;
}

/* An ignore pragma: the code list of a comment, for the instruction after
 * it or, if global, for all. */
struct pragma {
	const char *list;
	size_t next_instr;
	bool global;
};

static struct pragma *find_pragmas(const struct quai_dockerfile *df, size_t *n)
{
	struct pragma *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < df->ncomments; i++) {
		bool global;
		const char *list = df->comments[i].text ? quai_lint_pragma_codes(df->comments[i].text, &global) : NULL;
		if (!list)
			continue;
		v = xgrow(v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = (struct pragma){ list, df->comments[i].next_instr, global };
	}
	return v;
}

/* quai_lint_pragma_ignores() on the pragmas find_pragmas() found. */
static bool pragmas_ignore(const struct pragma *v, size_t n, size_t instr, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if ((v[i].global || v[i].next_instr == instr) && quai_lint_pragma_lists(v[i].list, code))
			return true;
	return false;
}

/* quai_lint_config_level() without a call when nothing is configured. */
static enum quai_lint_level rule_level(const struct quai_lint_config *cfg, const struct quai_lint_rule *rule)
{
	if (!cfg->nignored && !cfg->noverrides)
		return rule->level;
	return quai_lint_config_level(cfg, rule->code, rule->level);
}

static void run_rule(const struct quai_lint_rule *rule, void *arg)
{
	struct quai_lint_ctx *ctx = arg;
	if (rule_level(ctx->cfg, rule) == QUAI_LEVEL_IGNORE)
		return;
	ctx->rule = rule;
	rule->check(ctx, ctx->df);
}

void quai_lint_dockerfile(struct quai_findings *out, const struct quai_dockerfile *df,
			  const struct quai_lint_config *cfg)
{
	for (size_t i = 0; i < df->ndiags; i++)
		quai_findings_add(out, df->name, df->diags[i].pos.line, df->diags[i].pos.col, QUAI_LEVEL_ERROR,
				  "DL1000", df->diags[i].message);

	struct quai_lint_ctx ctx = { .df = df, .cfg = cfg };
	quai_lint_rules_foreach(run_rule, &ctx);

	/* The ignore pragmas of the file, read once for all its findings. */
	struct pragma *pragmas = NULL;
	size_t npragmas = 0;
	if (ctx.npend && !cfg->disable_ignore_pragma)
		pragmas = find_pragmas(df, &npragmas);

	for (size_t i = 0; i < ctx.npend; i++) {
		struct pending *p = &ctx.pend[i];
		enum quai_lint_level level = rule_level(cfg, p->rule);
		bool skip = level == QUAI_LEVEL_IGNORE || pragmas_ignore(pragmas, npragmas, p->instr, p->rule->code);
		if (!skip && p->message)
			quai_findings_add(out, df->name, p->pos.line, p->pos.col, level, p->rule->code, p->message);
		else if (!skip) /* the rule tables are static */
			quai_findings_add_static(out, df->name, p->pos.line, p->pos.col, level, p->rule->code,
						 p->rule->summary);
		free(p->message);
	}
	free(ctx.pend);
	free(pragmas);
	for (size_t i = 0; ctx.sh && i < df->ninstrs; i++)
		if (ctx.sh[i].parsed)
			quai_sh_script_release(&ctx.sh[i].script);
	free(ctx.sh);
}
