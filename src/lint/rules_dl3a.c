/* hadolint's rules DL3000-DL3033 that look at instructions other than the
 * shell commands of RUN: WORKDIR, USER, FROM, EXPOSE, HEALTHCHECK, COPY,
 * ADD, CMD, ENTRYPOINT. The RUN rules are in rules_dl3a_run.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/rule.h"
#include "lint/rules_dl3a.h"

/* Text without one pair of surrounding quotes, as hadolint's dropQuotes
 * (which drops any run of leading and trailing quote characters). */
static size_t unquoted(const char *s, const char **out)
{
	size_t len = strlen(s);
	while (len && (*s == '"' || *s == '\''))
		s++, len--;
	while (len && (s[len - 1] == '"' || s[len - 1] == '\''))
		len--;
	*out = s;
	return len;
}

bool quai_lint_dl3a_is_archive(const char *path)
{
	static const char *const exts[] = {".tar", ".Z",    ".bz2", ".gz",  ".lz",  ".lzma", ".tZ", ".tb2",
	                                   ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz",  ".xz"};
	const char *p;
	size_t len = unquoted(path, &p);
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t n = strlen(exts[i]);
		if (len >= n && strncmp(p + len - n, exts[i], n) == 0)
			return true;
	}
	return false;
}

/* ---- DL3000: absolute WORKDIR ---- */

static void dl3000(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_WORKDIR || !in->args_text || !*in->args_text)
			continue;
		const char *p;
		size_t len = unquoted(in->args_text, &p);
		if (len == 0 || *p == '$' || *p == '/')
			continue;
		if (len >= 2 && isalpha((unsigned char)p[0]) && p[1] == ':')
			continue; /* C:\ on Windows */
		quai_lint_report(ctx, &df->instrs[i]);
	}
}

/* ---- DL3002: last USER of a stage should not be root ---- */

static bool is_root_user(const char *u)
{
	return quai_lint_streq(u, "root") || quai_lint_streq(u, "0") || strncmp(u, "root:", 5) == 0 ||
	       strncmp(u, "0:", 2) == 0;
}

static void dl3002(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	const struct quai_df_instr *last_root = NULL;
	for (size_t i = 0; i <= df->ninstrs; i++) {
		const struct quai_df_instr *in = i < df->ninstrs ? &df->instrs[i] : NULL;
		if (!in || in->kind == QUAI_DF_FROM) {
			if (last_root)
				quai_lint_report(ctx, last_root);
			last_root = NULL;
			continue;
		}
		if (in->kind == QUAI_DF_USER && in->args_text)
			last_root = is_root_user(in->args_text) ? in : NULL;
	}
}

/* ---- Image references in FROM: DL3006, DL3007, DL3026, DL3029 ---- */

struct image_ref {
	const char *name; /* after the registry */
	size_t name_len;
	const char *registry; /* NULL if none */
	size_t registry_len;
	const char *tag; /* NULL if none */
	size_t tag_len;
	bool digest;
};

static void parse_image(const char *s, struct image_ref *out)
{
	memset(out, 0, sizeof(*out));
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (at) {
		out->digest = true;
		len = (size_t)(at - s);
	}
	const char *slash = memchr(s, '/', len);
	if (slash) {
		size_t first = (size_t)(slash - s);
		if (memchr(s, '.', first) || memchr(s, ':', first) ||
		    (first == 9 && strncmp(s, "localhost", 9) == 0)) {
			out->registry = s;
			out->registry_len = first;
			s = slash + 1;
			len -= first + 1;
		}
	}
	const char *last_slash = NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			last_slash = s + i;
	const char *colon =
	    memchr(last_slash ? last_slash : s, ':', len - (size_t)((last_slash ? last_slash : s) - s));
	out->name = s;
	out->name_len = colon ? (size_t)(colon - s) : len;
	if (colon) {
		out->tag = colon + 1;
		out->tag_len = len - out->name_len - 1;
	}
}

/* Is `name` the alias of a stage before stage `stage`? */
static bool is_earlier_alias(const struct quai_dockerfile *df, int stage, const char *name, size_t len)
{
	for (int s = 0; s < stage && (size_t)s < df->nstages; s++) {
		const char *alias = df->stages[s].name;
		if (alias && strlen(alias) == len && strncasecmp(alias, name, len) == 0)
			return true;
	}
	return false;
}

