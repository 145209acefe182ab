/* The RUN rules of DL3000-DL3033: what the shell commands of a RUN (or
 * ONBUILD RUN) do. Three shapes cover most of them, each with one helper:
 * a command that should not be run or lacks a switch (cmd_rule), packages
 * installed without a pinned version (pin_rule), and clean-up missing after
 * an install (DL3009, DL3032). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "lint/rule.h"
#include "lint/rules_dl3a.h"

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* apt-get's flags for a dry run, which installs nothing. */
#define APT_SIMULATE "s", "simulate", "dry-run", "just-print", "no-act", "recon"

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (quai_lint_streq(s, *list))
			return true;
	return false;
}

static bool name_in(const struct quai_sh_cmd *cmd, const char *const *names)
{
	return cmd->argc > 0 && in_list(quai_sh_cmd_name(cmd), names);
}

static bool any_arg(const struct quai_sh_cmd *cmd, const char *const *args)
{
	for (; args && *args; args++)
		if (quai_sh_cmd_has_arg(cmd, *args))
			return true;
	return false;
}

static bool any_flag(const struct quai_sh_cmd *cmd, const char *const *flags)
{
	for (; flags && *flags; flags++)
		if (quai_sh_cmd_has_flag(cmd, *flags))
			return true;
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && quai_lint_streq(s + a - b, suffix);
}

const char *quai_lint_dl3a_mount_opt(const char *spec, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, ",");
		if (n > klen && p[klen] == '=' && strncmp(p, key, klen) == 0) {
			*len = n - klen - 1;
			return p + klen + 1;
		}
		p += n + (p[n] == ',');
	}
	return NULL;
}

/* A cache or tmpfs mount (`RUN --mount=type=cache,target=DIR`) whose target
 * starts with `dir`: what it holds is not left in the image. */
static bool has_cache_mount(const struct quai_df_instr *run, const char *dir)
{
	size_t dlen = strlen(dir);
	for (size_t f = 0; f < run->nflags; f++) {
		const char *spec = run->flags[f].value;
		if (!quai_lint_streq(run->flags[f].name, "mount") || !spec)
			continue;
		size_t tlen = 0, len = 0;
		const char *type = quai_lint_dl3a_mount_opt(spec, "type", &tlen);
		const char *target = quai_lint_dl3a_mount_opt(spec, "target", &len);
		if (!target)
			target = quai_lint_dl3a_mount_opt(spec, "dst", &len);
		if (!target)
			target = quai_lint_dl3a_mount_opt(spec, "destination", &len);
		bool cache =
		    type && tlen == 5 && (strncmp(type, "cache", 5) == 0 || strncmp(type, "tmpfs", 5) == 0);
		if (cache && target && len >= dlen && strncmp(target, dir, dlen) == 0)
			return true;
	}
	return false;
}

typedef bool (*cmd_test)(const struct quai_sh_cmd *cmd, const void *arg);

/* Which commands a test can hold for: those named one of `names`, or
 * whose names start with one of `prefixes` (either may be NULL: any). */
struct cmd_names {
	const char *const *names;
	const char *const *prefixes;
};

static bool may_run(const struct quai_sh_script *sh, struct cmd_names which)
{
	if (which.names && !quai_sh_script_may_run(sh, which.names))
		return false;
	return !which.prefixes || quai_sh_script_may_run_prefix(sh, which.prefixes);
}

/* Reports each RUN, ONBUILD RUN included, that runs a command for which
 * `fires` holds, unless it has a cache mount on `cache_dir` (may be NULL).
 * `fires` only holds for the commands `which` names. */
static void report_runs(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df, cmd_test fires,
                        const void *arg, const char *cache_dir, struct cmd_names which)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		if (sh && !may_run(sh, which))
			continue;
		if (sh && cache_dir && has_cache_mount(quai_lint_effective(&df->instrs[i]), cache_dir))
			continue;
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			if (sh->cmds[c].argc > 0 && fires(&sh->cmds[c], arg)) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

