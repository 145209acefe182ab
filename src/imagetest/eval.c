/* The checks: facts the runner fetched from the engine against one test,
 * with container-structure-test's semantics. Each failing check adds a line
 * to the message saying what was expected and what was found. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

/* Output quoted in a message is cut to this many bytes. */
#define QUOTE_MAX 2048

static void quote(struct quai_buf *b, const char *s, size_t len)
{
	size_t n = len > QUOTE_MAX ? QUOTE_MAX : len;
	quai_buf_putc(b, '\'');
	quai_buf_add(b, s ? s : "", s ? n : 0);
	quai_buf_putc(b, '\'');
	if (n < len)
		quai_buf_printf(b, " (%zu more bytes)", len - n);
}

static void line_start(struct quai_buf *b)
{
	if (b->len)
		quai_buf_putc(b, '\n');
}

static bool finish(char **out, struct quai_buf *msg)
{
	if (msg->len == 0) {
		*out = NULL;
		return true;
	}
	*out = quai_buf_detach(msg);
	return false;
}

/* Each pattern must match (expected) or none may (excluded). */
static void check_regexes(struct quai_buf *msg, const struct quai_imagetest_strv *patterns, bool expected,
                          const char *where, const char *text, size_t len)
{
	for (size_t i = 0; i < patterns->n; i++) {
		struct quai_error *err = NULL;
		int rc = quai_regex_match(patterns->v[i], text, len, &err);
		if (rc < 0) {
			line_start(msg);
			quai_buf_printf(msg, "%s", err->msg);
			quai_error_free(err);
			continue;
		}
		if ((rc == 1) == expected)
			continue;
		line_start(msg);
		quai_buf_printf(msg, "%s string '%s' %s in %s ", expected ? "expected" : "excluded",
		                patterns->v[i], expected ? "not found" : "found", where);
		quote(msg, text, len);
	}
}

bool quai_imagetest_eval_command(char **out, const struct quai_imagetest_command *test,
                                 const struct quai_imagetest_command_facts *facts)
{
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	check_regexes(&msg, &test->expected_error, true, "error", facts->err, facts->err_len);
	check_regexes(&msg, &test->excluded_error, false, "error", facts->err, facts->err_len);
	check_regexes(&msg, &test->expected_output, true, "output", facts->out, facts->out_len);
	check_regexes(&msg, &test->excluded_output, false, "output", facts->out, facts->out_len);
	if (facts->exit_code != test->exit_code) {
		line_start(&msg);
		quai_buf_printf(&msg, "exit code: expected %d, actual %d", test->exit_code, facts->exit_code);
	}
	return finish(out, &msg);
}

void quai_imagetest_mode_string(char out[32], uint32_t mode)
{
	static const char kinds[] = "dalTLDpSugct?";
	size_t w = 0;
	for (int i = 0; i < 13; i++)
		if (mode & (1u << (31 - i)))
			out[w++] = kinds[i];
	if (w == 0)
		out[w++] = '-';
	static const char rwx[] = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[w++] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	out[w] = '\0';
}

uint32_t quai_imagetest_go_mode(uint32_t m)
{
	uint32_t go = m & 0777;
	switch (m & 0170000) {
	case 0040000:
		go |= QUAI_GO_MODE_DIR;
		break;
	case 0120000:
		go |= QUAI_GO_MODE_SYMLINK;
		break;
	case 0060000:
		go |= QUAI_GO_MODE_DEVICE;
		break;
	case 0020000:
		go |= QUAI_GO_MODE_DEVICE | QUAI_GO_MODE_CHARDEVICE;
		break;
	case 0010000:
		go |= QUAI_GO_MODE_NAMEDPIPE;
		break;
	case 0140000:
		go |= QUAI_GO_MODE_SOCKET;
		break;
	default:
		break;
	}
	if (m & 04000)
		go |= QUAI_GO_MODE_SETUID;
	if (m & 02000)
		go |= QUAI_GO_MODE_SETGID;
	if (m & 01000)
		go |= QUAI_GO_MODE_STICKY;
	return go;
}

static const char *exec_by_name(enum quai_imagetest_exec_by by)
{
	switch (by) {
	case QUAI_EXEC_BY_OWNER:
		return "owner";
	case QUAI_EXEC_BY_GROUP:
		return "group";
	case QUAI_EXEC_BY_OTHER:
		return "other";
	default:
		return "any";
	}
}

