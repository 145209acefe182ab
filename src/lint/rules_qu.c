/* quai's own rules, for mistakes hadolint does not catch. Each is documented
 * with an example in docs/lint-rules.md. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/rule.h"

#include "core/banned.h"

/* ---- small helpers ---- */

static bool is_name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static bool is_name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

/* A name seen somewhere, with the line that declares it. */
struct name_entry {
	const char *name;
	size_t len;
	unsigned line;
	int stage;
};

struct name_set {
	struct name_entry *v;
	size_t n, cap;
};

static void names_add(struct name_set *s, const char *name, size_t len, unsigned line, int stage)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = (struct name_entry){name, len, line, stage};
}

static const struct name_entry *names_find(const struct name_set *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].len == len && memcmp(s->v[i].name, name, len) == 0)
			return &s->v[i];
	return NULL;
}

static void names_release(struct name_set *s)
{
	free(s->v);
	*s = (struct name_set){0};
}

typedef void (*var_fn)(void *arg, const char *name, size_t len);

/* Calls fn for each $NAME and ${NAME...} that would be expanded in s: not
 * after the escape character, not inside single quotes when `quotes` (a
 * heredoc body expands inside quotes too). Names nested in ${A:-$B} are
 * found as well. */
static void scan_vars(const char *s, char esc, bool quotes, var_fn fn, void *arg)
{
	bool sq = false, dq = false;
	for (size_t i = 0; s && s[i]; i++) {
		char c = s[i];
		if (c == esc && !sq) {
			if (s[i + 1])
				i++;
			continue;
		}
		if (quotes && c == '\'' && !dq) {
			sq = !sq;
			continue;
		}
		if (quotes && c == '"' && !sq) {
			dq = !dq;
			continue;
		}
		if (c != '$' || sq)
			continue;
		size_t j = i + 1;
		if (s[j] == '{')
			j++;
		if (!is_name_start(s[j]))
			continue;
		size_t k = j;
		while (is_name_char(s[k]))
			k++;
		fn(arg, s + j, k - j);
		i = k - 1;
	}
}

struct find_var {
	const char *name;
	bool found;
};

static void find_var_cb(void *arg, const char *name, size_t len)
{
	struct find_var *f = arg;
	if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
		f->found = true;
}

static bool refers_to(const char *text, char esc, const char *name)
{
	struct find_var f = {name, false};
	scan_vars(text, esc, true, find_var_cb, &f);
	return f.found;
}

/* Position of byte `off` of the script quai_lint_shell() built for a shell
 * form RUN: inside its heredoc body if past args_text, else the instruction. */
static struct quai_df_pos script_pos(const struct quai_df_instr *in, size_t off)
{
	size_t alen = in->args_text ? strlen(in->args_text) : 0;
	if (in->json || in->nheredocs == 0 || !in->heredocs[0].body || off <= alen)
		return in->pos;
	const char *body = in->heredocs[0].body;
	size_t boff = off - alen - 1, blen = strlen(body);
	if (boff > blen)
		return in->pos;
	struct quai_df_pos pos = {in->heredocs[0].body_line, 1};
	for (size_t i = 0; i < boff; i++) {
		if (body[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
	}
	return pos;
}

/* Index of the stage an image reference names, only if it comes before
 * `before`; -1 for an image. */
static int parent_stage(const struct quai_dockerfile *df, int stage)
{
	const char *image = df->stages[stage].image;
	if (!image)
		return -1;
	int p = quai_dockerfile_stage_by_name(df, image);
	return p >= 0 && p < stage ? p : -1;
}

/* ---- QU0001: COPY --from a typo of a stage name ---- */

/* Damerau-Levenshtein distance at most 1, case-insensitively. */
static bool one_edit_apart(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + 1 || lb > la + 1)
		return false;
	if (la == lb) {
		size_t diff = 0, first = 0;
		for (size_t i = 0; i < la; i++) {
			if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) {
				if (diff++ == 0)
					first = i;
			}
		}
		if (diff == 1)
			return true;
		return diff == 2 && first + 1 < la &&
		       tolower((unsigned char)a[first]) == tolower((unsigned char)b[first + 1]) &&
		       tolower((unsigned char)a[first + 1]) == tolower((unsigned char)b[first]);
	}
	const char *s = la < lb ? a : b, *l = la < lb ? b : a;
	size_t i = 0, j = 0;
	bool skipped = false;
	while (s[i] && l[j]) {
		if (tolower((unsigned char)s[i]) == tolower((unsigned char)l[j])) {
			i++;
			j++;
		} else if (skipped) {
			return false;
		} else {
			skipped = true;
			j++;
		}
	}
	return true;
}

