/* The runner of `quai test`: fetches the facts each test of a spec needs
 * from the engine (a command's output, a path's stat and tar header, the
 * image's inspect, an HTTP answer) and asks the evaluators whether it passed.
 * Every container and network it makes carries the io.quai.run label and is
 * removed before it returns. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "context/libarchive.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

#define OUTPUT_MAX     (16u << 20) /* a command's stdout or stderr kept */
#define CONTENT_MAX    (16u << 20) /* a fileContentTest's file */
#define HEADER_PEEK    (64u << 10) /* tar bytes read to learn a path's owner */
#define POLL_NS        100000000L  /* 0.1 s between looks at a container */
#define LOG_TAIL_LINES 10
#define CMD_TIMEOUT_MS (10L * 60 * 1000)

struct runner {
	struct quai_engine *e;
	const struct quai_imagetest_spec *spec;
	const char *image;
	const char *run_id;
	const volatile sig_atomic_t *stop;
	json_t *inspect; /* the image's */
	struct quai_imagetest_results *results;
	char **containers; /* to remove */
	size_t ncontainers, containers_cap;
	char **networks;
	size_t nnetworks, networks_cap;
	struct quai_imagetest_run_env opts; /* containerRunOptions, ready */
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void nap(void)
{
	struct timespec ts = {0, POLL_NS};
	nanosleep(&ts, NULL);
}

static bool stopped(const struct runner *r)
{
	return r->stop && *r->stop;
}

/* A NULL-terminated argv of a command and its arguments (strings borrowed). */
static const char **argv_of(const char *command, const struct quai_imagetest_strv *args)
{
	size_t n = args ? args->n : 0;
	const char **v = xcalloc(n + 2, sizeof(*v));
	size_t k = 0;
	if (command)
		v[k++] = command;
	for (size_t i = 0; i < n; i++)
		v[k++] = args->v[i];
	return v;
}

/* "K=V" strings: the run options' env (envFile, envVars), globalEnvVars,
 * then the test's; values expanded with the image's Env. Caller frees each
 * and the array. */
static char **env_of(const struct runner *r, const struct quai_imagetest_kvs *extra)
{
	const struct quai_imagetest_spec *s = r->spec;
	size_t nrun = 0;
	while (r->opts.env && r->opts.env[nrun])
		nrun++;
	size_t n = nrun + s->global_env_vars.n + (extra ? extra->n : 0);
	char **v = xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < nrun; i++)
		v[k++] = xstrdup(r->opts.env[i]);
	for (size_t i = 0; i < s->global_env_vars.n; i++) {
		cleanup_free char *val = quai_imagetest_expand_env(s->global_env_vars.v[i].value, r->inspect);
		v[k++] = xasprintf("%s=%s", s->global_env_vars.v[i].key, val);
	}
	for (size_t i = 0; extra && i < extra->n; i++) {
		cleanup_free char *val = quai_imagetest_expand_env(extra->v[i].value, r->inspect);
		v[k++] = xasprintf("%s=%s", extra->v[i].key, val);
	}
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Creates a container of the image with the containerRunOptions the spec
 * asks for (user, privileged, tty, capabilities, bind mounts; the callers
 * set env), and remembers it for removal. */
static int create(struct runner *r, char **out_id, const struct quai_engine_container *c,
                  struct quai_error **err)
{
	const struct quai_imagetest_run_options *o = &r->spec->run_options;
	struct quai_engine_container with = *c;
	with.user = o->user;
	with.privileged = o->privileged;
	with.tty = o->allocate_tty;
	with.cap_add = (const char *const *)r->opts.cap_add;
	with.binds = (const char *const *)r->opts.binds;
	if (quai_engine_container_create(r->e, out_id, &with, err) < 0)
		return -1;
	r->containers = xgrow(r->containers, &r->containers_cap, r->ncontainers + 1, sizeof(*r->containers));
	r->containers[r->ncontainers++] = xstrdup(*out_id);
	return 0;
}

static void remove_container(struct runner *r, const char *id)
{
	quai_engine_container_remove(r->e, id, NULL);
	for (size_t i = 0; i < r->ncontainers; i++) {
		if (strcmp(r->containers[i], id) == 0) {
			free(r->containers[i]);
			r->containers[i] = r->containers[--r->ncontainers];
			return;
		}
	}
}

struct output {
	struct quai_buf out, err;
};

static int collect_output(void *arg, int stream, const char *data, size_t len, struct quai_error **err)
{
	(void)err;
	struct output *o = arg;
	struct quai_buf *b = stream == 2 ? &o->err : &o->out;
	if (b->len + len <= OUTPUT_MAX)
		quai_buf_add(b, data, len);
	return 0;
}

/* The last LOG_TAIL_LINES lines of a container's output, for messages. */
static char *log_tail(struct runner *r, const char *id)
{
	struct output o = {QUAI_BUF_INIT, QUAI_BUF_INIT};
	quai_engine_container_logs(r->e, id, false, collect_output, &o, NULL);
	quai_buf_add(&o.out, o.err.data ? o.err.data : "", o.err.len);
	quai_buf_release(&o.err);
	const char *s = quai_buf_str(&o.out);
	size_t len = o.out.len;
	while (len && s[len - 1] == '\n')
		len--;
	size_t start = len;
	int lines = 0;
	while (start > 0) {
		if (s[start - 1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
		start--;
	}
	char *tail = xstrndup(s + start, len - start);
	quai_buf_release(&o.out);
	return tail;
}

/* Waits until container id is no longer running; 1 when it stopped, 0 on
 * timeout or when the run is being stopped. */
static int wait_exit(struct runner *r, const char *id, long timeout_ms, struct quai_engine_state *st,
                     json_t **insp)
{
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000u;
	for (;;) {
		json_decref(*insp);
		*insp = NULL;
		if (quai_engine_container_inspect(r->e, insp, id, NULL) == 0) {
			quai_engine_inspect_state(st, *insp);
			if (!st->running && st->status && strcmp(st->status, "created") != 0)
				return 1;
		}
		if (stopped(r) || now_us() > deadline)
			return 0;
		nap();
	}
}

/* ---- commandTests ---- */

static void run_exec_list(struct runner *r, const char *id, const struct quai_imagetest_strv *list, size_t n,
                          const char *const *env, struct quai_buf *msg, const char *what)
{
	for (size_t i = 0; i < n && !stopped(r); i++) {
		if (!list[i].n)
			continue;
		cleanup_free const char **argv = argv_of(NULL, &list[i]);
		struct quai_engine_exec x = {.cmd = argv,
		                             .env = env,
		                             .user = r->spec->run_options.user,
		                             .tty = r->spec->run_options.allocate_tty};
		struct output o = {QUAI_BUF_INIT, QUAI_BUF_INIT};
		int status = 0;
		cleanup_error struct quai_error *err = NULL;
		if (quai_engine_container_exec(r->e, &status, id, &x, collect_output, &o, &err) < 0)
			quai_buf_printf(msg, "%s command '%s' could not run: %s\n", what, argv[0], err->msg);
		else if (status != 0)
			quai_buf_printf(msg, "%s command '%s' exited with %d: %s%s\n", what, argv[0], status,
			                quai_buf_str(&o.err), quai_buf_str(&o.out));
		quai_buf_release(&o.out);
		quai_buf_release(&o.err);
	}
}

static void command_test(struct runner *r, const struct quai_imagetest_command *t)
{
	uint64_t t0 = now_us();
	cleanup_buf struct quai_buf msg = QUAI_BUF_INIT;
	struct output o = {QUAI_BUF_INIT, QUAI_BUF_INIT};
	char **env = env_of(r, &t->env_vars);
	cleanup_free const char **argv = argv_of(t->command, &t->args);
	static const char *const no_entrypoint[] = {NULL};
	static const char *const idle[] = {"sleep", "86400", NULL};
	bool chained = t->nsetup || t->nteardown;
	struct quai_engine_container c = {
	    .image = r->image,
	    .cmd = chained ? idle : argv,
	    .entrypoint = no_entrypoint,
	    .env = (const char *const *)env,
	    .run_id = r->run_id,
	};
	cleanup_free char *id = NULL;
	cleanup_error struct quai_error *err = NULL;
	bool passed = false;
	int code = -1;
	json_t *insp = NULL;
	if (create(r, &id, &c, &err) < 0 || quai_engine_container_start(r->e, id, &err) < 0) {
		quai_buf_printf(&msg, "%s", err->msg);
	} else if (chained) {
		/* setup, the command and teardown run one after the other in the same container */
		run_exec_list(r, id, t->setup, t->nsetup, (const char *const *)env, &msg, "setup");
		if (!msg.len && !stopped(r)) {
			struct quai_engine_exec x = {.cmd = argv,
			                             .env = (const char *const *)env,
			                             .user = r->spec->run_options.user,
			                             .tty = r->spec->run_options.allocate_tty};
			if (quai_engine_container_exec(r->e, &code, id, &x, collect_output, &o, &err) < 0)
				quai_buf_printf(&msg, "%s", err->msg);
		}
		if (!stopped(r)) {
			cleanup_buf struct quai_buf tmsg = QUAI_BUF_INIT;
			run_exec_list(r, id, t->teardown, t->nteardown, (const char *const *)env, &tmsg,
			              "teardown");
			if (tmsg.len)
				fprintf(stderr, "quai: %s: %s", t->name, quai_buf_str(&tmsg));
		}
	} else {
		struct quai_engine_state st;
		if (!wait_exit(r, id, CMD_TIMEOUT_MS, &st, &insp)) {
			quai_buf_puts(&msg,
			              stopped(r) ? "interrupted" : "the command did not finish in time");
		} else {
			code = st.exit_code;
			if (quai_engine_container_logs(r->e, id, false, collect_output, &o, &err) < 0)
				quai_buf_printf(&msg, "%s", err->msg);
		}
	}
	if (!msg.len && code >= 0) {
		struct quai_imagetest_command_facts f = {
		    .out = quai_buf_str(&o.out),
		    .out_len = o.out.len,
		    .err = quai_buf_str(&o.err),
		    .err_len = o.err.len,
		    .exit_code = code,
		};
		char *m = NULL;
		passed = quai_imagetest_eval_command(&m, t, &f);
		if (m)
			quai_buf_puts(&msg, m);
		free(m);
	}
	if (id)
		remove_container(r, id);
	json_decref(insp);
	quai_buf_release(&o.out);
	quai_buf_release(&o.err);
	strv_free(env);
	quai_imagetest_results_add(r->results, t->name, QUAI_TEST_COMMAND, passed, now_us() - t0,
	                           msg.len ? quai_buf_str(&msg) : NULL);
}

/* ---- fileExistenceTests and fileContentTests ---- */

struct tar_peek {
	struct quai_buf data;
	size_t max;
	bool truncated;
};

static int peek_data(void *arg, const char *data, size_t len, struct quai_error **err)
{
	struct tar_peek *p = arg;
	quai_buf_add(&p->data, data, len);
	if (p->data.len >= p->max) {
		p->truncated = true;
		return quai_error_set(err, QUAI_EXIT_USAGE, "enough");
	}
	return 0;
}

/* Reads the first entry of a (possibly cut) tar: its owner and, with
 * content, its data. Returns 0 or -1. */
static int tar_first(const struct quai_buf *tar, long long *uid, long long *gid, struct quai_buf *content)
{
	const struct quai_libarchive *la = quai_libarchive(NULL);
	if (!la)
		return -1;
	struct archive *a = la->archive_read_new();
	la->archive_read_support_format_tar(a);
	struct archive_entry *ent;
	int rc = -1;
	if (la->archive_read_open_memory(a, tar->data, tar->len) == ARCHIVE_OK &&
	    la->archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		*uid = la->archive_entry_uid(ent);
		*gid = la->archive_entry_gid(ent);
		rc = 0;
		if (content) {
			char buf[8192];
			la_ssize_t n;
			while ((n = la->archive_read_data(a, buf, sizeof(buf))) > 0)
				quai_buf_add(content, buf, (size_t)n);
			if (n < 0)
				rc = -1;
		}
	}
	la->archive_read_free(a);
	return rc;
}

/* A container created (never started) for reading files. */
static int file_container(struct runner *r, char **id, struct quai_error **err)
{
	if (*id)
		return 0;
	static const char *const cmd[] = {"quai-never-started", NULL};
	static const char *const no_entrypoint[] = {NULL};
	struct quai_engine_container c = {
	    .image = r->image, .cmd = cmd, .entrypoint = no_entrypoint, .run_id = r->run_id};
	return create(r, id, &c, err);
}

static void file_existence_test(struct runner *r, char **cid, const struct quai_imagetest_file_existence *t)
{
	uint64_t t0 = now_us();
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *path = quai_imagetest_expand_env(t->path, r->inspect);
	struct quai_imagetest_file_facts f = {0};
	char *m = NULL;
	bool passed = false;
	if (file_container(r, cid, &err) < 0) {
		m = xstrdup(err->msg);
		goto done;
	}
	bool want_owner = t->uid >= 0 || t->gid >= 0;
	struct tar_peek p = {QUAI_BUF_INIT, want_owner ? HEADER_PEEK : 1, false};
	json_t *stat = NULL;
	int rc = quai_engine_container_archive(r->e, &stat, *cid, path, peek_data, &p, &err);
	if (rc == QUAI_ENGINE_ENOTFOUND) {
		f.exists = false;
	} else if (rc < 0 && !p.truncated) {
		m = xstrdup(err->msg);
		quai_buf_release(&p.data);
		json_decref(stat);
		goto done;
	} else {
		f.exists = true;
		f.mode = (uint32_t)json_integer_value(json_object_get(stat, "mode"));
		f.size = json_integer_value(json_object_get(stat, "size"));
		const char *s = json_string_value(json_object_get(stat, "name"));
		f.name = s ? xstrdup(s) : NULL;
		s = json_string_value(json_object_get(stat, "linkTarget"));
		f.link_target = s && *s ? xstrdup(s) : NULL;
		if (want_owner && tar_first(&p.data, &f.uid, &f.gid, NULL) == 0)
			f.has_owner = true;
	}
	json_decref(stat);
	quai_buf_release(&p.data);
	passed = quai_imagetest_eval_file_existence(&m, t, &f);
done:
	quai_imagetest_file_facts_release(&f);
	quai_imagetest_results_add(r->results, t->name, QUAI_TEST_FILE_EXISTENCE, passed, now_us() - t0, m);
	free(m);
}

static void file_content_test(struct runner *r, char **cid, const struct quai_imagetest_file_content *t)
{
	uint64_t t0 = now_us();
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *path = quai_imagetest_expand_env(t->path, r->inspect);
	char *m = NULL;
	bool passed = false;
	struct tar_peek p = {QUAI_BUF_INIT, CONTENT_MAX, false};
	cleanup_buf struct quai_buf content = QUAI_BUF_INIT;
	if (file_container(r, cid, &err) < 0) {
		m = xstrdup(err->msg);
		goto done;
	}
	int rc = quai_engine_container_archive(r->e, NULL, *cid, path, peek_data, &p, &err);
	long long uid, gid;
	if (rc == QUAI_ENGINE_ENOTFOUND)
		m = xasprintf("'%s' does not exist", path);
	else if (rc < 0 && p.truncated)
		m = xasprintf("'%s' is larger than %u bytes", path, CONTENT_MAX);
	else if (rc < 0)
		m = xstrdup(err->msg);
	else if (tar_first(&p.data, &uid, &gid, &content) < 0)
		m = xasprintf("cannot read '%s' from the engine's archive", path);
	else
		passed = quai_imagetest_eval_file_content(&m, t, quai_buf_str(&content), content.len);
done:
	quai_buf_release(&p.data);
	quai_imagetest_results_add(r->results, t->name, QUAI_TEST_FILE_CONTENT, passed, now_us() - t0, m);
	free(m);
}

/* ---- httpTests and healthcheck ---- */

struct http_answer {
	struct quai_buf body;
	struct quai_buf hdrs; /* "name\0value\0" pairs */
	size_t nheaders;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_answer *a = arg;
	if (a->body.len + size * n > OUTPUT_MAX)
		return 0;
	quai_buf_add(&a->body, data, size * n);
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_answer *a = arg;
	size_t len = size * n;
	const char *colon = memchr(data, ':', len);
	if (strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100): forget earlier headers */
		quai_buf_truncate(&a->hdrs, 0);
		a->nheaders = 0;
		return len;
	}
	if (!colon)
		return len;
	size_t klen = (size_t)(colon - data);
	const char *v = colon + 1;
	const char *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	quai_buf_add(&a->hdrs, data, klen);
	quai_buf_putc(&a->hdrs, '\0');
	quai_buf_add(&a->hdrs, v, (size_t)(end - v));
	quai_buf_putc(&a->hdrs, '\0');
	a->nheaders++;
	return len;
}

static bool port_answers(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (ok) {
		/* the engine's proxy accepts before the container does: see that it stays open */
		struct timeval tv = {0, 200000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		char c;
		ssize_t n = recv(fd, &c, 1, MSG_PEEK);
		if (n == 0)
			ok = false;
	}
	close(fd);
	return ok;
}

static void http_request(struct runner *r, const struct quai_imagetest_http *t, int host_port, uint64_t t0)
{
	char *m = NULL;
	bool passed = false;
	struct http_answer a = {QUAI_BUF_INIT, QUAI_BUF_INIT, 0};
	quai_engine_curl_init(false);
	CURL *c = curl_easy_init();
	cleanup_free char *url =
	    xasprintf("http://127.0.0.1:%d%s%s", host_port, t->path[0] == '/' ? "" : "/", t->path);
	struct curl_slist *hl = NULL;
	for (size_t i = 0; i < t->headers.n; i++) {
		cleanup_free char *h = xasprintf("%s: %s", t->headers.v[i].key, t->headers.v[i].value);
		hl = curl_slist_append(hl, h);
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, t->method);
	if (strcmp(t->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (t->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, t->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(t->timeout_ms ? t->timeout_ms : 30000));
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		m = xasprintf("%s %s: %s", t->method, t->path, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else {
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		struct quai_imagetest_header *hv = xcalloc(a.nheaders + 1, sizeof(*hv));
		const char *p = a.hdrs.data;
		for (size_t i = 0; i < a.nheaders; i++) {
			hv[i].name = p;
			p += strlen(p) + 1;
			hv[i].value = p;
			p += strlen(p) + 1;
		}
		struct quai_imagetest_http_facts f = {
		    .status = (int)status,
		    .headers = hv,
		    .nheaders = a.nheaders,
		    .body = quai_buf_str(&a.body),
		    .body_len = a.body.len,
		};
		passed = quai_imagetest_eval_http(&m, t, &f);
		free(hv);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	quai_buf_release(&a.body);
	quai_buf_release(&a.hdrs);
	quai_imagetest_results_add(r->results, t->name, QUAI_TEST_HTTP, passed, now_us() - t0, m);
	free(m);
}

/* The last health check's output from a container's inspect. */
static const char *last_health_output(const json_t *insp)
{
	json_t *state = json_object_get(insp, "State");
	json_t *h = json_object_get(state, "Health");
	json_t *log = json_object_get(h, "Log");
	size_t n = json_array_size(log);
	if (!n)
		return "";
	const char *s = json_string_value(json_object_get(json_array_get(log, n - 1), "Output"));
	return s ? s : "";
}

/* How long the image's HEALTHCHECK may take to say healthy, in ms. */
static uint64_t health_budget_ms(const json_t *image)
{
	json_t *hc = json_object_get(json_object_get(image, "Config"), "Healthcheck");
	double ns_interval = (double)json_integer_value(json_object_get(hc, "Interval"));
	double ns_timeout = (double)json_integer_value(json_object_get(hc, "Timeout"));
	double ns_start = (double)json_integer_value(json_object_get(hc, "StartPeriod"));
	json_int_t retries = json_integer_value(json_object_get(hc, "Retries"));
	if (ns_interval <= 0)
		ns_interval = 30e9;
	if (ns_timeout <= 0)
		ns_timeout = 30e9;
	if (retries <= 0)
		retries = 3;
	return (uint64_t)((ns_start + (double)(retries + 1) * (ns_interval + ns_timeout)) / 1e6) + 2000;
}

/* The image's HEALTHCHECK interval (30 s unless set). */
static uint64_t health_interval_ms(const json_t *image)
{
	json_t *hc = json_object_get(json_object_get(image, "Config"), "Healthcheck");
	json_int_t ns = json_integer_value(json_object_get(hc, "Interval"));
	return ns > 0 ? (uint64_t)ns / 1000000u : 30000u;
}

static bool image_has_healthcheck(const json_t *image)
{
	json_t *hc = json_object_get(json_object_get(image, "Config"), "Healthcheck");
	json_t *test = json_object_get(hc, "Test");
	const char *first = json_string_value(json_array_get(test, 0));
	return json_array_size(test) > 0 && !(first && strcmp(first, "NONE") == 0);
}

static void service_tests(struct runner *r)
{
	const struct quai_imagetest_spec *s = r->spec;
	size_t n = s->nhttp;
	uint64_t t0 = now_us();
	int *ports = xcalloc(n + 1, sizeof(*ports));
	const char **pspecs = xcalloc(n + 1, sizeof(*pspecs));
	char **owned = xcalloc(n + 1, sizeof(*owned));
	size_t np = 0;
	cleanup_buf struct quai_buf fail = QUAI_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		cleanup_error struct quai_error *err = NULL;
		ports[i] = s->http[i].port ? s->http[i].port : quai_imagetest_default_port(r->inspect, &err);
		if (ports[i] < 0)
			continue;
		cleanup_free char *p = xasprintf("%d/tcp", ports[i]);
		bool seen = false;
		for (size_t k = 0; k < np; k++)
			seen |= strcmp(pspecs[k], p) == 0;
		if (!seen) {
			owned[np] = steal_pointer(&p);
			pspecs[np] = owned[np];
			np++;
		}
	}
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *net = NULL;
	cleanup_free char *netname = xasprintf("quai-test-%s", r->run_id);
	cleanup_free char *id = NULL;
	json_t *insp = NULL;
	char **env = env_of(r, NULL);
	if (quai_engine_network_create(r->e, &net, netname, r->run_id, &err) < 0) {
		quai_buf_puts(&fail, err->msg);
	} else {
		r->networks = xgrow(r->networks, &r->networks_cap, r->nnetworks + 1, sizeof(*r->networks));
		r->networks[r->nnetworks++] = xstrdup(net);
		struct quai_engine_container c = {
		    .image = r->image,
		    .env = (const char *const *)env,
		    .run_id = r->run_id,
		    .ports = pspecs,
		    .network = netname,
		};
		if (create(r, &id, &c, &err) < 0 || quai_engine_container_start(r->e, id, &err) < 0)
			quai_buf_puts(&fail, err->msg);
	}
	bool has_hc = image_has_healthcheck(r->inspect);
	/* Podman runs health checks from systemd timers: without systemd
	 * nothing runs them, so quai asks for each run at the image's interval */
	bool run_hc = has_hc && quai_engine_is_podman(r->e);
	uint64_t hc_every = health_interval_ms(r->inspect) * 1000u, hc_next = 0;
	uint64_t hc_deadline = now_us() + health_budget_ms(r->inspect) * 1000u;
	/* the healthcheck test */
	bool hc_done = !s->healthcheck;
	bool hc_passed = false;
	cleanup_buf struct quai_buf hc_msg = QUAI_BUF_INIT;
	if (!hc_done && !has_hc) {
		quai_buf_puts(&hc_msg, "the image has no HEALTHCHECK");
		hc_done = true;
	}
	/* wait for each port: it answers, or the container is healthy */
	uint64_t max_wait = 0;
	for (size_t i = 0; i < n; i++)
		if (s->http[i].timeout_ms > max_wait)
			max_wait = s->http[i].timeout_ms;
	if (!max_wait)
		max_wait = 30000;
	uint64_t deadline = now_us() + max_wait * 1000u;
	bool *ready = xcalloc(np + 1, sizeof(*ready));
	int *host = xcalloc(np + 1, sizeof(*host));
	size_t nready = 0;
	while (!fail.len && !stopped(r)) {
		json_decref(insp);
		insp = NULL;
		if (quai_engine_container_inspect(r->e, &insp, id, &err) < 0) {
			quai_buf_puts(&fail, err->msg);
			break;
		}
		struct quai_engine_state st;
		quai_engine_inspect_state(&st, insp);
		if (!st.running) {
			cleanup_free char *tail = log_tail(r, id);
			quai_buf_printf(&fail, "the container exited early with %d%s%s", st.exit_code,
			                *tail ? "; its last output:\n" : "", tail);
			break;
		}
		bool healthy = st.health && strcmp(st.health, "healthy") == 0;
		if (run_hc && !healthy && now_us() >= hc_next) {
			quai_engine_container_healthcheck(r->e, id, NULL);
			hc_next = now_us() + hc_every;
		}
		if (!hc_done) {
			if (healthy) {
				hc_passed = hc_done = true;
			} else if ((st.health && strcmp(st.health, "unhealthy") == 0) ||
			           now_us() > hc_deadline) {
				quai_buf_printf(&hc_msg, "the container is %s; last health check output: %s",
				                st.health ? st.health : "not healthy",
				                last_health_output(insp));
				hc_done = true;
			}
		}
		for (size_t k = 0; k < np; k++) {
			if (ready[k])
				continue;
			if (!host[k])
				host[k] = quai_engine_inspect_host_port(insp, pspecs[k]);
			if (host[k] && (healthy || port_answers(host[k]))) {
				ready[k] = true;
				nready++;
			}
		}
		if (hc_done && nready == np)
			break;
		if (nready < np && now_us() > deadline) {
			if (hc_done)
				break;
		}
		nap();
	}
	if (stopped(r) && !fail.len)
		quai_buf_puts(&fail, "interrupted");
	if (s->healthcheck) {
		bool ok = hc_passed && !fail.len;
		quai_imagetest_results_add(
		    r->results, "healthcheck", QUAI_TEST_HEALTHCHECK, ok, now_us() - t0,
		    ok ? NULL : (fail.len && !hc_msg.len ? quai_buf_str(&fail) : quai_buf_str(&hc_msg)));
	}
	for (size_t i = 0; i < n; i++) {
		const struct quai_imagetest_http *t = &s->http[i];
		uint64_t ts = now_us();
		if (ports[i] < 0) {
			cleanup_error struct quai_error *perr = NULL;
			quai_imagetest_default_port(r->inspect, &perr);
			quai_imagetest_results_add(r->results, t->name, QUAI_TEST_HTTP, false, 0,
			                           perr ? perr->msg : "no port");
			continue;
		}
		if (fail.len) {
			quai_imagetest_results_add(r->results, t->name, QUAI_TEST_HTTP, false, now_us() - t0,
			                           quai_buf_str(&fail));
			continue;
		}
		size_t k = 0;
		char want[32];
		snprintf(want, sizeof(want), "%d/tcp", ports[i]);
		while (k < np && strcmp(pspecs[k], want) != 0)
			k++;
		if (k == np || !ready[k]) {
			cleanup_free char *m = xasprintf("port %d did not answer within %.1fs", ports[i],
			                                 (double)max_wait / 1000.0);
			quai_imagetest_results_add(r->results, t->name, QUAI_TEST_HTTP, false, now_us() - t0,
			                           m);
			continue;
		}
		http_request(r, t, host[k], ts);
	}
	if (id)
		remove_container(r, id);
	json_decref(insp);
	strv_free(env);
	strv_free(owned);
	free(pspecs);
	free(ports);
	free(ready);
	free(host);
}

static void cleanup_all(struct runner *r)
{
	for (size_t i = 0; i < r->ncontainers; i++) {
		quai_engine_container_remove(r->e, r->containers[i], NULL);
		free(r->containers[i]);
	}
	free(r->containers);
	for (size_t i = 0; i < r->nnetworks; i++) {
		quai_engine_network_remove(r->e, r->networks[i], NULL);
		free(r->networks[i]);
	}
	free(r->networks);
}

int quai_imagetest_run(struct quai_engine *e, const struct quai_imagetest_spec *spec, const char *image,
                       const char *run_id, const volatile sig_atomic_t *stop,
                       struct quai_imagetest_results *results, struct quai_error **err)
{
	struct runner r = {
	    .e = e, .spec = spec, .image = image, .run_id = run_id, .stop = stop, .results = results};
	if (quai_engine_image_inspect(e, &r.inspect, image, err) < 0)
		return -1;
	if (quai_imagetest_run_env_prepare(&r.opts, &spec->run_options, err) < 0) {
		json_decref(r.inspect);
		return -1;
	}
	for (size_t i = 0; i < spec->ncommands && !stopped(&r); i++)
		command_test(&r, &spec->commands[i]);
	cleanup_free char *fid = NULL;
	for (size_t i = 0; i < spec->nfile_existence && !stopped(&r); i++)
		file_existence_test(&r, &fid, &spec->file_existence[i]);
	for (size_t i = 0; i < spec->nfile_content && !stopped(&r); i++)
		file_content_test(&r, &fid, &spec->file_content[i]);
	if (fid)
		remove_container(&r, fid);
	if (spec->metadata.present && !stopped(&r)) {
		uint64_t t0 = now_us();
		char *m = NULL;
		bool ok = quai_imagetest_eval_metadata(&m, &spec->metadata, r.inspect);
		quai_imagetest_results_add(results, "metadata", QUAI_TEST_METADATA, ok, now_us() - t0, m);
		free(m);
	}
	if ((spec->nhttp || spec->healthcheck) && !stopped(&r))
		service_tests(&r);
	cleanup_all(&r);
	quai_imagetest_run_env_release(&r.opts);
	json_decref(r.inspect);
	return 0;
}
