/* The server's SQLite store (see store.h): opening, migrations, and the
 * writes of the pipeline life cycle. Queries for the API are in query.c. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "store/internal.h"
#include "store/store.h"
#include "core/banned.h"

/* Each migration brings the schema from version i to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE deliveries(project TEXT NOT NULL, delivery TEXT NOT NULL, received INTEGER NOT NULL,"
    "  PRIMARY KEY(project, delivery)) WITHOUT ROWID;"
    "CREATE TABLE pipelines(id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, branch TEXT,"
    "  ref TEXT, sha TEXT, before_sha TEXT, trigger TEXT NOT NULL, event TEXT, delivery TEXT,"
    "  status TEXT NOT NULL, created INTEGER NOT NULL, started INTEGER, finished INTEGER,"
    "  attempt INTEGER NOT NULL DEFAULT 0, retry_of INTEGER, message TEXT);"
    "CREATE INDEX pipelines_status ON pipelines(status, id);"
    "CREATE INDEX pipelines_project ON pipelines(project, branch, id);"
    "CREATE TABLE jobs(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  pipeline INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    "  name TEXT NOT NULL, status TEXT NOT NULL, started INTEGER, finished INTEGER, exit_code INTEGER,"
    "  log_path TEXT, log_bytes INTEGER NOT NULL DEFAULT 0, report TEXT);"
    "CREATE INDEX jobs_pipeline ON jobs(pipeline, seq);"
    "CREATE TABLE tokens(id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE heads(project TEXT NOT NULL, branch TEXT NOT NULL, sha TEXT NOT NULL,"
    "  PRIMARY KEY(project, branch)) WITHOUT ROWID;",
    /* 2: the process group of a running job, so that a restart after a
     * crash can stop what the dead server left running */
    "ALTER TABLE jobs ADD COLUMN pid INTEGER;",
    /* 3: the base-image watch: digests seen, and pipelines limited to the
     * images built on a base that changed */
    "CREATE TABLE base_digests(project TEXT NOT NULL, ref TEXT NOT NULL, digest TEXT NOT NULL,"
    "  PRIMARY KEY(project, ref)) WITHOUT ROWID;"
    "ALTER TABLE pipelines ADD COLUMN only_images TEXT;"
    "ALTER TABLE pipelines ADD COLUMN note TEXT;",
    /* 4: each project's queue, oldest first, without scanning the others' */
    "CREATE INDEX pipelines_queue ON pipelines(project, status, id);",
};

int64_t quai_store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int quai_store_fail(struct quai_store *s, struct quai_error **err, const char *what)
{
	return quai_error_set(err, 2, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

int quai_store_prepare(struct quai_store *s, sqlite3_stmt **st, const char *sql, struct quai_error **err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return quai_store_fail(s, err, "prepare");
	return 0;
}

void quai_store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *quai_store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return v ? xstrdup((const char *)v) : NULL;
}

static int exec(struct quai_store *s, const char *sql, struct quai_error **err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return quai_store_fail(s, err, "exec");
	return 0;
}

/* A statement with no result rows; binds are done by the caller. */
int quai_store_step_done(struct quai_store *s, sqlite3_stmt *st, struct quai_error **err)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return quai_store_fail(s, err, "write");
	return 0;
}

