/* The run record: ROOT/.quai/runs/ID/run.json, rewritten atomically after
 * every step, and read back by the next run of the same commit. */
#include <dirent.h>
#include <git2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "git/git.h"
#include "run/internal.h"
#include "core/banned.h"

#define RECORD_MAX  (16u << 20)
#define RECORDS_MAX 1000 /* earlier runs looked at */

static const char *const status_names[] = {"pending", "running", "ok", "failed", "skipped", "none"};
static const char *const step_names[] = {"lint", "build", "test", "push", "tag"};

const char *run_status_name(enum run_status s)
{
	return status_names[s];
}

int run_status_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(status_names) / sizeof(*status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *run_step_name(enum run_step_kind k)
{
	return step_names[k];
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();
	for (char *const *p = v; p && *p; p++)
		json_array_append_new(a, json_string(*p));
	return a;
}

static json_t *image_json(const struct run *r, const struct run_image *ri)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(ri->img->name));
	json_object_set_new(o, "dir", json_string(ri->img->dir));
	json_object_set_new(o, "repository", json_string(ri->img->repository));
	json_object_set_new(o, "reasons", strv_json(ri->reasons));
	json_t *deps = json_array();
	for (size_t d = 0; d < ri->ndeps; d++)
		json_array_append_new(deps, json_string(r->images[ri->deps[d]].img->name));
	json_object_set_new(o, "depends_on", deps);
	for (int k = 0; k < NSTEPS; k++) {
		const struct run_step *s = &ri->steps[k];
		json_t *st =
		    json_pack("{s:s, s:f}", "status", run_status_name(s->status), "seconds", s->seconds);
		if (s->note)
			json_object_set_new(st, "note", json_string(s->note));
		json_object_set_new(o, run_step_name((enum run_step_kind)k), st);
	}
	json_object_set_new(o, "image_id", str_or_null(ri->image_id));
	json_object_set_new(o, "version", str_or_null(ri->version));
	json_object_set_new(o, "version_from", str_or_null(ri->version_from));
	json_t *refs = json_array();
	const char *digest = NULL;
	for (size_t k = 0; k < ri->nrefs; k++) {
		json_array_append_new(refs, json_pack("{s:s, s:o, s:b}", "ref", ri->refs[k].ref, "digest",
		                                      str_or_null(ri->refs[k].digest), "floating",
		                                      ri->refs[k].floating));
		if (!digest)
			digest = ri->refs[k].digest;
	}
	json_object_set_new(o, "refs", refs);
	json_object_set_new(o, "digest", str_or_null(digest));
	json_object_set_new(o, "git_tag", str_or_null(ri->git_tag));
	json_object_set_new(o, "tag_pushed", json_boolean(ri->tag_pushed));
	json_object_set_new(o, "seconds", json_real(ri->seconds));
	json_object_set_new(o, "log", json_string(ri->log));
	return o;
}

json_t *run_record_json(const struct run *r, const char *status)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "commit", json_string(r->plan->head));
	json_object_set_new(o, "since", str_or_null(r->plan->since));
	json_object_set_new(o, "branch", str_or_null(r->branch));
	json_object_set_new(o, "pushing_branch", json_boolean(r->pushing));
	json_object_set_new(o, "push", json_boolean(!r->o->no_push));
	json_object_set_new(o, "started", json_string(r->started));
	json_object_set_new(o, "seconds", json_real(run_elapsed(&r->t0)));
	json_object_set_new(o, "jobs", json_integer(r->jobs));
	json_t *imgs = json_array();
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(imgs, image_json(r, &r->images[i]));
	json_object_set_new(o, "images", imgs);
	if (r->tags_note)
		json_object_set_new(o, "tags_note", json_string(r->tags_note));
	return o;
}

int run_write_atomic(const char *path, const char *data, size_t len, struct quai_error **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return quai_error_errno(err, errno, "create '%s'", tmp);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return quai_error_errno(err, e, "write '%s'", tmp);
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return quai_error_errno(err, e, "write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return quai_error_errno(err, e, "rename '%s'", tmp);
	}
	return 0;
}

int run_record_save(const struct run *r, const char *status, struct quai_error **err)
{
	json_t *o = run_record_json(r, status);
	cleanup_free char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	cleanup_free char *path = xasprintf("%s/run.json", r->dir);
	return run_write_atomic(path, text, strlen(text), err);
}

/* ---- earlier runs ---- */

static int by_name_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The record files of earlier runs, newest first; NULL-terminated. */
static char **earlier_records(const struct run *r)
{
	cleanup_free char *runs = xasprintf("%s/.quai/runs", r->repo->root);
	DIR *d = opendir(runs);
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, r->id) == 0)
			continue;
		v = xgrow(v, &cap, n + 2, sizeof(*v));
		v[n++] = xasprintf("%s/%s/run.json", runs, de->d_name);
	}
	if (d)
		closedir(d);
	if (!v)
		return xcalloc(1, sizeof(*v));
	qsort(v, n, sizeof(*v), by_name_desc);
	for (size_t i = RECORDS_MAX; i < n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	v[n < RECORDS_MAX ? n : RECORDS_MAX] = NULL;
	return v;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static json_t *load(const char *path)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (quai_file_read(&text, &len, path, RECORD_MAX, NULL) < 0)
		return NULL;
	json_t *o = json_loadb(text, len, 0, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *find_image(json_t *rec, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(rec, "images"), i, v)
	{
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n && strcmp(n, name) == 0)
			return v;
	}
	return NULL;
}

static int step_status(json_t *img, enum run_step_kind k)
{
	return run_status_parse(
	    json_string_value(json_object_get(json_object_get(img, run_step_name(k)), "status")));
}

