/* quai's rules about variables and keys: where an ARG is in scope (QU0002,
 * QU0003) and ENV or LABEL keys that override each other (QU0006). */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "lint/rule.h"
#include "lint/rules_qu.h"

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

/* A name seen somewhere, with the line that declares it. Entries with the
 * same name are chained in the order they were added. */
struct name_entry {
	const char *name;
	size_t len;
	unsigned line;
	int stage;
	size_t next;  /* index + 1 of the next entry with this name, 0 at the end */
	size_t tail;  /* first entry of a chain: index + 1 of its last */
	size_t instr; /* for QU0006: the instruction that sets it */
};

/* Names in order, with a hash index (open addressing) of the first entry of
 * each name, so that files with thousands of ARGs stay linear. */
struct name_set {
	struct name_entry *v;
	size_t n, cap;
	size_t *slots; /* index + 1 of a chain's first entry, 0 when free */
	size_t nslots; /* a power of two, at least twice n */
};

static size_t name_hash(const char *name, size_t len)
{
	size_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* The slot of `name`: its chain's, or the free one where it would go. */
static size_t *name_slot(const struct name_set *s, const char *name, size_t len)
{
	size_t mask = s->nslots - 1;
	for (size_t h = name_hash(name, len) & mask;; h = (h + 1) & mask) {
		size_t *slot = &s->slots[h];
		if (!*slot)
			return slot;
		const struct name_entry *e = &s->v[*slot - 1];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return slot;
	}
}

static void name_link(struct name_set *s, size_t idx)
{
	struct name_entry *e = &s->v[idx];
	size_t *slot = name_slot(s, e->name, e->len);
	e->next = 0;
	e->tail = idx + 1;
	if (!*slot) {
		*slot = idx + 1;
		return;
	}
	struct name_entry *head = &s->v[*slot - 1];
	s->v[head->tail - 1].next = idx + 1;
	head->tail = idx + 1;
}

static void names_add(struct name_set *s, const char *name, size_t len, unsigned line, int stage)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = (struct name_entry){name, len, line, stage, 0, 0, 0};
	if (s->n * 2 > s->nslots) {
		free(s->slots);
		s->nslots = s->nslots ? s->nslots * 2 : 16;
		s->slots = xcalloc(s->nslots, sizeof(*s->slots));
		for (size_t i = 0; i < s->n; i++)
			name_link(s, i);
		return;
	}
	name_link(s, s->n - 1);
}

/* The first entry named `name`, or NULL; follow ->next for the others. */
static const struct name_entry *names_find(const struct name_set *s, const char *name, size_t len)
{
	if (!s->nslots)
		return NULL;
	size_t slot = *name_slot(s, name, len);
	return slot ? &s->v[slot - 1] : NULL;
}

static const struct name_entry *names_next(const struct name_set *s, const struct name_entry *e)
{
	return e->next ? &s->v[e->next - 1] : NULL;
}

static void names_release(struct name_set *s)
{
	free(s->v);
	free(s->slots);
	*s = (struct name_set){0};
}

typedef void (*var_fn)(void *arg, const char *name, size_t len);

/* Calls fn for each $NAME and ${NAME...} that would be expanded in s: not
 * after the escape character, not inside single quotes when `quotes` (a
 * heredoc body expands inside quotes too). Names nested in ${A:-$B} are
 * found as well. */