bool quai_imagetest_eval_file_existence(char **out, const struct quai_imagetest_file_existence *test,
                                        const struct quai_imagetest_file_facts *facts)
{
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	if (!facts->exists) {
		if (test->should_exist)
			quai_buf_printf(&msg, "file '%s' should exist but does not", test->path);
		return finish(out, &msg);
	}
	if (!test->should_exist) {
		quai_buf_printf(&msg, "file '%s' should not exist but does", test->path);
		return finish(out, &msg);
	}
	char mode[32];
	quai_imagetest_mode_string(mode, facts->mode);
	if (test->permissions && strcmp(test->permissions, mode) != 0) {
		line_start(&msg);
		quai_buf_printf(&msg, "'%s' permissions: expected %s, actual %s", test->path,
		                test->permissions, mode);
	}
	if (test->executable_by != QUAI_EXEC_BY_UNSET) {
		static const uint32_t bits[] = {0, 0100, 0010, 0001, 0111};
		if ((facts->mode & bits[test->executable_by]) == 0) {
			line_start(&msg);
			quai_buf_printf(&msg, "'%s' is not executable by %s: expected the x bit, actual %s",
			                test->path, exec_by_name(test->executable_by), mode);
		}
	}
	if ((test->uid >= 0 || test->gid >= 0) && !facts->has_owner) {
		line_start(&msg);
		quai_buf_printf(&msg, "the owner of '%s' is unknown", test->path);
	} else {
		if (test->uid >= 0 && facts->uid != test->uid) {
			line_start(&msg);
			quai_buf_printf(&msg, "'%s' uid: expected %lld, actual %lld", test->path, test->uid,
			                facts->uid);
		}
		if (test->gid >= 0 && facts->gid != test->gid) {
			line_start(&msg);
			quai_buf_printf(&msg, "'%s' gid: expected %lld, actual %lld", test->path, test->gid,
			                facts->gid);
		}
	}
	return finish(out, &msg);
}

bool quai_imagetest_eval_file_content(char **out, const struct quai_imagetest_file_content *test,
                                      const char *content, size_t len)
{
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	cleanup_free char *where = xasprintf("file '%s'", test->path);
	check_regexes(&msg, &test->expected_contents, true, where, content, len);
	check_regexes(&msg, &test->excluded_contents, false, where, content, len);
	return finish(out, &msg);
}

static const json_t *config_of(const json_t *inspect)
{
	const json_t *c = json_object_get(inspect, "Config");
	return json_is_object(c) ? c : NULL;
}

/* The value of `key` in a list of "KEY=value", or NULL. */
static const char *env_lookup(const json_t *env, const char *key)
{
	size_t i;
	const json_t *v;
	size_t klen = strlen(key);
	const char *found = NULL;
	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);
		if (s && strncmp(s, key, klen) == 0 && s[klen] == '=')
			found = s + klen + 1;
	}
	return found;
}

static void check_kv(struct quai_buf *msg, const char *what, const char *where,
                     const struct quai_imagetest_kv *kv, const char *actual)
{
	if (!actual) {
		line_start(msg);
		quai_buf_printf(msg, "%s '%s' not found in the %s", what, kv->key, where);
		return;
	}
	struct quai_error *err = NULL;
	int rc = kv->is_regex ? quai_regex_match(kv->value, actual, strlen(actual), &err)
	                      : strcmp(kv->value, actual) == 0;
	if (rc == 1)
		return;
	line_start(msg);
	if (rc < 0) {
		quai_buf_printf(msg, "%s '%s': %s", what, kv->key, err->msg);
		quai_error_free(err);
		return;
	}
	quai_buf_printf(msg, "%s '%s': expected %s'%s', actual '%s'", what, kv->key,
	                kv->is_regex ? "a match of " : "", kv->value, actual);
}

static void json_list(struct quai_buf *b, const json_t *arr)
{
	size_t i;
	const json_t *v;
	quai_buf_putc(b, '[');
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		quai_buf_printf(b, "%s\"%s\"", i ? ", " : "", s ? s : "");
	}
	quai_buf_putc(b, ']');
}

static void check_argv(struct quai_buf *msg, const char *what, const struct quai_imagetest_strv *expected,
                       const json_t *actual)
{
	bool same = json_array_size(actual) == expected->n;
	for (size_t i = 0; same && i < expected->n; i++) {
		const char *s = json_string_value(json_array_get(actual, i));
		same = s && strcmp(s, expected->v[i]) == 0;
	}
	if (same)
		return;
	line_start(msg);
	quai_buf_printf(msg, "%s: expected [", what);
	for (size_t i = 0; i < expected->n; i++)
		quai_buf_printf(msg, "%s\"%s\"", i ? ", " : "", expected->v[i]);
	quai_buf_puts(msg, "], actual ");
	json_list(msg, actual);
}