static double step_seconds(json_t *img, enum run_step_kind k)
{
	return json_number_value(json_object_get(json_object_get(img, run_step_name(k)), "seconds"));
}

static bool image_exists(struct run *r, const char *id)
{
	json_t *info = NULL;
	int rc = quai_engine_image_inspect(r->engine, &info, id, NULL);
	json_decref(info);
	return rc == 0;
}

static void carry(struct run *r, struct run_image *ri, json_t *img, const char *from)
{
	const char *id = json_string_value(json_object_get(img, "image_id"));
	const char *repo = json_string_value(json_object_get(img, "repository"));
	if (!repo || strcmp(repo, ri->img->repository) != 0)
		return;
	const char *version = json_string_value(json_object_get(img, "version"));
	if (version) {
		ri->version = xstrdup(version);
		const char *vf = json_string_value(json_object_get(img, "version_from"));
		ri->version_from = vf ? xstrdup(vf) : NULL;
	}
	if (step_status(img, STEP_BUILD) != ST_OK || !id || !image_exists(r, id))
		return;
	ri->image_id = xstrdup(id);
	ri->steps[STEP_BUILD] =
	    (struct run_step){ST_OK, step_seconds(img, STEP_BUILD), xasprintf("run %s", from)};
	int t = step_status(img, STEP_TEST);
	if (t != ST_OK && t != ST_NONE)
		return;
	ri->steps[STEP_TEST] =
	    (struct run_step){(enum run_status)t, step_seconds(img, STEP_TEST), xasprintf("run %s", from)};
	/* pushed references: the push step pushes again only what is missing */
	size_t k;
	json_t *ref;
	json_array_foreach(json_object_get(img, "refs"), k, ref)
	{
		const char *name = json_string_value(json_object_get(ref, "ref"));
		const char *digest = json_string_value(json_object_get(ref, "digest"));
		if (!name || !digest)
			continue;
		ri->refs = xrealloc(ri->refs, (ri->nrefs + 1) * sizeof(*ri->refs));
		ri->refs[ri->nrefs++] = (struct run_ref){
		    xstrdup(name), json_is_true(json_object_get(ref, "floating")), xstrdup(digest)};
	}
	const char *tag = json_string_value(json_object_get(img, "git_tag"));
	if (tag) {
		ri->git_tag = xstrdup(tag);
		ri->tag_pushed = json_is_true(json_object_get(img, "tag_pushed"));
	}
}

void run_record_resume(struct run *r)
{
	char **paths = earlier_records(r);
	for (char **p = paths; *p; p++) {
		json_t *rec = load(*p);
		const char *commit = json_string_value(json_object_get(rec, "commit"));
		if (!commit || strcmp(commit, r->plan->head) != 0) {
			json_decref(rec);
			continue;
		}
		const char *from = json_string_value(json_object_get(rec, "id"));
		for (size_t i = 0; i < r->n; i++) {
			json_t *img = find_image(rec, r->images[i].img->name);
			if (img)
				carry(r, &r->images[i], img, from ? from : "?");
		}
		json_decref(rec);
		break;
	}
	strv_free(paths);
}

/* Whether commit is HEAD or one of its ancestors. */
static bool in_history(const struct run *r, const char *commit)
{
	git_oid head, c;
	if (!commit || git_oid_fromstr(&head, r->plan->head) < 0 || git_oid_fromstr(&c, commit) < 0)
		return false;
	return git_oid_equal(&head, &c) || git_graph_descendant_of(quai_git_raw(r->git), &head, &c) == 1;
}

char *run_record_last_image(const struct run *r, const char *name)
{
	char **paths = earlier_records(r);
	char *id = NULL;
	for (char **p = paths; *p && !id; p++) {
		json_t *rec = load(*p);
		json_t *img = find_image(rec, name);
		int t = img ? step_status(img, STEP_TEST) : -1;
		const char *v = json_string_value(json_object_get(img, "image_id"));
		if (img && step_status(img, STEP_BUILD) == ST_OK && (t == ST_OK || t == ST_NONE) && v &&
		    in_history(r, json_string_value(json_object_get(rec, "commit"))))
			id = xstrdup(v);
		json_decref(rec);
	}
	strv_free(paths);
	return id;
}

size_t run_record_pushed_versions(const struct run *r, const char *name, char ***tags, char ***commits)
{
	char **paths = earlier_records(r);
	size_t n = 0, cap = 0, cap2 = 0;
	*tags = xcalloc(1, sizeof(char *));
	*commits = xcalloc(1, sizeof(char *));
	for (char **p = paths; *p; p++) {
		json_t *rec = load(*p);
		json_t *img = find_image(rec, name);
		const char *version = json_string_value(json_object_get(img, "version"));
		const char *commit = json_string_value(json_object_get(rec, "commit"));
		cleanup_free char *fixed = version ? xasprintf(":%s", version) : NULL;
		size_t k;
		json_t *ref;
		json_array_foreach(json_object_get(img, "refs"), k, ref)
		{
			const char *s = json_string_value(json_object_get(ref, "ref"));
			size_t len = s ? strlen(s) : 0;
			if (!s || !commit || !fixed || !json_string_value(json_object_get(ref, "digest")) ||
			    len < strlen(fixed) || strcmp(s + len - strlen(fixed), fixed) != 0)
				continue;
			*tags = xgrow(*tags, &cap, n + 2, sizeof(**tags));
			*commits = xgrow(*commits, &cap2, n + 2, sizeof(**commits));
			(*tags)[n] = xasprintf("%s/v%s", name, version);
			(*commits)[n++] = xstrdup(commit);
			(*tags)[n] = (*commits)[n] = NULL;
			break;
		}
		json_decref(rec);
	}
	strv_free(paths);
	return n;
}
