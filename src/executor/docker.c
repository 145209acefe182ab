/* The docker executor: a container of the job's image, the project copied
 * in and out through the archive API, services on a per-job network. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "executor/executor.h"
#include "core/banned.h"

int quai_executor_run_docker(const struct quai_executor_job *job, struct quai_executor_result *res,
                             struct quai_error **err);
void quai_executor_release_docker(void *pending);

/* What a job leaves in the engine until it is released. */
struct leftovers {
	struct quai_engine *e, *killer;
	char *job_id, *net_id;
	char **svc_ids;
	size_t nservices;
};

void quai_executor_release_docker(void *pending)
{
	struct leftovers *l = pending;
	if (!l)
		return;
	if (l->job_id)
		quai_engine_container_remove(l->killer, l->job_id, NULL);
	for (size_t i = 0; i < l->nservices; i++)
		if (l->svc_ids[i])
			quai_engine_container_remove(l->killer, l->svc_ids[i], NULL);
	if (l->net_id)
		quai_engine_network_remove(l->killer, l->net_id, NULL);
	for (size_t i = 0; i < l->nservices; i++)
		free(l->svc_ids[i]);
	free(l->svc_ids);
	free(l->job_id);
	free(l->net_id);
	quai_engine_free(l->e);
	quai_engine_free(l->killer);
	free(l);
}

static int on_pull(void *arg, json_t *msg, struct quai_error **err)
{
	(void)arg;
	const char *e = json_string_value(json_object_get(msg, "error"));
	if (e)
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "%s", e);
	return 0;
}

/* Pulls image unless the engine has it. */
static int ensure_image(struct quai_engine *e, const char *image, int out_fd, struct quai_error **err)
{
	json_t *insp = NULL;
	cleanup_error struct quai_error *ierr = NULL;
	int rc = quai_engine_image_inspect(e, &insp, image, &ierr);
	json_decref(insp);
	if (rc == 0)
		return 0;
	cleanup_free char *msg = xasprintf("Pulling docker image %s ...\n", image);
	if (write(out_fd, msg, strlen(msg)) < 0) {
	}
	struct quai_buf q = QUAI_BUF_INIT;
	quai_engine_query_add(&q, "fromImage", image);
	if (!strchr(strrchr(image, '/') ? strrchr(image, '/') : image, ':') && !strchr(image, '@'))
		quai_engine_query_add(&q, "tag", "latest");
	struct quai_engine_request req = {
	    .method = "POST", .path = "/images/create", .query = quai_buf_str(&q), .on_message = on_pull};
	struct quai_engine_response resp = {0};
	rc = quai_engine_request(e, &req, &resp, err);
	quai_buf_release(&q);
	if (rc == 0 && resp.status >= 300)
		rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "engine answered %ld", resp.status);
	quai_engine_response_release(&resp);
	if (rc < 0)
		return quai_error_wrap(err, "pull image '%s'", image);
	return 0;
}

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

struct create {
	const char *image;
	const char *const *cmd;
	const char *const *entrypoint; /* NULL: leave; [NULL]: clear */
	bool clear_entrypoint;
	const char *const *env;
	const char *workdir;
	const char *network;
	const char *const *aliases;
	const char *const *binds;
	const char *const *mounts; /* host, container, host, container, ..., NULL: bind mounts */
	bool privileged;
	long long memory;
	const char *run_id;
	const char *role;
};