/* The stage name `ref` is a typo of, if it names neither a stage nor
 * plausibly an image (a registry path, tag or digest), and is a single edit
 * away from exactly the name of a stage. */
static const char *stage_typo(const struct quai_dockerfile *df, const char *ref)
{
	if (!ref || !*ref || strpbrk(ref, "/:@.$") || strspn(ref, "0123456789") == strlen(ref))
		return NULL;
	if (quai_dockerfile_stage_by_name(df, ref) >= 0)
		return NULL;
	for (size_t s = 0; s < df->nstages; s++)
		if (df->stages[s].name && one_edit_apart(ref, df->stages[s].name))
			return df->stages[s].name;
	return NULL;
}

/* The from= of a RUN --mount value, as a new string, or NULL. */
static char *mount_from(const char *value)
{
	for (const char *p = value; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n > 5 && strncmp(p, "from=", 5) == 0)
			return xstrndup(p + 5, n - 5);
		p += n;
		if (*p == ',')
			p++;
	}
	return NULL;
}

static void check_qu0001(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_COPY && in->kind != QUAI_DF_RUN)
			continue;
		for (size_t f = 0; f < in->nflags; f++) {
			const struct quai_df_flag *fl = &in->flags[f];
			cleanup_free char *ref = NULL;
			if (in->kind == QUAI_DF_COPY && strcmp(fl->name, "from") == 0 && fl->value)
				ref = xstrdup(fl->value);
			else if (in->kind == QUAI_DF_RUN && strcmp(fl->name, "mount") == 0)
				ref = mount_from(fl->value);
			const char *stage = stage_typo(df, ref);
			if (stage)
				quai_lint_report_at(
				    ctx, in, fl->pos,
				    "'%s' is neither a stage of this Dockerfile nor an image reference "
				    "that docker can pull; did you mean '%s'?",
				    ref, stage);
		}
	}
}

/* ---- QU0002: ARG used before it is declared in the stage ---- */

/* BuildKit's automatic platform arguments: global, like an ARG before the
 * first FROM. */
static bool is_platform_arg(const char *name, size_t len)
{
	static const char *const args[] = {
	    "TARGETPLATFORM", "TARGETOS",  "TARGETARCH",   "TARGETVARIANT", "BUILDPLATFORM",
	    "BUILDOS",        "BUILDARCH", "BUILDVARIANT", "TARGETSTAGE",   "BUILDKIT_SBOM_SCAN_STAGE"};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		if (strlen(args[i]) == len && memcmp(args[i], name, len) == 0)
			return true;
	return false;
}

/* Predefined build arguments: usable without an ARG. */
static bool is_predefined_arg(const char *name, size_t len)
{
	static const char *const proxies[] = {"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY",
	                                      "ALL_PROXY"};
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		if (strlen(proxies[i]) == len && strncasecmp(proxies[i], name, len) == 0)
			return true;
	return false;
}

/* Does the shell script assign NAME itself (NAME=..., for NAME in, read NAME)? */
static bool script_sets(const char *text, const char *name, size_t len)
{
	for (const char *p = text; p && *p; p++) {
		if (strncmp(p, name, len) != 0)
			continue;
		bool start = p == text || !(is_name_char(p[-1]) || p[-1] == '$' || p[-1] == '{');
		if (!start)
			continue;
		if (p[len] == '=')
			return true;
		if ((p[len] == ' ' || p[len] == ';' || p[len] == '\n' || !p[len]) && p - text >= 4 &&
		    (strncmp(p - 4, "for ", 4) == 0 || strncmp(p - 4, "ead ", 4) == 0))
			return true;
	}
	return false;
}

struct arg_scan {
	struct quai_lint_ctx *ctx;
	const struct quai_dockerfile *df;
	const struct quai_df_instr *in;
	int stage;
	const struct name_set *declared; /* visible here */
	const struct name_set *all_args; /* every ARG of the file */
	const char *script;              /* RUN text, to skip shell variables */
	struct name_set reported;
};

