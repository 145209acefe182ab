/* The store's reads for the API and /metrics, as JSON (see store.h). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "store/internal.h"
#include "store/store.h"
#include "core/banned.h"

/* Column i as a JSON value: integer, string or null. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++)
		json_object_set_new(o, sqlite3_column_name(st, i), col_json(st, i));
	/* durations in milliseconds when both ends are known */
	json_t *started = json_object_get(o, "started");
	json_t *finished = json_object_get(o, "finished");
	if (json_is_integer(started) && json_is_integer(finished))
		json_object_set_new(o, "duration_ms",
		                    json_integer(json_integer_value(finished) - json_integer_value(started)));
	/* a stored report is JSON itself */
	json_t *report = json_object_get(o, "report");
	if (json_is_string(report)) {
		json_t *parsed = json_loads(json_string_value(report), 0, NULL);
		json_object_set_new(o, "report", parsed ? parsed : json_null());
	}
	return o;
}

#define PIPELINE_JSON_COLS                                                                                   \
	"id, project, branch, ref, sha, before_sha AS before, trigger, event, status, created, started,"     \
	" finished, attempt, retry_of, message, only_images, note"
#define JOB_JSON_COLS "id, pipeline, seq, name, status, started, finished, exit_code, log_bytes, report"

int quai_store_pipelines_json(struct quai_store *s, const struct quai_store_filter *f, json_t **out,
                              struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(
	        s, &st,
	        "SELECT " PIPELINE_JSON_COLS " FROM pipelines WHERE (?1 IS NULL OR project=?1)"
	        " AND (?2 IS NULL OR branch=?2) AND (?3 IS NULL OR status=?3) AND (?4=0 OR id<?4)"
	        " ORDER BY id DESC LIMIT ?5",
	        err) < 0)
		return -1;
	unsigned limit = f->limit ? f->limit : 50;
	if (limit > 500)
		limit = 500;
	quai_store_bind_text(st, 1, f->project);
	quai_store_bind_text(st, 2, f->branch);
	quai_store_bind_text(st, 3, f->status);
	sqlite3_bind_int64(st, 4, f->before_id);
	sqlite3_bind_int(st, 5, (int)limit);
	json_t *list = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, row_json(st));
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return quai_store_fail(s, err, "list pipelines");
	}
	*out = list;
	return 0;
}

static json_t *jobs_of(struct quai_store *s, int64_t pipeline)
{
	json_t *list = json_array();
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT " JOB_JSON_COLS " FROM jobs WHERE pipeline=? ORDER BY seq",
	                       NULL) < 0)
		return list;
	sqlite3_bind_int64(st, 1, pipeline);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, row_json(st));
	return list;
}

int quai_store_pipeline_json(struct quai_store *s, int64_t id, json_t **out, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT " PIPELINE_JSON_COLS " FROM pipelines WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return quai_error_set(err, 1, "no pipeline %lld", (long long)id);
	json_t *o = row_json(st);
	json_object_set_new(o, "jobs", jobs_of(s, id));
	*out = o;
	return 0;
}

int quai_store_job_json(struct quai_store *s, int64_t id, json_t **out, struct quai_error **err)
{
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT " JOB_JSON_COLS " FROM jobs WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return quai_error_set(err, 1, "no job %lld", (long long)id);
	*out = row_json(st);
	return 0;
}

int quai_store_job_log(struct quai_store *s, int64_t id, char **path, bool *running, struct quai_error **err)
{
	*path = NULL;
	QUAI_STORE_LOCKED(s);
	cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
	if (quai_store_prepare(s, &st, "SELECT log_path, status FROM jobs WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return quai_error_set(err, 1, "no job %lld", (long long)id);
	*path = quai_store_col_text(st, 0);
	const char *status = (const char *)sqlite3_column_text(st, 1);
	*running = status && (strcmp(status, QUAI_ST_RUNNING) == 0 || strcmp(status, QUAI_ST_QUEUED) == 0);
	return 0;
}

int quai_store_counts(struct quai_store *s,
                      void (*fn)(void *ctx, const char *kind, const char *status, long long n), void *ctx)
{
	static const char *const queries[2][2] = {
	    {"pipelines", "SELECT status, count(*) FROM pipelines GROUP BY status"},
	    {"jobs", "SELECT status, count(*) FROM jobs GROUP BY status"},
	};
	QUAI_STORE_LOCKED(s);
	for (int q = 0; q < 2; q++) {
		cleanup_sqlite_stmt sqlite3_stmt *st = NULL;
		if (quai_store_prepare(s, &st, queries[q][1], NULL) < 0)
			return -1;
		while (sqlite3_step(st) == SQLITE_ROW)
			fn(ctx, queries[q][0], (const char *)sqlite3_column_text(st, 0),
			   sqlite3_column_int64(st, 1));
	}
	return 0;
}