static void scan_vars(const char *s, char esc, bool quotes, var_fn fn, void *arg)
{
	if (!s || !strchr(s, '$'))
		return; /* nothing to find: most arguments have no variable */
	bool sq = false, dq = false;
	/* Only these characters change anything; jump from one to the next. */
	const char stops[] = {esc, '$', quotes ? '\'' : '\0', quotes ? '"' : '\0', '\0'};
	for (size_t i = 0; s[i]; i++) {
		i += strcspn(s + i, stops);
		if (!s[i])
			break;
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

int quai_lint_qu_parent_stage(const struct quai_dockerfile *df, int stage)
{
	const char *image = df->stages[stage].image;
	if (!image)
		return -1;
	int p = quai_dockerfile_stage_by_name(df, image);
	return p >= 0 && p < stage ? p : -1;
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

static bool word_names(const char *w, const char *name, size_t len)
{
	return strncmp(w, name, len) == 0 && (w[len] == '\0' || w[len] == '=');
}

/* Does a command of the script set NAME (export, local, declare, readonly,
 * read, getopts)? */
static bool shell_sets(const struct quai_sh_script *sh, const char *name, size_t len)
{
	static const char *const setters[] = {"export",   "local", "declare", "typeset",
	                                      "readonly", "read",  "getopts"};
	for (size_t c = 0; sh && c < sh->ncmds; c++) {
		const struct quai_sh_cmd *cmd = &sh->cmds[c];
		for (size_t a = 0; a < cmd->nassigns; a++)
			if (word_names(cmd->assigns[a].text, name, len))
				return true;
		bool setter = false;
		for (size_t t = 0; t < sizeof(setters) / sizeof(setters[0]) && cmd->argc; t++)
			setter = setter || quai_sh_cmd_is(cmd, setters[t]);
		for (size_t i = 1; setter && i < cmd->argc; i++)
			if (word_names(cmd->argv[i].text, name, len))
				return true;
	}
	return false;
}

/* Does the script read variables from elsewhere (`. file`, source, eval)? */
static bool shell_imports(const struct quai_sh_script *sh)
{
	static const char *const importers[] = {".", "source", "eval", NULL};
	if (sh && !quai_sh_script_may_run(sh, importers))
		return false;
	for (size_t c = 0; sh && c < sh->ncmds; c++)
		if (quai_sh_cmd_is(&sh->cmds[c], ".") || quai_sh_cmd_is(&sh->cmds[c], "source") ||
		    quai_sh_cmd_is(&sh->cmds[c], "eval"))
			return true;
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
	const struct quai_sh_script *sh; /* the RUN's commands */
	struct name_set reported;
};

static void arg_use_cb(void *arg, const char *name, size_t len)
{
	struct arg_scan *a = arg;
	if (names_find(a->declared, name, len) || names_find(&a->reported, name, len) ||
	    is_predefined_arg(name, len))
		return;
	const struct name_entry *later = NULL, *global = NULL, *other = NULL;
	for (const struct name_entry *e = names_find(a->all_args, name, len); e;
	     e = names_next(a->all_args, e)) {
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
	names_add(&a->reported, name, len, 0, 0); /* one look per name and instruction */
	if (a->script && (script_sets(a->script, name, len) || shell_sets(a->sh, name, len)))
		return;
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
	int p = quai_lint_qu_parent_stage(df, stage);
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
		for (size_t f = 0; f < in->nflags; f++)
			scan_vars(in->flags[f].value, esc, true, arg_use_cb, a);
		a->sh = quai_lint_shell(a->ctx, in);
		if (in->json || shell_imports(a->sh))
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

void quai_lint_qu0002(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	struct name_set all_args = {0};
	collect_args(df, &all_args);
	for (size_t s = 0; s < df->nstages; s++) {
		const struct quai_df_stage *st = &df->stages[s];
		struct name_set declared = {0};
		inherit_env(df, (int)s, &declared, 0);
		for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++) {
			const struct quai_df_instr *in = &df->instrs[i];
			struct arg_scan a = {ctx, df, in, (int)s, &declared, &all_args, NULL, NULL, {0}};
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

void quai_lint_qu0003(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
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

static void check_dup_keys(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df,
                           const struct quai_df_stage *st, enum quai_df_kind kind)
{
	struct name_set seen = {0};
	char esc = df->escape ? df->escape : '\\';
	for (size_t i = st->from_index + 1; i < st->end_index && i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != kind)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			const struct quai_df_kv *kv = &in->kvs[k];
			if (!kv->key || !*kv->key)
				continue;
			size_t len = strlen(kv->key);
			const struct name_entry *first = names_find(&seen, kv->key, len);
			const struct name_entry *prev = first ? &seen.v[first->tail - 1] : NULL;
			bool dead = prev != NULL;
			if (dead && kind == QUAI_DF_ENV)
				dead = !env_used_between(df, prev->instr, i, kv->key) &&
				       !refers_to(kv->value, esc, kv->key);
			if (dead)
				quai_lint_report_at(
				    ctx, in, kv->pos,
				    "%s '%s' is set again here; the value from line %u is never used",
				    kind == QUAI_DF_ENV ? "ENV" : "LABEL", kv->key, prev->line);
			names_add(&seen, kv->key, len, kv->pos.line, 0);
			seen.v[seen.n - 1].instr = i;
		}
	}
	names_release(&seen);
}

void quai_lint_qu0006(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t s = 0; s < df->nstages; s++) {
		check_dup_keys(ctx, df, &df->stages[s], QUAI_DF_ENV);
		check_dup_keys(ctx, df, &df->stages[s], QUAI_DF_LABEL);
	}
}
