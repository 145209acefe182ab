/* hadolint's rules DL3034-DL3077: the table, and the rules that read RUN
 * scripts (zypper, dnf, pip, useradd, wget, yarn, go, BuildKit cache
 * mounts). Rules of one shape share one checker driven by a table row. */
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/rules_dl3b.h"

/* A NULL-terminated list of words, for arguments. Tables use arrays with
 * room for the NULL instead. */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (quai_lint_streq(s, *list))
			return true;
	return false;
}

/* hadolint's cmdHasArgs: the command is one of `names` and one of its
 * arguments is one of `args` (any argument when `args` is NULL). */
static bool cmd_has_args(const struct quai_sh_cmd *cmd, const char *const *names, const char *const *args)
{
	if (cmd->argc == 0 || !in_list(quai_sh_cmd_name(cmd), names))
		return false;
	if (!args)
		return true;
	for (size_t i = 1; i < cmd->argc; i++)
		if (in_list(cmd->argv[i].text, args))
			return true;
	return false;
}

static bool has_any_flag(const struct quai_sh_cmd *cmd, const char *const *flags)
{
	for (; flags && *flags; flags++)
		if (quai_sh_cmd_has_flag(cmd, *flags))
			return true;
	return false;
}

/* Index of the first command matching names/args, or -1. */
static long find_cmd(const struct quai_sh_script *sh, const char *const *names, const char *const *args)
{
	if (!quai_sh_script_may_run(sh, names))
		return -1;
	for (size_t i = 0; i < sh->ncmds; i++)
		if (cmd_has_args(&sh->cmds[i], names, args))
			return (long)i;
	return -1;
}

static bool any_cmd(const struct quai_sh_script *sh, const char *const *names, const char *const *args)
{
	return find_cmd(sh, names, args) >= 0;
}

/* A RUN's `--mount=type=cache|tmpfs,target=...` whose target contains one
 * of `frags` (hadolint's hasCacheOrTmpfsMountWith). */
static bool has_cache_mount(const struct quai_df_instr *run, const char *const *frags)
{
	for (size_t f = 0; f < run->nflags; f++) {
		const struct quai_df_flag *fl = &run->flags[f];
		if (!quai_lint_streq(fl->name, "mount") || !fl->value)
			continue;
		bool cache = false;
		cleanup_free char *target = NULL;
		for (const char *p = fl->value; *p;) {
			size_t n = strcspn(p, ",");
			const char *eq = memchr(p, '=', n);
			if (eq) {
				size_t klen = (size_t)(eq - p);
				const char *v = eq + 1;
				size_t vlen = n - klen - 1;
				if (klen == 4 && strncmp(p, "type", 4) == 0)
					cache = (vlen == 5 && strncmp(v, "cache", 5) == 0) ||
					        (vlen == 5 && strncmp(v, "tmpfs", 5) == 0);
				else if ((klen == 6 && strncmp(p, "target", 6) == 0) ||
				         (klen == 3 && strncmp(p, "dst", 3) == 0) ||
				         (klen == 11 && strncmp(p, "destination", 11) == 0)) {
					free(target);
					target = xstrndup(v, vlen);
				}
			}
			p += n;
			if (*p == ',')
				p++;
		}
		if (!cache || !target)
			continue;
		for (const char *const *fr = frags; *fr; fr++)
			if (strstr(target, *fr))
				return true;
	}
	return false;
}

/* The RUN an instruction is (its ONBUILD trigger included), or NULL. */
static const struct quai_df_instr *as_run(const struct quai_df_instr *in)
{
	in = quai_lint_effective(in);
	return in->kind == QUAI_DF_RUN ? in : NULL;
}

/* --- Shape 1: a subcommand without a switch (or at all) ---------------- */

struct switch_rule {
	const char *names[3];
	const char *subcmds[8];
	const char *flags[3]; /* empty: the subcommand alone is the finding */
};