static int migrate(struct quai_store *s, struct quai_error **err)
{
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "PRAGMA user_version", err) < 0)
		return -1;
	int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	int latest = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (version > latest)
		return quai_error_set(
		    err, 2, "store: schema version %d is newer than this quai knows (%d): upgrade quai",
		    version, latest);
	for (int v = version; v < latest; v++) {
		cleanup_free char *bump = xasprintf("PRAGMA user_version = %d", v + 1);
		if (exec(s, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		if (exec(s, migrations[v], err) < 0 || exec(s, bump, err) < 0) {
			exec(s, "ROLLBACK", NULL);
			return quai_error_wrap(err, "migration to schema version %d", v + 1);
		}
		if (exec(s, "COMMIT", err) < 0)
			return -1;
	}
	s->version = latest;
	return 0;
}

int quai_store_open(struct quai_store **out, const char *path, struct quai_error **err)
{
	struct quai_store *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	s->pending_tail = &s->pending;
	int rc = sqlite3_open_v2(path, &s->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		quai_error_set(err, 2, "cannot open the store '%s': %s", path,
		               s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		quai_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(s, err) < 0) {
		quai_error_wrap(err, "store '%s'", path);
		quai_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void quai_store_close(struct quai_store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close_v2(s->db);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qcond);
	free(s);
}

int quai_store_version(struct quai_store *s)
{
	return s->version;
}

static int insert_jobs(struct quai_store *s, int64_t pipeline, const char *const *jobs,
                       struct quai_error **err)
{
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "INSERT INTO jobs(pipeline, seq, name, status) VALUES(?,?,?,'queued')",
	                       err) < 0)
		return -1;
	for (int i = 0; jobs && jobs[i]; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pipeline);
		sqlite3_bind_int(st, 2, i);
		quai_store_bind_text(st, 3, jobs[i]);
		if (quai_store_step_done(s, st, err) < 0)
			return -1;
	}
	return 0;
}

static int enqueue_locked(struct quai_store *s, const struct quai_store_trigger *t, int64_t *out_id,
                          bool *duplicate, struct quai_error **err)
{
	int64_t now = quai_store_now_ms();
	if (t->delivery) {
		cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
		if (quai_store_prepare(s, &st, "INSERT OR IGNORE INTO deliveries VALUES(?,?,?)", err) < 0)
			return -1;
		quai_store_bind_text(st, 1, t->project);
		quai_store_bind_text(st, 2, t->delivery);
		sqlite3_bind_int64(st, 3, now);
		if (quai_store_step_done(s, st, err) < 0)
			return -1;
		if (sqlite3_changes(s->db) == 0) {
			*duplicate = true;
			return 0;
		}
	}
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(
	        s, &st,
	        "INSERT INTO pipelines(project, branch, ref, sha, before_sha, trigger, event, delivery,"
	        " status, created, only_images, note) VALUES(?,?,?,?,?,?,?,?,'queued',?,?,?)",
	        err) < 0)
		return -1;
	quai_store_bind_text(st, 1, t->project);
	quai_store_bind_text(st, 2, t->branch);
	quai_store_bind_text(st, 3, t->ref);
	quai_store_bind_text(st, 4, t->sha);
	quai_store_bind_text(st, 5, t->before);
	quai_store_bind_text(st, 6, t->trigger);
	quai_store_bind_text(st, 7, t->event);
	quai_store_bind_text(st, 8, t->delivery);
	sqlite3_bind_int64(st, 9, now);
	quai_store_bind_text(st, 10, t->only);
	quai_store_bind_text(st, 11, t->note);
	if (quai_store_step_done(s, st, err) < 0)
		return -1;
	*out_id = sqlite3_last_insert_rowid(s->db);
	return insert_jobs(s, *out_id, t->jobs, err);
}

/* Writes a batch of enqueues in one transaction; on any failure none of
 * them is written and each gets the message. */
static void commit_batch(struct quai_store *s, struct enqueue_req *batch)
{
	struct quai_error *err = NULL;
	pthread_mutex_lock(&s->lock);
	int rc = exec(s, "BEGIN IMMEDIATE", &err);
	for (struct enqueue_req *r = batch; rc == 0 && r; r = r->next)
		rc = enqueue_locked(s, r->t, &r->id, &r->duplicate, &err);
	if (rc == 0)
		rc = exec(s, "COMMIT", &err);
	if (rc < 0)
		exec(s, "ROLLBACK", NULL);
	pthread_mutex_unlock(&s->lock);
	for (struct enqueue_req *r = batch; r; r = r->next) {
		if (rc < 0) {
			r->id = 0;
			r->duplicate = false;
			r->error = xstrdup(err && err->msg ? err->msg : "store: cannot commit");
		}
	}
	quai_error_free(err);
}

