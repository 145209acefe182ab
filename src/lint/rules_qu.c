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
#include "lint/rules_qu.h"

#include "core/banned.h"

static bool is_name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
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
	static const char *const images[] = {"alpine", "busybox", "composer", "debian", "docker", "golang",
	                                     "node",   "nginx",   "python",   "rust",   "ubuntu", "scratch"};
	if (!ref || strlen(ref) < 3 || strpbrk(ref, "/:@.$") || strspn(ref, "0123456789") == strlen(ref))
		return NULL;
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++)
		if (strcasecmp(ref, images[i]) == 0)
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
			if (in->kind == QUAI_DF_COPY && quai_lint_streq(fl->name, "from") && fl->value)
				ref = xstrdup(fl->value);
			else if (in->kind == QUAI_DF_RUN && quai_lint_streq(fl->name, "mount"))
				ref = mount_from(fl->value);
			const char *stage = stage_typo(df, ref);
			if (stage)
				quai_lint_report_at(
				    ctx, in, fl->pos,
				    "'%s' names no stage of this Dockerfile, so docker pulls it as an "
				    "image; did you mean '%s'?",
				    ref, stage);
		}
	}
}

/* ---- QU0004: upgrading every package in RUN ---- */

static bool has_any_arg(const struct quai_sh_cmd *cmd, const char *const *args)
{
	for (size_t i = 1; i < cmd->argc; i++) /* one pass over the words */
		for (const char *const *a = args; *a; a++)
			if (cmd->argv[i].text && quai_lint_streq(cmd->argv[i].text, *a))
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
			if (quai_lint_streq(args[i], *s)) {
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
	if (quai_lint_streq(name, "apt-get") || quai_lint_streq(name, "apt"))
		return has_any_arg(cmd, apt_subs) ? name : NULL;
	if (quai_lint_streq(name, "aptitude"))
		return has_any_arg(cmd, aptitude_subs) ? name : NULL;
	if (quai_lint_streq(name, "apk"))
		return whole_system(cmd, apk_subs) ? name : NULL;
	if (quai_lint_streq(name, "yum") || quai_lint_streq(name, "dnf") || quai_lint_streq(name, "microdnf") ||
	    quai_lint_streq(name, "tdnf"))
		return whole_system(cmd, rpm_subs) ? name : NULL;
	if (quai_lint_streq(name, "zypper"))
		return whole_system(cmd, zypper_subs) ? name : NULL;
	if (quai_lint_streq(name, "pacman"))
		return quai_sh_cmd_has_flag(cmd, "S") && quai_sh_cmd_has_flag(cmd, "u") ? name : NULL;
	return NULL;
}

/* Is the rule `code` on, after the configuration? */
static bool rule_on(const struct quai_lint_ctx *ctx, const char *code)
{
	size_t n;
	const struct quai_lint_rule_info *rules = quai_lint_rules(&n);
	for (size_t i = 0; i < n; i++)
		if (quai_lint_streq(rules[i].code, code))
			return quai_lint_config_level(quai_lint_ctx_config(ctx), code, rules[i].level) !=
			       QUAI_LEVEL_IGNORE;
	return false;
}

/* hadolint's retired rules for the same commands (off by default): when a
 * user turns one on, it reports the command and QU0004 stays quiet. */
static bool reported_by_dl_rule(const struct quai_lint_ctx *ctx, const struct quai_sh_cmd *cmd)
{
	static const struct {
		const char *tool, *code;
		const char *subs[5];
	} dl[] = {
	    {"apt-get", "DL3005", {"upgrade", "dist-upgrade", NULL}},
	    {"apk", "DL3017", {"upgrade", NULL}},
	    {"yum", "DL3031", {"update", "update-to", "upgrade", "upgrade-to", NULL}},
	    {"dnf", "DL3039", {"upgrade", "upgrade-minimal", NULL}},
	};
	for (size_t i = 0; i < sizeof(dl) / sizeof(dl[0]); i++)
		if (quai_sh_cmd_is(cmd, dl[i].tool) && has_any_arg(cmd, dl[i].subs) &&
		    rule_on(ctx, dl[i].code))
			return true;
	return false;
}

static void check_qu0004(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		const struct quai_sh_script *sh = quai_lint_shell(ctx, in);
		for (size_t c = 0; sh && c < sh->ncmds; c++) {
			const char *tool = upgrade_of(&sh->cmds[c]);
			if (!tool || reported_by_dl_rule(ctx, &sh->cmds[c]))
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
 * no port is given), from host:port words naming this machine and from the
 * port of `nc -z localhost 8080`. */
static void healthcheck_ports(const char *text, struct ports *out)
{
	const char *delims = " \t\n\"'=,;|&()";
	bool in_nc = false;   /* words of an `nc host port` command */
	unsigned nc_port = 0; /* its last number: the port (-w 2 comes first) */
	for (const char *p = text;;) {
		size_t skip = strspn(p, delims);
		bool cmd_end = memchr(p, '|', skip) || memchr(p, '&', skip) || memchr(p, ';', skip);
		p += skip;
		size_t n = strcspn(p, delims);
		if ((cmd_end || n == 0) && nc_port)
			ports_add(out, nc_port, nc_port);
		if (cmd_end || n == 0) {
			in_nc = false;
			nc_port = 0;
		}
		if (n == 0)
			break;
		const char *w = p, *end = p + n;
		p = end;
		unsigned num;
		if (in_nc && parse_port(w, n, &num))
			nc_port = num;
		if ((n == 2 && memcmp(w, "nc", 2) == 0) || (n == 4 && memcmp(w, "ncat", 4) == 0) ||
		    (n == 6 && memcmp(w, "netcat", 6) == 0))
			in_nc = true;
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
		stage = quai_lint_qu_parent_stage(df, stage);
	}
	return false;
}

static void check_qu0008(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	if (!quai_lint_ctx_config(ctx)->require_user || df->nstages == 0)
		return;
	int last = (int)df->nstages - 1;
	const char *image = df->stages[last].image;
	/* a variable may name a stage that sets USER: cannot tell */
	if (image && (strstr(image, "nonroot") || strstr(image, "rootless") || strchr(image, '$')))
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
				if (in->heredocs[g].delim && quai_lint_streq(in->heredocs[g].delim, hd->delim)) {
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

/* The words are upper case: compare inline, most differ at once. */
static bool seg_is(const char *seg, size_t len, const char *word)
{
	for (size_t i = 0; i < len; i++)
		if (!word[i] || toupper((unsigned char)seg[i]) != (unsigned char)word[i])
			return false;
	return word[len] == '\0';
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

/* A switch rather than a secret: MYSQL_ALLOW_EMPTY_PASSWORD=yes. */
static bool is_flag_value(const char *v)
{
	static const char *const flags[] = {"yes", "no", "true", "false", "on", "off", "y", "n", "0", "1"};
	for (size_t i = 0; v && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcasecmp(v, flags[i]) == 0)
			return true;
	return false;
}

/* Would hadolint's DL3064 report this name? It looks for these words
 * anywhere in it (and for a list of names that all contain one of them or
 * are no secret by our measure). */
static bool dl3064_matches(const char *name)
{
	static const char *const words[] = {"api_key", "client_key", "password", "private",
	                                    "secret",  "token",      "username"};
	cleanup_free char *lower = xstrdup(name);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(lower, words[i]))
			return true;
	return false;
}

/* Names DL3064 already reports are left to it when it is on, so that a line
 * gets one finding; QU0010 adds the names it misses (DB_PASS, APIKEY,
 * CREDENTIALS, PASSPHRASE, MINIO_ACCESS_KEY) and is the precise version
 * for those who turn DL3064 off for its false positives. */
static void check_qu0010(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	bool dl3064_on = quai_lint_config_level(quai_lint_ctx_config(ctx), "DL3064", QUAI_LEVEL_WARNING) !=
	                 QUAI_LEVEL_IGNORE;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_ARG && in->kind != QUAI_DF_ENV)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			const struct quai_df_kv *kv = &in->kvs[k];
			if (!kv->key || !secret_name(kv->key) || (dl3064_on && dl3064_matches(kv->key)))
				continue;
			if ((in->kind == QUAI_DF_ENV && (!kv->value || !*kv->value)) ||
			    is_flag_value(kv->value))
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
    {"QU0002", QUAI_LEVEL_WARNING, "Variable used before its ARG is declared in the stage", quai_lint_qu0002},
    {"QU0003", QUAI_LEVEL_WARNING, "FROM uses a variable that no global ARG declares", quai_lint_qu0003},
    {"QU0004", QUAI_LEVEL_WARNING,
     "Do not upgrade all packages in RUN (apt-get upgrade, apk upgrade, yum update)", check_qu0004},
    {"QU0005", QUAI_LEVEL_WARNING, "ADD of a remote URL without --checksum", check_qu0005},
    {"QU0006", QUAI_LEVEL_WARNING, "ENV or LABEL key set twice in a stage; the first value is never used",
     quai_lint_qu0006},
    {"QU0007", QUAI_LEVEL_INFO, "EXPOSE lists no port that the HEALTHCHECK checks", check_qu0007},
    {"QU0008", QUAI_LEVEL_STYLE, "The final stage runs as root: no USER instruction", check_qu0008},
    {"QU0009", QUAI_LEVEL_WARNING, "Heredoc delimiter reused within one instruction", check_qu0009},
    {"QU0010", QUAI_LEVEL_WARNING, "Secret passed as ARG or ENV; use RUN --mount=type=secret", check_qu0010},
    {NULL, QUAI_LEVEL_IGNORE, NULL, NULL},
};