static void check_switch(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                         const struct switch_rule *r)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		if (sh && !quai_sh_script_may_run(sh, r->names))
			continue;
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			const struct quai_sh_cmd *cmd = &sh->cmds[c];
			if (cmd_has_args(cmd, r->names, r->subcmds) && !has_any_flag(cmd, r->flags)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static const struct switch_rule zypper_yes = {
    {"zypper"}, {"install", "in", "remove", "rm", "source-install", "si", "patch"}, {"no-confirm", "y"}};
static const struct switch_rule zypper_dup = {{"zypper"}, {"dist-upgrade", "dup"}, {NULL}};
static const struct switch_rule dnf_yes = {
    {"dnf", "microdnf"}, {"install", "groupinstall", "localinstall"}, {"y", "assumeyes"}};
static const struct switch_rule dnf_upgrade = {{"dnf"}, {"upgrade", "upgrade-minimal"}, {NULL}};

static void dl3034(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_switch(ctx, df, &zypper_yes);
}

static void dl3035(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_switch(ctx, df, &zypper_dup);
}

static void dl3038(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_switch(ctx, df, &dnf_yes);
}

static void dl3039(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_switch(ctx, df, &dnf_upgrade);
}

/* --- Shape 2: clean-up after install, in the same RUN ------------------- */

struct clean_rule {
	const char *names[3]; /* each checked on its own: dnf install wants dnf clean */
	const char *install[3];
	const char *clean[3];
	bool rm_yum_cache; /* rm -rf of the yum cache also cleans */
};

static bool forgot_clean(const struct quai_sh_script *sh, const struct clean_rule *r, const char *name)
{
	const char *const names[] = {name, NULL};
	long inst = find_cmd(sh, names, r->install);
	if (inst < 0)
		return false;
	long clean = -1;
	for (size_t i = 0; i < sh->ncmds && clean < 0; i++)
		if (cmd_has_args(&sh->cmds[i], names, r->clean) ||
		    (r->rm_yum_cache && cmd_has_args(&sh->cmds[i], L("rm"), L("-rf", "/var/cache/yum/*"))))
			clean = (long)i;
	return clean < 0 || clean < inst;
}

static void check_clean(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                        const struct clean_rule *r)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		for (const char *const *n = r->names; sh && *n; n++) {
			if (forgot_clean(sh, r, *n)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static const struct clean_rule zypper_clean = {{"zypper"}, {"install", "in"}, {"clean", "cc"}, false};
static const struct clean_rule dnf_clean = {{"dnf", "microdnf"}, {"install"}, {"clean", "all"}, true};

static void dl3036(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_clean(ctx, df, &zypper_clean);
}

static void dl3040(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_clean(ctx, df, &dnf_clean);
}

/* --- Shape 3: versions pinned in install commands ----------------------- */

struct pin_rule {
	const char *names[3];
	const char *subcmds[3];  /* the command must have one of these */
	const char *with[2];     /* ... and one of these (if any) */
	const char *unless[3];   /* ... and none of these */
	const char *not_pkgs[3]; /* words that are not packages */
	bool (*pinned)(const char *pkg);
};

static bool all_pinned(const struct quai_sh_script *sh, const struct pin_rule *r)
{
	if (!quai_sh_script_may_run(sh, r->names))
		return true;
	for (size_t c = 0; c < sh->ncmds; c++) {
		const struct quai_sh_cmd *cmd = &sh->cmds[c];
		if (!cmd_has_args(cmd, r->names, r->subcmds) ||
		    (r->with[0] && !cmd_has_args(cmd, r->names, r->with)) ||
		    (r->unless[0] && cmd_has_args(cmd, r->names, r->unless)))
			continue;
		cleanup_free const char **args = xcalloc(cmd->argc + 1, sizeof(*args));
		size_t n = quai_sh_cmd_args_noflags(cmd, args);
		for (size_t a = 0; a < n; a++)
			if (!in_list(args[a], r->not_pkgs) && !r->pinned(args[a]))
				return false;
	}
	return true;
}

static void check_pins(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                       const struct pin_rule *rules, size_t nrules)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		for (size_t r = 0; sh && r < nrules; r++) {
			if (!all_pinned(sh, &rules[r])) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && quai_lint_streq(s + a - b, suffix);
}

static bool zypper_pinned(const char *pkg)
{
	return strpbrk(pkg, "=<>") || ends_with(pkg, ".rpm");
}

/* name-version[-release]: some part after the first '-' starts with a digit
 * (or is a variable) and every part is made of version characters. */
static bool dnf_pinned(const char *pkg)
{
	const char *dash = strchr(pkg, '-');
	if (!dash)
		return false;
	if (ends_with(pkg, ".rpm") || strchr(dash, '$'))
		return true;
	bool digit = false;
	bool start = true;
	for (const char *p = dash + 1; *p; p++) {
		if (*p == '-') {
			start = true;
			continue;
		}
		if (start && *p >= '0' && *p <= '9')
			digit = true;
		start = false;
		bool alnum = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		if (!alnum && !strchr(".~^_:+", *p))
			return false;
	}
	return digit;
}

static bool module_pinned(const char *pkg)
{
	return strchr(pkg, ':') != NULL;
}

static void dl3037(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	static const struct pin_rule zypper = {{"zypper"}, {"install", "in"}, {NULL},
	                                       {NULL},     {"install", "in"}, zypper_pinned};
	check_pins(ctx, df, &zypper, 1);
}

/* Packages as name-version; `dnf module install` streams as name:stream. */
static void dl3041(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	static const struct pin_rule dnf[] = {
	    {{"dnf", "microdnf"},
	     {"install"},
	     {NULL},
	     {"module", "group"},
	     {"install", "module"},
	     dnf_pinned},
	    {{"dnf", "microdnf"}, {"install"}, {"module"}, {NULL}, {"install", "module"}, module_pinned},
	};
	check_pins(ctx, df, dnf, 2);
}

/* --- DL3042: pip install without --no-cache-dir ------------------------
 * As hadolint: PIP_NO_CACHE_DIR set truthy by ENV (inherited by stages built
 * on this one) or in the script also counts. Beyond hadolint, a cache mount
 * on the pip cache counts too: nothing is left in the layer then. */

static const char *const truthy[] = {"1",  "true", "True", "TRUE", "on", "On",
                                     "ON", "yes",  "Yes",  "YES",  NULL};

static bool is_pip_wrapper(const struct quai_sh_cmd *cmd)
{
	const char *name = quai_sh_cmd_name(cmd);
	if (strstr(name, "pipx") || strstr(name, "pipenv"))
		return true;
	if (strncmp(name, "python", 6) != 0)
		return false;
	for (size_t i = 1; i + 1 < cmd->argc; i++)
		if (quai_lint_streq(cmd->argv[i].text, "-m") && (quai_lint_streq(cmd->argv[i + 1].text, "pipx") ||
		                                             quai_lint_streq(cmd->argv[i + 1].text, "pipenv")))
			return true;
	return false;
}

static bool text_sets_no_cache(const char *text)
{
	const char *p = text ? strstr(text, "PIP_NO_CACHE_DIR=") : NULL;
	if (!p)
		return false;
	p += strlen("PIP_NO_CACHE_DIR=");
	for (const char *const *t = truthy; *t; t++)
		if (strncmp(p, *t, strlen(*t)) == 0)
			return true;
	return false;
}

/* PIP_NO_CACHE_DIR=<truthy> somewhere in the RUN's own text. */
static bool script_sets_no_cache(const struct quai_df_instr *run)
{
	if (text_sets_no_cache(run->args_text))
		return true;
	for (size_t h = 0; h < run->nheredocs; h++)
		if (text_sets_no_cache(run->heredocs[h].body))
			return true;
	return false;
}

static bool env_sets_no_cache(const struct quai_df_instr *env)
{
	for (size_t k = 0; k < env->nkvs; k++)
		if (quai_lint_streq(env->kvs[k].key, "PIP_NO_CACHE_DIR"))
			return !env->kvs[k].value || in_list(env->kvs[k].value, truthy);
	return false;
}

static void dl3042(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	cleanup_free bool *no_cache = xcalloc(df->nstages + 1, sizeof(*no_cache));
	bool before_from = false;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i], *in = quai_lint_effective(top);
		bool *cur = top->stage >= 0 ? &no_cache[top->stage] : &before_from;
		if (top->kind == QUAI_DF_FROM) {
			for (int j = top->stage - 1; j >= 0 && !*cur; j--)
				if (quai_lint_from_refers(df, top->stage, j)) {
					*cur = no_cache[j];
					break;
				}
			continue;
		}
		if (in->kind == QUAI_DF_ENV && env_sets_no_cache(in))
			*cur = true;
		if (in->kind != QUAI_DF_RUN || *cur || script_sets_no_cache(in) ||
		    has_cache_mount(in, L(".cache/pip")))
			continue;
		const struct quai_sh_script *sh = quai_lint_shell(ctx, top);
		if (sh && !quai_sh_script_may_run_prefix(sh, L("pip", "python")))
			continue; /* quai_sh_cmd_is_pip_install() needs one of these */
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			const struct quai_sh_cmd *cmd = &sh->cmds[c];
			if (quai_sh_cmd_is_pip_install(cmd) && !quai_sh_cmd_has_arg(cmd, "--no-cache-dir") &&
			    !is_pip_wrapper(cmd)) {
				quai_lint_report(ctx, top);
				break;
			}
		}
	}
}