int quai_store_enqueue(struct quai_store *s, const struct quai_store_trigger *t, int64_t *out_id,
                       bool *duplicate, struct quai_error **err)
{
	struct enqueue_req req = {.t = t};
	pthread_mutex_lock(&s->qlock);
	/* req lives on this stack until a leader has taken it out of the
	 * queue and marked it done: no pointer to it outlives this call */
	*s->pending_tail = &req;
	/* cppcheck-suppress autoVariables */
	s->pending_tail = &req.next;
	while (!req.done) {
		if (s->committing) {
			pthread_cond_wait(&s->qcond, &s->qlock);
			continue;
		}
		/* lead: commit everything waiting, this request included */
		s->committing = true;
		struct enqueue_req *batch = s->pending;
		s->pending = NULL;
		s->pending_tail = &s->pending;
		pthread_mutex_unlock(&s->qlock);
		commit_batch(s, batch);
		pthread_mutex_lock(&s->qlock);
		for (struct enqueue_req *r = batch; r; r = r->next)
			r->done = true;
		s->committing = false;
		pthread_cond_broadcast(&s->qcond);
	}
	pthread_mutex_unlock(&s->qlock);
	*out_id = req.id;
	*duplicate = req.duplicate;
	if (req.error) {
		quai_error_set(err, 2, "%s", req.error);
		free(req.error);
		return -1;
	}
	return 0;
}

void quai_store_pipeline_release(struct quai_store_pipeline *p)
{
	free(p->project);
	free(p->branch);
	free(p->ref);
	free(p->sha);
	free(p->before);
	free(p->status);
	free(p->only);
	memset(p, 0, sizeof(*p));
}

#define PIPELINE_COLS "id, project, branch, ref, sha, before_sha, status, attempt, only_images"

static void read_pipeline(sqlite3_stmt *st, struct quai_store_pipeline *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->project = quai_store_col_text(st, 1);
	p->branch = quai_store_col_text(st, 2);
	p->ref = quai_store_col_text(st, 3);
	p->sha = quai_store_col_text(st, 4);
	p->before = quai_store_col_text(st, 5);
	p->status = quai_store_col_text(st, 6);
	p->attempt = sqlite3_column_int(st, 7);
	p->only = quai_store_col_text(st, 8);
}

int quai_store_queued(struct quai_store *s, const char *project, struct quai_store_pipeline **out, size_t *n,
                      size_t max, struct quai_error **err)
{
	*out = NULL;
	*n = 0;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	/* two statements, so that each uses its index */
	const char *sql = project ? "SELECT " PIPELINE_COLS
	                            " FROM pipelines WHERE project=?1 AND status='queued'"
	                            " ORDER BY id LIMIT ?2"
	                          : "SELECT " PIPELINE_COLS " FROM pipelines WHERE status='queued'"
	                            " ORDER BY id LIMIT ?2";
	if (quai_store_prepare(s, &st, sql, err) < 0)
		return -1;
	if (project)
		quai_store_bind_text(st, 1, project);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
		memset(&(*out)[*n], 0, sizeof(**out));
		read_pipeline(st, &(*out)[(*n)++]);
	}
	return rc == SQLITE_DONE ? 0 : quai_store_fail(s, err, "read queued pipelines");
}

int quai_store_fail_orphans(struct quai_store *s, const char *const *names, struct quai_error **err)
{
	struct quai_buf sql = QUAI_BUF_INIT;
	quai_buf_puts(&sql, "UPDATE pipelines SET status='failed', finished=?,"
	                    " message='the project is no longer in the configuration'"
	                    " WHERE status='queued' AND project NOT IN (''");
	size_t n = 0;
	while (names[n]) {
		quai_buf_puts(&sql, ",?");
		n++;
	}
	quai_buf_puts(&sql, ")");
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	int rc = quai_store_prepare(s, &st, quai_buf_str(&sql), err);
	quai_buf_release(&sql);
	if (rc < 0)
		return -1;
	sqlite3_bind_int64(st, 1, quai_store_now_ms());
	for (size_t i = 0; i < n; i++)
		quai_store_bind_text(st, (int)i + 2, names[i]);
	return quai_store_step_done(s, st, err);
}