static bool script_has(const struct quai_sh_script *sh, cmd_test test, const void *arg)
{
	for (size_t c = 0; sh && c < sh->ncmds; c++)
		if (sh->cmds[c].argc > 0 && test(&sh->cmds[c], arg))
			return true;
	return false;
}

/* ---- Shape 1: a command to avoid, or one that lacks a switch ---- */

struct cmd_rule {
	const char *const *names;                     /* command names */
	const char *const *subcmds;                   /* one of these arguments; NULL: any use */
	const char *const *ok_flags;                  /* a flag that makes the command fine */
	const char *const *ok_args;                   /* an argument that makes it fine */
	const char *cache_dir;                        /* a cache mount there makes it fine */
	bool (*ok_fn)(const struct quai_sh_cmd *cmd); /* another way to be fine */
};

static bool cmd_rule_fires(const struct quai_sh_cmd *cmd, const void *arg)
{
	const struct cmd_rule *r = arg;
	return name_in(cmd, r->names) && (!r->subcmds || any_arg(cmd, r->subcmds)) &&
	       !any_flag(cmd, r->ok_flags) && !any_arg(cmd, r->ok_args) && !(r->ok_fn && r->ok_fn(cmd));
}

/* apt-get's quiet level 2 (-qq, -q -q, -q=2, --quiet --quiet) implies -y. */
static bool apt_quiet_twice(const struct quai_sh_cmd *cmd)
{
	int level = 0;
	for (size_t a = 1; a < cmd->argc; a++) {
		const char *w = cmd->argv[a].text;
		if (quai_lint_streq(w, "--"))
			break;
		if (starts_with(w, "-q=") || starts_with(w, "--quiet="))
			level = atoi(strchr(w, '=') + 1);
		else if (quai_lint_streq(w, "--quiet"))
			level++;
		else if (w[0] == '-' && w[1] != '-')
			for (const char *c = w + 1; *c; c++)
				level += *c == 'q';
	}
	return level >= 2;
}

enum {
	R_dl3001,
	R_dl3003,
	R_dl3004,
	R_dl3005,
	R_dl3014,
	R_dl3015,
	R_dl3017,
	R_dl3019,
	R_dl3027,
	R_dl3030,
	R_dl3031
};

static const struct cmd_rule cmd_rules[] = {
    [R_dl3001] = {.names = LIST("free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim")},
    [R_dl3003] = {.names = LIST("cd")},
    [R_dl3004] = {.names = LIST("sudo")},
    [R_dl3005] = {.names = LIST("apt-get"), .subcmds = LIST("upgrade", "dist-upgrade")},
    [R_dl3014] = {.names = LIST("apt-get"),
                  .subcmds = LIST("install"),
                  .ok_flags = LIST("y", "yes", "assume-yes", APT_SIMULATE),
                  .ok_fn = apt_quiet_twice},
    [R_dl3015] = {.names = LIST("apt-get"),
                  .subcmds = LIST("install"),
                  .ok_flags = LIST("no-install-recommends", APT_SIMULATE),
                  .ok_args = LIST("APT::Install-Recommends=false")},
    [R_dl3017] = {.names = LIST("apk"), .subcmds = LIST("upgrade")},
    [R_dl3019] = {.names = LIST("apk"),
                  .subcmds = LIST("add"),
                  .ok_flags = LIST("no-cache"),
                  .cache_dir = "/var/cache/apk"},
    [R_dl3027] = {.names = LIST("apt")},
    [R_dl3030] = {.names = LIST("yum"),
                  .subcmds = LIST("install", "groupinstall", "localinstall"),
                  .ok_flags = LIST("y", "assumeyes")},
    [R_dl3031] = {.names = LIST("yum"), .subcmds = LIST("update", "update-to", "upgrade", "upgrade-to")},
};

