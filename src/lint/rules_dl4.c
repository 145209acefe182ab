/* hadolint's DL1001 and DL4xxx rules: pragmas, deprecated and repeated
 * instructions, and the shell a RUN runs in. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "lint/pragma.h"
#include "lint/rule.h"

#include "core/banned.h"

/* Stands for "no instruction" when a comment is the last thing in a file. */
static const struct quai_df_instr no_instr = {.kind = QUAI_DF_UNKNOWN};

/* "hadolint ignore=DL3008,DL3015" (or "quai ignore=..."), not the global
 * form: that one is a file-wide setting, not an inline pragma. */
static bool is_inline_ignore(const char *text)
{
	bool global;
	const char *codes = quai_lint_pragma_codes(text, &global);
	return codes && !global && strspn(codes, "DLSCQU0123456789") > 0;
}

static void check_dl1001(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ncomments; i++) {
		const struct quai_df_comment *c = &df->comments[i];
		if (!c->text || !is_inline_ignore(c->text))
			continue;
		const struct quai_df_instr *at =
		    c->next_instr < df->ninstrs ? &df->instrs[c->next_instr] : &no_instr;
		quai_lint_report_at(
		    ctx, at, c->pos, "%s",
		    "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.");
	}
}

static void check_dl4000(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++)
		if (df->instrs[i].kind == QUAI_DF_MAINTAINER)
			quai_lint_report(ctx, &df->instrs[i]);
}

enum { SEEN_CURL = 1, SEEN_WGET = 2 };

static unsigned fetchers_in(struct quai_lint_ctx *ctx, const struct quai_df_instr *in)
{
	static const char *const fetchers[] = {"curl", "wget", NULL};
	const struct quai_sh_script *sh = quai_lint_shell(ctx, in);
	unsigned seen = 0;
	if (sh && !quai_sh_script_may_run(sh, fetchers))
		return 0;
	for (size_t c = 0; sh && c < sh->ncmds; c++) {
		if (sh->cmds[c].argc == 0)
			continue;
		if (quai_sh_cmd_is(&sh->cmds[c], "curl"))
			seen |= SEEN_CURL;
		else if (quai_sh_cmd_is(&sh->cmds[c], "wget"))
			seen |= SEEN_WGET;
	}
	return seen;
}

/* Per stage, every RUN that uses curl or wget once both have been seen. As
 * hadolint, ONBUILD RUN triggers are tracked on their own, across stages. */
static void check_dl4001(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	unsigned stage_seen = 0, onbuild_seen = 0;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_FROM) {
			stage_seen = 0;
			continue;
		}
		const struct quai_df_instr *eff = quai_lint_effective(in);
		if (eff->kind != QUAI_DF_RUN)
			continue;
		unsigned now = fetchers_in(ctx, in);
		unsigned *seen = eff == in ? &stage_seen : &onbuild_seen;
		*seen |= now;
		if (now && *seen == (SEEN_CURL | SEEN_WGET))
			quai_lint_report(ctx, in);
	}
}

/* A second CMD (or ENTRYPOINT) in one stage. */
static void check_repeated(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                           enum quai_df_kind kind)
{
	bool seen = false;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_FROM)
			seen = false;
		else if (in->kind == kind && seen)
			quai_lint_report(ctx, in);
		else if (in->kind == kind)
			seen = true;
	}
}

static void check_dl4003(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_repeated(ctx, df, QUAI_DF_CMD);
}

static void check_dl4004(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_repeated(ctx, df, QUAI_DF_ENTRYPOINT);
}

static void check_dl4005(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		static const char *const ln[] = {"ln", NULL};
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		if (sh && !quai_sh_script_may_run(sh, ln))
			continue;
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			if (sh->cmds[c].argc && quai_sh_cmd_is(&sh->cmds[c], "ln") &&
			    quai_sh_cmd_has_arg(&sh->cmds[c], "/bin/sh")) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *bslash = strrchr(path, '\\');
	if (bslash && (!slash || bslash > slash))
		slash = bslash;
	return slash ? slash + 1 : path;
}

/* `-o` given as a short flag, alone or bundled ("-eo", "-euxo"). */
static bool has_short_o(char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		if (w[0] == '-' && w[1] != '-' && strchr(w + 1, 'o'))
			return true;
	}
	return false;
}

static bool has_word(char *const *words, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (quai_lint_streq(words[i], word))
			return true;
	return false;
}

/* SHELL ["/bin/bash", "-o", "pipefail", "-c"]: bash, zsh or ash with -o pipefail. */
static bool shell_sets_pipefail(const struct quai_df_instr *in)
{
	if (!in->json || in->njson_args == 0)
		return false;
	const char *sh = base_name(in->json_args[0]);
	if (!quai_lint_streq(sh, "bash") && !quai_lint_streq(sh, "zsh") && !quai_lint_streq(sh, "ash"))
		return false;
	return has_short_o(in->json_args + 1, in->njson_args - 1) &&
	       has_word(in->json_args + 1, in->njson_args - 1, "pipefail");
}