int quai_store_pipeline_get(struct quai_store *s, int64_t id, struct quai_store_pipeline *out,
                            struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT " PIPELINE_COLS " FROM pipelines WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return quai_error_set(err, 1, "no pipeline %lld", (long long)id);
	read_pipeline(st, out);
	return 0;
}

int quai_store_pipeline_jobs(struct quai_store *s, int64_t pipeline, int64_t **ids, char ***names, size_t *n,
                             struct quai_error **err)
{
	*ids = NULL;
	*names = NULL;
	*n = 0;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT id, name FROM jobs WHERE pipeline=? ORDER BY seq", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, pipeline);
	size_t cap_ids = 0, cap_names = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ids = xgrow(*ids, &cap_ids, *n + 1, sizeof(**ids));
		*names = xgrow(*names, &cap_names, *n + 2, sizeof(**names));
		(*ids)[*n] = sqlite3_column_int64(st, 0);
		(*names)[*n] = quai_store_col_text(st, 1);
		(*names)[++*n] = NULL;
	}
	if (!*names)
		*names = xcalloc(1, sizeof(char *));
	return rc == SQLITE_DONE ? 0 : quai_store_fail(s, err, "read jobs");
}

int quai_store_pipeline_start(struct quai_store *s, int64_t id, const char *sha, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st,
	                       "UPDATE pipelines SET status='running', started=?, sha=coalesce(?, sha)"
	                       " WHERE id=? AND status='queued'",
	                       err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, quai_store_now_ms());
	quai_store_bind_text(st, 2, sha);
	sqlite3_bind_int64(st, 3, id);
	if (quai_store_step_done(s, st, err) < 0)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return quai_error_set(err, 1, "pipeline %lld is no longer queued", (long long)id);
	return 0;
}

int quai_store_pipeline_set_sha(struct quai_store *s, int64_t id, const char *sha)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "UPDATE pipelines SET sha=? WHERE id=?", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, sha);
	sqlite3_bind_int64(st, 2, id);
	return quai_store_step_done(s, st, NULL);
}

int quai_store_previous_status(struct quai_store *s, int64_t id, char *buf, size_t size)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(
	        s, &st,
	        "SELECT o.status FROM pipelines o, pipelines n WHERE n.id=? AND o.project=n.project"
	        " AND o.branch IS n.branch AND o.id<n.id AND o.status IN ('success','failed')"
	        " ORDER BY o.id DESC LIMIT 1",
	        NULL) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	return 0;
}

int quai_store_last_success_sha(struct quai_store *s, int64_t id, char **sha)
{
	*sha = NULL;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(
	        s, &st,
	        "SELECT o.sha FROM pipelines o, pipelines n WHERE n.id=? AND o.project=n.project"
	        " AND o.branch IS n.branch AND o.id<n.id AND o.status='success' AND o.sha IS NOT NULL"
	        " ORDER BY o.id DESC LIMIT 1",
	        NULL) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*sha = quai_store_col_text(st, 0);
	return 0;
}

int quai_store_pipeline_finish(struct quai_store *s, int64_t id, const char *status, const char *message,
                               struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "UPDATE pipelines SET status=?, finished=?, message=? WHERE id=?",
	                       err) < 0)
		return -1;
	quai_store_bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, quai_store_now_ms());
	quai_store_bind_text(st, 3, message);
	sqlite3_bind_int64(st, 4, id);
	if (quai_store_step_done(s, st, err) < 0)
		return -1;
	/* jobs that never started end with their pipeline */
	cleanup_sqlite_stmt sqlite3_stmt *jobs = NULL;
	if (quai_store_prepare(s, &jobs, "UPDATE jobs SET status=? WHERE pipeline=? AND status='queued'",
	                       err) < 0)
		return -1;
	quai_store_bind_text(jobs, 1,
	                     strcmp(status, QUAI_ST_CANCELED) == 0 ? QUAI_ST_CANCELED : QUAI_ST_SKIPPED);
	sqlite3_bind_int64(jobs, 2, id);
	return quai_store_step_done(s, jobs, err);
}