/* "80" matches "80/tcp" and "80/udp"; "80/tcp" only itself. */
static bool port_listed(const json_t *ports, const char *port)
{
	const char *key;
	const json_t *v;
	size_t plen = strlen(port);
	bool has_proto = strchr(port, '/') != NULL;
	json_object_foreach((json_t *)ports, key, v)
	{
		if (strcmp(key, port) == 0)
			return true;
		if (!has_proto && strncmp(key, port, plen) == 0 && key[plen] == '/')
			return true;
	}
	return false;
}

static void check_listed(struct quai_buf *msg, const char *what, const struct quai_imagetest_strv *names,
                         const json_t *obj, bool want, bool ports)
{
	for (size_t i = 0; i < names->n; i++) {
		bool listed =
		    ports ? port_listed(obj, names->v[i]) : json_object_get(obj, names->v[i]) != NULL;
		if (listed == want)
			continue;
		line_start(msg);
		quai_buf_printf(msg, "%s '%s' %s: expected it %s, actual [", what, names->v[i],
		                want ? "not found" : "found", want ? "listed" : "absent");
		const char *key;
		const json_t *v;
		bool first = true;
		json_object_foreach((json_t *)obj, key, v)
		{
			quai_buf_printf(msg, "%s\"%s\"", first ? "" : ", ", key);
			first = false;
		}
		quai_buf_putc(msg, ']');
	}
}

static const char *str_or_empty(const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

bool quai_imagetest_eval_metadata(char **out, const struct quai_imagetest_metadata *test,
                                  const json_t *inspect)
{
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	const json_t *cfg = config_of(inspect);
	if (!cfg) {
		quai_buf_puts(&msg, "the image inspect data has no Config");
		return finish(out, &msg);
	}
	const json_t *env = json_object_get(cfg, "Env");
	for (size_t i = 0; i < test->env_vars.n; i++)
		check_kv(&msg, "env var", "image", &test->env_vars.v[i],
		         env_lookup(env, test->env_vars.v[i].key));
	const json_t *labels = json_object_get(cfg, "Labels");
	for (size_t i = 0; i < test->labels.n; i++)
		check_kv(&msg, "label", "image", &test->labels.v[i],
		         json_string_value(json_object_get(labels, test->labels.v[i].key)));
	if (test->has_entrypoint)
		check_argv(&msg, "entrypoint", &test->entrypoint, json_object_get(cfg, "Entrypoint"));
	if (test->has_cmd)
		check_argv(&msg, "cmd", &test->cmd, json_object_get(cfg, "Cmd"));
	const char *workdir = str_or_empty(json_object_get(cfg, "WorkingDir"));
	if (test->workdir && strcmp(test->workdir, workdir) != 0) {
		line_start(&msg);
		quai_buf_printf(&msg, "workdir: expected '%s', actual '%s'", test->workdir, workdir);
	}
	const char *user = str_or_empty(json_object_get(cfg, "User"));
	if (test->user && strcmp(test->user, user) != 0) {
		line_start(&msg);
		quai_buf_printf(&msg, "user: expected '%s', actual '%s'", test->user, user);
	}
	const json_t *ports = json_object_get(cfg, "ExposedPorts");
	check_listed(&msg, "port", &test->exposed_ports, ports, true, true);
	check_listed(&msg, "port", &test->unexposed_ports, ports, false, true);
	const json_t *volumes = json_object_get(cfg, "Volumes");
	check_listed(&msg, "volume", &test->volumes, volumes, true, false);
	check_listed(&msg, "volume", &test->unmounted_volumes, volumes, false, false);
	return finish(out, &msg);
}

int quai_imagetest_default_port(const json_t *inspect, struct quai_error **err)
{
	const json_t *cfg = config_of(inspect);
	const json_t *ports = cfg ? json_object_get(cfg, "ExposedPorts") : NULL;
	const char *key;
	const json_t *v;
	int port = -1, count = 0;
	json_object_foreach((json_t *)ports, key, v)
	{
		char *end = NULL;
		long p = strtol(key, &end, 10);
		if (end == key || p <= 0 || p > 65535 || (*end && strcmp(end, "/tcp") != 0))
			continue;
		port = (int)p;
		count++;
	}
	if (count == 1)
		return port;
	quai_error_set(err, QUAI_EXIT_FINDINGS,
	               count ? "the image exposes %d TCP ports (give the httpTest a port)"
	                     : "the image exposes no TCP port (%d; give the httpTest a port)",
	               count);
	return -1;
}

static const char *header_value(const struct quai_imagetest_http_facts *facts, const char *name)
{
	for (size_t i = 0; i < facts->nheaders; i++)
		if (strcasecmp(facts->headers[i].name, name) == 0)
			return facts->headers[i].value;
	return NULL;
}

bool quai_imagetest_eval_http(char **out, const struct quai_imagetest_http *test,
                              const struct quai_imagetest_http_facts *facts)
{
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	if (facts->status != test->expected_status)
		quai_buf_printf(&msg, "status: expected %d, actual %d", test->expected_status, facts->status);
	if (test->expected_body) {
		struct quai_imagetest_strv one = {(char **)&test->expected_body, 1};
		check_regexes(&msg, &one, true, "body", facts->body, facts->body_len);
	}
	for (size_t i = 0; i < test->expected_headers.n; i++) {
		const struct quai_imagetest_kv *kv = &test->expected_headers.v[i];
		check_kv(&msg, "header", "response", kv, header_value(facts, kv->key));
	}
	return finish(out, &msg);
}

int quai_imagetest_file_facts_from_stat(struct quai_imagetest_file_facts *out, const char *header,
                                        struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	size_t len = 0;
	cleanup_free char *json = strlen(header) > 65536 ? NULL : quai_base64_decode(header, &len);
	if (!json)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's path stat is not base64");
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's path stat is not a JSON object");
	}
	json_t *mode = json_object_get(root, "mode");
	if (!json_is_integer(mode)) {
		json_decref(root);
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's path stat has no mode");
	}
	out->exists = true;
	out->mode = (uint32_t)json_integer_value(mode);
	out->size = json_integer_value(json_object_get(root, "size"));
	const char *name = json_string_value(json_object_get(root, "name"));
	const char *link = json_string_value(json_object_get(root, "linkTarget"));
	out->name = name ? xstrdup(name) : NULL;
	out->link_target = link && link[0] ? xstrdup(link) : NULL;
	json_decref(root);
	return 0;
}