/* --- Commands checked one at a time ------------------------------------ */

/* Calls `bad` on each command of each RUN; reports the RUN once when it
 * returns true. */
static void check_cmds(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                       bool (*bad)(const struct quai_sh_cmd *cmd), const char *const *names)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		if (sh && !quai_sh_script_may_run(sh, names))
			continue; /* `bad` holds only for commands named one of these */
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			if (bad(&sh->cmds[c])) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static bool useradd_high_uid(const struct quai_sh_cmd *cmd)
{
	if (!quai_sh_cmd_is(cmd, "useradd") || has_any_flag(cmd, L("l", "no-log-init")) ||
	    !has_any_flag(cmd, L("u", "uid")))
		return false;
	const char *uid = quai_sh_cmd_flag_value(cmd, "u");
	return uid && strlen(uid) > 5;
}

static bool wget_without_progress(const struct quai_sh_cmd *cmd)
{
	return quai_sh_cmd_is(cmd, "wget") &&
	       !has_any_flag(cmd, L("progress", "q", "quiet", "o", "output-file", "a", "append-output",
	                            "no-verbose")) &&
	       !quai_sh_cmd_has_arg(cmd, "-nv");
}

/* go install/get/run of a package without @version (or @latest, @none);
 * local paths are fine. Words after the package belong to the program. */
