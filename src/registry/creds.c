/* Credentials: keys, config.json, credential helpers, docker login storage. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "registry/registry.h"
#include "core/banned.h"

#define CONFIG_MAX_BYTES (4u << 20)
#define HELPER_OUT_MAX   (1u << 20)

extern char **environ;

void quai_registry_creds_release(struct quai_registry_creds *c)
{
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->username);
	free(c->password);
	c->username = c->password = NULL;
}

/* host[:port] of a registry written with or without scheme and path. */
static char *host_of(const char *registry)
{
	const char *p = registry;
	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	return xstrndup(p, strcspn(p, "/"));
}

static bool is_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	       strcmp(host, "registry-1.docker.io") == 0;
}

char *quai_registry_key(const char *registry)
{
	char *h = host_of(registry);
	if (is_hub(h)) {
		free(h);
		return xstrdup(QUAI_REGISTRY_DOCKER_HUB);
	}
	return h;
}

void quai_registry_ref_release(struct quai_registry_ref *r)
{
	free(r->host);
	free(r->repo);
	free(r->tag);
	r->host = r->repo = r->tag = NULL;
}

static bool valid_path(const char *s)
{
	if (!*s || *s == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//"))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-/", *p)))
			return false;
	return true;
}

int quai_registry_ref_parse(struct quai_registry_ref *out, const char *ref, struct quai_error **err)
{
	*out = (struct quai_registry_ref){0};
	if (strchr(ref, '@'))
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': a digest reference cannot be pushed", ref);
	const char *slash = strchr(ref, '/');
	const char *rest = ref;
	if (slash && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
	              ((size_t)(slash - ref) == 9 && strncmp(ref, "localhost", 9) == 0))) {
		out->host = xstrndup(ref, (size_t)(slash - ref));
		rest = slash + 1;
	} else {
		out->host = xstrdup("docker.io");
	}
	const char *colon = strrchr(rest, ':');
	if (colon && !strchr(colon, '/')) {
		out->repo = xstrndup(rest, (size_t)(colon - rest));
		out->tag = xstrdup(colon + 1);
	} else {
		out->repo = xstrdup(rest);
		out->tag = xstrdup("latest");
	}
	bool tag_ok = *out->tag && strlen(out->tag) <= 128 && out->tag[0] != '.' && out->tag[0] != '-';
	for (const char *p = out->tag; tag_ok && *p; p++)
		tag_ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		         strchr("._-", *p);
	if (!*out->host || !valid_path(out->repo) || !tag_ok) {
		quai_registry_ref_release(out);
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': not a valid image reference", ref);
	}
	if (is_hub(out->host) && !strchr(out->repo, '/')) {
		char *r = xasprintf("library/%s", out->repo);
		free(out->repo);
		out->repo = r;
	}
	return 0;
}

char *quai_registry_auth_encode(const char *user, const char *password)
{
	cleanup_free char *plain = xasprintf("%s:%s", user, password);
	char *out = quai_base64_encode(plain, strlen(plain), false);
	explicit_bzero(plain, strlen(plain));
	return out;
}

int quai_registry_auth_decode(struct quai_registry_creds *out, const char *b64, struct quai_error **err)
{
	*out = (struct quai_registry_creds){0};
	size_t n = strlen(b64);
	while (n && (b64[n - 1] == '\n' || b64[n - 1] == ' '))
		n--;
	if (n == 0 || n % 4 != 0 || n > (1u << 16))
		return quai_error_set(err, QUAI_EXIT_USAGE, "invalid base64 auth entry");
	cleanup_free char *trimmed = xstrndup(b64, n);
	size_t len = 0;
	char *raw = quai_base64_decode(trimmed, &len);
	explicit_bzero(trimmed, n);
	if (!raw)
		return quai_error_set(err, QUAI_EXIT_USAGE, "invalid base64 auth entry");
	char *colon = memchr(raw, ':', len);
	if (!colon || memchr(raw, '\0', len)) {
		explicit_bzero(raw, len);
		free(raw);
		return quai_error_set(err, QUAI_EXIT_USAGE, "invalid auth entry: expected user:password");
	}
	out->username = xstrndup(raw, (size_t)(colon - raw));
	out->password = xstrdup(colon + 1);
	explicit_bzero(raw, len);
	free(raw);
	return 0;
}

