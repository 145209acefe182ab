/* Interpolation as docker compose resolves it: $VAR, ${VAR}, ${VAR:-d},
 * ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+r}, ${VAR+r}, nested defaults and
 * the $$ escape; and the variables, from the environment and .env files. */
#include <string.h>

#include "compose/internal.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_NESTING  32
#define MAX_ENV_FILE (4u << 20)
#define MAX_VARS     10000u /* lookups are linear */

void compose_env_set(struct compose_env *e, const char *key, const char *val, bool overwrite)
{
	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->keys[i], key) != 0)
			continue;
		if (overwrite) {
			free(e->vals[i]);
			e->vals[i] = xstrdup(val);
		}
		return;
	}
	size_t cap = e->cap;
	e->keys = xgrow(e->keys, &cap, e->n + 1, sizeof(char *));
	e->vals = xgrow(e->vals, &e->cap, e->n + 1, sizeof(char *));
	e->keys[e->n] = xstrdup(key);
	e->vals[e->n] = xstrdup(val);
	e->n++;
}

const char *compose_env_get(const struct compose_env *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], key) == 0)
			return e->vals[i];
	return NULL;
}

void compose_env_release(struct compose_env *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->keys[i]);
		free(e->vals[i]);
	}
	free(e->keys);
	free(e->vals);
	*e = (struct compose_env){0};
}

static bool name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

static int interp(struct quai_buf *out, const char *s, size_t len, const struct compose_env *env, char **msg,
                  unsigned depth);

static void note_unset(const struct compose_env *env, const char *name)
{
	if (env->unset) {
		quai_buf_puts(env->unset, name);
		quai_buf_putc(env->unset, '\n');
	}
}

static int bad_template(const char *s, size_t len, char **msg)
{
	*msg = xasprintf("invalid interpolation format in \"%.*s\"; a literal $ is written $$",
	                 (int)(len > 200 ? 200 : len), s);
	return -1;
}

/* The end of a braced expression starting after "${" at s[i]: the index of
 * its closing brace, nested ${...} counted; len when there is none. */
static size_t closing_brace(const char *s, size_t len, size_t i)
{
	unsigned nest = 0;
	for (; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '$') {
			i++;
		} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			nest++;
			i++;
		} else if (s[i] == '}') {
			if (!nest)
				return i;
			nest--;
		}
	}
	return len;
}

/* ${...} whose inside is s[0..len). */
static int braced(struct quai_buf *out, const char *s, size_t len, const struct compose_env *env, char **msg,
                  unsigned depth, const char *whole, size_t wlen)
{
	size_t n = 0;
	if (!len || !name_start(s[0]))
		return bad_template(whole, wlen, msg);
	while (n < len && name_char(s[n]))
		n++;
	cleanup_free char *name = xstrndup(s, n);
	const char *val = compose_env_get(env, name);
	if (n == len) {
		if (val)
			quai_buf_puts(out, val);
		else
			note_unset(env, name);
		return 0;
	}
	bool colon = s[n] == ':';
	size_t op = n + (colon ? 1 : 0);
	if (op >= len || (s[op] != '-' && s[op] != '?' && s[op] != '+'))
		return bad_template(whole, wlen, msg);
	const char *arg = s + op + 1;
	size_t alen = len - op - 1;
	bool set = val != NULL;
	bool full = val && (!colon || *val);
	switch (s[op]) {
	case '-':
		if (full)
			quai_buf_puts(out, val);
		else
			return interp(out, arg, alen, env, msg, depth + 1);
		return 0;
	case '+':
		if (colon ? full : set)
			return interp(out, arg, alen, env, msg, depth + 1);
		return 0;
	default: /* '?' */
		if (full) {
			quai_buf_puts(out, val);
			return 0;
		}
		struct quai_buf m = QUAI_BUF_INIT;
		if (interp(&m, arg, alen, env, msg, depth + 1) < 0) {
			quai_buf_release(&m);
			return -1;
		}
		if (m.len)
			*msg = xasprintf("required variable %s is missing a value: %s", name, m.data);
		else
			*msg = xasprintf("required variable %s is missing a value", name);
		quai_buf_release(&m);
		return -1;
	}
}