int quai_store_job_start(struct quai_store *s, int64_t job, const char *log_path, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "UPDATE jobs SET status='running', started=?, log_path=? WHERE id=?",
	                       err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, quai_store_now_ms());
	quai_store_bind_text(st, 2, log_path);
	sqlite3_bind_int64(st, 3, job);
	return quai_store_step_done(s, st, err);
}

int quai_store_job_finish(struct quai_store *s, int64_t job, const char *status, int exit_code,
                          size_t log_bytes, const char *report_json, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(
	        s, &st, "UPDATE jobs SET status=?, finished=?, exit_code=?, log_bytes=?, report=? WHERE id=?",
	        err) < 0)
		return -1;
	quai_store_bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, quai_store_now_ms());
	if (exit_code >= 0)
		sqlite3_bind_int(st, 3, exit_code);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)log_bytes);
	quai_store_bind_text(st, 5, report_json);
	sqlite3_bind_int64(st, 6, job);
	return quai_store_step_done(s, st, err);
}

int quai_store_job_log_bytes(struct quai_store *s, int64_t job, size_t bytes)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "UPDATE jobs SET log_bytes=? WHERE id=?", NULL) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)bytes);
	sqlite3_bind_int64(st, 2, job);
	return quai_store_step_done(s, st, NULL);
}

int quai_store_job_set_pid(struct quai_store *s, int64_t job, long pid)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "UPDATE jobs SET pid=? WHERE id=?", NULL) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, job);
	return quai_store_step_done(s, st, NULL);
}

int quai_store_running_pids(struct quai_store *s, long **pids, int64_t **pipelines, size_t *n)
{
	*pids = NULL;
	*pipelines = NULL;
	*n = 0;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st,
	                       "SELECT pid, pipeline FROM jobs WHERE status='running' AND pid IS NOT NULL",
	                       NULL) < 0)
		return -1;
	size_t cap1 = 0, cap2 = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*pids = xgrow(*pids, &cap1, *n + 1, sizeof(**pids));
		*pipelines = xgrow(*pipelines, &cap2, *n + 1, sizeof(**pipelines));
		(*pids)[*n] = (long)sqlite3_column_int64(st, 0);
		(*pipelines)[(*n)++] = sqlite3_column_int64(st, 1);
	}
	return 0;
}

static const char *pipeline_status_locked(struct quai_store *s, int64_t id, char *buf, size_t size)
{
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT status FROM pipelines WHERE id=?", NULL) < 0)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return NULL;
	snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	return buf;
}

int quai_store_cancel(struct quai_store *s, int64_t id, bool *was_running, struct quai_error **err)
{
	*was_running = false;
	char buf[32];
	const char *status;
	{
		QUAI_STORE_LOCKED(s);
		status = pipeline_status_locked(s, id, buf, sizeof(buf));
	}
	if (!status)
		return quai_error_set(err, 1, "no pipeline %lld", (long long)id);
	if (strcmp(status, QUAI_ST_RUNNING) == 0) {
		*was_running = true;
		return 0;
	}
	if (strcmp(status, QUAI_ST_QUEUED) != 0)
		return quai_error_set(err, 1, "pipeline %lld has finished (%s)", (long long)id, status);
	return quai_store_pipeline_finish(s, id, QUAI_ST_CANCELED, "canceled while queued", err);
}

