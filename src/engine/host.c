/* Where the engine is (DOCKER_HOST), which API version to speak, and the
 * small encodings the API needs. Nothing here talks to the engine. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/internal.h"
#include "core/banned.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"

static int parse_tcp(struct quai_engine_host *out, const char *hostport, bool tls, struct quai_error **err)
{
	size_t n = strcspn(hostport, "/");
	if (hostport[n] && strcmp(hostport + n, "/") != 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "DOCKER_HOST 'tcp://%s': a path is not supported",
		                      hostport);
	const char *colon = NULL;
	if (hostport[0] == '[') {
		const char *end = memchr(hostport, ']', n);
		if (!end)
			return quai_error_set(err, QUAI_EXIT_USAGE, "DOCKER_HOST 'tcp://%s': unclosed '['",
			                      hostport);
		if (end + 1 < hostport + n && end[1] == ':')
			colon = end + 1;
	} else {
		colon = memchr(hostport, ':', n);
	}
	size_t hlen = colon ? (size_t)(colon - hostport) : n;
	if (hlen == 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "DOCKER_HOST 'tcp://%s': no host", hostport);
	long port = tls ? 2376 : 2375;
	if (colon) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || end != hostport + n || port <= 0 || port > 65535)
			return quai_error_set(err, QUAI_EXIT_USAGE, "DOCKER_HOST 'tcp://%s': bad port",
			                      hostport);
	}
	out->base = xasprintf("%s://%.*s:%ld", tls ? "https" : "http", (int)hlen, hostport, port);
	return 0;
}

int quai_engine_host_parse(struct quai_engine_host *out, const char *docker_host, const char *tls_verify,
                           const char *cert_path, const char *home, struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!docker_host || !*docker_host)
		docker_host = "unix://" DEFAULT_SOCKET;
	if (strncmp(docker_host, "unix://", 7) == 0) {
		const char *path = docker_host + 7;
		if (*path != '/')
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "DOCKER_HOST '%s': the socket path must be absolute",
			                      docker_host);
		out->socket = xstrdup(path);
		out->base = xstrdup("http://localhost");
	} else if (strncmp(docker_host, "tcp://", 6) == 0) {
		out->tls = tls_verify && *tls_verify;
		if (parse_tcp(out, docker_host + 6, out->tls, err) < 0)
			return -1;
		if (out->tls) {
			if (cert_path && *cert_path)
				out->cert_dir = xstrdup(cert_path);
			else
				out->cert_dir = xasprintf("%s/.docker", home ? home : "");
		}
	} else {
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "DOCKER_HOST '%s': quai supports unix://PATH and tcp://HOST:PORT",
		                      docker_host);
	}
	out->url = xstrdup(docker_host);
	return 0;
}

void quai_engine_host_release(struct quai_engine_host *h)
{
	free(h->url);
	free(h->socket);
	free(h->base);
	free(h->cert_dir);
	memset(h, 0, sizeof(*h));
}

static bool parse_version(const char *s, long *major, long *minor)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	*major = strtol(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return false;
	*minor = strtol(end + 1, &end, 10);
	return *end == '\0';
}

int quai_engine_version_cmp(const char *a, const char *b)
{
	long amaj = 0, amin = 0, bmaj = 0, bmin = 0;
	parse_version(a, &amaj, &amin);
	parse_version(b, &bmaj, &bmin);
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

const char *quai_engine_version_pick(const char *server)
{
	long maj, min;
	if (!server || !parse_version(server, &maj, &min))
		return QUAI_ENGINE_API_FALLBACK;
	if (quai_engine_version_cmp(server, QUAI_ENGINE_API_VERSION) > 0)
		return QUAI_ENGINE_API_VERSION;
	return server;
}

char *quai_engine_auth_header(const struct quai_engine_auth *auth)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "username", auth->username ? auth->username : "", "password",
	                      auth->password ? auth->password : "", "serveraddress",
	                      auth->server ? auth->server : "");
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return quai_base64_encode(text, strlen(text), true);
}

void engine_split_ref(char **out_repo, const char **out_tag, const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *at = strchr(ref, '@');
	const char *colon = strrchr(slash ? slash : ref, ':');
	if (at) {
		*out_repo = xstrndup(ref, (size_t)(at - ref));
		*out_tag = at + 1;
	} else if (colon) {
		*out_repo = xstrndup(ref, (size_t)(colon - ref));
		*out_tag = colon + 1;
	} else {
		*out_repo = xstrdup(ref);
		*out_tag = "latest";
	}
}
