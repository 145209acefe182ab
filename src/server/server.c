/* The HTTP server: libmicrohttpd, one thread per connection (so that log
 * followers may wait), bounded connections, body size and timeouts;
 * routing, token authentication, /healthz and /metrics (see server.h). */
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "server/internal.h"
#include "web/web.h" /* web UI hook (issue 8) */
#include "core/banned.h"

extern char **environ;

#define CONNECTION_TIMEOUT_SECONDS 30
/* A connection's thread needs little stack; sanitizers need more. glibc
 * keeps the stacks of finished threads for reuse, so this is also what
 * a burst of connections leaves resident. */
#if defined(__SANITIZE_ADDRESS__)
#define THREAD_STACK_BYTES (512u << 10)
#else
#define THREAD_STACK_BYTES (128u << 10)
#endif

static const char *const hook_result_names[HOOK_RESULTS] = {
    "accepted", "duplicate", "ignored", "unauthorized", "malformed", "unknown_project", "too_large", "error",
};

const char *quai_server_hook_result_name(enum hook_result r)
{
	return hook_result_names[r];
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type, char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result quai_server_send_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	size_t len = strlen(text);
	text = xrealloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	return send_text(c, status, "application/json", text);
}

enum MHD_Result quai_server_send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	return quai_server_send_json(c, status, json_pack("{s:s}", "error", msg));
}

/* The role of the request's bearer token: "admin", "read", or NULL. */
static const char *token_role(struct server *srv, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	const char *token = auth + 7;
	if (!*token || strlen(token) > 256)
		return NULL;
	char hex[65];
	quai_forge_sha256_hex(token, strlen(token), hex);
	const char *role = NULL;
	quai_store_token_role(srv->store, hex, &role);
	return role;
}

/* --- web UI hook (src/web/, issue 8): pages for paths no API route takes --- */
static enum MHD_Result web_job_log(void *srv, struct MHD_Connection *c, int64_t job)
{
	return quai_server_job_log(srv, c, job);
}
/* --- end of the web UI hook --- */