static int interp(struct quai_buf *out, const char *s, size_t len, const struct compose_env *env, char **msg,
                  unsigned depth)
{
	if (depth > MAX_NESTING) {
		*msg = xstrdup("interpolation nested too deep");
		return -1;
	}
	size_t i = 0;
	while (i < len) {
		const char *d = memchr(s + i, '$', len - i);
		if (!d) {
			quai_buf_add(out, s + i, len - i);
			break;
		}
		size_t at = (size_t)(d - s);
		quai_buf_add(out, s + i, at - i);
		if (at + 1 >= len)
			return bad_template(s, len, msg);
		char c = s[at + 1];
		if (c == '$') {
			quai_buf_putc(out, '$');
			i = at + 2;
		} else if (c == '{') {
			size_t end = closing_brace(s, len, at + 2);
			if (end >= len)
				return bad_template(s, len, msg);
			if (braced(out, s + at + 2, end - at - 2, env, msg, depth, s, len) < 0)
				return -1;
			i = end + 1;
		} else if (name_start(c)) {
			size_t e = at + 1;
			while (e < len && name_char(s[e]))
				e++;
			cleanup_free char *name = xstrndup(s + at + 1, e - at - 1);
			const char *val = compose_env_get(env, name);
			if (val)
				quai_buf_puts(out, val);
			else
				note_unset(env, name);
			i = e;
		} else {
			return bad_template(s, len, msg);
		}
	}
	return 0;
}

int compose_interpolate(struct quai_buf *out, const char *s, size_t len, const struct compose_env *env,
                        char **msg)
{
	*msg = NULL;
	quai_buf_add(out, "", 0);
	return interp(out, s, len, env, msg, 0);
}

/* One value of a .env line, after the '='. */
static int env_value(struct quai_buf *out, const char *v, size_t len, const struct compose_env *env,
                     char **msg)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len && (*v == '\'' || *v == '"')) {
		char q = *v;
		const char *end = memchr(v + 1, q, len - 1);
		size_t inner = end ? (size_t)(end - v - 1) : len - 1;
		if (!end) {
			*msg = xstrdup("unterminated quoted value");
			return -1;
		}
		if (q == '\'') {
			quai_buf_add(out, v + 1, inner);
			return 0;
		}
		struct quai_buf raw = QUAI_BUF_INIT;
		for (size_t i = 1; i <= inner; i++) {
			if (i < inner && v[i] == '\\') {
				char c = v[++i];
				quai_buf_putc(&raw, c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
			} else {
				quai_buf_putc(&raw, v[i]);
			}
		}
		int rc = compose_interpolate(out, quai_buf_str(&raw), raw.len, env, msg);
		quai_buf_release(&raw);
		return rc;
	}
	/* unquoted: an inline comment starts at " #" */
	for (size_t i = 0; i < len; i++)
		if (v[i] == '#' && i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
			len = i;
			break;
		}
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
		len--;
	return compose_interpolate(out, v, len, env, msg);
}

int compose_env_load_file(struct compose_env *e, const char *path, bool overwrite, struct quai_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (quai_file_read(&data, &len, path, MAX_ENV_FILE, err) < 0)
		return -1;
	unsigned lineno = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		const char *s = p;
		p = nl ? nl + 1 : end;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		if (s == le || *s == '#' || (le - s == 1 && *s == '\r'))
			continue;
		if ((size_t)(le - s) > 7 && memcmp(s, "export ", 7) == 0)
			s += 7;
		const char *eq = memchr(s, '=', (size_t)(le - s));
		const char *kend = eq ? eq : le;
		while (kend > s && (kend[-1] == ' ' || kend[-1] == '\t' || kend[-1] == '\r'))
			kend--;
		bool ok = kend > s && name_start(*s);
		for (const char *k = s; ok && k < kend; k++)
			ok = name_char(*k) || *k == '.' || *k == '-';
		if (!ok)
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "%s:%u: invalid line in env file: expected KEY=VALUE", path,
			                      lineno);
		if (e->n >= MAX_VARS)
			return quai_error_set(err, QUAI_EXIT_USAGE, "%s:%u: more than %u variables", path,
			                      lineno, MAX_VARS);
		cleanup_free char *key = xstrndup(s, (size_t)(kend - s));
		if (!eq) /* KEY alone: taken from the environment when there */
			continue;
		struct quai_buf val = QUAI_BUF_INIT;
		char *msg = NULL;
		if (env_value(&val, eq + 1, (size_t)(le - eq - 1), e, &msg) < 0) {
			quai_buf_release(&val);
			quai_error_set(err, QUAI_EXIT_USAGE, "%s:%u: %s", path, lineno, msg);
			free(msg);
			return -1;
		}
		compose_env_set(e, key, quai_buf_str(&val), overwrite);
		quai_buf_release(&val);
	}
	return 0;
}
