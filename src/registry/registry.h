/* Registry credentials found as the docker CLI finds them (environment,
 * config.json credHelpers / credsStore / auths), stored as `docker login`
 * stores them, and the few registry HTTP API calls quai needs (the /v2/
 * check and a manifest HEAD, with basic auth or the Bearer token flow).
 * Secrets are never put in error messages. */
#ifndef QUAI_REGISTRY_REGISTRY_H
#define QUAI_REGISTRY_REGISTRY_H

#include <jansson.h>

#include "core/error.h"

#define QUAI_REGISTRY_DOCKER_HUB "https://index.docker.io/v1/"

struct quai_registry_creds {
	char *username, *password;
};
void quai_registry_creds_release(struct quai_registry_creds *c);

/* The key docker uses for a registry: docker.io, index.docker.io and
 * registry-1.docker.io (with or without scheme) become
 * QUAI_REGISTRY_DOCKER_HUB; others become host[:port] (scheme and path
 * dropped). Caller frees. */
char *quai_registry_key(const char *registry);

/* A reference split as docker does: host ("docker.io" when the first part is
 * no host), repository path (library/ added for docker.io), tag ("latest"
 * when none). Returns -1 (usage error) for digests or malformed refs. */
struct quai_registry_ref {
	char *host, *repo, *tag;
};
int quai_registry_ref_parse(struct quai_registry_ref *out, const char *ref, struct quai_error **err);
void quai_registry_ref_release(struct quai_registry_ref *r);

/* base64 "user:password" of config.json auths entries. decode returns -1 when
 * invalid (the message never contains the value). encode: caller frees. */
int quai_registry_auth_decode(struct quai_registry_creds *out, const char *b64, struct quai_error **err);
char *quai_registry_auth_encode(const char *user, const char *password);

/* $DOCKER_CONFIG/config.json, else ~/.docker/config.json. Caller frees. */
char *quai_registry_config_path(void);

/* Looks registry up in a parsed config.json: credHelpers, credsStore, then
 * auths. Returns 1 found, 0 none, -1 error. */
int quai_registry_config_lookup(struct quai_registry_creds *out, const json_t *config, const char *registry,
                                struct quai_error **err);

/* QUAI_REGISTRY_USER/QUAI_REGISTRY_PASSWORD, else the config file (a missing
 * file is no credentials). Returns 1 found, 0 none, -1 error. */
int quai_registry_creds_find(struct quai_registry_creds *out, const char *registry, struct quai_error **err);

/* docker-credential-NAME get / store (docker-credential-helpers protocol).
 * get returns 1 found, 0 not found, -1 error. */
int quai_registry_helper_get(struct quai_registry_creds *out, const char *helper, const char *server,
                             struct quai_error **err);
int quai_registry_helper_store(const char *helper, const char *server, const struct quai_registry_creds *c,
                               struct quai_error **err);

/* Stores credentials as docker login does: the credsStore helper when the
 * config names one, else base64 in auths[key] (written atomically, mode 0600,
 * other keys kept). *out_where says where ("config.json path" or helper name);
 * caller frees. */
int quai_registry_login_store(char **out_where, const char *registry, const struct quai_registry_creds *c,
                              struct quai_error **err);

/* GET /v2/ with c (NULL for none); 0 when accepted. A 401 is a "credentials
 * refused" error with status QUAI_EXIT_FINDINGS. http:// for 127.0.0.1 and
 * localhost, else https://. */
int quai_registry_check(const char *host, const struct quai_registry_creds *c, struct quai_error **err);

/* HEAD /v2/<repo>/manifests/<tag>: *out_digest the tag's digest, NULL when the
 * tag does not exist. Caller frees. */
int quai_registry_manifest_digest(char **out_digest, const char *host, const char *repo, const char *tag,
                                  const struct quai_registry_creds *c, struct quai_error **err);

#endif