static enum MHD_Result handle(struct server *srv, struct MHD_Connection *c, const char *url,
                              const char *method, struct request *req)
{
	atomic_fetch_add(&srv->requests, 1);
	struct quai_route route;
	quai_server_route(&route, method, url);
	if (route.kind == QUAI_ROUTE_NONE) { /* web UI hook (issue 8) */
		struct quai_web_env web = {srv->cfg, srv->store, srv->sched, srv, web_job_log};
		enum MHD_Result wr;
		if (!req->too_large && quai_web_handle(&web, c, url, method, req->body.data, req->body.len, &wr))
			return wr;
	}
	if (route.kind == QUAI_ROUTE_NONE)
		return quai_server_send_error(c, 404, "not found");
	if (route.bad_method)
		return quai_server_send_error(c, 405, "method %s not allowed here", method);
	if (req->too_large) {
		if (route.kind == QUAI_ROUTE_HOOK)
			atomic_fetch_add(&srv->hooks[HOOK_TOO_LARGE], 1);
		return quai_server_send_error(c, 413, "request body larger than %zu bytes",
		                              srv->cfg->max_body);
	}
	if (route.api) {
		const char *role = token_role(srv, c);
		if (!role)
			return quai_server_send_error(c, 401,
			                              "a valid token is needed: Authorization: Bearer TOKEN");
		if (route.admin && strcmp(role, "admin") != 0)
			return quai_server_send_error(c, 403, "this token is read-only");
	}
	switch (route.kind) {
	case QUAI_ROUTE_HEALTHZ:
		return send_text(c, 200, "text/plain", xstrdup("ok\n"));
	case QUAI_ROUTE_METRICS:
		return quai_server_metrics(srv, c);
	case QUAI_ROUTE_HOOK:
		return quai_server_hook(srv, c, route.name, req);
	case QUAI_ROUTE_JOB_LOG:
		return quai_server_job_log(srv, c, route.id);
	default:
		return quai_server_api(srv, c, &route, req);
	}
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *req = *con_cls;
	if (!req) {
		*con_cls = xcalloc(1, sizeof(*req));
		return MHD_YES;
	}
	if (*upload_size) {
		if (req->body.len + *upload_size > srv->cfg->max_body)
			req->too_large = true;
		else
			quai_buf_add(&req->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return handle(srv, c, url, method, req);
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;
	if (req) {
		quai_buf_release(&req->body);
		free(req);
		*con_cls = NULL;
	}
}

struct counts {
	struct quai_buf lines;
	long long queued;
};

static void metric_counts(void *ctx, const char *kind, const char *status, long long n)
{
	struct counts *c = ctx;
	quai_buf_printf(&c->lines, "quai_%s{status=\"%s\"} %lld\n", kind, status, n);
	if (strcmp(kind, "pipelines") == 0 && strcmp(status, "queued") == 0)
		c->queued = n;
}

static void histogram(struct quai_buf *b, const char *name, const char *help, const struct quai_histogram *h)
{
	quai_buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	unsigned long long cum = 0;
	for (int i = 0; i < 8; i++) {
		cum += h->buckets[i];
		if (i < 7)
			quai_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
			                quai_scheduler_duration_bounds[i], cum);
		else
			quai_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	quai_buf_printf(b, "%s_sum %.3f\n%s_count %llu\n", name, h->sum, name, cum);
}

enum MHD_Result quai_server_metrics(struct server *srv, struct MHD_Connection *c)
{
	struct quai_buf b = QUAI_BUF_INIT;
	quai_buf_puts(
	    &b, "# HELP quai_pipelines Pipelines in the store by status.\n# TYPE quai_pipelines gauge\n");
	struct quai_buf jobs = QUAI_BUF_INIT;
	struct quai_buf pipes = QUAI_BUF_INIT;
	struct counts both = {QUAI_BUF_INIT, 0};
	quai_store_counts(srv->store, metric_counts, &both);
	/* split the lines by kind so that each metric's samples are together */
	const char *p = quai_buf_str(&both.lines);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p) + 1;
		quai_buf_add(strncmp(p, "quai_jobs", 9) == 0 ? &jobs : &pipes, p, len);
		p += len;
	}
	quai_buf_puts(&b, quai_buf_str(&pipes));
	quai_buf_puts(&b, "# HELP quai_jobs Jobs in the store by status.\n# TYPE quai_jobs gauge\n");
	quai_buf_puts(&b, quai_buf_str(&jobs));
	quai_buf_release(&both.lines);
	quai_buf_release(&jobs);
	quai_buf_release(&pipes);
	struct quai_scheduler_stats st;
	quai_scheduler_stats(srv->sched, &st);
	quai_buf_printf(&b,
	                "# HELP quai_queue_length Pipelines waiting to run.\n# TYPE quai_queue_length gauge\n"
	                "quai_queue_length %lld\n",
	                both.queued);
	quai_buf_printf(
	    &b,
	    "# HELP quai_pipelines_running Pipelines running now.\n# TYPE quai_pipelines_running gauge\n"
	    "quai_pipelines_running %zu\n",
	    st.running);
	quai_buf_puts(&b, "# HELP quai_webhook_deliveries_total Webhook deliveries by result.\n"
	                  "# TYPE quai_webhook_deliveries_total counter\n");
	for (int i = 0; i < HOOK_RESULTS; i++)
		quai_buf_printf(&b, "quai_webhook_deliveries_total{result=\"%s\"} %llu\n",
		                hook_result_names[i], (unsigned long long)atomic_load(&srv->hooks[i]));
	histogram(&b, "quai_pipeline_duration_seconds", "Durations of finished pipelines.", &st.pipelines);
	histogram(&b, "quai_build_duration_seconds", "Durations of image builds that succeeded.", &st.builds);
	histogram(&b, "quai_push_duration_seconds", "Durations of image pushes that succeeded.", &st.pushes);
	quai_buf_printf(
	    &b,
	    "# HELP quai_http_requests_total HTTP requests served.\n# TYPE quai_http_requests_total counter\n"
	    "quai_http_requests_total %llu\n",
	    (unsigned long long)atomic_load(&srv->requests));
	return send_text(c, 200, "text/plain; version=0.0.4", quai_buf_detach(&b));
}

