/* A client of the Docker Engine API (Podman's compatible API works too):
 * HTTP with libcurl over the unix socket or TCP (TLS like the docker CLI),
 * JSON with jansson, the API version negotiated with the engine.
 *
 * Every function that talks to the engine returns 0 on success, or a
 * negative value and fills *err: QUAI_ENGINE_ENOTFOUND (-2) when the engine
 * answered 404 (no such image, container, path), -1 for anything else. The
 * engine's own {"message": ...} is in the error's text. One struct
 * quai_engine is used by one thread at a time. */
#ifndef QUAI_ENGINE_ENGINE_H
#define QUAI_ENGINE_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/error.h"

#define QUAI_ENGINE_ENOTFOUND (-2)
/* The newest API version quai speaks; never more than the engine's. */
#define QUAI_ENGINE_API_VERSION "1.43"
/* The oldest the docker CLI assumes when the engine does not say. */
#define QUAI_ENGINE_API_FALLBACK "1.24"
/* Every container, network and volume quai creates carries this label. */
#define QUAI_ENGINE_LABEL_RUN "io.quai.run"

/* Where the engine is, as DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH say. */
struct quai_engine_host {
	char *url;      /* the DOCKER_HOST form, for messages: unix:///var/run/docker.sock */
	char *socket;   /* unix socket path, or NULL for tcp */
	char *base;     /* http://localhost, http://HOST:PORT or https://HOST:PORT */
	bool tls;       /* DOCKER_TLS_VERIFY set: verify the engine and send our certificate */
	char *cert_dir; /* with tls: the directory of ca.pem, cert.pem, key.pem */
};

/* Parses a DOCKER_HOST value (NULL or "" for the default socket) into *out.
 * tls_verify and cert_path are the values of DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH (NULL when unset); home is $HOME for the default
 * ~/.docker. The caller releases *out with quai_engine_host_release. */
int quai_engine_host_parse(struct quai_engine_host *out, const char *docker_host, const char *tls_verify,
                           const char *cert_path, const char *home, struct quai_error **err);
void quai_engine_host_release(struct quai_engine_host *h);

/* Compares two API versions "MAJOR.MINOR" numerically (1.9 < 1.24). */
int quai_engine_version_cmp(const char *a, const char *b);
/* The version to use with an engine that speaks `server` (NULL when it did
 * not say): the lower of server and QUAI_ENGINE_API_VERSION, or the fallback.
 * Returns a pointer to server or to a static string. */
const char *quai_engine_version_pick(const char *server);

/* libcurl's process-wide initialisation, for every libcurl user of quai
 * (engine and registry clients): call it before a transfer, with tls true
 * when the transfer may use TLS. Without TLS it skips what only TLS needs
 * (OpenSSL's configuration and error strings: megabytes of RSS), loading it
 * at the first call with tls. See curl.c. */
void quai_engine_curl_init(bool tls);

struct quai_engine;

/* Connects to the engine named by the environment and negotiates the API
 * version (GET /_ping, else /version). The caller frees *out. */
int quai_engine_open(struct quai_engine **out, struct quai_error **err);
/* As quai_engine_open, for a given host (copied). */
int quai_engine_open_host(struct quai_engine **out, const struct quai_engine_host *host,
                          struct quai_error **err);
void quai_engine_free(struct quai_engine *e);
/* The negotiated API version ("1.41"), owned by e. */
const char *quai_engine_api_version(const struct quai_engine *e);
/* The host, owned by e. */
const struct quai_engine_host *quai_engine_host(const struct quai_engine *e);
/* Whether the engine is Podman (its Docker-compatible API). */
bool quai_engine_is_podman(const struct quai_engine *e);
/* GET /version; the caller owns *out (json_decref). */
int quai_engine_version(struct quai_engine *e, json_t **out, struct quai_error **err);

/* ---- the generic layer ---- */

/* A streamed request body: read() fills up to n bytes of buf and returns how
 * many, 0 at the end, or a negative value after filling *err. */
struct quai_engine_body {
	ssize_t (*read)(void *arg, char *buf, size_t n, struct quai_error **err);
	void *arg;
};

/* Callbacks of streamed responses; a non-zero return (with *err filled)
 * stops the transfer and becomes the call's error. */
/* One JSON message of a /build or /images/push stream (borrowed). */
typedef int (*quai_engine_message_fn)(void *arg, json_t *msg, struct quai_error **err);
/* Output of a container: stream 1 is stdout, 2 stderr. */
typedef int (*quai_engine_output_fn)(void *arg, int stream, const char *data, size_t len,
                                     struct quai_error **err);
/* Raw bytes (a tar stream from /archive). */
typedef int (*quai_engine_data_fn)(void *arg, const char *data, size_t len, struct quai_error **err);