static int create_container(struct quai_engine *e, char **out_id, const struct create *c,
                            struct quai_error **err)
{
	json_t *body = json_object();
	json_object_set_new(body, "Image", json_string(c->image));
	if (c->cmd)
		json_object_set_new(body, "Cmd", strv_json(c->cmd));
	if (c->entrypoint || c->clear_entrypoint)
		json_object_set_new(body, "Entrypoint", strv_json(c->entrypoint));
	json_object_set_new(body, "Env", strv_json(c->env));
	if (c->workdir)
		json_object_set_new(body, "WorkingDir", json_string(c->workdir));
	json_object_set_new(
	    body, "Labels",
	    json_pack("{s:s, s:s}", QUAI_ENGINE_LABEL_RUN, c->run_id, "io.quai.pipeline.role", c->role));
	json_t *hc = json_object();
	json_object_set_new(hc, "Privileged", json_boolean(c->privileged));
	if (c->memory > 0) {
		json_object_set_new(hc, "Memory", json_integer(c->memory));
		json_object_set_new(hc, "MemorySwap", json_integer(c->memory));
	}
	if (c->binds)
		json_object_set_new(hc, "Binds", strv_json(c->binds));
	if (c->mounts) {
		json_t *m = json_array();
		for (size_t i = 0; c->mounts[i] && c->mounts[i + 1]; i += 2)
			json_array_append_new(m, json_pack("{s:s, s:s, s:s}", "Type", "bind", "Source",
			                                   c->mounts[i], "Target", c->mounts[i + 1]));
		json_object_set_new(hc, "Mounts", m);
	}
	if (c->network)
		json_object_set_new(hc, "NetworkMode", json_string(c->network));
	json_object_set_new(body, "HostConfig", hc);
	if (c->network && c->aliases) {
		json_t *ep = json_object();
		json_object_set_new(ep, c->network, json_pack("{s:o}", "Aliases", strv_json(c->aliases)));
		json_object_set_new(body, "NetworkingConfig", json_pack("{s:o}", "EndpointsConfig", ep));
	}
	struct quai_engine_request req = {
	    .method = "POST", .path = "/containers/create", .json = body, .timeout_ms = 60000};
	struct quai_engine_response resp = {0};
	int rc = quai_engine_request(e, &req, &resp, err);
	json_decref(body);
	if (rc == 0) {
		const char *id = json_string_value(json_object_get(resp.json, "Id"));
		if (resp.status >= 300 || !id) {
			const char *m = json_string_value(json_object_get(resp.json, "message"));
			rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "create a container of '%s': %s",
			                    c->image, m ? m : "the engine refused");
		} else {
			*out_id = xstrdup(id);
		}
	}
	quai_engine_response_release(&resp);
	return rc;
}

struct fd_body {
	int fd;
};