static void dl3006(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_FROM || !in->from_image || strchr(in->from_image, '$'))
			continue;
		struct image_ref ref;
		parse_image(in->from_image, &ref);
		if (ref.tag || ref.digest || quai_lint_streq(in->from_image, "scratch"))
			continue;
		if (is_earlier_alias(df, in->stage, in->from_image, strlen(in->from_image)))
			continue;
		quai_lint_report(ctx, in);
	}
}

static void dl3007(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_FROM || !in->from_image)
			continue;
		struct image_ref ref;
		parse_image(in->from_image, &ref);
		if (ref.tag && !ref.digest && ref.tag_len == 6 && strncmp(ref.tag, "latest", 6) == 0)
			quai_lint_report(ctx, in);
	}
}

/* A trusted registry pattern: "*", "*.example.com", "registry.example.*"
 * or an exact name. */
static bool registry_matches(const char *pattern, const char *reg, size_t len)
{
	size_t plen = strlen(pattern);
	if (quai_lint_streq(pattern, "*"))
		return true;
	if (plen && pattern[0] == '*')
		return len >= plen - 1 && strncmp(reg + len - (plen - 1), pattern + 1, plen - 1) == 0;
	if (plen && pattern[plen - 1] == '*')
		return len >= plen - 1 && strncmp(reg, pattern, plen - 1) == 0;
	return plen == len && strncmp(reg, pattern, len) == 0;
}

static bool registry_trusted(const struct quai_lint_config *cfg, const char *reg, size_t len)
{
	for (size_t i = 0; i < cfg->ntrusted_registries; i++)
		if (registry_matches(cfg->trusted_registries[i], reg, len))
			return true;
	return false;
}

static const char *copy_from(const struct quai_df_instr *in)
{
	const struct quai_df_flag *f = quai_df_instr_flag(in, "from");
	return f && f->value ? f->value : NULL;
}

/* May an image be used, given the trusted registries? Stage names before
 * stage `nstages`, stage indexes, scratch and variables are not images. */
static bool image_allowed(const struct quai_lint_config *cfg, const struct quai_dockerfile *df, int nstages,
                          const char *image, size_t len)
{
	cleanup_free char *img = xstrndup(image, len);
	if (!*img || strchr(img, '$') || strspn(img, "0123456789") == len)
		return true;
	struct image_ref ref;
	parse_image(img, &ref);
	if (ref.registry)
		return registry_trusted(cfg, ref.registry, ref.registry_len);
	return quai_lint_streq(img, "scratch") || registry_trusted(cfg, "docker.io", 9) ||
	       registry_trusted(cfg, "hub.docker.com", 14) ||
	       is_earlier_alias(df, nstages, ref.name, ref.name_len);
}

/* Images come in through FROM, COPY --from and RUN --mount=...,from=. */
static void dl3026(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	const struct quai_lint_config *cfg = quai_lint_ctx_config(ctx);
	if (!cfg || cfg->ntrusted_registries == 0)
		return;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		bool ok = true;
		if (in->kind == QUAI_DF_FROM && in->from_image) {
			ok = image_allowed(cfg, df, in->stage, in->from_image, strlen(in->from_image));
		} else if (in->kind == QUAI_DF_COPY && copy_from(in)) {
			const char *p;
			size_t len = unquoted(copy_from(in), &p);
			ok = image_allowed(cfg, df, in->stage + 1, p, len);
		} else if (in->kind == QUAI_DF_RUN) {
			for (size_t f = 0; ok && f < in->nflags; f++) {
				size_t len = 0;
				const char *from = NULL;
				if (quai_lint_streq(in->flags[f].name, "mount") && in->flags[f].value)
					from = quai_lint_dl3a_mount_opt(in->flags[f].value, "from", &len);
				ok = !from || image_allowed(cfg, df, in->stage + 1, from, len);
			}
		}
		if (!ok)
			quai_lint_report(ctx, in);
	}
}

/* --platform is fine when it only passes on BuildKit's own platform. */
static void dl3029(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind != QUAI_DF_FROM)
			continue;
		const struct quai_df_flag *f = quai_df_instr_flag(in, "platform");
		if (!f || !f->value || !*f->value)
			continue;
		const char *v = f->value;
		while (*v == '"' || *v == '\'')
			v++;
		if (strncmp(v, "$BUILDPLATFORM", 14) == 0 || strncmp(v, "${BUILDPLATFORM", 15) == 0 ||
		    strncmp(v, "$TARGETPLATFORM", 15) == 0 || strncmp(v, "${TARGETPLATFORM", 16) == 0)
			continue;
		quai_lint_report(ctx, in);
	}
}