static bool go_unpinned(const struct quai_sh_cmd *cmd)
{
	static const char *const sub[] = {"install", "get", "run", NULL};
	if (!cmd_has_args(cmd, L("go"), sub))
		return false;
	cleanup_free const char **args = xcalloc(cmd->argc + 1, sizeof(*args));
	size_t n = quai_sh_cmd_args_noflags(cmd, args);
	for (size_t a = 0; a < n && a <= 1; a++) {
		const char *p = args[a];
		if (in_list(p, sub) || quai_lint_streq(p, ".") || p[0] == '/' || p[0] == '.')
			continue;
		const char *at = strchr(p, '@');
		if (!at || ends_with(p, "@latest") || ends_with(p, "@none"))
			return true;
	}
	return false;
}

static void dl3046(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_cmds(ctx, df, useradd_high_uid, L("useradd"));
}

static void dl3047(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_cmds(ctx, df, wget_without_progress, L("wget"));
}

static void dl3062(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	check_cmds(ctx, df, go_unpinned, L("go"));
}

/* --- DL3059: consecutive RUNs ------------------------------------------ */

static size_t count_cmds(const struct quai_sh_script *sh)
{
	size_t n = 0;
	for (size_t i = 0; i < sh->ncmds; i++)
		n += sh->cmds[i].argc > 0;
	return n;
}

static bool same_flags(const struct quai_df_instr *a, const struct quai_df_instr *b)
{
	if (a->nflags != b->nflags)
		return false;
	for (size_t i = 0; i < a->nflags; i++) {
		const char *va = a->flags[i].value ? a->flags[i].value : "";
		const char *vb = b->flags[i].value ? b->flags[i].value : "";
		if (!quai_lint_streq(a->flags[i].name, b->flags[i].name) || !quai_lint_streq(va, vb))
			return false;
	}
	return true;
}

static void dl3059(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	const struct quai_df_instr *prev = NULL;
	size_t prev_count = 0;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_RUN) {
			prev = NULL;
			continue;
		}
		const struct quai_sh_script *sh = quai_lint_shell(ctx, in);
		size_t count = sh ? count_cmds(sh) : 0;
		if (prev && same_flags(prev, in) && count <= 1 && prev_count <= 1)
			quai_lint_report(ctx, in);
		prev = in;
		prev_count = count;
	}
}

/* --- DL3060: yarn install without yarn cache clean ----------------------
 * Only in stages that are kept: the last one, or one a FROM builds on. As
 * for pip, a cache mount on the yarn cache also counts. */

/* Is stage `s` an image others build on: the last stage, or one whose alias
 * some FROM uses as its image? */
static bool stage_is_kept(const struct quai_dockerfile *df, int s)
{
	if (s < 0)
		return df->nstages == 0;
	if ((size_t)s + 1 == df->nstages)
		return true;
	const char *alias = df->stages[s].name;
	for (size_t j = 0; alias && j < df->nstages; j++)
		if (quai_lint_from_is(df, (int)j, alias))
			return true;
	return false;
}

