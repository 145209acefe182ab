/* containerRunOptions made ready for the engine: the envFile read as
 * `docker run --env-file` reads it, envVars looked up in quai's environment
 * (container-structure-test passes them through from its own), bind mount
 * host paths made absolute. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

struct strv {
	char **v;
	size_t n, cap;
};

/* Appends s (owned) keeping v NULL-terminated. */
static void push(struct strv *sv, char *s)
{
	sv->v = xgrow(sv->v, &sv->cap, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* An empty NULL-terminated array, for lists that stayed empty. */
static char **finish(struct strv *sv)
{
	if (!sv->v)
		sv->v = xcalloc(1, sizeof(*sv->v));
	return sv->v;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* One line of an env file (without its newline) into sv. */
static int env_line(struct strv *sv, const char *line, size_t len, const char *file, unsigned lineno,
                    const char *(*lookup)(const char *), struct quai_error **err)
{
	while (len && is_space(*line)) {
		line++;
		len--;
	}
	if (len == 0 || *line == '#')
		return 0;
	const char *eq = memchr(line, '=', len);
	size_t nlen = eq ? (size_t)(eq - line) : len;
	if (nlen == 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%u: no variable name before '='", file,
		                      lineno);
	for (size_t i = 0; i < nlen; i++)
		if (is_space(line[i]))
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "%s:%u: variable '%.*s' contains whitespace", file, lineno,
			                      (int)nlen, line);
	if (eq) {
		push(sv, xstrndup(line, len));
		return 0;
	}
	cleanup_free char *name = xstrndup(line, nlen);
	const char *value = lookup ? lookup(name) : NULL;
	if (value)
		push(sv, xasprintf("%s=%s", name, value));
	return 0;
}

int quai_imagetest_env_file_parse(char ***out, const char *text, size_t len, const char *file,
                                  const char *(*lookup)(const char *name), struct quai_error **err)
{
	struct strv sv = {0};
	*out = NULL;
	/* a UTF-8 byte order mark at the start is dropped, as docker does */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	unsigned lineno = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t llen = end - off;
		if (llen && text[off + llen - 1] == '\r')
			llen--;
		lineno++;
		if (memchr(text + off, '\0', llen)) {
			strv_free(sv.v);
			return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%u: a NUL byte in the env file", file,
			                      lineno);
		}
		if (env_line(&sv, text + off, llen, file, lineno, lookup, err) < 0) {
			strv_free(sv.v);
			return -1;
		}
		off = end + 1;
	}
	*out = finish(&sv);
	return 0;
}

bool quai_imagetest_bind_valid(const char *bind, const char **why)
{
	const char *colon = strchr(bind, ':');
	if (!colon || colon == bind) {
		*why = "expected HOST:CONTAINER[:OPTIONS]";
		return false;
	}
	if (colon[1] != '/') {
		*why = "the container path must be absolute";
		return false;
	}
	const char *host_end = colon;
	/* a name without '/' or a leading '.' is a named volume for the engine */
	if (bind[0] != '/' && bind[0] != '.' && !memchr(bind, '/', (size_t)(host_end - bind))) {
		*why = "the host part is a volume name, not a path: write ./NAME for a directory here";
		return false;
	}
	const char *opts = strchr(colon + 1, ':');
	if (opts && (opts[1] == '\0' || strchr(opts + 1, ':'))) {
		*why = "expected HOST:CONTAINER[:OPTIONS]";
		return false;
	}
	return true;
}

/* HOST made absolute (from the working directory) and checked to exist. */
static int resolve_bind(char **out, const char *bind, struct quai_error **err)
{
	const char *why = NULL;
	if (!quai_imagetest_bind_valid(bind, &why))
		return quai_error_set(err, QUAI_EXIT_USAGE, "bindMounts '%s': %s", bind, why);
	const char *colon = strchr(bind, ':');
	cleanup_free char *host = xstrndup(bind, (size_t)(colon - bind));
	cleanup_free char *abs = NULL;
	if (host[0] == '/') {
		abs = steal_pointer(&host);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return quai_error_errno(err, errno, "bindMounts '%s': the working directory", bind);
		abs = xasprintf("%s/%s", cwd, host);
	}
	struct stat st;
	if (stat(abs, &st) < 0)
		return quai_error_errno(err, errno, "bindMounts '%s': host path '%s'", bind, abs);
	*out = xasprintf("%s%s", abs, colon);
	return 0;
}

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

int quai_imagetest_run_env_prepare(struct quai_imagetest_run_env *out,
                                   const struct quai_imagetest_run_options *o, struct quai_error **err)
{
	struct strv env = {0}, binds = {0}, caps = {0};
	*out = (struct quai_imagetest_run_env){0};
	if (o->env_file) {
		cleanup_free char *text = NULL;
		size_t len = 0;
		char **vars = NULL;
		if (quai_file_read(&text, &len, o->env_file, QUAI_IMAGETEST_ENV_FILE_MAX, err) < 0 ||
		    quai_imagetest_env_file_parse(&vars, text, len, o->env_file, env_lookup, err) < 0) {
			quai_error_wrap(err, "containerRunOptions envFile");
			goto fail;
		}
		for (size_t i = 0; vars && vars[i]; i++)
			push(&env, vars[i]);
		free(vars);
	}
	for (size_t i = 0; i < o->env_vars.n; i++) {
		const char *v = o->env_vars.v[i];
		const char *value = strchr(v, '=') ? NULL : getenv(v);
		if (strchr(v, '='))
			push(&env, xstrdup(v));
		else if (value)
			push(&env, xasprintf("%s=%s", v, value));
	}
	for (size_t i = 0; i < o->bind_mounts.n; i++) {
		char *b = NULL;
		if (resolve_bind(&b, o->bind_mounts.v[i], err) < 0)
			goto fail;
		push(&binds, b);
	}
	for (size_t i = 0; i < o->capabilities.n; i++)
		push(&caps, xstrdup(o->capabilities.v[i]));
	out->env = finish(&env);
	out->binds = finish(&binds);
	out->cap_add = finish(&caps);
	return 0;
fail:
	strv_free(env.v);
	strv_free(binds.v);
	strv_free(caps.v);
	return -1;
}

void quai_imagetest_run_env_release(struct quai_imagetest_run_env *re)
{
	strv_free(re->env);
	strv_free(re->binds);
	strv_free(re->cap_add);
	*re = (struct quai_imagetest_run_env){0};
}