int quai_store_retry(struct quai_store *s, int64_t id, int64_t *out_id, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	char buf[32];
	const char *status = pipeline_status_locked(s, id, buf, sizeof(buf));
	if (!status)
		return quai_error_set(err, 1, "no pipeline %lld", (long long)id);
	if (strcmp(status, QUAI_ST_QUEUED) == 0 || strcmp(status, QUAI_ST_RUNNING) == 0)
		return quai_error_set(err, 1, "pipeline %lld is still %s", (long long)id, status);
	if (exec(s, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	cleanup_sqlite_stmt sqlite3_stmt *jobs = NULL;
	if (quai_store_prepare(
	        s, &st,
	        "INSERT INTO pipelines(project, branch, ref, sha, before_sha, trigger, event, status,"
	        " created, retry_of, only_images, note) SELECT project, branch, ref, sha, before_sha, "
	        "'retry', event,"
	        " 'queued', ?, id, only_images, note FROM pipelines WHERE id=?",
	        err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, quai_store_now_ms());
	sqlite3_bind_int64(st, 2, id);
	if (quai_store_step_done(s, st, err) < 0)
		goto fail;
	*out_id = sqlite3_last_insert_rowid(s->db);
	if (quai_store_prepare(s, &jobs,
	                       "INSERT INTO jobs(pipeline, seq, name, status) SELECT ?, seq, name, 'queued'"
	                       " FROM jobs WHERE pipeline=? ORDER BY seq",
	                       err) < 0)
		goto fail;
	sqlite3_bind_int64(jobs, 1, *out_id);
	sqlite3_bind_int64(jobs, 2, id);
	if (quai_store_step_done(s, jobs, err) < 0 || exec(s, "COMMIT", err) < 0)
		goto fail;
	return 0;
fail:
	exec(s, "ROLLBACK", NULL);
	return -1;
}

int quai_store_supersede(struct quai_store *s, int64_t id, int64_t **running, size_t *nrunning,
                         struct quai_error **err)
{
	*running = NULL;
	*nrunning = 0;
	QUAI_STORE_LOCKED(s);
	static const char older[] = " FROM pipelines o, pipelines n WHERE n.id=? AND o.project=n.project"
	                            " AND o.branch IS n.branch AND o.id<n.id AND o.trigger!='retry'";
	cleanup_free char *sel_sql = xasprintf("SELECT o.id%s AND o.status='running'", older);
	cleanup_sqlite_stmt sqlite3_stmt *sel = NULL;
	if (quai_store_prepare(s, &sel, sel_sql, err) < 0)
		return -1;
	sqlite3_bind_int64(sel, 1, id);
	size_t cap = 0;
	while (sqlite3_step(sel) == SQLITE_ROW) {
		*running = xgrow(*running, &cap, *nrunning + 1, sizeof(**running));
		(*running)[(*nrunning)++] = sqlite3_column_int64(sel, 0);
	}
	cleanup_free char *sql =
	    xasprintf("UPDATE pipelines SET status='canceled', finished=?,"
	              " message='superseded by a newer pipeline' WHERE id IN (SELECT o.id%s"
	              " AND o.status='queued')",
	              older);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, quai_store_now_ms());
	sqlite3_bind_int64(st, 2, id);
	if (quai_store_step_done(s, st, err) < 0)
		return -1;
	return exec(s,
	            "UPDATE jobs SET status='canceled' WHERE status='queued' AND pipeline IN"
	            " (SELECT id FROM pipelines WHERE status='canceled')",
	            err);
}

int quai_store_recover(struct quai_store *s, bool requeue, size_t *n, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	*n = 0;
	if (exec(s, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	const char *sql =
	    requeue ? "UPDATE jobs SET status='queued', started=NULL, finished=NULL, exit_code=NULL"
	              " WHERE pipeline IN (SELECT id FROM pipelines WHERE status='running');"
	              "UPDATE pipelines SET status='queued', attempt=attempt+1,"
	              " message='interrupted by a server restart; queued again' WHERE status='running';"
	            : "UPDATE jobs SET status='failed', finished=strftime('%s','now')*1000"
	              " WHERE status IN ('running','queued') AND pipeline IN (SELECT id FROM pipelines WHERE "
	              "status='running');"
	              "UPDATE pipelines SET status='failed', finished=strftime('%s','now')*1000,"
	              " message='interrupted by a server restart' WHERE status='running';";
	if (exec(s, sql, err) < 0) {
		exec(s, "ROLLBACK", NULL);
		return -1;
	}
	*n = (size_t)sqlite3_changes(s->db);
	return exec(s, "COMMIT", err);
}

int quai_store_prune(struct quai_store *s, const char *project, unsigned keep, char ***paths,
                     struct quai_error **err)
{
	*paths = xcalloc(1, sizeof(char *));
	if (keep == 0)
		return 0;
	QUAI_STORE_LOCKED(s);
	static const char victims[] =
	    "SELECT id FROM pipelines WHERE project=?1 AND status NOT IN ('queued','running')"
	    " ORDER BY id DESC LIMIT -1 OFFSET ?2";
	cleanup_free char *sel_sql =
	    xasprintf("SELECT log_path FROM jobs WHERE log_path IS NOT NULL AND pipeline IN (%s)", victims);
	cleanup_sqlite_stmt sqlite3_stmt *sel = NULL;
	if (quai_store_prepare(s, &sel, sel_sql, err) < 0)
		return -1;
	quai_store_bind_text(sel, 1, project);
	sqlite3_bind_int(sel, 2, (int)keep);
	size_t n = 0, cap = 0;
	while (sqlite3_step(sel) == SQLITE_ROW) {
		*paths = xgrow(*paths, &cap, n + 2, sizeof(char *));
		(*paths)[n++] = quai_store_col_text(sel, 0);
		(*paths)[n] = NULL;
	}
	cleanup_free char *del_sql = xasprintf("DELETE FROM pipelines WHERE id IN (%s)", victims);
	cleanup_sqlite_stmt sqlite3_stmt *del = NULL;
	if (quai_store_prepare(s, &del, del_sql, err) < 0)
		return -1;
	quai_store_bind_text(del, 1, project);
	sqlite3_bind_int(del, 2, (int)keep);
	return quai_store_step_done(s, del, err);
}

int quai_store_token_add(struct quai_store *s, const char *name, const char *hash_hex, const char *role,
                         struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "INSERT INTO tokens(name, hash, role, created) VALUES(?,?,?,?)", err) <
	    0)
		return -1;
	quai_store_bind_text(st, 1, name);
	quai_store_bind_text(st, 2, hash_hex);
	quai_store_bind_text(st, 3, role);
	sqlite3_bind_int64(st, 4, quai_store_now_ms());
	return quai_store_step_done(s, st, err);
}

int quai_store_token_role(struct quai_store *s, const char *hash_hex, const char **role)
{
	*role = NULL;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT role FROM tokens WHERE hash=?", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, hash_hex);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		*role = r && strcmp(r, "admin") == 0 ? "admin" : "read";
	}
	return 0;
}

int quai_store_head_get(struct quai_store *s, const char *project, const char *branch, char **sha)
{
	*sha = NULL;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT sha FROM heads WHERE project=? AND branch=?", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, project);
	quai_store_bind_text(st, 2, branch);
	if (sqlite3_step(st) == SQLITE_ROW)
		*sha = quai_store_col_text(st, 0);
	return 0;
}

int quai_store_head_set(struct quai_store *s, const char *project, const char *branch, const char *sha)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "INSERT OR REPLACE INTO heads VALUES(?,?,?)", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, project);
	quai_store_bind_text(st, 2, branch);
	quai_store_bind_text(st, 3, sha);
	return quai_store_step_done(s, st, NULL);
}

int quai_store_base_digest_get(struct quai_store *s, const char *project, const char *ref, char **digest)
{
	*digest = NULL;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT digest FROM base_digests WHERE project=? AND ref=?", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, project);
	quai_store_bind_text(st, 2, ref);
	if (sqlite3_step(st) == SQLITE_ROW)
		*digest = quai_store_col_text(st, 0);
	return 0;
}

int quai_store_base_digest_set(struct quai_store *s, const char *project, const char *ref, const char *digest)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "INSERT OR REPLACE INTO base_digests VALUES(?,?,?)", NULL) < 0)
		return -1;
	quai_store_bind_text(st, 1, project);
	quai_store_bind_text(st, 2, ref);
	quai_store_bind_text(st, 3, digest);
	return quai_store_step_done(s, st, NULL);
}