static void arg_use_cb(void *arg, const char *name, size_t len)
{
	struct arg_scan *a = arg;
	if (names_find(a->declared, name, len) || names_find(&a->reported, name, len) ||
	    is_predefined_arg(name, len))
		return;
	const struct name_entry *later = NULL, *global = NULL, *other = NULL;
	for (size_t i = 0; i < a->all_args->n; i++) {
		const struct name_entry *e = &a->all_args->v[i];
		if (e->len != len || memcmp(e->name, name, len) != 0)
			continue;
		if (e->stage == a->stage && e->line > a->in->pos.line && !later)
			later = e;
		else if (e->stage == -1 && !global)
			global = e;
		else if (e->stage != a->stage && !other)
			other = e;
	}
	bool platform = !later && !global && !other && is_platform_arg(name, len);
	if (!later && !global && !other && !platform)
		return;
	if (a->script && script_sets(a->script, name, len))
		return;
	names_add(&a->reported, name, len, 0, 0);
	int n = (int)len;
	if (platform)
		quai_lint_reportf(
		    a->ctx, a->in,
		    "'%.*s' is an automatic platform ARG, which only FROM lines see; add `ARG %.*s` "
		    "to this stage",
		    n, name, n, name);
	else if (later)
		quai_lint_reportf(
		    a->ctx, a->in,
		    "'%.*s' is used before its ARG on line %u declares it in this stage; move the ARG "
		    "up",
		    n, name, later->line);
	else if (global)
		quai_lint_reportf(
		    a->ctx, a->in,
		    "'%.*s' is declared by an ARG before the first FROM (line %u), which only FROM "
		    "lines see; add `ARG %.*s` to this stage",
		    n, name, global->line, n, name);
	else
		quai_lint_reportf(
		    a->ctx, a->in,
		    "'%.*s' is declared by an ARG of another stage (line %u); ARGs do not cross "
		    "stages, add `ARG %.*s` to this one",
		    n, name, other->line, n, name);
}

static void collect_args(const struct quai_dockerfile *df, struct name_set *out)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_ARG)
			continue;
		for (size_t k = 0; k < in->nkvs; k++)
			if (in->kvs[k].key)
				names_add(out, in->kvs[k].key, strlen(in->kvs[k].key), in->kvs[k].pos.line,
				          in->stage);
	}
}

static void declare_kvs(struct name_set *set, const struct quai_df_instr *in)
{
	for (size_t k = 0; k < in->nkvs; k++)
		if (in->kvs[k].key)
			names_add(set, in->kvs[k].key, strlen(in->kvs[k].key), in->kvs[k].pos.line,
			          in->stage);
}

/* ENV keys a stage inherits from the stages it is built FROM. */
static void inherit_env(const struct quai_dockerfile *df, int stage, struct name_set *out, int depth)
{
	int p = parent_stage(df, stage);
	if (p < 0 || depth > 64)
		return;
	for (size_t i = df->stages[p].from_index + 1; i < df->stages[p].end_index && i < df->ninstrs; i++)
		if (df->instrs[i].kind == QUAI_DF_ENV)
			declare_kvs(out, &df->instrs[i]);
	inherit_env(df, p, out, depth + 1);
}

static void scan_instr_uses(struct arg_scan *a, const struct quai_df_instr *in, char esc)
{
	if (in->kind == QUAI_DF_RUN) {
		if (in->json)
			return;
		a->script = in->args_text;
		scan_vars(in->args_text, '\\', true, arg_use_cb, a);
		for (size_t h = 0; h < in->nheredocs; h++) {
			a->script = in->heredocs[h].body;
			if (in->heredocs[h].expand)
				scan_vars(in->heredocs[h].body, '\\', false, arg_use_cb, a);
		}
		a->script = NULL;
		return;
	}
	if (in->kind != QUAI_DF_ARG && !quai_df_kind_expands(in->kind))
		return;
	for (size_t f = 0; f < in->nflags; f++)
		scan_vars(in->flags[f].value, esc, true, arg_use_cb, a);
	scan_vars(in->args_text, esc, true, arg_use_cb, a);
}

static void check_qu0002(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	struct name_set all_args = {0};
	collect_args(df, &all_args);
	for (size_t s = 0; s < df->nstages; s++) {
		const struct quai_df_stage *st = &df->stages[s];
		struct name_set declared = {0};
		inherit_env(df, (int)s, &declared, 0);
		for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++) {
			const struct quai_df_instr *in = &df->instrs[i];
			struct arg_scan a = {ctx, df, in, (int)s, &declared, &all_args, NULL, {0}};
			scan_instr_uses(&a, in, df->escape ? df->escape : '\\');
			names_release(&a.reported);
			if (in->kind == QUAI_DF_ARG || in->kind == QUAI_DF_ENV)
				declare_kvs(&declared, in);
		}
		names_release(&declared);
	}
	names_release(&all_args);
}