/* ---- DL3011: valid ports ---- */

static bool port_too_big(const char *s, size_t len)
{
	if (len == 0 || len > 12)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false; /* a variable or something else: not a number to check */
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v > 65535;
}

static void dl3011(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_EXPOSE)
			continue;
		for (size_t w = 0; w < in->nwords; w++) {
			const char *p = in->words[w].text;
			size_t len = strcspn(p, "/");
			size_t dash = strcspn(p, "-");
			bool bad = dash < len
			               ? port_too_big(p, dash) || port_too_big(p + dash + 1, len - dash - 1)
			               : port_too_big(p, len);
			if (bad) {
				quai_lint_report(ctx, &df->instrs[i]);
				break;
			}
		}
	}
}

/* ---- DL3012: one HEALTHCHECK per stage ---- */

static void dl3012(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	bool seen = false;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		if (in->kind == QUAI_DF_FROM)
			seen = false;
		else if (in->kind == QUAI_DF_HEALTHCHECK && seen)
			quai_lint_report(ctx, in);
		else if (in->kind == QUAI_DF_HEALTHCHECK)
			seen = true;
	}
}

/* ---- COPY and ADD: DL3010, DL3020, DL3021, DL3022, DL3023 ---- */

static bool is_heredoc_word(const char *w)
{
	return strncmp(w, "<<", 2) == 0;
}

static void dl3020(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_ADD || in->nwords < 2)
			continue;
		for (size_t w = 0; w + 1 < in->nwords; w++) {
			const char *p;
			unquoted(in->words[w].text, &p);
			if (quai_lint_dl3a_is_archive(p) || strncmp(p, "https://", 8) == 0 ||
			    strncmp(p, "http://", 7) == 0 || is_heredoc_word(p))
				continue;
			quai_lint_report(ctx, &df->instrs[i]);
			break;
		}
	}
}

static void dl3021(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if (in->kind != QUAI_DF_COPY || in->nwords < 3)
			continue;
		const char *p;
		size_t len = unquoted(in->words[in->nwords - 1].text, &p);
		if (len == 0 || p[len - 1] != '/')
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

/* COPY --from=NAME must name an earlier stage (by alias or index) or an
 * image with a tag. */
static void dl3022(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		const char *from = in->kind == QUAI_DF_COPY ? copy_from(in) : NULL;
		if (!from)
			continue;
		const char *p;
		size_t len = unquoted(from, &p);
		if (len == 0 || memchr(p, ':', len) || memchr(p, '$', len))
			continue; /* an image, or not known before the build */
		/* Stages defined so far, the current one included. */
		int nseen = in->stage + 1;
		if (is_earlier_alias(df, nseen, p, len))
			continue;
		size_t digits = 0;
		while (digits < len && isdigit((unsigned char)p[digits]))
			digits++;
		if (digits == len && digits <= 6 && atoi(p) < nseen)
			continue;
		quai_lint_report(ctx, in);
	}
}

static void dl3023(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = &df->instrs[i];
		const char *from = in->kind == QUAI_DF_COPY ? copy_from(in) : NULL;
		if (!from || in->stage < 0 || (size_t)in->stage >= df->nstages)
			continue;
		const char *alias = df->stages[in->stage].name;
		const char *p;
		size_t len = unquoted(from, &p);
		if (alias && strlen(alias) == len && strncasecmp(alias, p, len) == 0)
			quai_lint_report(ctx, in);
	}
}

/* ---- DL3024: unique stage names ---- */

static void dl3024(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t s = 1; s < df->nstages; s++) {
		const char *name = df->stages[s].name;
		if (name && is_earlier_alias(df, (int)s, name, strlen(name)))
			quai_lint_report(ctx, &df->instrs[df->stages[s].from_index]);
	}
}

/* ---- DL3025: JSON form for CMD and ENTRYPOINT ---- */

static void dl3025(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *in = quai_lint_effective(&df->instrs[i]);
		if ((in->kind == QUAI_DF_CMD || in->kind == QUAI_DF_ENTRYPOINT) && !in->json)
			quai_lint_report(ctx, &df->instrs[i]);
	}
}

