/* The SQLite store: migrations, enqueue with de-duplication, the life
 * cycle of a pipeline, cancel, retry, supersede, recovery, pruning,
 * tokens and the JSON the API shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static const char *const jobs[] = {"monorepo", "pipeline", NULL};

static struct quai_store *open_store(char *dir)
{
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/quai.db", dir);
	struct quai_store *s = NULL;
	struct quai_error *err = NULL;
	if (quai_store_open(&s, path, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(quai_store_version(s), QUAI_STORE_SCHEMA_VERSION);
	return s;
}

static void cleanup(char *dir)
{
	char path[256];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/quai.db%s", dir, suffix[i]);
		unlink(path);
	}
	rmdir(dir);
}

static int64_t enqueue(struct quai_store *s, const char *branch, const char *delivery, bool *dup)
{
	struct quai_store_trigger t = {.project = "app",
	                               .branch = branch,
	                               .ref = "refs/heads/x",
	                               .trigger = "webhook",
	                               .event = "push",
	                               .delivery = delivery,
	                               .jobs = jobs};
	int64_t id = 0;
	struct quai_error *err = NULL;
	if (quai_store_enqueue(s, &t, &id, dup, &err) < 0)
		fail_msg("%s", err->msg);
	return id;
}

static void test_enqueue_and_life_cycle(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-store-XXXXXX";
	struct quai_store *s = open_store(dir);
	bool dup;
	int64_t a = enqueue(s, "main", "d-1", &dup);
	assert_false(dup);
	assert_int_equal(enqueue(s, "main", "d-1", &dup), 0);
	assert_true(dup);
	int64_t b = enqueue(s, "main", NULL, &dup);
	assert_true(b > a);
	struct quai_store_pipeline *q = NULL;
	size_t n = 0;
	assert_int_equal(quai_store_queued(s, NULL, &q, &n, 10, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(q[0].id, a);
	for (size_t i = 0; i < n; i++)
		quai_store_pipeline_release(&q[i]);
	free(q);
	assert_int_equal(quai_store_pipeline_start(s, a, NULL, NULL), 0);
	struct quai_error *err = NULL;
	assert_int_equal(quai_store_pipeline_start(s, a, NULL, &err), -1); /* not queued any more */
	quai_error_free(err);
	err = NULL;
	int64_t *ids;
	char **names;
	assert_int_equal(quai_store_pipeline_jobs(s, a, &ids, &names, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[1], "pipeline");
	assert_int_equal(quai_store_job_start(s, ids[0], "/tmp/x.log", NULL), 0);
	assert_int_equal(quai_store_job_finish(s, ids[0], QUAI_ST_FAILED, 3, 42, "{\"ok\":false}", NULL), 0);
	assert_int_equal(
	    quai_store_pipeline_finish(s, a, QUAI_ST_FAILED, "job 'monorepo' exited with status 3", NULL), 0);
	json_t *p = NULL;
	assert_int_equal(quai_store_pipeline_json(s, a, &p, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(p, "status")), "failed");
	json_t *j = json_object_get(p, "jobs");
	assert_int_equal(json_array_size(j), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "exit_code")), 3);
	assert_false(json_is_true(json_object_get(json_object_get(json_array_get(j, 0), "report"), "ok")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "status")), "skipped");
	json_decref(p);
	char path_buf[64];
	char *path = NULL;
	bool running = true;
	assert_int_equal(quai_store_job_log(s, ids[0], &path, &running, NULL), 0);
	assert_string_equal(path, "/tmp/x.log");
	assert_false(running);
	free(path);
	(void)path_buf;
	free(ids);
	for (size_t i = 0; names[i]; i++)
		free(names[i]);
	free(names);
	/* retry a finished one; cancel a queued one */
	int64_t r = 0;
	assert_int_equal(quai_store_retry(s, a, &r, NULL), 0);
	assert_true(r > b);
	bool was_running = true;
	assert_int_equal(quai_store_cancel(s, b, &was_running, NULL), 0);
	assert_false(was_running);
	assert_int_equal(quai_store_cancel(s, b, &was_running, &err), -1);
	quai_error_free(err);
	err = NULL;
	err = NULL;
	assert_int_equal(quai_store_retry(s, 999, &r, &err), -1);
	quai_error_free(err);
	err = NULL;
	/* filters */
	struct quai_store_filter f = {.status = "canceled"};
	json_t *list = NULL;
	assert_int_equal(quai_store_pipelines_json(s, &f, &list, NULL), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	quai_store_close(s);
	cleanup(dir);
}