#define CMD_RULE(code)                                                                                       \
	void quai_lint_##code(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)                   \
	{                                                                                                    \
		report_runs(ctx, df, cmd_rule_fires, &cmd_rules[R_##code], cmd_rules[R_##code].cache_dir,    \
		            (struct cmd_names){cmd_rules[R_##code].names, NULL});                            \
	}
CMD_RULE(dl3001)
CMD_RULE(dl3003)
CMD_RULE(dl3004)
CMD_RULE(dl3005)
CMD_RULE(dl3014)
CMD_RULE(dl3015)
CMD_RULE(dl3017)
CMD_RULE(dl3019)
CMD_RULE(dl3027)
CMD_RULE(dl3030)
CMD_RULE(dl3031)

/* ---- Shape 2: packages installed without a pinned version ---- */

struct pin_rule {
	bool (*installs)(const struct quai_sh_cmd *cmd);
	const char *const *valued; /* flags whose value is the next word */
	const char *const *skip;   /* subcommand words before the packages */
	bool (*pinned)(const struct quai_sh_cmd *cmd, const char *pkg);
};

/* Does flag word `w` take the next word as its value? */
static bool takes_value(const char *w, const char *const *valued)
{
	if (strchr(w, '='))
		return false;
	for (; valued && *valued; valued++) {
		if (w[1] == '-' && quai_lint_streq(w + 2, *valued))
			return true;
		if (w[1] != '-' && (*valued)[1] == '\0' && w[strlen(w) - 1] == (*valued)[0])
			return true;
	}
	return false;
}

/* Does the command install a package without pinning its version? */
static bool pin_fires(const struct quai_sh_cmd *cmd, const void *arg)
{
	const struct pin_rule *r = arg;
	if (!r->installs(cmd))
		return false;
	bool started = false, in_pkgs = false;
	for (size_t a = 1; a < cmd->argc; a++) {
		const char *w = cmd->argv[a].text;
		if (quai_lint_streq(w, "--"))
			break; /* the rest is for something else (gem: the build) */
		if (w[0] == '-' && w[1]) {
			if (takes_value(w, r->valued))
				a++;
			continue;
		}
		/* Packages are the words after the subcommand and its repeats. */
		if (!in_pkgs && in_list(w, r->skip)) {
			started = true;
			continue;
		}
		if (!started)
			continue;
		in_pkgs = true;
		if (!r->pinned(cmd, w))
			return true;
	}
	return false;
}

static bool cmd_is_with(const struct quai_sh_cmd *cmd, const char *name, const char *arg)
{
	return quai_sh_cmd_is(cmd, name) && quai_sh_cmd_has_arg(cmd, arg);
}

static bool apt_installs(const struct quai_sh_cmd *cmd)
{
	return cmd_is_with(cmd, "apt-get", "install") && !any_flag(cmd, LIST(APT_SIMULATE));
}

static bool apt_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	(void)cmd;
	return strchr(pkg, '=') || strchr(pkg, '/') || ends_with(pkg, ".deb");
}

static bool apk_installs(const struct quai_sh_cmd *cmd)
{
	return cmd_is_with(cmd, "apk", "add");
}

static bool apk_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	(void)cmd;
	return strchr(pkg, '=') || strchr(pkg, '~') || ends_with(pkg, ".apk");
}

static bool gem_installs(const struct quai_sh_cmd *cmd)
{
	if (!quai_sh_cmd_is(cmd, "gem") ||
	    !(quai_sh_cmd_has_arg(cmd, "install") || quai_sh_cmd_has_arg(cmd, "i")))
		return false;
	for (size_t a = 1; a < cmd->argc; a++) {
		const char *w = cmd->argv[a].text;
		if (quai_lint_streq(w, "-v") || quai_lint_streq(w, "--version") || starts_with(w, "--version="))
			return false;
	}
	return true;
}

static bool gem_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	(void)cmd;
	return strchr(pkg, ':') != NULL;
}

static bool yum_installs(const struct quai_sh_cmd *cmd)
{
	return cmd_is_with(cmd, "yum", "install");
}

static bool version_char(char c)
{
	return isalnum((unsigned char)c) || strchr(".~^_:+", c);
}

/* "name-1.2.3" or "name-1.2-3.el8": some part after the first dash starts
 * with a digit and all parts are made of version characters. */
static bool yum_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	if (quai_sh_cmd_has_arg(cmd, "module"))
		return strchr(pkg, ':') != NULL;
	const char *dash = strchr(pkg, '-');
	if (!dash)
		return false;
	if (ends_with(pkg, ".rpm"))
		return true;
	bool digit = false;
	for (const char *p = dash + 1;; p++) {
		if (p[-1] == '-' && *p == '$')
			return true; /* a version in a variable: git-core-${version} */
		if (p[-1] == '-' && isdigit((unsigned char)*p))
			digit = true;
		if (!*p)
			break;
		if (*p != '-' && !version_char(*p))
			return false;
	}
	return digit;
}