struct quai_engine_request {
	const char *method;                  /* "GET" when NULL */
	const char *path;                    /* "/images/json", without the version prefix */
	const char *query;                   /* "a=1&b=2", already escaped (quai_engine_query_add) */
	json_t *json;                        /* a JSON body (borrowed), or NULL */
	const struct quai_engine_body *body; /* a streamed body, or NULL */
	const char *content_type;            /* of the streamed body */
	const char *const *headers;          /* extra "Name: value" lines, NULL-terminated */
	long timeout_ms;                     /* whole request; 0: none */
	/* at most one of these: how a 2xx answer is consumed */
	quai_engine_message_fn on_message;
	quai_engine_output_fn on_output;
	quai_engine_data_fn on_data;
	void *arg;
	/* Called about once a second while the request runs (and more often
	 * while data flows), e.g. to refresh an elapsed-time display; may be NULL. */
	void (*on_tick)(void *arg);
};

struct quai_engine_response {
	long status;
	json_t *json;    /* the parsed body when it was JSON and no callback took it */
	char *path_stat; /* the decoded X-Docker-Container-Path-Stat header, or NULL */
};

/* Appends "key=value" to a query, escaping both. */
void quai_engine_query_add(struct quai_buf *q, const char *key, const char *value);

/* Sends a request. A status >= 400 is an error carrying the engine's
 * message. With out, the caller releases it with quai_engine_response_release. */
int quai_engine_request(struct quai_engine *e, const struct quai_engine_request *req,
                        struct quai_engine_response *out, struct quai_error **err);
void quai_engine_response_release(struct quai_engine_response *r);

/* ---- images ---- */

struct quai_engine_build {
	const char *const *tags;       /* -t NAME:TAG, NULL-terminated, may be NULL */
	const char *dockerfile;        /* path inside the context; NULL: Dockerfile */
	const char *const *build_args; /* "K=V" */
	const char *target;
	const char *const *labels; /* "K=V" */
	bool no_cache, pull;
	const struct quai_engine_body *context; /* the tar stream */
	/* Build output as the engine sends it (text with newlines); may be NULL. */
	int (*on_output)(void *arg, const char *text, struct quai_error **err);
	void (*on_tick)(void *arg); /* as in struct quai_engine_request; may be NULL */
	void *arg;
};

/* POST /build. On success *out_id is the image ID ("sha256:..."), owned by
 * the caller. A failing step is an error (status QUAI_EXIT_FINDINGS) whose
 * message is the engine's. */
int quai_engine_image_build(struct quai_engine *e, char **out_id, const struct quai_engine_build *b,
                            struct quai_error **err);
/* GET /images/{name}/json; the caller owns *out. With Podman, whose
 * compatible answer leaves it out, Config.Healthcheck comes from
 * /libpod/images/{name}/json. */
int quai_engine_image_inspect(struct quai_engine *e, json_t **out, const char *name, struct quai_error **err);
/* POST /images/{name}/tag: name becomes also ref (REPO[:TAG]). */
int quai_engine_image_tag(struct quai_engine *e, const char *name, const char *ref, struct quai_error **err);

/* Credentials for a registry, sent as X-Registry-Auth. */
struct quai_engine_auth {
	const char *username, *password, *server;
};
/* The X-Registry-Auth value: base64url of {"username","password","serveraddress"}; caller frees. */
char *quai_engine_auth_header(const struct quai_engine_auth *auth);

/* POST /images/{repo}/push?tag=: pushes ref (REPO:TAG). on_output gets the
 * progress lines ("ID: status"); *out_digest the pushed digest, caller frees. */
int quai_engine_image_push(struct quai_engine *e, char **out_digest, const char *ref,
                           const struct quai_engine_auth *auth,
                           int (*on_output)(void *arg, const char *text, struct quai_error **err), void *arg,
                           struct quai_error **err);
/* DELETE /images/{name}. */
int quai_engine_image_remove(struct quai_engine *e, const char *name, bool force, struct quai_error **err);

/* ---- containers ---- */

struct quai_engine_container {
	const char *image;
	const char *name;              /* NULL: the engine picks one */
	const char *const *cmd;        /* NULL: the image's CMD */
	const char *const *entrypoint; /* NULL: the image's; an empty list clears it */
	const char *const *env;        /* "K=V" */
	const char *user, *workdir;
	const char *run_id;        /* value of the io.quai.run label; required */
	const char *const *labels; /* more "K=V" labels */
	const char *const *ports;  /* "80/tcp": published on 127.0.0.1, random host port */
	const char *network;       /* NetworkMode, or NULL */
	/* HostConfig as `docker run` sets it; all may be NULL / false. The
	 * engine socket is never mounted unless binds names it. */
	bool privileged;             /* --privileged */
	bool tty;                    /* --tty: output is one raw stream, stderr included */
	const char *const *cap_add;  /* "NET_ADMIN" (--cap-add) */
	const char *const *cap_drop; /* --cap-drop */
	const char *const *binds;    /* "HOST:CONTAINER[:OPTIONS]" (-v), HOST absolute */
};