static void test_recover_supersede_prune(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-store-XXXXXX";
	struct quai_store *s = open_store(dir);
	bool dup;
	int64_t a = enqueue(s, "main", NULL, &dup);
	int64_t b = enqueue(s, "main", NULL, &dup);
	int64_t c = enqueue(s, "main", NULL, &dup);
	quai_store_pipeline_start(s, a, NULL, NULL);
	int64_t *running = NULL;
	size_t n = 0;
	assert_int_equal(quai_store_supersede(s, c, &running, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(running[0], a);
	free(running);
	struct quai_store_pipeline p;
	assert_int_equal(quai_store_pipeline_get(s, b, &p, NULL), 0);
	assert_string_equal(p.status, "canceled");
	quai_store_pipeline_release(&p);
	/* a crash: a is running; recovery queues it again */
	size_t recovered = 0;
	assert_int_equal(quai_store_recover(s, true, &recovered, NULL), 0);
	assert_int_equal(recovered, 1);
	assert_int_equal(quai_store_pipeline_get(s, a, &p, NULL), 0);
	assert_string_equal(p.status, "queued");
	assert_int_equal(p.attempt, 1);
	quai_store_pipeline_release(&p);
	quai_store_pipeline_start(s, a, NULL, NULL);
	assert_int_equal(quai_store_recover(s, false, &recovered, NULL), 0);
	assert_int_equal(quai_store_pipeline_get(s, a, &p, NULL), 0);
	assert_string_equal(p.status, "failed");
	quai_store_pipeline_release(&p);
	char buf[16];
	assert_int_equal(quai_store_previous_status(s, c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "failed");
	/* keep 1 finished pipeline: a (failed) and b (canceled) are finished, b is newer */
	char **paths = NULL;
	assert_int_equal(quai_store_prune(s, "app", 1, &paths, NULL), 0);
	free(paths);
	assert_int_equal(quai_store_pipeline_get(s, a, &p, NULL), -1);
	assert_int_equal(quai_store_pipeline_get(s, b, &p, NULL), 0);
	quai_store_pipeline_release(&p);
	quai_store_close(s);
	cleanup(dir);
}

static void test_tokens_and_heads(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-store-XXXXXX";
	struct quai_store *s = open_store(dir);
	const char *role = "x";
	assert_int_equal(quai_store_token_role(s, "abc", &role), 0);
	assert_null(role);
	assert_int_equal(quai_store_token_add(s, "ci", "abc", "admin", NULL), 0);
	assert_int_equal(quai_store_token_add(s, "viewer", "def", "read", NULL), 0);
	quai_store_token_role(s, "abc", &role);
	assert_string_equal(role, "admin");
	quai_store_token_role(s, "def", &role);
	assert_string_equal(role, "read");
	char *sha = NULL;
	quai_store_head_get(s, "app", "main", &sha);
	assert_null(sha);
	quai_store_head_set(s, "app", "main", "aaaa");
	quai_store_head_set(s, "app", "main", "bbbb");
	quai_store_head_get(s, "app", "main", &sha);
	assert_string_equal(sha, "bbbb");
	free(sha);
	char *digest = NULL;
	quai_store_base_digest_get(s, "app", "alpine:3", &digest);
	assert_null(digest);
	quai_store_base_digest_set(s, "app", "alpine:3", "sha256:aa");
	quai_store_base_digest_set(s, "app", "alpine:3", "sha256:bb");
	quai_store_base_digest_get(s, "app", "alpine:3", &digest);
	assert_string_equal(digest, "sha256:bb");
	free(digest);
	quai_store_close(s);
	/* opening again runs no migration twice */
	char path[256];
	snprintf(path, sizeof(path), "%s/quai.db", dir);
	assert_int_equal(quai_store_open(&s, path, NULL), 0);
	quai_store_token_role(s, "abc", &role);
	assert_string_equal(role, "admin");
	quai_store_close(s);
	cleanup(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enqueue_and_life_cycle),
	    cmocka_unit_test(test_recover_supersede_prune),
	    cmocka_unit_test(test_tokens_and_heads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