/* "pip", "pip3", "pip3.11", or "python3 -m pip install". */
static bool pip_name(const char *name, const char *base)
{
	if (!starts_with(name, base))
		return false;
	for (const char *p = name + strlen(base); *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

static bool pip_installs(const struct quai_sh_cmd *cmd)
{
	const char *name = quai_sh_cmd_name(cmd);
	bool pip = pip_name(name, "pip") && quai_sh_cmd_has_arg(cmd, "install");
	for (size_t a = 1; !pip && pip_name(name, "python") && a + 2 < cmd->argc; a++)
		pip = quai_lint_streq(cmd->argv[a].text, "-m") && quai_lint_streq(cmd->argv[a + 1].text, "pip") &&
		      quai_lint_streq(cmd->argv[a + 2].text, "install");
	if (!pip)
		return false;
	/* Requirements files, the local project and constraints pin elsewhere. */
	return !any_arg(cmd, LIST("-r", "--requirement", ".")) && !quai_sh_cmd_has_flag(cmd, "requirement") &&
	       !any_flag(cmd, LIST("c", "constraint"));
}

static bool pip_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	(void)cmd;
	static const char *const ops[] = {"==", ">=", "<=", ">", "<", "!=", "~=", "==="};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strstr(pkg, ops[i]))
			return true;
	if (ends_with(pkg, ".whl") || ends_with(pkg, ".tar.gz"))
		return true;
	bool vcs = starts_with(pkg, "git") || starts_with(pkg, "hg+") || starts_with(pkg, "svn") ||
	           starts_with(pkg, "bzr+");
	return vcs ? strchr(pkg, '@') != NULL : strchr(pkg, '/') != NULL;
}

static bool npm_installs(const struct quai_sh_cmd *cmd)
{
	if (!quai_sh_cmd_is(cmd, "npm"))
		return false;
	for (size_t a = 1; a < cmd->argc; a++)
		if (cmd->argv[a].text[0] != '-')
			return quai_lint_streq(cmd->argv[a].text, "install");
	return false;
}

static bool npm_pinned(const struct quai_sh_cmd *cmd, const char *pkg)
{
	(void)cmd;
	if (starts_with(pkg, "git://") || starts_with(pkg, "git+ssh://") || starts_with(pkg, "git+http://") ||
	    starts_with(pkg, "git+https://"))
		return strchr(pkg, '#') != NULL;
	if (ends_with(pkg, ".tar") || ends_with(pkg, ".tar.gz") || ends_with(pkg, ".tgz"))
		return true;
	if (starts_with(pkg, "/") || starts_with(pkg, "./") || starts_with(pkg, "../") ||
	    starts_with(pkg, "~/"))
		return true;
	if (pkg[0] == '@') {
		const char *slash = strchr(pkg, '/');
		pkg = slash ? slash : pkg + 1;
	}
	return strchr(pkg, '@') != NULL;
}

static const struct pin_rule pin_apt = {apt_installs, LIST("t", "target-release"), LIST("install"),
                                        apt_pinned};
static const struct pin_rule pin_apk = {apk_installs, LIST("t", "virtual", "repository", "X"), LIST("add"),
                                        apk_pinned};
static const struct pin_rule pin_gem = {
    gem_installs, LIST("i", "install-dir", "n", "bindir", "s", "source", "platform", "use-system-libraries"),
    LIST("install", "i"), gem_pinned};