static ssize_t read_fd(void *arg, char *buf, size_t n, struct quai_error **err)
{
	struct fd_body *b = arg;
	ssize_t r;
	do
		r = read(b->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return quai_error_errno(err, errno, "read archive");
	return r;
}

/* Copies the contents of host directory dir to "/" in container id. */
static int copy_in(struct quai_engine *e, const char *id, const char *dir, const char *last_dir,
                   const char *tarfile, struct quai_error **err)
{
	const char *argv[] = {"tar", "-C", dir, "-cf", tarfile, ".", NULL};
	if (quai_executor_spawn(argv, NULL, -1, -1, -1) != 0)
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "cannot archive %s", dir);
	/* last_dir's files come last in the archive, so last in the container */
	const char *append[] = {"tar", "-C", last_dir ? last_dir : ".", "-rf", tarfile, ".", NULL};
	if (last_dir && quai_executor_spawn(append, NULL, -1, -1, -1) != 0)
		return quai_error_set(err, QUAI_EXIT_FINDINGS, "cannot archive %s", last_dir);
	cleanup_close int fd = open(tarfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return quai_error_errno(err, errno, "open %s", tarfile);
	struct fd_body fb = {fd};
	struct quai_engine_body body = {read_fd, &fb};
	cleanup_free char *path = xasprintf("/containers/%s/archive", id);
	struct quai_engine_request req = {.method = "PUT",
	                                  .path = path,
	                                  .query = "path=%2F",
	                                  .body = &body,
	                                  .content_type = "application/x-tar",
	                                  .timeout_ms = 600000};
	struct quai_engine_response resp = {0};
	int rc = quai_engine_request(e, &req, &resp, err);
	if (rc == 0 && resp.status >= 300)
		rc = quai_error_set(err, QUAI_EXIT_FINDINGS,
		                    "copy the project into the container: engine answered %ld", resp.status);
	quai_engine_response_release(&resp);
	unlink(tarfile);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

static int to_fd(void *arg, const char *data, size_t len, struct quai_error **err)
{
	int *fd = arg;
	if (write_all(*fd, data, len) < 0)
		return quai_error_errno(err, errno, "write archive");
	return 0;
}

/* Copies path from container id into host directory dir (path's last
 * component becomes dir's entry). */
static int copy_out(struct quai_engine *e, const char *id, const char *path, const char *dir,
                    const char *tarfile, struct quai_error **err)
{
	int fd = open(tarfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return quai_error_errno(err, errno, "open %s", tarfile);
	json_t *stat = NULL;
	int rc = quai_engine_container_archive(e, &stat, id, path, to_fd, &fd, err);
	json_decref(stat);
	close(fd);
	if (rc == 0) {
		const char *argv[] = {"tar", "-C", dir, "-xf", tarfile, NULL};
		if (quai_executor_spawn(argv, NULL, -1, -1, -1) != 0)
			rc = quai_error_set(err, QUAI_EXIT_FINDINGS, "cannot extract the job's files");
	}
	unlink(tarfile);
	return rc;
}

struct logs {
	int out_fd;
	volatile int *interrupted;
	struct quai_engine *killer;
	const char *id;
	bool killed;
};

static int on_log(void *arg, int stream, const char *data, size_t len, struct quai_error **err)
{
	(void)stream;
	(void)err;
	struct logs *l = arg;
	write_all(l->out_fd, data, len);
	return 0;
}

static void on_tick(void *arg)
{
	struct logs *l = arg;
	if (!l->killed && l->interrupted && *l->interrupted) {
		l->killed = true;
		quai_engine_container_kill(l->killer, l->id, "KILL", NULL);
	}
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (up to 30 s) until a service runs, and is healthy when it has a
 * health check; without one, a short delay for it to listen. */
static void wait_service(struct quai_engine *e, const char *id, volatile int *interrupted)
{
	for (int i = 0; i < 300 && !(interrupted && *interrupted); i++) {
		json_t *insp = NULL;
		if (quai_engine_container_inspect(e, &insp, id, NULL) == 0) {
			struct quai_engine_state st;
			quai_engine_inspect_state(&st, insp);
			bool done = !st.running && st.status && strcmp(st.status, "created") != 0;
			bool ready = st.running && (!st.health || strcmp(st.health, "healthy") == 0);
			bool had_health = st.health != NULL;
			json_decref(insp);
			if (done)
				return;
			if (ready) {
				if (!had_health)
					nap_ms(300);
				return;
			}
		}
		nap_ms(100);
	}
}

static void say(int fd, const char *text)
{
	write_all(fd, text, strlen(text));
}

static int mkdirs(const char *path);

/* Whether the job's directory reaches the container as bind mounts (the
 * project directory and its .tmp sibling) instead of an archive copied in
 * and out: the engine runs on this machine (a unix socket; the paths are
 * ours) and we are root (what the job's root makes in them, we can read
 * and remove). QUAI_DOCKER_COPY=archive forces the copy. */
static bool use_binds(struct quai_engine *e, const struct quai_executor_job *job)
{
	const char *force = getenv("QUAI_DOCKER_COPY");
	if (!job->rootdir || (force && strcmp(force, "archive") == 0))
		return false;
	return quai_engine_host(e)->socket && geteuid() == 0;
}

/* The bind mounts of the job's project directory: host and container
 * paths in pairs (4 entries + NULL), made on the host. */
struct job_mounts {
	char *host, *host_tmp, *tmp;
	const char *v[5];
};

static int job_mounts(struct job_mounts *m, const struct quai_executor_job *job, struct quai_error **err)
{
	m->host = xasprintf("%s%s", job->rootdir, job->project_dir);
	m->host_tmp = xasprintf("%s.tmp", m->host);
	m->tmp = xasprintf("%s.tmp", job->project_dir);
	m->v[0] = m->host;
	m->v[1] = job->project_dir;
	m->v[2] = m->host_tmp;
	m->v[3] = m->tmp;
	m->v[4] = NULL;
	if (mkdirs(m->host) < 0 || mkdirs(m->host_tmp) < 0)
		return quai_error_errno(err, errno, "cannot make %s", m->host_tmp);
	return 0;
}

static void job_mounts_release(struct job_mounts *m)
{
	free(m->host);
	free(m->host_tmp);
	free(m->tmp);
}

struct prestart {
	struct quai_engine *e, *killer;
	char *id;
	bool bound; /* the project directory is bind-mounted */
};

static const char go_name[] = ".quai-go";
static const char script_name[] = ".quai-script.sh";

int quai_executor_prestart(void **out, const struct quai_executor_job *job, struct quai_error **err)
{
	*out = NULL;
	struct prestart *p = xcalloc(1, sizeof(*p));
	if (quai_engine_open(&p->e, err) < 0 || quai_engine_open(&p->killer, err) < 0) {
		quai_executor_prestart_release(p);
		return -1;
	}
	if (ensure_image(p->e, job->image, job->out_fd, err) < 0) {
		quai_executor_prestart_release(p);
		return -1;
	}
	static const char waiter[] =
	    "while [ ! -e \"$1\" ]; do sleep 0.02 2>/dev/null || sleep 1; done; "
	    "if command -v bash >/dev/null 2>&1; then exec bash \"$2\"; else exec sh \"$2\"; fi";
	cleanup_free char *go = xasprintf("%s.tmp/%s", job->project_dir, go_name);
	cleanup_free char *script = xasprintf("%s.tmp/%s", job->project_dir, script_name);
	const char *cmd[] = {"sh", "-c", waiter, "sh", go, script, NULL};
	cleanup_free char *bind = NULL;
	const char *binds[2] = {NULL, NULL};
	const struct quai_engine_host *host = quai_engine_host(p->e);
	if (job->docker_socket && host->socket) {
		bind = xasprintf("%s:/var/run/docker.sock", host->socket);
		binds[0] = bind;
	}
	static const char *const no_env[] = {NULL};
	struct job_mounts m = {0};
	p->bound = use_binds(p->e, job);
	if (p->bound && job_mounts(&m, job, err) < 0) {
		job_mounts_release(&m);
		quai_executor_prestart_release(p);
		return -1;
	}
	struct create c = {.image = job->image,
	                   .cmd = cmd,
	                   .entrypoint = job->entrypoint,
	                   .clear_entrypoint = !job->entrypoint,
	                   .env = no_env,
	                   .workdir = job->project_dir,
	                   .binds = binds[0] ? binds : NULL,
	                   .mounts = p->bound ? m.v : NULL,
	                   .privileged = job->privileged,
	                   .memory = job->memory,
	                   .run_id = job->run_id,
	                   .role = "job"};
	int rc = create_container(p->e, &p->id, &c, err);
	job_mounts_release(&m);
	if (rc < 0 || quai_engine_container_start(p->e, p->id, err) < 0) {
		quai_executor_prestart_release(p);
		return -1;
	}
	*out = p;
	return 0;
}

void quai_executor_prestart_release(void *prestarted)
{
	struct prestart *p = prestarted;
	if (!p)
		return;
	if (p->id && p->killer)
		quai_engine_container_remove(p->killer, p->id, NULL);
	free(p->id);
	quai_engine_free(p->e);
	quai_engine_free(p->killer);
	free(p);
}

static bool is_name(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, data, len);
	close(fd);
	return rc;
}

static int mkdirs(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	cleanup_free char *p = xstrdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The script file (the variables exported, then the job's script) in the
 * root, and the go file alone in go_root. */
static int write_script(const struct quai_executor_job *job, const char *go_root, struct quai_error **err)
{
	cleanup_free char *dir = xasprintf("%s%s.tmp", job->rootdir, job->project_dir);
	cleanup_free char *godir = xasprintf("%s%s.tmp", go_root, job->project_dir);
	if (mkdirs(dir) < 0 || mkdirs(godir) < 0)
		return quai_error_errno(err, errno, "cannot make %s", dir);
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; job->env && job->env[i]; i++) {
		const char *eq = strchr(job->env[i], '=');
		if (!eq || !is_name(job->env[i], (size_t)(eq - job->env[i])))
			continue;
		quai_buf_printf(&b, "export %.*s=", (int)(eq - job->env[i]), job->env[i]);
		quai_buf_put_sh_quoted(&b, eq + 1);
		quai_buf_putc(&b, '\n');
	}
	quai_buf_printf(&b, "cd ");
	quai_buf_put_sh_quoted(&b, job->project_dir);
	quai_buf_printf(&b, " || exit 1\nrm -f \"$0\"\n");
	quai_buf_puts(&b, job->script);
	cleanup_free char *path = xasprintf("%s/%s", dir, script_name);
	cleanup_free char *gopath = xasprintf("%s/%s", godir, go_name);
	int rc = write_file(path, b.data, b.len, 0700);
	quai_buf_release(&b);
	if (rc < 0 || write_file(gopath, "", 0, 0600) < 0)
		return quai_error_errno(err, errno, "cannot write %s", path);
	return 0;
}

/* Follows the job's output until it ends (or times out, or is
 * interrupted), reads its exit status and OOM state, copies the project
 * back out when asked. */
static int follow(struct quai_engine *e, struct quai_engine *killer, const char *job_id,
                  const struct quai_executor_job *job, struct quai_executor_result *res, const char *tarfile,
                  bool copy, struct quai_error **err)
{
	cleanup_error struct quai_error *lerr = NULL;
	struct logs l = {job->out_fd, job->interrupted, killer, job_id, false};
	cleanup_free char *logpath = xasprintf("/containers/%s/logs", job_id);
	struct quai_engine_request req = {.path = logpath,
	                                  .query = "follow=1&stdout=1&stderr=1",
	                                  .timeout_ms = job->timeout_s > 0 ? job->timeout_s * 1000 : 0,
	                                  .on_output = on_log,
	                                  .on_tick = on_tick,
	                                  .arg = &l};
	struct quai_engine_response resp = {0};
	int lrc = quai_engine_request(e, &req, &resp, &lerr);
	quai_engine_response_release(&resp);
	if (l.killed)
		res->canceled = true;
	json_t *insp = NULL;
	struct quai_engine_state st = {0};
	if (quai_engine_container_inspect(e, &insp, job_id, err) < 0)
		return -1;
	quai_engine_inspect_state(&st, insp);
	if (st.running) {
		/* the log stream ended first: the timeout */
		if (lrc < 0 && !res->canceled)
			res->timed_out = true;
		quai_engine_container_kill(e, job_id, "KILL", NULL);
		int status = 0;
		quai_engine_container_wait(e, &status, job_id, 10000, NULL);
		json_decref(insp);
		insp = NULL;
		if (quai_engine_container_inspect(e, &insp, job_id, err) < 0)
			return -1;
		quai_engine_inspect_state(&st, insp);
	}
	res->exit_code = st.exit_code;
	res->oom_killed = json_is_true(json_object_get(json_object_get(insp, "State"), "OOMKilled"));
	json_decref(insp);

	/* the project back out, with what the job made */
	cleanup_free char *parent = xstrdup(job->workdir);
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	if (copy && copy_out(e, job_id, job->project_dir, parent, tarfile, err) < 0)
		return -1;
	return 0;
}

static int run_prestarted(const struct quai_executor_job *job, struct quai_executor_result *res,
                          struct quai_error **err)
{
	struct prestart *p = job->prestarted;
	cleanup_free char *tarfile = xasprintf("%s.tar", job->rootdir);
	cleanup_free char *go_root = xasprintf("%s.go", job->rootdir);
	int rc = -1;
	/* bound: the script and then the go file written in place */
	if (write_script(job, p->bound ? job->rootdir : go_root, err) < 0)
		goto out;
	if (!p->bound && copy_in(p->e, p->id, job->rootdir, go_root, tarfile, err) < 0)
		goto out;
	if (follow(p->e, p->killer, p->id, job, res, tarfile, !p->bound && job->copy_out, err) < 0)
		goto out;
	rc = 0;
out:;
	struct leftovers *left = xmalloc(sizeof(*left));
	*left = (struct leftovers){p->e, p->killer, p->id, NULL, NULL, 0};
	free(p);
	if (rc == 0 && job->defer_cleanup && !(job->interrupted && *job->interrupted))
		res->pending = left;
	else
		quai_executor_release_docker(left);
	return rc;
}

int quai_executor_run_docker(const struct quai_executor_job *job, struct quai_executor_result *res,
                             struct quai_error **err)
{
	if (job->prestarted)
		return run_prestarted(job, res, err);
	struct quai_engine *e = NULL, *killer = NULL;
	if (quai_engine_open(&e, err) < 0)
		return -1;
	if (quai_engine_open(&killer, err) < 0) {
		quai_engine_free(e);
		return -1;
	}
	int rc = -1;
	char *net_id = NULL, *job_id = NULL;
	char **svc_ids = xcalloc(job->nservices + 1, sizeof(*svc_ids));
	cleanup_free char *tarfile = xasprintf("%s.tar", job->rootdir);
	cleanup_free char *netname = NULL;
	cleanup_free char *bind = NULL;
	struct job_mounts mounts = {0};

	if (ensure_image(e, job->image, job->out_fd, err) < 0)
		goto out;
	for (size_t i = 0; i < job->nservices; i++)
		if (ensure_image(e, job->services[i].image, job->out_fd, err) < 0)
			goto out;
	if (job->nservices) {
		netname = xasprintf("quai-%s-%ld", job->run_id, (long)getpid());
		if (quai_engine_network_create(e, &net_id, netname, job->run_id, err) < 0)
			goto out;
		for (size_t i = 0; i < job->nservices; i++) {
			const struct quai_executor_service *s = &job->services[i];
			struct create c = {.image = s->image,
			                   .cmd = s->command,
			                   .entrypoint = s->entrypoint,
			                   .env = s->env,
			                   .network = netname,
			                   .aliases = s->aliases,
			                   .run_id = job->run_id,
			                   .role = "service"};
			cleanup_free char *m = xasprintf("Starting service %s ...\n", s->image);
			say(job->out_fd, m);
			if (create_container(e, &svc_ids[i], &c, err) < 0 ||
			    quai_engine_container_start(e, svc_ids[i], err) < 0)
				goto out;
		}
		for (size_t i = 0; i < job->nservices; i++)
			wait_service(e, svc_ids[i], job->interrupted);
	}

	static const char wrapper[] = "if command -v bash >/dev/null 2>&1; then exec bash -c \"$1\"; "
	                              "else exec sh -c \"$1\"; fi";
	const char *cmd[] = {"sh", "-c", wrapper, "sh", job->script, NULL};
	const struct quai_engine_host *host = quai_engine_host(e);
	const char *binds[2] = {NULL, NULL};
	if (job->docker_socket && host->socket) {
		bind = xasprintf("%s:/var/run/docker.sock", host->socket);
		binds[0] = bind;
	}
	bool bound = use_binds(e, job);
	if (bound && job_mounts(&mounts, job, err) < 0)
		goto out;
	struct create c = {.image = job->image,
	                   .cmd = cmd,
	                   .entrypoint = job->entrypoint,
	                   .clear_entrypoint = !job->entrypoint,
	                   .env = job->env,
	                   .workdir = job->project_dir,
	                   .network = netname,
	                   .binds = binds[0] ? binds : NULL,
	                   .mounts = bound ? mounts.v : NULL,
	                   .privileged = job->privileged,
	                   .memory = job->memory,
	                   .run_id = job->run_id,
	                   .role = "job"};
	if (create_container(e, &job_id, &c, err) < 0)
		goto out;
	if (!bound && copy_in(e, job_id, job->rootdir, NULL, tarfile, err) < 0)
		goto out;
	if (quai_engine_container_start(e, job_id, err) < 0)
		goto out;

	if (follow(e, killer, job_id, job, res, tarfile, !bound && job->copy_out, err) < 0)
		goto out;
	rc = 0;
out:;
	struct leftovers *left = xmalloc(sizeof(*left));
	job_mounts_release(&mounts);
	*left = (struct leftovers){e, killer, job_id, net_id, svc_ids, job->nservices};
	if (rc == 0 && job->defer_cleanup && !(job->interrupted && *job->interrupted))
		res->pending = left;
	else
		quai_executor_release_docker(left);
	return rc;
}