static void dl3060(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i], *run = as_run(top);
		const struct quai_sh_script *sh = run ? quai_lint_shell(ctx, top) : NULL;
		if (!sh || !any_cmd(sh, L("yarn"), L("install")) ||
		    any_cmd(sh, L("yarn"), L("cache", "clean")) || has_cache_mount(run, L(".cache/yarn")))
			continue;
		if (top->kind == QUAI_DF_ONBUILD || stage_is_kept(df, top->stage))
			quai_lint_report(ctx, top);
	}
}

/* --- DL3068-DL3077: package caches without a BuildKit cache mount ------- */

struct cache_rule {
	const char *names[3];
	const char *subcmds[8]; /* empty: any use of the command */
	const char *targets[3]; /* a cache/tmpfs mount target containing one of these */
	const char *names2[2];  /* a second command that fills the same cache */
	const char *subcmds2[3];
};

static const struct cache_rule cache_rules[] = {
    {{"npm"}, {"install", "ci", "install-ci-test", "it"}, {".npm"}, {NULL}, {NULL}},
    {{"cargo"}, {"build", "install", "fetch", "test", "check", "clippy"}, {".cargo"}, {NULL}, {NULL}},
    {{"go"}, {"build", "get", "install", "test", "mod"}, {".cache/go-build", "go/pkg/mod"}, {NULL}, {NULL}},
    {{"mvn"},
     {"install", "compile", "package", "test", "verify", "deploy", "dependency:resolve"},
     {".m2"},
     {NULL},
     {NULL}},
    {{"gradle", "gradlew"}, {NULL}, {".gradle"}, {NULL}, {NULL}},
    {{"composer"}, {"install", "update", "require"}, {".composer/cache"}, {NULL}, {NULL}},
    {{"dotnet"}, {"restore", "build", "publish", "test"}, {".nuget/packages"}, {"nuget"}, {"restore"}},
    {{"pnpm"}, {"install", "add", "fetch", "i"}, {"pnpm"}, {NULL}, {NULL}},
    {{"mix"}, {"deps.get", "deps.compile", "compile"}, {".hex", ".mix"}, {NULL}, {NULL}},
    {{"gem"}, {"install"}, {".gem", "bundle"}, {"bundle"}, {"install", "update"}},
};