static const struct pin_rule pin_yum = {yum_installs, NULL, LIST("install", "module"), yum_pinned};
static const struct pin_rule pin_npm = {npm_installs, LIST("loglevel", "registry", "prefix"), LIST("install"),
                                        npm_pinned};
static const struct pin_rule pin_pip = {
    pip_installs,
    LIST("abi", "b", "build", "e", "editable", "extra-index-url", "f", "find-links", "i", "index-url",
         "implementation", "no-binary", "only-binary", "platform", "prefix", "progress-bar", "proxy",
         "python-version", "root", "src", "t", "target", "trusted-host", "upgrade-strategy"),
    LIST("install"),
    pip_pinned,
};

/* `names`, `prefixes`: the commands `installs` is about (NULL: any). */
#define PIN_RULE(code, rule, names, prefixes)                                                                \
	void quai_lint_##code(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)                   \
	{                                                                                                    \
		report_runs(ctx, df, pin_fires, &(rule), NULL, (struct cmd_names){(names), (prefixes)});     \
	}
PIN_RULE(dl3008, pin_apt, LIST("apt-get"), NULL)
PIN_RULE(dl3013, pin_pip, NULL, LIST("pip", "python"))
PIN_RULE(dl3016, pin_npm, LIST("npm"), NULL)
PIN_RULE(dl3018, pin_apk, LIST("apk"), NULL)
PIN_RULE(dl3028, pin_gem, LIST("gem"), NULL)
PIN_RULE(dl3033, pin_yum, LIST("yum"), NULL)

/* ---- Shape 3: clean-up missing after an install ---- */

static bool cmd_with_args(const struct quai_sh_cmd *cmd, const void *arg)
{
	const char *const *spec = arg; /* name, then arguments that must all be there */
	if (!quai_sh_cmd_is(cmd, spec[0]))
		return false;
	for (spec++; *spec; spec++)
		if (!quai_sh_cmd_has_arg(cmd, *spec))
			return false;
	return true;
}

/* hadolint accepts any `rm -rf` as clean-up; quai also accepts an rm of
 * the lists directory written another way. */
static bool removes_apt_lists(const struct quai_sh_cmd *cmd, const void *arg)
{
	(void)arg;
	if (!quai_sh_cmd_is(cmd, "rm"))
		return false;
	for (size_t a = 1; a < cmd->argc; a++)
		if (quai_lint_streq(cmd->argv[a].text, "-rf") ||
		    starts_with(cmd->argv[a].text, "/var/lib/apt/lists"))
			return true;
	return false;
}

/* The lists left behind only matter in the final image: a RUN in the last
 * stage, or in a stage that a later FROM builds on. */
static bool stage_reaches_image(const struct quai_dockerfile *df, int stage)
{
	if (stage < 0 || (size_t)stage + 1 >= df->nstages)
		return true;
	const char *alias = df->stages[stage].name;
	for (size_t s = 0; alias && s < df->nstages; s++)
		if (df->stages[s].image && strcasecmp(df->stages[s].image, alias) == 0)
			return true;
	return false;
}