/* ---- QU0003: undefined variable in FROM ---- */

struct from_scan {
	struct quai_lint_ctx *ctx;
	const struct quai_df_instr *in;
	const struct name_set *globals;
	struct name_set reported;
};

static void from_use_cb(void *arg, const char *name, size_t len)
{
	struct from_scan *f = arg;
	if (names_find(f->globals, name, len) || names_find(&f->reported, name, len) ||
	    is_platform_arg(name, len) || is_predefined_arg(name, len))
		return;
	names_add(&f->reported, name, len, 0, 0);
	quai_lint_reportf(
	    f->ctx, f->in,
	    "FROM uses '%.*s', which no ARG before the first FROM declares: it expands to an empty "
	    "string and --build-arg cannot set it",
	    (int)len, name);
}

static void check_qu0003(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	struct name_set globals = {0};
	char esc = df->escape ? df->escape : '\\';
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_ARG && in->stage < 0)
			declare_kvs(&globals, in);
		if (in->kind != QUAI_DF_FROM)
			continue;
		struct from_scan f = {ctx, in, &globals, {0}};
		for (size_t k = 0; k < in->nflags; k++)
			scan_vars(in->flags[k].value, esc, true, from_use_cb, &f);
		scan_vars(in->from_image, esc, true, from_use_cb, &f);
		names_release(&f.reported);
	}
	names_release(&globals);
}

/* ---- QU0004: upgrading every package in RUN ---- */

static bool has_any_arg(const struct quai_sh_cmd *cmd, const char *const *args)
{
	for (; *args; args++)
		if (quai_sh_cmd_has_arg(cmd, *args))
			return true;
	return false;
}

/* True if the non-flag arguments are a subcommand from `subs` and nothing
 * after it, i.e. the whole system rather than named packages. */
static bool whole_system(const struct quai_sh_cmd *cmd, const char *const *subs)
{
	const char **args = xcalloc(cmd->argc + 1, sizeof(*args));
	size_t n = quai_sh_cmd_args_noflags(cmd, args);
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++) {
		for (const char *const *s = subs; *s; s++) {
			if (strcmp(args[i], *s) == 0) {
				hit = i + 1 == n;
				break;
			}
		}
		if (!hit && i == 0)
			break;
	}
	free(args);
	return hit;
}

/* The upgrade command a shell command runs, as text for the message, or NULL. */
static const char *upgrade_of(const struct quai_sh_cmd *cmd)
{
	static const char *const apt_subs[] = {"upgrade", "dist-upgrade", "full-upgrade", NULL};
	static const char *const aptitude_subs[] = {"upgrade", "safe-upgrade", "full-upgrade", "dist-upgrade",
	                                            NULL};
	static const char *const rpm_subs[] = {"update", "upgrade", "distro-sync", "dist-upgrade", NULL};
	/* zypper dist-upgrade is hadolint's DL3035 */
	static const char *const zypper_subs[] = {"update", "up", NULL};
	static const char *const apk_subs[] = {"upgrade", NULL};
	if (cmd->argc == 0)
		return NULL;
	const char *name = quai_sh_cmd_name(cmd);
	if (strcmp(name, "apt-get") == 0 || strcmp(name, "apt") == 0)
		return has_any_arg(cmd, apt_subs) ? name : NULL;
	if (strcmp(name, "aptitude") == 0)
		return has_any_arg(cmd, aptitude_subs) ? name : NULL;
	if (strcmp(name, "apk") == 0)
		return whole_system(cmd, apk_subs) ? name : NULL;
	if (strcmp(name, "yum") == 0 || strcmp(name, "dnf") == 0 || strcmp(name, "microdnf") == 0 ||
	    strcmp(name, "tdnf") == 0)
		return whole_system(cmd, rpm_subs) ? name : NULL;
	if (strcmp(name, "zypper") == 0)
		return whole_system(cmd, zypper_subs) ? name : NULL;
	if (strcmp(name, "pacman") == 0)
		return quai_sh_cmd_has_flag(cmd, "S") && quai_sh_cmd_has_flag(cmd, "u") ? name : NULL;
	return NULL;
}