const struct quai_lint_rule quai_lint_rules_dl3a[] = {
    {"DL3000", QUAI_LEVEL_ERROR, "Use absolute WORKDIR.", dl3000},
    {"DL3001", QUAI_LEVEL_INFO,
     "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, "
     "`shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
     quai_lint_dl3001},
    {"DL3002", QUAI_LEVEL_WARNING, "Last USER should not be root", dl3002},
    {"DL3003", QUAI_LEVEL_WARNING, "Use WORKDIR to switch to a directory", quai_lint_dl3003},
    {"DL3004", QUAI_LEVEL_ERROR,
     "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
     quai_lint_dl3004},
    /* DL3005, DL3017 and DL3031 are no longer run by hadolint: off unless
     * a config override turns them on. */
    {"DL3005", QUAI_LEVEL_IGNORE, "Do not use apt-get upgrade or dist-upgrade", quai_lint_dl3005},
    {"DL3006", QUAI_LEVEL_WARNING, "Always tag the version of an image explicitly", dl3006},
    {"DL3007", QUAI_LEVEL_WARNING,
     "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a "
     "release tag",
     dl3007},
    {"DL3008", QUAI_LEVEL_WARNING,
     "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install "
     "<package>=<version>`",
     quai_lint_dl3008},
    {"DL3009", QUAI_LEVEL_INFO, "Delete the apt-get lists after installing something.", quai_lint_dl3009},
    {"DL3010", QUAI_LEVEL_INFO, "Use `ADD` for extracting archives into an image.", quai_lint_dl3010},
    {"DL3011", QUAI_LEVEL_ERROR, "Valid UNIX ports range from 0 to 65535", dl3011},
    {"DL3012", QUAI_LEVEL_ERROR, "Multiple `HEALTHCHECK` instructions.", dl3012},
    {"DL3013", QUAI_LEVEL_WARNING,
     "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or "
     "`pip install --requirement <requirements file>`.",
     quai_lint_dl3013},
    {"DL3014", QUAI_LEVEL_WARNING, "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
     quai_lint_dl3014},
    {"DL3015", QUAI_LEVEL_INFO, "Avoid additional packages by specifying `--no-install-recommends`",
     quai_lint_dl3015},
    {"DL3016", QUAI_LEVEL_WARNING,
     "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
     quai_lint_dl3016},
    {"DL3017", QUAI_LEVEL_IGNORE, "Do not use apk upgrade", quai_lint_dl3017},
    {"DL3018", QUAI_LEVEL_WARNING,
     "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
     quai_lint_dl3018},
    {"DL3019", QUAI_LEVEL_INFO,
     "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when "
     "done installing packages",
     quai_lint_dl3019},
    {"DL3020", QUAI_LEVEL_ERROR, "Use COPY instead of ADD for files and folders", dl3020},
    {"DL3021", QUAI_LEVEL_ERROR, "COPY with more than 2 arguments requires the last argument to end with /.",
     dl3021},
    {"DL3022", QUAI_LEVEL_WARNING, "`COPY --from` should reference a previously defined `FROM` alias",
     dl3022},
    {"DL3023", QUAI_LEVEL_ERROR, "`COPY --from` cannot reference its own `FROM` alias", dl3023},
    {"DL3024", QUAI_LEVEL_ERROR, "FROM aliases (stage names) must be unique.", dl3024},
    {"DL3025", QUAI_LEVEL_WARNING, "Use arguments JSON notation for CMD and ENTRYPOINT arguments", dl3025},
    {"DL3026", QUAI_LEVEL_ERROR, "Use only an allowed registry in the FROM image", dl3026},
    {"DL3027", QUAI_LEVEL_WARNING,
     "Do not use apt as it is meant to be a end-user tool, use apt-get or apt-cache instead",
     quai_lint_dl3027},
    {"DL3028", QUAI_LEVEL_WARNING,
     "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`.",
     quai_lint_dl3028},
    {"DL3029", QUAI_LEVEL_WARNING, "Do not use --platform flag with FROM", dl3029},
    {"DL3030", QUAI_LEVEL_WARNING, "Use the -y switch to avoid manual input `yum install -y <package`",
     quai_lint_dl3030},
    {"DL3031", QUAI_LEVEL_IGNORE, "Do not use yum update.", quai_lint_dl3031},
    {"DL3032", QUAI_LEVEL_WARNING, "`yum clean all` missing after yum command.", quai_lint_dl3032},
    {"DL3033", QUAI_LEVEL_WARNING, "Specify version with `yum install -y <package>-<version>`.",
     quai_lint_dl3033},
    {NULL, QUAI_LEVEL_IGNORE, NULL, NULL},
};