/* POST /containers/create; *out_id owned by the caller. */
int quai_engine_container_create(struct quai_engine *e, char **out_id, const struct quai_engine_container *c,
                                 struct quai_error **err);
int quai_engine_container_start(struct quai_engine *e, const char *id, struct quai_error **err);
/* POST /containers/{id}/wait: *out_status is the exit status. timeout_ms 0
 * waits for ever; running out of time is an error saying so. */
int quai_engine_container_wait(struct quai_engine *e, int *out_status, const char *id, long timeout_ms,
                               struct quai_error **err);
/* GET /containers/{id}/logs, demultiplexed to fn; follow streams until it exits. */
int quai_engine_container_logs(struct quai_engine *e, const char *id, bool follow, quai_engine_output_fn fn,
                               void *arg, struct quai_error **err);
/* POST /containers/{id}/kill; signal NULL: SIGKILL. A stopped container is not an error. */
int quai_engine_container_kill(struct quai_engine *e, const char *id, const char *signal,
                               struct quai_error **err);
/* DELETE /containers/{id}?force=1&v=1. A missing container is not an error. */
int quai_engine_container_remove(struct quai_engine *e, const char *id, struct quai_error **err);
/* GET /containers/{id}/json; the caller owns *out. */
int quai_engine_container_inspect(struct quai_engine *e, json_t **out, const char *id,
                                  struct quai_error **err);

/* Podman only: GET /libpod/containers/{id}/healthcheck runs the container's
 * health check once and records its result (Podman runs them from systemd
 * timers, which a machine without systemd lacks). */
int quai_engine_container_healthcheck(struct quai_engine *e, const char *id, struct quai_error **err);

/* Reading an inspect answer. */
struct quai_engine_state {
	const char *status; /* "created", "running", "exited", ... */
	bool running;
	int exit_code;
	const char *health; /* "starting", "healthy", "unhealthy", or NULL without HEALTHCHECK */
};
/* Fills *out with pointers into inspect. */
void quai_engine_inspect_state(struct quai_engine_state *out, const json_t *inspect);
/* The host port published for port ("80/tcp"), or 0. */
int quai_engine_inspect_host_port(const json_t *inspect, const char *port);

/* GET /containers/{id}/archive?path=: the tar stream to fn; *out_stat (may be
 * NULL) gets the decoded path stat {name,size,mode,mtime,linkTarget}, caller
 * owns it. A missing path is QUAI_ENGINE_ENOTFOUND. */
int quai_engine_container_archive(struct quai_engine *e, json_t **out_stat, const char *id, const char *path,
                                  quai_engine_data_fn fn, void *arg, struct quai_error **err);

struct quai_engine_exec {
	const char *const *cmd;
	const char *const *env;
	const char *user, *workdir;
	bool tty; /* a terminal: output is one raw stream, stderr included */
};
/* Runs cmd in the running container id, output to fn; *out_status its exit status. */
int quai_engine_container_exec(struct quai_engine *e, int *out_status, const char *id,
                               const struct quai_engine_exec *x, quai_engine_output_fn fn, void *arg,
                               struct quai_error **err);

/* ---- networks, volumes, clean-up ---- */

/* POST /networks/create with the io.quai.run label; *out_id owned by the caller. */
int quai_engine_network_create(struct quai_engine *e, char **out_id, const char *name, const char *run_id,
                               struct quai_error **err);
/* DELETE /networks/{id}; a missing network is not an error. */
int quai_engine_network_remove(struct quai_engine *e, const char *id, struct quai_error **err);
/* DELETE /volumes/{name}?force=1; a missing volume is not an error. */
int quai_engine_volume_remove(struct quai_engine *e, const char *name, struct quai_error **err);

enum quai_engine_kind { QUAI_ENGINE_CONTAINERS, QUAI_ENGINE_NETWORKS, QUAI_ENGINE_VOLUMES };
/* IDs (volume names) of every object of kind carrying label ("KEY" or
 * "KEY=VALUE"), stopped containers included: a NULL-terminated array the
 * caller frees with quai_engine_strv_free. */
int quai_engine_list(struct quai_engine *e, char ***out, enum quai_engine_kind kind, const char *label,
                     struct quai_error **err);
void quai_engine_strv_free(char **v);

#endif