static void check_qu0004(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		const struct quai_sh_script *sh = quai_lint_shell(ctx, in);
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			const char *tool = upgrade_of(&sh->cmds[c]);
			if (!tool)
				continue;
			struct quai_df_pos pos = script_pos(quai_lint_effective(in), sh->cmds[c].argv[0].off);
			quai_lint_report_at(
			    ctx, in, pos,
			    "%s upgrades every package of the base image: the result depends on the "
			    "day of the build; use a newer base image tag instead",
			    tool);
		}
	}
}

/* ---- QU0005: ADD of a remote URL without --checksum ---- */

static bool is_http_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* A git repository (ADD https://host/repo.git#ref): pinned by its ref. */
static bool is_git_url(const char *s)
{
	const char *git = strstr(s, ".git");
	return git && (git[4] == '\0' || git[4] == '#' || git[4] == '/');
}

static void check_qu0005(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_ADD || quai_df_instr_flag(in, "checksum"))
			continue;
		for (size_t w = 0; w + 1 < in->nwords; w++) {
			const char *src = in->words[w].text;
			if (is_http_url(src) && !is_git_url(src)) {
				quai_lint_reportf(
				    ctx, &df->instrs[i],
				    "ADD downloads '%s' without --checksum: a changed or tampered file "
				    "goes unnoticed; add --checksum=sha256:<digest>",
				    src);
				break;
			}
		}
	}
}

/* ---- QU0006: duplicate ENV or LABEL keys in a stage ---- */

/* True if something between instructions a and b (exclusive) may read the
 * value ENV key set at a: a RUN, or an instruction that expands $key. */
static bool env_used_between(const struct quai_dockerfile *df, size_t a, size_t b, const char *key)
{
	char esc = df->escape ? df->escape : '\\';
	for (size_t i = a + 1; i < b; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_RUN || in->kind == QUAI_DF_ONBUILD)
			return true;
		if ((quai_df_kind_expands(in->kind) || in->kind == QUAI_DF_ARG) &&
		    refers_to(in->args_text, esc, key))
			return true;
		for (size_t f = 0; f < in->nflags; f++)
			if (refers_to(in->flags[f].value, esc, key))
				return true;
	}
	return false;
}

struct key_seen {
	const char *key;
	size_t instr;
	unsigned line;
};

static void check_dup_keys(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                           const struct quai_df_stage *st, enum quai_df_kind kind)
{
	struct key_seen *seen = NULL;
	size_t nseen = 0, cap = 0;
	char esc = df->escape ? df->escape : '\\';
	for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != kind)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			const struct quai_df_kv *kv = &in->kvs[k];
			if (!kv->key)
				continue;
			struct key_seen *prev = NULL;
			for (size_t j = 0; j < nseen; j++)
				if (strcmp(seen[j].key, kv->key) == 0)
					prev = &seen[j];
			bool dead = prev != NULL;
			if (dead && kind == QUAI_DF_ENV)
				dead = !env_used_between(df, prev->instr, i, kv->key) &&
				       !refers_to(kv->value, esc, kv->key);
			if (dead)
				quai_lint_report_at(
				    ctx, in, kv->pos,
				    "%s '%s' is set again here; the value from line %u is never used",
				    kind == QUAI_DF_ENV ? "ENV" : "LABEL", kv->key, prev->line);
			if (prev) {
				prev->instr = i;
				prev->line = kv->pos.line;
			} else {
				seen = xgrow(seen, &cap, nseen + 1, sizeof(*seen));
				seen[nseen++] = (struct key_seen){kv->key, i, kv->pos.line};
			}
		}
	}
	free(seen);
}

static void check_qu0006(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t s = 0; s < df->nstages; s++) {
		check_dup_keys(ctx, df, &df->stages[s], QUAI_DF_ENV);
		check_dup_keys(ctx, df, &df->stages[s], QUAI_DF_LABEL);
	}
}

/* ---- QU0007: EXPOSE of a port the HEALTHCHECK does not use ---- */

#define MAX_PORTS 16

struct ports {
	unsigned lo[MAX_PORTS], hi[MAX_PORTS];
	size_t n;
	bool unknown; /* a variable: cannot tell */
};

static void ports_add(struct ports *p, unsigned lo, unsigned hi)
{
	if (p->n < MAX_PORTS) {
		p->lo[p->n] = lo;
		p->hi[p->n] = hi;
		p->n++;
	}
}