static int resolve_listen(const struct quai_server_config *cfg, struct sockaddr_storage *out, socklen_t *len,
                          bool *ipv6, struct quai_error **err)
{
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	char port[8];
	snprintf(port, sizeof(port), "%u", cfg->listen_port);
	const char *host = cfg->listen_host;
	cleanup_free char *bare = NULL;
	if (host[0] == '[') {
		bare = xstrndup(host + 1, strlen(host) - 2);
		host = bare;
	}
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return quai_error_set(err, 2, "%s: listen: cannot resolve '%s': %s", cfg->file,
		                      cfg->listen_host, gai_strerror(rc));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	*ipv6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

static int make_dirs(const struct quai_server_config *cfg, struct quai_error **err)
{
	static const char *const subs[] = {"", "/logs", "/runs", "/mirrors", NULL};
	for (int i = 0; subs[i]; i++) {
		cleanup_free char *d = xasprintf("%s%s", cfg->data_dir, subs[i]);
		if (mkdir(d, 0750) < 0 && errno != EEXIST)
			return quai_error_errno(err, errno, "cannot create '%s'", d);
	}
	return 0;
}

/* `quai gc` (everything io.quai.run-labelled in the engine: what the
 * interrupted jobs left), its output into the server's. */
static void run_gc(const char *quai_bin)
{
	char gc[] = "gc";
	char *argv[] = {(char *)quai_bin, gc, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, quai_bin, NULL, NULL, argv, environ);
	int status = 0;
	if (rc == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		fprintf(stderr, "quai serve: quai gc removed what the interrupted jobs left in the engine\n");
	else
		fprintf(stderr, "quai serve: quai gc after the crash did not succeed (%s); run it by hand\n",
		        rc ? strerror(rc) : "see above");
}

static int wait_for_signal(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	int sig = 0;
	sigwait(&set, &sig);
	return sig;
}

int quai_server_run(const struct quai_server_config *cfg, const char *quai_bin, struct quai_error **err)
{
	/* every thread inherits the mask: signals are taken by sigwait only */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (quai_forge_crypto_check(err) < 0 || make_dirs(cfg, err) < 0)
		return -1;
	struct server srv = {.cfg = cfg};
	cleanup_free char *db = xasprintf("%s/quai.db", cfg->data_dir);
	if (quai_store_open(&srv.store, db, err) < 0)
		return -1;
	quai_scheduler_kill_orphans(srv.store);
	size_t recovered = 0;
	if (quai_store_recover(srv.store, cfg->recover_requeue, &recovered, err) < 0) {
		quai_store_close(srv.store);
		return -1;
	}
	if (recovered && cfg->gc_after_crash)
		run_gc(quai_bin);
	if (recovered)
		fprintf(stderr, "quai serve: %zu pipeline(s) interrupted by the last stop %s\n", recovered,
		        cfg->recover_requeue ? "queued again" : "marked failed");
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool ipv6 = false;
	if (resolve_listen(cfg, &addr, &addrlen, &ipv6, err) < 0 ||
	    quai_scheduler_start(&srv.sched, cfg, srv.store, quai_bin, err) < 0) {
		quai_store_close(srv.store);
		return -1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	struct MHD_Daemon *d = MHD_start_daemon(
	    flags, (uint16_t)cfg->listen_port, NULL, NULL, access_cb, &srv, MHD_OPTION_SOCK_ADDR, &addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)CONNECTION_TIMEOUT_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10),
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK_BYTES, MHD_OPTION_NOTIFY_COMPLETED,
	    completed_cb, &srv, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!d) {
		quai_error_set(err, 2, "cannot listen on %s:%u (in use, or not an address of this host)",
		               cfg->listen_host, cfg->listen_port);
		quai_scheduler_stop(srv.sched);
		quai_store_close(srv.store);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "quai serve: listening on http://%s:%u/ with %zu project(s), data in %s\n",
	        cfg->listen_host, info ? info->port : cfg->listen_port, cfg->nprojects, cfg->data_dir);
	fflush(stderr);
	int sig = wait_for_signal();
	fprintf(stderr, "quai serve: %s: stopping\n", sig == SIGINT ? "interrupted" : "terminated");
	atomic_store(&srv.stopping, true);
	MHD_stop_daemon(d);
	quai_scheduler_stop(srv.sched);
	quai_store_close(srv.store);
	fprintf(stderr, "quai serve: stopped\n");
	return 0;
}