static void check_cache(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df, size_t row)
{
	const struct cache_rule *r = &cache_rules[row];
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *run = as_run(&df->instrs[i]);
		const struct quai_sh_script *sh = run ? quai_lint_shell(ctx, &df->instrs[i]) : NULL;
		if (sh &&
		    (any_cmd(sh, r->names, r->subcmds[0] ? r->subcmds : NULL) ||
		     (r->names2[0] && any_cmd(sh, r->names2, r->subcmds2))) &&
		    !has_cache_mount(run, r->targets))
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

#define CACHE_RULE(fn, row)                                                                                  \
	static void fn(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)                          \
	{                                                                                                    \
		check_cache(ctx, df, row);                                                                   \
	}
CACHE_RULE(dl3068, 0)
CACHE_RULE(dl3069, 1)
CACHE_RULE(dl3070, 2)
CACHE_RULE(dl3071, 3)
CACHE_RULE(dl3072, 4)
CACHE_RULE(dl3073, 5)
CACHE_RULE(dl3074, 6)
CACHE_RULE(dl3075, 7)
CACHE_RULE(dl3076, 8)
CACHE_RULE(dl3077, 9)

#define W QUAI_LEVEL_WARNING
#define E QUAI_LEVEL_ERROR
#define I QUAI_LEVEL_INFO
#define S QUAI_LEVEL_STYLE

const struct quai_lint_rule quai_lint_rules_dl3b[] = {
    {"DL3034", W, "Non-interactive switch missing from `zypper` command: `zypper install -y`", dl3034},
    {"DL3035", W, "Do not use `zypper dist-upgrade`.", dl3035},
    {"DL3036", W, "`zypper clean` missing after zypper use.", dl3036},
    {"DL3037", W, "Specify version with `zypper install -y <package>=<version>`.", dl3037},
    {"DL3038", W, "Use the -y switch to avoid manual input `dnf install -y <package>`.", dl3038},
    {"DL3039", QUAI_LEVEL_IGNORE, "Do not use dnf update.", dl3039},
    {"DL3040", W, "`dnf clean all` missing after dnf command.", dl3040},
    {"DL3041", W, "Specify version with `dnf install -y <package>-<version>`.", dl3041},
    {"DL3042", W, "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
     dl3042},
    {"DL3043", E, "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
     quai_lint_dl3043},
    {"DL3044", E,
     "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
     quai_lint_dl3044},
    {"DL3045", W, "`COPY` to a relative destination without `WORKDIR` set.", quai_lint_dl3045},
    {"DL3046", W, "`useradd` without flag `-l` and high UID will result in excessively large Image.", dl3046},
    {"DL3047", I,
     "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` "
     "or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
     dl3047},
    {"DL3048", S, "Invalid label key.", quai_lint_dl3048},
    {"DL3049", I, "Label `<label>` is missing.", quai_lint_dl3049},
    {"DL3050", I, "Superfluous label(s) present.", quai_lint_dl3050},
    {"DL3051", W, "Label `<label>` is empty.", quai_lint_dl3051},
    {"DL3052", W, "Label `<label>` is not a valid URL.", quai_lint_dl3052},
    {"DL3053", W, "Label `<label>` is not a valid time format - must be conform to RFC3339.",
     quai_lint_dl3053},
    {"DL3054", W, "Label `<label>` is not a valid SPDX identifier.", quai_lint_dl3054},
    {"DL3055", W, "Label `<label>` is not a valid git hash.", quai_lint_dl3055},
    {"DL3056", W, "Label `<label>` does not conform to semantic versioning.", quai_lint_dl3056},
    {"DL3057", QUAI_LEVEL_IGNORE, "`HEALTHCHECK` instruction missing.", quai_lint_dl3057},
    {"DL3058", W, "Label `<label>` is not a valid email format - must be conform to RFC5322.",
     quai_lint_dl3058},
    {"DL3059", I, "Multiple consecutive `RUN` instructions. Consider consolidation.", dl3059},
    {"DL3060", I, "`yarn cache clean` missing after `yarn install` was run.", dl3060},
    {"DL3061", E, "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
     quai_lint_dl3061},
    {"DL3062", W,
     "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`", dl3062},
    {"DL3063", W, "stage name should not be a reserved word", quai_lint_dl3063},
    {"DL3064", W, "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
     quai_lint_dl3064},
    {"DL3065", W,
     "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default "
     "behavior",
     quai_lint_dl3065},
    {"DL3066", I, "Non-numeric user-id may not be resolvable by host system", quai_lint_dl3066},
    {"DL3067", W, "Do not copy an entire filesystem from another stage", quai_lint_dl3067},
    {"DL3068", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for npm (`--mount=type=cache,target=/root/.npm`) -- without it, the npm cache "
     "is baked into the image layer and bloats the image",
     dl3068},
    {"DL3069", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mounts for cargo (`--mount=type=cache,target=/root/.cargo/registry "
     "--mount=type=cache,target=/root/.cargo/git`) to speed up Rust builds",
     dl3069},
    {"DL3070", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mounts for Go (`--mount=type=cache,target=/root/.cache/go-build "
     "--mount=type=cache,target=/go/pkg/mod`) to speed up Go builds",
     dl3070},
    {"DL3071", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for Maven (`--mount=type=cache,target=/root/.m2`) to speed up dependency "
     "resolution",
     dl3071},
    {"DL3072", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for Gradle (`--mount=type=cache,target=/root/.gradle`) to speed up dependency "
     "resolution",
     dl3072},
    {"DL3073", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for Composer (`--mount=type=cache,target=/root/.composer/cache`) to speed up "
     "PHP dependency installation",
     dl3073},
    {"DL3074", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for NuGet (`--mount=type=cache,target=/root/.nuget/packages`) to speed up "
     ".NET "
     "dependency restoration",
     dl3074},
    {"DL3075", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for pnpm (`--mount=type=cache,target=/root/.local/share/pnpm/store`) to speed "
     "up package installation",
     dl3075},
    {"DL3076", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mounts for Mix (`--mount=type=cache,target=/root/.hex "
     "--mount=type=cache,target=/root/.mix`) to speed up Elixir dependency fetching",
     dl3076},
    {"DL3077", QUAI_LEVEL_IGNORE,
     "Use BuildKit cache mount for gem/bundler (`--mount=type=cache,target=/usr/local/bundle`) to speed up "
     "Ruby gem installation",
     dl3077},
    {NULL, QUAI_LEVEL_IGNORE, NULL, NULL},
};