static bool parse_port(const char *s, size_t len, unsigned *out)
{
	if (len == 0 || len > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return v > 0 && v < 65536;
}

static bool is_local_host(const char *h, size_t len)
{
	static const char *const hosts[] = {"", "localhost", "127.0.0.1", "0.0.0.0", "[::1]", "[::]"};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strlen(hosts[i]) == len && strncasecmp(hosts[i], h, len) == 0)
			return true;
	return false;
}

/* Ports a health check command connects to: from URLs (scheme default when
 * no port is given) and from host:port words naming this machine. */
static void healthcheck_ports(const char *text, struct ports *out)
{
	const char *delims = " \t\n\"'=,;|&()";
	for (const char *p = text; *p;) {
		p += strspn(p, delims);
		size_t n = strcspn(p, delims);
		if (n == 0)
			break;
		const char *w = p, *end = p + n;
		p = end;
		const char *scheme = NULL;
		const char *sep = NULL;
		for (const char *q = w; q + 3 <= end; q++)
			if (memcmp(q, "://", 3) == 0) {
				sep = q;
				break;
			}
		const char *host = w;
		if (sep) {
			scheme = w;
			host = sep + 3;
		}
		const char *host_end = host;
		if (*host_end == '[')
			while (host_end < end && *host_end != ']')
				host_end++;
		while (host_end < end && *host_end != ':' && *host_end != '/')
			host_end++;
		if (memchr(w, '$', (size_t)(end - w))) {
			if (sep)
				out->unknown = true;
			continue;
		}
		unsigned port;
		if (host_end < end && *host_end == ':') {
			const char *ps = host_end + 1, *pe = ps;
			while (pe < end && isdigit((unsigned char)*pe))
				pe++;
			if ((sep || is_local_host(host, (size_t)(host_end - host))) &&
			    parse_port(ps, (size_t)(pe - ps), &port))
				ports_add(out, port, port);
		} else if (sep && (size_t)(sep - scheme) == 4 && strncasecmp(scheme, "http", 4) == 0) {
			ports_add(out, 80, 80);
		} else if (sep && (size_t)(sep - scheme) == 5 && strncasecmp(scheme, "https", 5) == 0) {
			ports_add(out, 443, 443);
		}
	}
}

static void expose_ports(const struct quai_df_instr *in, struct ports *out)
{
	for (size_t w = 0; w < in->nwords; w++) {
		const char *t = in->words[w].text;
		if (strchr(t, '$')) {
			out->unknown = true;
			continue;
		}
		size_t n = strcspn(t, "/");
		const char *dash = memchr(t, '-', n);
		unsigned lo, hi;
		if (dash && parse_port(t, (size_t)(dash - t), &lo) &&
		    parse_port(dash + 1, (size_t)(t + n - dash - 1), &hi))
			ports_add(out, lo, hi);
		else if (!dash && parse_port(t, n, &lo))
			ports_add(out, lo, lo);
	}
}

static bool ports_overlap(const struct ports *hc, const struct ports *ex)
{
	for (size_t i = 0; i < hc->n; i++)
		for (size_t j = 0; j < ex->n; j++)
			if (hc->lo[i] >= ex->lo[j] && hc->lo[i] <= ex->hi[j])
				return true;
	return false;
}

static char *healthcheck_text(const struct quai_df_instr *hc)
{
	const struct quai_df_instr *cmd = hc->healthcheck_cmd;
	if (!cmd)
		return NULL;
	if (!cmd->json)
		return xstrdup(cmd->args_text ? cmd->args_text : "");
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; i < cmd->njson_args; i++) {
		quai_buf_puts(&b, cmd->json_args[i]);
		quai_buf_putc(&b, ' ');
	}
	return quai_buf_detach(&b);
}

static void check_stage_ports(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                              const struct quai_df_stage *st)
{
	const struct quai_df_instr *hc = NULL, *first_expose = NULL;
	struct ports exposed = {0};
	for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_HEALTHCHECK)
			hc = in->healthcheck_none ? NULL : in;
		if (in->kind == QUAI_DF_EXPOSE) {
			expose_ports(in, &exposed);
			if (!first_expose)
				first_expose = in;
		}
	}
	if (!hc || !first_expose || exposed.unknown || exposed.n == 0)
		return;
	cleanup_free char *text = healthcheck_text(hc);
	if (!text)
		return;
	struct ports used = {0};
	healthcheck_ports(text, &used);
	if (used.unknown || used.n == 0 || ports_overlap(&used, &exposed))
		return;
	quai_lint_reportf(
	    ctx, first_expose,
	    "EXPOSE %s, but the HEALTHCHECK on line %u checks port %u: one of them is probably stale",
	    first_expose->args_text ? first_expose->args_text : "", hc->pos.line, used.lo[0]);
}