void quai_lint_dl3009(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		const struct quai_df_instr *run = quai_lint_effective(&df->instrs[i]);
		if (!sh || !script_has(sh, cmd_with_args, LIST("apt-get", "update")) ||
		    script_has(sh, removes_apt_lists, NULL))
			continue;
		if (has_cache_mount(run, "/var/lib/apt/lists") ||
		    (has_cache_mount(run, "/var/lib/apt") && has_cache_mount(run, "/var/cache/apt")))
			continue;
		if (script_has(sh, cmd_with_args, LIST("apt-get", "dist-clean")))
			continue; /* apt 2.7+: removes the lists too */
		if (stage_reaches_image(df, df->instrs[i].stage))
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

static bool removes_yum_cache(const struct quai_sh_cmd *cmd, const void *arg)
{
	(void)arg;
	if (!quai_sh_cmd_is(cmd, "rm"))
		return false;
	for (size_t a = 1; a < cmd->argc; a++)
		if (starts_with(cmd->argv[a].text, "/var/cache/yum"))
			return true;
	return false;
}

/* `yum clean all` (or an rm of its cache) must come after the last install. */
static bool yum_cache_left(const struct quai_sh_script *sh)
{
	if (!quai_sh_script_may_run(sh, LIST("yum")))
		return false; /* no install to clean up after */
	bool left = false;
	for (size_t c = 0; c < sh->ncmds; c++) {
		const struct quai_sh_cmd *cmd = &sh->cmds[c];
		if (cmd->argc == 0)
			continue;
		if (cmd_with_args(cmd, LIST("yum", "install")))
			left = true;
		else if (cmd_with_args(cmd, LIST("yum", "clean", "all")) || removes_yum_cache(cmd, NULL))
			left = false;
	}
	return left;
}

void quai_lint_dl3032(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_sh_script *sh = quai_lint_shell(ctx, &df->instrs[i]);
		if (sh && yum_cache_left(sh) &&
		    !has_cache_mount(quai_lint_effective(&df->instrs[i]), "/var/cache/yum"))
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

/* ---- DL3010: an archive COPYed in, then extracted by a RUN ---- */

struct copied_archive {
	const struct quai_df_instr *copy; /* where to report */
	const char *base;                 /* file name the archive has in the image */
	bool reported;
};

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

static bool is_extract(const struct quai_sh_cmd *cmd)
{
	if (name_in(cmd, LIST("unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat",
	                      "gzcat")))
		return true;
	if (!quai_sh_cmd_is(cmd, "tar"))
		return false;
	for (size_t a = 1; a < cmd->argc; a++) {
		const char *w = cmd->argv[a].text;
		if (quai_lint_streq(w, "--extract") || quai_lint_streq(w, "--get") || (w[0] == '-' && strchr(w, 'x')))
			return true;
	}
	return false;
}

static void add_archive(struct copied_archive **list, size_t *n, size_t *cap, const struct quai_df_instr *top,
                        const char *path)
{
	*list = xgrow(*list, cap, *n + 1, sizeof(**list));
	(*list)[(*n)++] = (struct copied_archive){top, base_name(path), false};
}

/* The archives a COPY puts into the image, by their file name there. */
static void remember_archives(const struct quai_df_instr *top, const struct quai_df_instr *copy,
                              struct copied_archive **list, size_t *n, size_t *cap)
{
	const char *dest = copy->words[copy->nwords - 1].text;
	if (quai_lint_dl3a_is_archive(dest)) {
		add_archive(list, n, cap, top, dest);
		return;
	}
	for (size_t w = 0; w + 1 < copy->nwords; w++)
		if (quai_lint_dl3a_is_archive(copy->words[w].text))
			add_archive(list, n, cap, top, copy->words[w].text);
}

void quai_lint_dl3010(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	struct copied_archive *list = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i];
		const struct quai_df_instr *in = quai_lint_effective(top);
		if (top->kind == QUAI_DF_FROM) {
			n = 0;
		} else if (in->kind == QUAI_DF_COPY && in->nwords >= 2 && !quai_df_instr_flag(in, "from")) {
			remember_archives(top, in, &list, &n, &cap);
		} else if (in->kind == QUAI_DF_RUN && n) {
			const struct quai_sh_script *sh = quai_lint_shell(ctx, top);
			for (size_t c = 0; sh && c < sh->ncmds; c++) {
				const struct quai_sh_cmd *cmd = &sh->cmds[c];
				if (cmd->argc == 0 || !is_extract(cmd))
					continue;
				for (size_t a = 1; a < cmd->argc; a++) {
					const char *base = base_name(cmd->argv[a].text);
					for (size_t k = 0; k < n; k++) {
						if (list[k].reported || !quai_lint_streq(list[k].base, base))
							continue;
						for (size_t m = 0; m < n; m++)
							list[m].reported |= list[m].copy == list[k].copy;
						quai_lint_report(ctx, list[k].copy);
					}
				}
			}
		}
	}
	free(list);
}