void quai_imagetest_file_facts_release(struct quai_imagetest_file_facts *facts)
{
	free(facts->name);
	free(facts->link_target);
	memset(facts, 0, sizeof(*facts));
}

static bool name_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Go's getShellName: the name after '$', its length in `s` (0 when none). */
static size_t shell_name(const char *s, const char **name, size_t *nlen)
{
	*name = s;
	*nlen = 0;
	if (s[0] == '{') {
		if (s[1] && strchr("*#$@!?-", s[1]) && s[2] == '}') {
			*name = s + 1;
			*nlen = 1;
			return 3;
		}
		const char *close = strchr(s + 1, '}');
		if (!close)
			return 1; /* bad syntax: eat the '{' */
		if (close == s + 1)
			return 2; /* "${}": eat it */
		*name = s + 1;
		*nlen = (size_t)(close - (s + 1));
		return *nlen + 2;
	}
	if (s[0] && (strchr("*#$@!?-", s[0]) || (s[0] >= '0' && s[0] <= '9'))) {
		*nlen = 1;
		return 1;
	}
	while (name_char(s[*nlen]))
		(*nlen)++;
	return *nlen;
}

char *quai_imagetest_expand_env(const char *s, const json_t *inspect)
{
	const json_t *cfg = config_of(inspect);
	const json_t *env = cfg ? json_object_get(cfg, "Env") : NULL;
	struct quai_buf out = QUAI_BUF_INIT;
	for (size_t i = 0; s[i];) {
		if (s[i] != '$' || !s[i + 1]) {
			quai_buf_putc(&out, s[i++]);
			continue;
		}
		const char *name;
		size_t nlen;
		size_t w = shell_name(s + i + 1, &name, &nlen);
		if (nlen == 0 && w == 0) {
			quai_buf_putc(&out, s[i++]);
			continue;
		}
		if (nlen) {
			cleanup_free char *key = xstrndup(name, nlen);
			const char *v = env_lookup(env, key);
			quai_buf_puts(&out, v ? v : "");
		}
		i += 1 + w;
	}
	return quai_buf_detach(&out);
}