static void check_qu0007(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t s = 0; s < df->nstages; s++)
		check_stage_ports(ctx, df, &df->stages[s]);
}

/* ---- QU0008: the final stage runs as root without an explicit USER ---- */

/* Does the instruction run or install a tool that drops root at start-up,
 * as the entrypoints of official images do (gosu postgres ...)? */
static bool drops_privileges(const struct quai_df_instr *in)
{
	static const char *const tools[] = {"gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst"};
	if (in->kind != QUAI_DF_RUN && in->kind != QUAI_DF_ENTRYPOINT && in->kind != QUAI_DF_CMD)
		return false;
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		if (in->args_text && strstr(in->args_text, tools[t]))
			return true;
		for (size_t h = 0; h < in->nheredocs; h++)
			if (in->heredocs[h].body && strstr(in->heredocs[h].body, tools[t]))
				return true;
	}
	return false;
}

/* Does the stage, or a stage it is built FROM, set USER or drop root? */
static bool stage_has_user(const struct quai_dockerfile *df, int stage)
{
	for (int depth = 0; stage >= 0 && depth < 64; depth++) {
		const struct quai_df_stage *st = &df->stages[stage];
		for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++)
			if (df->instrs[i].kind == QUAI_DF_USER || drops_privileges(&df->instrs[i]))
				return true;
		stage = parent_stage(df, stage);
	}
	return false;
}

static void check_qu0008(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	if (!quai_lint_ctx_config(ctx)->require_user || df->nstages == 0)
		return;
	int last = (int)df->nstages - 1;
	const char *image = df->stages[last].image;
	if (image && (strstr(image, "nonroot") || strstr(image, "rootless")))
		return;
	if (stage_has_user(df, last))
		return;
	size_t from = df->stages[last].from_index;
	if (from < df->ninstrs)
		quai_lint_report(ctx, &df->instrs[from]);
}

/* ---- QU0009: heredoc delimiter reused within one instruction ---- */

/* Line offset (0-based) in body of a shell heredoc opened with `delim`, or
 * -1. A `<<-` one inside a heredoc that keeps tabs is fine: its terminator
 * can be indented, which does not end the outer heredoc. */
static long nested_heredoc(const char *body, const char *delim, bool outer_strips)
{
	size_t dlen = strlen(delim);
	long line = 0;
	for (const char *p = body; *p; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (p[0] != '<' || p[1] != '<' || p[2] == '<' || (p > body && p[-1] == '<'))
			continue;
		const char *q = p + 2;
		if (*q == '-' && !outer_strips)
			continue;
		if (*q == '-')
			q++;
		while (*q == ' ' || *q == '\t')
			q++;
		char quote = (*q == '\'' || *q == '"') ? *q : 0;
		if (quote || *q == '\\')
			q++;
		if (strncmp(q, delim, dlen) == 0 && !is_name_char(q[dlen]) && (!quote || q[dlen] == quote))
			return line;
	}
	return -1;
}

static void check_qu0009(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i];
		const struct quai_df_instr *in = quai_lint_effective(top);
		for (size_t h = 0; h < in->nheredocs; h++) {
			const struct quai_df_heredoc *hd = &in->heredocs[h];
			if (!hd->delim)
				continue;
			for (size_t g = 0; g < h; g++) {
				if (in->heredocs[g].delim && strcmp(in->heredocs[g].delim, hd->delim) == 0) {
					quai_lint_report_at(
					    ctx, top, hd->pos,
					    "heredoc delimiter '%s' is used twice in this instruction; "
					    "give each heredoc its own",
					    hd->delim);
					break;
				}
			}
			long line = hd->body ? nested_heredoc(hd->body, hd->delim, hd->strip_tabs) : -1;
			if (line >= 0)
				quai_lint_report_at(
				    ctx, top, (struct quai_df_pos){hd->body_line + (unsigned)line, 1},
				    "the heredoc body opens another heredoc with the same delimiter '%s': "
				    "the Dockerfile heredoc ends at its first '%s' line; use another "
				    "delimiter for one of them",
				    hd->delim, hd->delim);
		}
	}
}

/* ---- QU0010: secrets passed as build arguments or environment ---- */