/* PowerShell or cmd.exe: pipes there are not POSIX pipes. */
static bool shell_is_non_posix(const struct quai_df_instr *in)
{
	const char *first = NULL;
	if (in->json && in->njson_args)
		first = in->json_args[0];
	else if (!in->json && in->args_text)
		first = in->args_text;
	if (!first)
		return false;
	const char *name = base_name(first);
	return strncmp(name, "pwsh", 4) == 0 || strncmp(name, "powershell", 10) == 0 ||
	       strncmp(name, "cmd", 3) == 0;
}

static bool cmd_sets_pipefail(const struct quai_sh_cmd *cmd)
{
	const char *name = quai_sh_cmd_name(cmd);
	bool shell = quai_lint_streq(name, "bash") || quai_lint_streq(name, "zsh") || quai_lint_streq(name, "ash");
	if (!shell && !quai_lint_streq(name, "set"))
		return false;
	return quai_sh_cmd_has_flag(cmd, "o") && quai_sh_cmd_has_arg(cmd, "pipefail");
}

/* True if the script pipes one command into another before it has turned
 * pipefail on itself (`set -o pipefail`, `set -euo pipefail`). */
static bool script_has_unguarded_pipe(const struct quai_sh_script *sh)
{
	if (!sh || !sh->has_pipe)
		return false;
	for (size_t c = 0; c < sh->ncmds; c++) {
		const struct quai_sh_cmd *cmd = &sh->cmds[c];
		if (cmd->depth == 0 && cmd->argc && cmd_sets_pipefail(cmd))
			return false;
		if (cmd->sep == QUAI_SH_SEP_PIPE)
			return true;
	}
	return true;
}

/* The SHELL a stage ends with is the one of the stages built FROM it: a
 * pipefail SHELL set in `base` still holds after `FROM base` (hadolint
 * forgets it at every FROM). */
static void check_dl4006(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	bool *stage_safe = xcalloc(df->nstages + 1, sizeof(*stage_safe));
	bool safe = false;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_FROM) {
			int parent = in->from_image ? quai_dockerfile_stage_by_name(df, in->from_image) : -1;
			safe = parent >= 0 && parent < in->stage && stage_safe[parent];
		} else if (in->kind == QUAI_DF_SHELL) {
			safe = shell_is_non_posix(in) || shell_sets_pipefail(in);
		} else if (in->kind == QUAI_DF_RUN && !safe &&
		           script_has_unguarded_pipe(quai_lint_shell(ctx, in))) {
			quai_lint_report(ctx, in);
		}
		if (in->stage >= 0 && (size_t)in->stage < df->nstages)
			stage_safe[in->stage] = safe;
	}
	free(stage_safe);
}

static bool is_dot_source(const char *s)
{
	return quai_lint_streq(s, ".") || quai_lint_streq(s, "./");
}

/* COPY . : the whole build context. Not for --from, whose "." is the root
 * of another stage or image, not the context. */
static void check_dl4007(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_COPY || in->nwords < 2 || quai_df_instr_flag(in, "from"))
			continue;
		for (size_t w = 0; w + 1 < in->nwords; w++) {
			if (is_dot_source(in->words[w].text)) {
				quai_lint_report(ctx, in);
				break;
			}
		}
	}
}

const struct quai_lint_rule quai_lint_rules_dl4[] = {
    {"DL1001", QUAI_LEVEL_IGNORE,
     "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.", check_dl1001},
    {"DL4000", QUAI_LEVEL_ERROR, "MAINTAINER is deprecated", check_dl4000},
    {"DL4001", QUAI_LEVEL_WARNING, "Either use Wget or Curl but not both.", check_dl4001},
    {"DL4003", QUAI_LEVEL_WARNING,
     "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take "
     "effect",
     check_dl4003},
    {"DL4004", QUAI_LEVEL_ERROR,
     "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last "
     "`ENTRYPOINT` will take effect",
     check_dl4004},
    {"DL4005", QUAI_LEVEL_WARNING, "Use SHELL to change the default shell", check_dl4005},
    {"DL4006", QUAI_LEVEL_WARNING,
     "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine "
     "image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to "
     "/bin/ash, or disable this check",
     check_dl4006},
    {"DL4007", QUAI_LEVEL_IGNORE,
     "COPY with '.' as source can leak sensitive files like .git, .env, or local configs into your image. "
     "Prefer copying only the files you actually need.",
     check_dl4007},
    {NULL, QUAI_LEVEL_IGNORE, NULL, NULL},
};