char *quai_registry_config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return xasprintf("%s/config.json", dir);
	const char *home = getenv("HOME");
	return xasprintf("%s/.docker/config.json", home && *home ? home : ".");
}

/* The entry of an object (auths, credHelpers) whose key names the same registry. */
static json_t *find_entry(const json_t *obj, const char *registry)
{
	if (!json_is_object(obj))
		return NULL;
	cleanup_free char *want = quai_registry_key(registry);
	json_t *exact = json_object_get(obj, want);
	if (exact)
		return exact;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		cleanup_free char *have = quai_registry_key(k);
		if (strcmp(have, want) == 0)
			return v;
	}
	return NULL;
}

/* Runs docker-credential-NAME ACTION with input on stdin; *out its stdout. */
static int helper_run(struct quai_buf *out, int *status, const char *helper, const char *action,
                      const char *input, struct quai_error **err)
{
	for (const char *p = helper; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._-", *p)))
			return quai_error_set(err, QUAI_EXIT_USAGE, "credential helper '%s': invalid name",
			                      helper);
	cleanup_free char *prog = xasprintf("docker-credential-%s", helper);
	int in[2], outp[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return quai_error_errno(err, errno, "pipe");
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return quai_error_errno(err, errno, "pipe");
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {prog, (char *)action, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	if (rc != 0) {
		close(in[1]);
		close(outp[0]);
		return quai_error_errno(err, rc, "credential helper '%s'", prog);
	}
	/* inputs are small (well under a pipe buffer): write, then read */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	size_t n = strlen(input), off = 0;
	while (off < n) {
		ssize_t w = write(in[1], input + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	signal(SIGPIPE, old);
	char chunk[4096];
	for (;;) {
		ssize_t r = read(outp[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out->len + (size_t)r <= HELPER_OUT_MAX)
			quai_buf_add(out, chunk, (size_t)r);
	}
	close(outp[0]);
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
	return 0;
}

int quai_registry_helper_get(struct quai_registry_creds *out, const char *helper, const char *server,
                             struct quai_error **err)
{
	*out = (struct quai_registry_creds){0};
	cleanup_buf struct quai_buf o = {0};
	int status;
	if (helper_run(&o, &status, helper, "get", server, err) < 0)
		return -1;
	if (status != 0) {
		/* "credentials not found in native keychain" is no credentials */
		if (strstr(quai_buf_str(&o), "not found"))
			return 0;
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "credential helper 'docker-credential-%s' failed (exit %d)", helper,
		                      status);
	}
	json_t *j = json_loads(quai_buf_str(&o), 0, NULL);
	explicit_bzero(o.data, o.len);
	const char *u = json_string_value(json_object_get(j, "Username"));
	const char *s = json_string_value(json_object_get(j, "Secret"));
	if (!u || !s) {
		json_decref(j);
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "credential helper 'docker-credential-%s': invalid answer", helper);
	}
	out->username = xstrdup(u);
	out->password = xstrdup(s);
	json_decref(j);
	return 1;
}

int quai_registry_helper_store(const char *helper, const char *server, const struct quai_registry_creds *c,
                               struct quai_error **err)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s}", "ServerURL", server, "Username", c->username, "Secret", c->password);
	char *in = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cleanup_buf struct quai_buf o = {0};
	int status;
	int rc = helper_run(&o, &status, helper, "store", in, err);
	explicit_bzero(in, strlen(in));
	free(in);
	if (rc == 0 && status != 0)
		rc = quai_error_set(err, QUAI_EXIT_USAGE,
		                    "credential helper 'docker-credential-%s' store failed (exit %d)", helper,
		                    status);
	return rc;
}

int quai_registry_config_lookup(struct quai_registry_creds *out, const json_t *config, const char *registry,
                                struct quai_error **err)
{
	*out = (struct quai_registry_creds){0};
	cleanup_free char *key = quai_registry_key(registry);
	const char *helper = json_string_value(find_entry(json_object_get(config, "credHelpers"), registry));
	if (!helper || !*helper)
		helper = json_string_value(json_object_get(config, "credsStore"));
	if (helper && *helper) {
		int rc = quai_registry_helper_get(out, helper, key, err);
		if (rc != 0)
			return rc;
	}
	json_t *entry = find_entry(json_object_get(config, "auths"), registry);
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	if (auth && *auth) {
		if (quai_registry_auth_decode(out, auth, err) < 0)
			return quai_error_wrap(err, "auths entry for '%s'", key);
		return 1;
	}
	const char *u = json_string_value(json_object_get(entry, "username"));
	const char *p = json_string_value(json_object_get(entry, "password"));
	if (u && p) {
		out->username = xstrdup(u);
		out->password = xstrdup(p);
		return 1;
	}
	return 0;
}

static int config_load(json_t **out, const char *path, struct quai_error **err)
{
	*out = NULL;
	cleanup_free char *text = NULL;
	size_t len;
	struct stat st;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (quai_file_read(&text, &len, path, CONFIG_MAX_BYTES, err) < 0)
		return -1;
	json_error_t je;
	*out = json_loadb(text, len, 0, &je);
	explicit_bzero(text, len);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': invalid JSON at line %d", path, je.line);
	}
	return 0;
}

int quai_registry_creds_find(struct quai_registry_creds *out, const char *registry, struct quai_error **err)
{
	*out = (struct quai_registry_creds){0};
	const char *u = getenv("QUAI_REGISTRY_USER"), *p = getenv("QUAI_REGISTRY_PASSWORD");
	if (u && *u && p) {
		out->username = xstrdup(u);
		out->password = xstrdup(p);
		return 1;
	}
	cleanup_free char *path = quai_registry_config_path();
	json_t *cfg;
	if (config_load(&cfg, path, err) < 0)
		return -1;
	if (!cfg)
		return 0;
	int rc = quai_registry_config_lookup(out, cfg, registry, err);
	json_decref(cfg);
	return rc;
}

static int config_write(const char *path, json_t *cfg, struct quai_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return quai_error_errno(err, errno, "create '%s'", dir);
	}
	cleanup_free char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	char *text = json_dumps(cfg, JSON_INDENT(1));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(text);
		return quai_error_errno(err, errno, "create '%s'", tmp);
	}
	size_t n = strlen(text), off = 0;
	int rc = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = quai_error_errno(err, errno, "write '%s'", tmp);
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && (write(fd, "\n", 1) != 1 || fsync(fd) < 0))
		rc = quai_error_errno(err, errno, "write '%s'", tmp);
	explicit_bzero(text, n);
	free(text);
	if (close(fd) < 0 && rc == 0)
		rc = quai_error_errno(err, errno, "write '%s'", tmp);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = quai_error_errno(err, errno, "rename '%s'", tmp);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int quai_registry_login_store(char **out_where, const char *registry, const struct quai_registry_creds *c,
                              struct quai_error **err)
{
	*out_where = NULL;
	cleanup_free char *path = quai_registry_config_path();
	cleanup_free char *key = quai_registry_key(registry);
	json_t *cfg;
	if (config_load(&cfg, path, err) < 0)
		return -1;
	if (!cfg)
		cfg = json_object();
	const char *helper = json_string_value(find_entry(json_object_get(cfg, "credHelpers"), registry));
	if (!helper || !*helper)
		helper = json_string_value(json_object_get(cfg, "credsStore"));
	int rc;
	if (helper && *helper) {
		rc = quai_registry_helper_store(helper, key, c, err);
		if (rc == 0)
			*out_where = xasprintf("docker-credential-%s", helper);
		/* as docker does, drop a stale plain-text entry */
		json_t *auths = json_object_get(cfg, "auths");
		if (rc == 0 && json_is_object(auths) && json_object_get(auths, key)) {
			json_object_set_new(auths, key, json_object());
			rc = config_write(path, cfg, err);
		}
	} else {
		json_t *auths = json_object_get(cfg, "auths");
		if (!json_is_object(auths)) {
			auths = json_object();
			json_object_set_new(cfg, "auths", auths);
		}
		char *b64 = quai_registry_auth_encode(c->username, c->password);
		json_object_set_new(auths, key, json_pack("{s:s}", "auth", b64));
		explicit_bzero(b64, strlen(b64));
		free(b64);
		rc = config_write(path, cfg, err);
		if (rc == 0)
			*out_where = xstrdup(path);
	}
	json_decref(cfg);
	return rc;
}