static bool seg_is(const char *seg, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(seg, word, len) == 0;
}

/* Is NAME (split at '_', '-', '.') the name of a secret? GITHUB_TOKEN,
 * DB_PASSWORD, API_KEY yes; TOKENIZERS_PARALLELISM, PASSWORD_FILE no. */
static bool secret_name(const char *name)
{
	static const char *const words[] = {"PASSWORD",    "PASSWD",     "PASS",   "PASSPHRASE",
	                                    "TOKEN",       "SECRET",     "APIKEY", "CREDENTIAL",
	                                    "CREDENTIALS", "PRIVATEKEY", NULL};
	static const char *const pairs[][2] = {{"API", "KEY"}, {"PRIVATE", "KEY"}, {"ACCESS", "KEY"}};
	static const char *const harmless_last[] = {
	    "FILE", "PATH",    "DIR",    "URL",    "URI",      "NAME",     "HOST",
	    "PORT", "TYPE",    "ID",     "USER",   "USERNAME", "ENDPOINT", "LENGTH",
	    "SIZE", "ENABLED", "HEADER", "FORMAT", "REF",      "ARN",      NULL};
	const char *segs[32];
	size_t lens[32], n = 0;
	for (const char *p = name; *p && n < 32;) {
		size_t len = strcspn(p, "_-.");
		if (len) {
			segs[n] = p;
			lens[n++] = len;
		}
		p += len;
		if (*p)
			p++;
	}
	if (n == 0)
		return false;
	for (const char *const *h = harmless_last; *h; h++)
		if (seg_is(segs[n - 1], lens[n - 1], *h))
			return false;
	for (size_t i = 0; i < n; i++) {
		for (const char *const *w = words; *w; w++)
			if (seg_is(segs[i], lens[i], *w))
				return true;
		for (size_t p = 0; i + 1 < n && p < sizeof(pairs) / sizeof(pairs[0]); p++)
			if (seg_is(segs[i], lens[i], pairs[p][0]) &&
			    seg_is(segs[i + 1], lens[i + 1], pairs[p][1]))
				return true;
	}
	return false;
}

static void check_qu0010(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_ARG && in->kind != QUAI_DF_ENV)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			const struct quai_df_kv *kv = &in->kvs[k];
			if (!kv->key || !secret_name(kv->key))
				continue;
			if (in->kind == QUAI_DF_ENV && (!kv->value || !*kv->value))
				continue;
			cleanup_free char *id = xstrdup(kv->key);
			for (char *c = id; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			quai_lint_report_at(
			    ctx, in, kv->pos,
			    "%s '%s' looks like a secret: %s; use RUN --mount=type=secret,id=%s "
			    "instead",
			    in->kind == QUAI_DF_ARG ? "ARG" : "ENV", kv->key,
			    in->kind == QUAI_DF_ARG ? "build arguments are kept in the image history"
			                            : "ENV values are stored in the image",
			    id);
		}
	}
}

const struct quai_lint_rule quai_lint_rules_qu[] = {
    {"QU0001", QUAI_LEVEL_ERROR, "COPY --from names no stage but is one edit away from one", check_qu0001},
    {"QU0002", QUAI_LEVEL_WARNING, "Variable used before its ARG is declared in the stage", check_qu0002},
    {"QU0003", QUAI_LEVEL_WARNING, "FROM uses a variable that no global ARG declares", check_qu0003},
    {"QU0004", QUAI_LEVEL_WARNING,
     "Do not upgrade all packages in RUN (apt-get upgrade, apk upgrade, yum update)", check_qu0004},
    {"QU0005", QUAI_LEVEL_WARNING, "ADD of a remote URL without --checksum", check_qu0005},
    {"QU0006", QUAI_LEVEL_WARNING, "ENV or LABEL key set twice in a stage; the first value is never used",
     check_qu0006},
    {"QU0007", QUAI_LEVEL_INFO, "EXPOSE lists no port that the HEALTHCHECK checks", check_qu0007},
    {"QU0008", QUAI_LEVEL_INFO, "The final stage runs as root: no USER instruction", check_qu0008},
    {"QU0009", QUAI_LEVEL_WARNING, "Heredoc delimiter reused within one instruction", check_qu0009},
    {"QU0010", QUAI_LEVEL_WARNING, "Secret passed as ARG or ENV; use RUN --mount=type=secret", check_qu0010},
    {NULL, QUAI_LEVEL_IGNORE, NULL, NULL},
};
