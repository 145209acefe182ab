/* Internal to src/lint/: how a rule is written.
 *
 * A rule is a function that looks at the whole parsed Dockerfile and reports
 * findings through its context; the engine attaches the rule's code and
 * level, then applies pragmas, ignores and overrides. Rules live in the
 * rules_*.c files, each exporting a table that rules.c gathers. */
#ifndef QUAI_LINT_RULE_H
#define QUAI_LINT_RULE_H

#include "dockerfile/dockerfile.h"
#include "lint/lint.h"
#include "shell/shell.h"

struct quai_lint_ctx;

struct quai_lint_rule {
	const char *code;
	enum quai_lint_level level; /* default severity */
	const char *summary;        /* one line, as hadolint's message */
	void (*check)(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
};

/* Each rules_*.c file exports one table ending with a { NULL } entry. */
extern const struct quai_lint_rule quai_lint_rules_dl3a[]; /* DL3000-DL3033 */
extern const struct quai_lint_rule quai_lint_rules_dl3b[]; /* DL3034-DL3077 */
extern const struct quai_lint_rule quai_lint_rules_dl4[];  /* DL1001, DL4000-DL4007 */
extern const struct quai_lint_rule quai_lint_rules_qu[];   /* QU rules */

/* Reports a finding of the current rule at instruction `at` (its keyword
 * position) with the rule's summary as message. */
void quai_lint_report(struct quai_lint_ctx *ctx, const struct quai_df_instr *at);
/* Same, with a specific message. */
void quai_lint_reportf(struct quai_lint_ctx *ctx, const struct quai_df_instr *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, at an explicit position (e.g. inside a heredoc body). `at` still
 * names the instruction, for ignore pragmas. */
void quai_lint_report_at(struct quai_lint_ctx *ctx, const struct quai_df_instr *at, struct quai_df_pos pos,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const struct quai_lint_config *quai_lint_ctx_config(const struct quai_lint_ctx *ctx);

/* The shell commands an instruction runs, parsed once and cached: for RUN in
 * shell form its script plus each heredoc body that is a script (`RUN <<EOF`,
 * `RUN bash <<EOF`); for exec form the words as one command. NULL for other
 * instructions. For ONBUILD RUN, pass the ONBUILD instruction or its
 * trigger: both work. */
const struct quai_sh_script *quai_lint_shell_of(struct quai_lint_ctx *ctx, const struct quai_df_instr *instr);

/* strcmp(a, b) == 0 without a call: most strings rules compare are short
 * and differ in their first bytes. */
static inline bool quai_lint_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The instruction a rule should look at: the trigger of an ONBUILD, else
 * the instruction itself. Rules that check an instruction kind use this so
 * that ONBUILD bodies are checked too. */
static inline const struct quai_df_instr *quai_lint_effective(const struct quai_df_instr *i)
{
	return (i->kind == QUAI_DF_ONBUILD && i->onbuild) ? i->onbuild : i;
}

/* quai_lint_shell_of(), answering NULL for every other instruction without
 * a call: rules ask it of every instruction. */
static inline const struct quai_sh_script *quai_lint_shell(struct quai_lint_ctx *ctx,
							    const struct quai_df_instr *instr)
{
	if (quai_lint_effective(instr)->kind != QUAI_DF_RUN)
		return NULL;
	return quai_lint_shell_of(ctx, instr);
}

#endif
