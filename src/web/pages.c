/* The pages of the web UI (see web.h, docs/web.md): routing, layout, and
 * the projects, pipeline, job log, images and sign-in pages. Every string
 * that comes from a user, a forge or a log goes through quai_web_escape. */
#include <git2.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "scheduler/scheduler.h"
#include "server/config.h"
#include "store/store.h"
#include "web/internal.h"
#include "core/banned.h"

#define LOG_PAGE_LINES 2000
#define LOG_LINE_MAX   (64u << 10)

struct page {
	const struct quai_web_env *env;
	struct MHD_Connection *c;
	struct web_user user;
	struct quai_buf b;
	bool refresh; /* a page of something running: reload every few seconds */
};

#define esc(p, s) quai_web_escape(&(p)->b, (s))

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static enum MHD_Result send_page(struct MHD_Connection *c, unsigned status, const char *type, char *text,
                                 size_t len, const char *cookie, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(
	    r, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'");
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	if (location)
		MHD_add_response_header(r, "Location", location);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static const char *status_icon(const char *st)
{
	if (strcmp(st, QUAI_ST_SUCCESS) == 0)
		return "\u2714"; /* ✔ */
	if (strcmp(st, QUAI_ST_FAILED) == 0)
		return "\u2716"; /* ✖ */
	if (strcmp(st, QUAI_ST_RUNNING) == 0)
		return "\u25b6"; /* ▶ */
	if (strcmp(st, QUAI_ST_CANCELED) == 0)
		return "\u2298"; /* ⊘ */
	if (strcmp(st, QUAI_ST_SKIPPED) == 0)
		return "\u21b7"; /* ↷ */
	return "\u25f7";         /* ◷ queued */
}

static void status_badge(struct page *p, const char *st)
{
	quai_buf_printf(&p->b, "<span class=\"st st-");
	esc(p, st);
	quai_buf_printf(&p->b, "\"><span aria-hidden=\"true\">%s</span> ", status_icon(st));
	esc(p, st);
	quai_buf_puts(&p->b, "</span>");
}

static void duration(struct quai_buf *b, long long ms)
{
	if (ms <= 0) {
		quai_buf_puts(b, "\u2014");
		return;
	}
	long long s = ms / 1000;
	if (s < 60)
		quai_buf_printf(b, "%lld.%llds", s, (ms % 1000) / 100);
	else if (s < 3600)
		quai_buf_printf(b, "%lldm %02llds", s / 60, s % 60);
	else
		quai_buf_printf(b, "%lldh %02lldm", s / 3600, (s / 60) % 60);
}

static void age(struct quai_buf *b, long long ms)
{
	if (ms <= 0) {
		quai_buf_puts(b, "\u2014");
		return;
	}
	long long d = (long long)time(NULL) - ms / 1000;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char iso[32];
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	quai_buf_printf(b, "<time datetime=\"%s\" title=\"%s\">", iso, iso);
	if (d < 60)
		quai_buf_printf(b, "%llds ago", d < 0 ? 0 : d);
	else if (d < 3600)
		quai_buf_printf(b, "%lldm ago", d / 60);
	else if (d < 86400)
		quai_buf_printf(b, "%lldh ago", d / 3600);
	else
		quai_buf_printf(b, "%lldd ago", d / 86400);
	quai_buf_puts(b, "</time>");
}

static void head(struct page *p, const char *title)
{
	quai_buf_puts(&p->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	                     "<meta name=\"color-scheme\" content=\"light dark\">");
	if (p->refresh)
		quai_buf_puts(&p->b, "<meta http-equiv=\"refresh\" content=\"5\">");
	quai_buf_puts(&p->b, "<title>");
	esc(p, title);
	quai_buf_puts(&p->b, " \u00b7 quai</title><link rel=\"stylesheet\" href=\"/assets/style.css\">"
	                     "<script src=\"/assets/quai.js\" defer></script></head><body>"
	                     "<a class=\"skip\" href=\"#main\">Skip to content</a>"
	                     "<header><nav aria-label=\"Main\"><a class=\"brand\" href=\"/\">quai</a>"
	                     "<a href=\"/\">Projects</a></nav><div class=\"who\">");
	if (p->user.signed_in) {
		quai_buf_puts(&p->b, "<span>");
		esc(p, p->user.name);
		quai_buf_printf(&p->b,
		                "%s</span><form method=\"post\" action=\"/logout\">"
		                "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		                "<button type=\"submit\">Sign out</button></form>",
		                p->user.admin ? " (admin)" : "", p->user.csrf);
	} else {
		quai_buf_puts(&p->b, "<a href=\"/login\">Sign in</a>");
	}
	quai_buf_puts(&p->b, "</div></header><main id=\"main\">");
}

static enum MHD_Result finish(struct page *p, unsigned status)
{
	quai_buf_puts(&p->b, "</main></body></html>\n");
	size_t len = p->b.len;
	return send_page(p->c, status, "text/html; charset=utf-8", quai_buf_detach(&p->b), len, NULL, NULL);
}

static enum MHD_Result error_page(struct page *p, unsigned status, const char *msg)
{
	quai_buf_truncate(&p->b, 0);
	head(p, "Error");
	quai_buf_printf(&p->b, "<h1>Error %u</h1><p role=\"alert\">", status);
	esc(p, msg);
	quai_buf_puts(&p->b, "</p>");
	return finish(p, status);
}

/* A POST form with the CSRF token: only for admins. */
static void action(struct page *p, const char *path, const char *label, const char *extra_fields)
{
	if (!p->user.admin)
		return;
	quai_buf_puts(&p->b, "<form class=\"action\" method=\"post\" action=\"");
	esc(p, path);
	quai_buf_printf(&p->b,
	                "\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">%s<button type=\"submit\">",
	                p->user.csrf, extra_fields ? extra_fields : "");
	esc(p, label);
	quai_buf_puts(&p->b, "</button></form>");
}

static json_t *pipelines(struct page *p, const char *project, const char *branch, unsigned limit)
{
	struct quai_store_filter f = {project, branch, NULL, 0, limit};
	json_t *list = NULL;
	struct quai_error *err = NULL;
	if (quai_store_pipelines_json(p->env->store, &f, &list, &err) < 0) {
		quai_error_free(err);
		return json_array();
	}
	return list;
}

static void sparkline(struct page *p, json_t *list, const char *branch)
{
	long long d[20];
	size_t n = 0;
	long long max = 1;
	size_t i;
	json_t *pl;
	json_array_foreach(list, i, pl)
	{
		if (n == 20)
			break;
		if (strcmp(jstr(pl, "branch"), branch) != 0 ||
		    !json_is_integer(json_object_get(pl, "duration_ms")))
			continue;
		d[n] = jint(pl, "duration_ms");
		if (d[n] > max)
			max = d[n];
		n++;
	}
	if (n == 0) {
		quai_buf_puts(&p->b, "\u2014");
		return;
	}
	quai_buf_printf(
	    &p->b,
	    "<svg class=\"spark\" width=\"100\" height=\"20\" viewBox=\"0 0 100 20\" role=\"img\">"
	    "<title>durations of the last %zu pipelines</title><polyline fill=\"none\" "
	    "stroke=\"currentColor\" stroke-width=\"1.5\" points=\"",
	    n);
	for (size_t k = 0; k < n; k++) {
		/* oldest on the left */
		long long v = d[n - 1 - k];
		double x = n == 1 ? 50.0 : 100.0 * (double)k / (double)(n - 1);
		double y = 19.0 - 18.0 * (double)v / (double)max;
		quai_buf_printf(&p->b, "%.1f,%.1f ", x, y);
	}
	quai_buf_puts(&p->b, "\"/></svg>");
}

/* The commit's summary and author from the project's mirror, if there. */
static void commit_info(const char *data_dir, const char *project, const char *sha, char **summary,
                        char **author, char **message)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	*summary = *author = NULL;
	if (message)
		*message = NULL;
	if (!sha || strlen(sha) != 40)
		return;
	pthread_once(&once, (void (*)(void))git_libgit2_init);
	cleanup_free char *mirror = xasprintf("%s/mirrors/%s.git", data_dir, project);
	git_repository *repo = NULL;
	if (git_repository_open_bare(&repo, mirror) < 0)
		return;
	git_oid oid;
	git_commit *commit = NULL;
	if (git_oid_fromstr(&oid, sha) == 0 && git_commit_lookup(&commit, repo, &oid) == 0) {
		const char *s = git_commit_summary(commit);
		const git_signature *a = git_commit_author(commit);
		*summary = xstrdup(s ? s : "");
		*author = xstrdup(a && a->name ? a->name : "");
		if (message)
			*message = xstrdup(git_commit_message(commit) ? git_commit_message(commit) : "");
		git_commit_free(commit);
	}
	git_repository_free(repo);
}

static void projects_page(struct page *p, const char *only)
{
	head(p, only ? only : "Projects");
	quai_buf_puts(&p->b, "<h1>");
	esc(p, only ? only : "Projects");
	quai_buf_puts(&p->b, "</h1>");
	const struct quai_server_config *cfg = p->env->cfg;
	for (size_t i = 0; i < cfg->nprojects; i++) {
		const struct quai_project_config *pr = &cfg->projects[i];
		if (only && strcmp(only, pr->name) != 0)
			continue;
		quai_buf_puts(&p->b, "<section class=\"project\"><h2><a href=\"/projects/");
		esc(p, pr->name);
		quai_buf_puts(&p->b, "\">");
		esc(p, pr->name);
		quai_buf_puts(&p->b, "</a></h2><p><a href=\"/projects/");
		esc(p, pr->name);
		quai_buf_puts(&p->b, "/images\">Images</a></p>");
		if (p->user.admin) {
			struct quai_buf f = QUAI_BUF_INIT;
			quai_buf_puts(&f, "<label>Branch <input name=\"branch\" value=\"");
			quai_web_escape(&f, pr->default_branch);
			quai_buf_puts(&f, "\" required></label> ");
			cleanup_free char *path = xasprintf("/projects/%s/trigger", pr->name);
			action(p, path, "Run pipeline", quai_buf_str(&f));
			quai_buf_release(&f);
		}
		json_t *list = pipelines(p, pr->name, NULL, 500);
		json_t *seen = json_object();
		quai_buf_puts(&p->b, "<div class=\"scroll\"><table><caption class=\"sr\">Branches of ");
		esc(p, pr->name);
		quai_buf_puts(
		    &p->b, "</caption><thead><tr><th scope=\"col\">Branch</th><th scope=\"col\">Status</th>"
		           "<th scope=\"col\">Pipeline</th><th scope=\"col\">Commit</th>"
		           "<th scope=\"col\">Author</th><th scope=\"col\">Age</th>"
		           "<th scope=\"col\">Duration</th><th scope=\"col\">Last 20</th>"
		           "<th scope=\"col\">Badge</th></tr></thead><tbody>");
		size_t k;
		json_t *pl;
		json_array_foreach(list, k, pl)
		{
			const char *br = json_string_value(json_object_get(pl, "branch"));
			if (!br || json_object_get(seen, br))
				continue;
			json_object_set_new(seen, br, json_true());
			cleanup_free char *summary = NULL, *author = NULL;
			commit_info(cfg->data_dir, pr->name, jstr(pl, "sha"), &summary, &author, NULL);
			quai_buf_puts(&p->b, "<tr><th scope=\"row\">");
			esc(p, br);
			quai_buf_puts(&p->b, "</th><td>");
			status_badge(p, jstr(pl, "status"));
			quai_buf_printf(&p->b,
			                "</td><td><a href=\"/pipelines/%lld\">#%lld</a></td><td><code>",
			                jint(pl, "id"), jint(pl, "id"));
			quai_web_escape_n(&p->b, jstr(pl, "sha"), strnlen(jstr(pl, "sha"), 10));
			quai_buf_puts(&p->b, "</code> ");
			esc(p, summary);
			quai_buf_puts(&p->b, "</td><td>");
			esc(p, author);
			quai_buf_puts(&p->b, "</td><td>");
			age(&p->b, jint(pl, "created"));
			quai_buf_puts(&p->b, "</td><td>");
			duration(&p->b, jint(pl, "duration_ms"));
			quai_buf_puts(&p->b, "</td><td>");
			sparkline(p, list, br);
			quai_buf_puts(&p->b, "</td><td><img alt=\"status badge\" src=\"/badge/");
			esc(p, pr->name);
			quai_buf_putc(&p->b, '/');
			esc(p, br);
			quai_buf_puts(&p->b, ".svg\"></td></tr>");
		}
		if (json_object_size(seen) == 0)
			quai_buf_puts(&p->b, "<tr><td colspan=\"9\">No pipeline yet.</td></tr>");
		quai_buf_puts(&p->b, "</tbody></table></div></section>");
		json_decref(seen);
		json_decref(list);
	}
}

static void image_row(struct page *p, json_t *img)
{
	quai_buf_puts(&p->b, "<tr><th scope=\"row\">");
	esc(p, jstr(img, "name"));
	quai_buf_puts(&p->b, "</th><td>");
	esc(p, jstr(img, "version"));
	quai_buf_puts(&p->b, "</td><td>");
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(img, "refs"), i, r)
	{
		quai_buf_puts(&p->b, "<code>");
		esc(p, jstr(r, "ref"));
		quai_buf_puts(&p->b, "</code> ");
	}
	quai_buf_puts(&p->b, "</td><td><code>");
	esc(p, jstr(img, "digest"));
	quai_buf_puts(&p->b, "</code></td>");
}

/* The forge's page of a commit, from an https url: GitLab's /-/commit/,
 * GitHub's and Gitea's /commit/ (caller frees), or NULL. */
static char *commit_url(const struct quai_project_config *pr, const char *sha)
{
	if (!pr || !sha || strlen(sha) != 40 || strncmp(pr->url, "https://", 8) != 0)
		return NULL;
	cleanup_free char *base = quai_server_redact_url(pr->url);
	size_t n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".git") == 0)
		base[n - 4] = '\0';
	bool gitlab = pr->status_forge == QUAI_FORGE_GITLAB || strstr(base, "gitlab") != NULL;
	return xasprintf("%s/%scommit/%s", base, gitlab ? "-/" : "", sha);
}

/* The images of a report by stage: an image's stage is one more than the
 * highest stage of what it depends on (the build graph's layers). */
static void stage_graph(struct page *p, json_t *imgs)
{
	size_t n = json_array_size(imgs);
	if (n == 0 || n > 500)
		return;
	int *stage = xcalloc(n, sizeof(int));
	int top = 0;
	for (size_t round = 0; round < n; round++) {
		bool changed = false;
		for (size_t i = 0; i < n; i++) {
			size_t k;
			json_t *dep;
			json_array_foreach(json_object_get(json_array_get(imgs, i), "depends_on"), k, dep)
			{
				for (size_t j = 0; j < n; j++)
					if (j != i && json_is_string(dep) &&
					    strcmp(jstr(json_array_get(imgs, j), "name"),
					           json_string_value(dep)) == 0 &&
					    stage[i] <= stage[j]) {
						stage[i] = stage[j] + 1;
						changed = true;
					}
			}
			if (stage[i] > top)
				top = stage[i];
		}
		if (!changed)
			break;
	}
	quai_buf_puts(&p->b, "<ol class=\"graph\" aria-label=\"Build graph by stage\">");
	for (int st = 0; st <= top; st++) {
		quai_buf_printf(&p->b, "<li><h4>Stage %d</h4><ul>", st + 1);
		for (size_t i = 0; i < n; i++) {
			if (stage[i] != st)
				continue;
			json_t *img = json_array_get(imgs, i);
			json_t *build = json_object_get(img, "build");
			quai_buf_puts(&p->b, "<li class=\"node\"><strong>");
			esc(p, jstr(img, "name"));
			quai_buf_puts(&p->b, "</strong> ");
			if (json_is_object(build))
				status_badge(p, jstr(build, "status"));
			size_t k;
			json_t *dep;
			json_array_foreach(json_object_get(img, "depends_on"), k, dep)
			{
				quai_buf_puts(&p->b, "<span class=\"needs\">needs ");
				esc(p, json_string_value(dep));
				quai_buf_puts(&p->b, "</span>");
			}
			quai_buf_puts(&p->b, "</li>");
		}
		quai_buf_puts(&p->b, "</ul></li>");
	}
	quai_buf_puts(&p->b, "</ol>");
	free(stage);
}

static enum MHD_Result pipeline_page(struct page *p, int64_t id)
{
	json_t *pl = NULL;
	struct quai_error *err = NULL;
	if (quai_store_pipeline_json(p->env->store, id, &pl, &err) < 0) {
		quai_error_free(err);
		return error_page(p, 404, "no such pipeline");
	}
	char title[32];
	snprintf(title, sizeof(title), "Pipeline #%lld", (long long)id);
	p->refresh = strcmp(jstr(pl, "status"), QUAI_ST_QUEUED) == 0 ||
	             strcmp(jstr(pl, "status"), QUAI_ST_RUNNING) == 0;
	head(p, title);
	quai_buf_printf(&p->b, "<h1>Pipeline #%lld ", (long long)id);
	status_badge(p, jstr(pl, "status"));
	quai_buf_puts(&p->b, "</h1>");
	cleanup_free char *summary = NULL, *author = NULL, *message = NULL;
	commit_info(p->env->cfg->data_dir, jstr(pl, "project"), jstr(pl, "sha"), &summary, &author, &message);
	quai_buf_puts(&p->b, "<dl class=\"facts\"><dt>Project</dt><dd><a href=\"/projects/");
	esc(p, jstr(pl, "project"));
	quai_buf_puts(&p->b, "\">");
	esc(p, jstr(pl, "project"));
	quai_buf_puts(&p->b, "</a></dd><dt>Branch</dt><dd>");
	esc(p, jstr(pl, "branch"));
	quai_buf_puts(&p->b, "</dd><dt>Commit</dt><dd><code>");
	esc(p, jstr(pl, "sha"));
	quai_buf_puts(&p->b, "</code>");
	cleanup_free char *link =
	    commit_url(quai_server_config_project(p->env->cfg, jstr(pl, "project")), jstr(pl, "sha"));
	if (link) {
		quai_buf_puts(&p->b, " <a href=\"");
		esc(p, link);
		quai_buf_puts(&p->b, "\">on the forge</a>");
	}
	quai_buf_puts(&p->b, "</dd>");
	if (message) {
		quai_buf_puts(&p->b, "<dt>Message</dt><dd><pre class=\"msg\">");
		esc(p, message);
		quai_buf_puts(&p->b, "</pre></dd><dt>Author</dt><dd>");
		esc(p, author);
		quai_buf_puts(&p->b, "</dd>");
	}
	quai_buf_puts(&p->b, "<dt>Trigger</dt><dd>");
	esc(p, jstr(pl, "trigger"));
	quai_buf_puts(&p->b, " (");
	esc(p, jstr(pl, "event"));
	quai_buf_puts(&p->b, ")</dd><dt>Created</dt><dd>");
	age(&p->b, jint(pl, "created"));
	quai_buf_puts(&p->b, "</dd><dt>Duration</dt><dd>");
	duration(&p->b, jint(pl, "duration_ms"));
	quai_buf_puts(&p->b, "</dd>");
	if (*jstr(pl, "note")) {
		quai_buf_puts(&p->b, "<dt>Note</dt><dd>");
		esc(p, jstr(pl, "note"));
		quai_buf_puts(&p->b, "</dd>");
	}
	if (*jstr(pl, "message")) {
		quai_buf_puts(&p->b, "<dt>Result</dt><dd>");
		esc(p, jstr(pl, "message"));
		quai_buf_puts(&p->b, "</dd>");
	}
	quai_buf_puts(&p->b, "</dl><div class=\"actions\">");
	const char *st = jstr(pl, "status");
	char path[64];
	if (strcmp(st, QUAI_ST_QUEUED) == 0 || strcmp(st, QUAI_ST_RUNNING) == 0) {
		snprintf(path, sizeof(path), "/pipelines/%lld/cancel", (long long)id);
		action(p, path, "Cancel", NULL);
	} else {
		snprintf(path, sizeof(path), "/pipelines/%lld/retry", (long long)id);
		action(p, path, "Retry pipeline", NULL);
	}
	quai_buf_puts(&p->b, "</div><h2>Jobs</h2><ol class=\"jobs\">");
	size_t i;
	json_t *job;
	json_array_foreach(json_object_get(pl, "jobs"), i, job)
	{
		quai_buf_printf(&p->b, "<li><a href=\"/jobs/%lld\">", jint(job, "id"));
		esc(p, jstr(job, "name"));
		quai_buf_puts(&p->b, "</a> ");
		status_badge(p, jstr(job, "status"));
		quai_buf_puts(&p->b, " <span class=\"dur\">");
		duration(&p->b, jint(job, "duration_ms"));
		quai_buf_puts(&p->b, "</span>");
		json_t *imgs = json_object_get(json_object_get(job, "report"), "images");
		if (json_array_size(imgs)) {
			stage_graph(p, imgs);
			quai_buf_puts(
			    &p->b, "<div class=\"scroll\"><table><caption>Images (plan and graph)</caption>"
			           "<thead><tr><th scope=\"col\">Image</th><th scope=\"col\">Version</th>"
			           "<th scope=\"col\">Tags</th><th scope=\"col\">Digest</th>"
			           "<th scope=\"col\">Why</th><th scope=\"col\">Needs</th>"
			           "<th scope=\"col\">Steps</th></tr></thead><tbody>");
			size_t k;
			json_t *img;
			json_array_foreach(imgs, k, img)
			{
				image_row(p, img);
				quai_buf_puts(&p->b, "<td>");
				size_t m;
				json_t *v;
				json_array_foreach(json_object_get(img, "reasons"), m, v)
				{
					esc(p, json_string_value(v));
					quai_buf_puts(&p->b, "<br>");
				}
				quai_buf_puts(&p->b, "</td><td>");
				json_array_foreach(json_object_get(img, "depends_on"), m, v)
				{
					quai_buf_puts(&p->b, "\u2190 ");
					esc(p, json_string_value(v));
					quai_buf_puts(&p->b, " ");
				}
				quai_buf_puts(&p->b, "</td><td><ul class=\"steps\">");
				static const char *const steps[] = {"build", "lint", "test", "push", NULL};
				for (int s = 0; steps[s]; s++) {
					json_t *step = json_object_get(img, steps[s]);
					if (!json_is_object(step))
						continue;
					quai_buf_printf(&p->b, "<li>%s ", steps[s]);
					status_badge(p, jstr(step, "status"));
					if (*jstr(step, "note")) {
						quai_buf_puts(&p->b, " <span class=\"note\">");
						esc(p, jstr(step, "note"));
						quai_buf_puts(&p->b, "</span>");
					}
					quai_buf_puts(&p->b, "</li>");
				}
				quai_buf_puts(&p->b, "</ul></td></tr>");
			}
			quai_buf_puts(&p->b, "</tbody></table></div>");
		}
		quai_buf_puts(&p->b, "</li>");
	}
	quai_buf_puts(&p->b, "</ol>");
	json_decref(pl);
	return finish(p, 200);
}

/* Every image version the project's last 200 pipelines recorded, grouped
 * by image, newest first. */
static enum MHD_Result images_page(struct page *p, const char *project)
{
	if (!quai_server_config_project(p->env->cfg, project))
		return error_page(p, 404, "no such project");
	head(p, "Images");
	quai_buf_puts(&p->b, "<h1>Images of ");
	esc(p, project);
	quai_buf_puts(&p->b, "</h1>");
	json_t *by = json_object(), *order = json_array();
	json_t *list = pipelines(p, project, NULL, 200);
	size_t i;
	json_t *pl;
	json_array_foreach(list, i, pl)
	{
		json_t *full = NULL;
		struct quai_error *err = NULL;
		if (quai_store_pipeline_json(p->env->store, jint(pl, "id"), &full, &err) < 0) {
			quai_error_free(err);
			continue;
		}
		size_t k;
		json_t *job;
		json_array_foreach(json_object_get(full, "jobs"), k, job)
		{
			size_t m;
			json_t *img;
			json_array_foreach(json_object_get(json_object_get(job, "report"), "images"), m, img)
			{
				const char *name = json_string_value(json_object_get(img, "name"));
				if (!name || (!*jstr(img, "version") && !*jstr(img, "digest")))
					continue;
				json_t *rows = json_object_get(by, name);
				if (!rows) {
					rows = json_array();
					json_object_set_new(by, name, rows);
					json_array_append_new(order, json_string(name));
				}
				json_array_append_new(rows, json_pack("{s:O, s:O}", "img", img, "pl", pl));
			}
		}
		json_decref(full);
	}
	if (json_array_size(order) == 0)
		quai_buf_puts(&p->b, "<p>No image version recorded yet.</p>");
	json_t *name;
	json_array_foreach(order, i, name)
	{
		quai_buf_puts(&p->b, "<section><h2>");
		esc(p, json_string_value(name));
		quai_buf_puts(&p->b, "</h2><div class=\"scroll\"><table><caption class=\"sr\">Versions of ");
		esc(p, json_string_value(name));
		quai_buf_puts(
		    &p->b, "</caption><thead><tr><th scope=\"col\">Image</th><th scope=\"col\">Version</th>"
		           "<th scope=\"col\">Tags</th><th scope=\"col\">Digest</th>"
		           "<th scope=\"col\">Commit</th><th scope=\"col\">Date</th>"
		           "<th scope=\"col\">Pipeline</th></tr></thead><tbody>");
		size_t k;
		json_t *row;
		json_array_foreach(json_object_get(by, json_string_value(name)), k, row)
		{
			json_t *rp = json_object_get(row, "pl");
			image_row(p, json_object_get(row, "img"));
			quai_buf_puts(&p->b, "<td><code>");
			quai_web_escape_n(&p->b, jstr(rp, "sha"), strnlen(jstr(rp, "sha"), 10));
			quai_buf_puts(&p->b, "</code></td><td>");
			age(&p->b, jint(rp, "created"));
			quai_buf_printf(&p->b, "</td><td><a href=\"/pipelines/%lld\">#%lld</a></td></tr>",
			                jint(rp, "id"), jint(rp, "id"));
		}
		quai_buf_puts(&p->b, "</tbody></table></div></section>");
	}
	json_decref(by);
	json_decref(order);
	json_decref(list);
	return finish(p, 200);
}

static void log_line(struct page *p, const char *s, size_t len, long long no, struct quai_web_ansi *st,
                     int *depth)
{
	struct quai_web_section sec;
	enum quai_web_section_kind k = quai_web_section_parse(s, len, &sec);
	if (k == QUAI_WEB_SECTION_END) {
		if (*depth > 0) {
			quai_buf_puts(&p->b, "</div></details>");
			(*depth)--;
		}
		return;
	}
	if (k == QUAI_WEB_SECTION_START && *depth < 32) {
		quai_buf_printf(
		    &p->b,
		    "<details class=\"sec\"%s><summary id=\"L%lld\"><a class=\"ln\" href=\"#L%lld\">%lld</a>",
		    sec.collapsed ? "" : " open", no, no, no);
		quai_web_ansi_line(&p->b, s + sec.header_off, len - sec.header_off, st);
		if (sec.time > 0) {
			time_t t = (time_t)sec.time;
			struct tm tm;
			char iso[32], hms[16];
			gmtime_r(&t, &tm);
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
			strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
			quai_buf_printf(&p->b, " <time class=\"ts\" datetime=\"%s\">%s UTC</time>", iso, hms);
		}
		quai_buf_puts(&p->b, "</summary><div>");
		(*depth)++;
		return;
	}
	quai_buf_printf(
	    &p->b,
	    "<div class=\"l\" id=\"L%lld\"><a class=\"ln\" tabindex=\"-1\" href=\"#L%lld\">%lld</a><span>",
	    no, no, no);
	quai_web_ansi_line(&p->b, s, len, st);
	quai_buf_puts(&p->b, "</span></div>");
}

static const char *qarg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

static enum MHD_Result job_page(struct page *p, int64_t id)
{
	json_t *job = NULL;
	struct quai_error *err = NULL;
	if (quai_store_job_json(p->env->store, id, &job, &err) < 0) {
		quai_error_free(err);
		return error_page(p, 404, "no such job");
	}
	cleanup_free char *path = NULL;
	bool running = false;
	if (quai_store_job_log(p->env->store, id, &path, &running, &err) < 0) {
		quai_error_free(err);
		path = NULL;
	}
	const char *status = jstr(job, "status");
	bool live = running || strcmp(status, QUAI_ST_QUEUED) == 0;
	char title[64];
	snprintf(title, sizeof(title), "Job #%lld", (long long)id);
	head(p, title);
	quai_buf_printf(&p->b, "<h1>Job #%lld ", (long long)id);
	esc(p, jstr(job, "name"));
	quai_buf_puts(&p->b, " ");
	status_badge(p, status);
	quai_buf_printf(&p->b, "</h1><p><a href=\"/pipelines/%lld\">Pipeline #%lld</a> \u00b7 Duration ",
	                jint(job, "pipeline"), jint(job, "pipeline"));
	duration(&p->b, jint(job, "duration_ms"));
	quai_buf_puts(&p->b, " \u00b7 Started ");
	age(&p->b, jint(job, "started"));
	quai_buf_printf(
	    &p->b, " \u00b7 <a href=\"/jobs/%lld/log\" download=\"job-%lld.log\">Download raw log</a></p>",
	    (long long)id, (long long)id);
	/* pages of LOG_PAGE_LINES lines; the last one by default */
	long long want = -1;
	if (qarg(p->c, "page"))
		want = strtoll(qarg(p->c, "page"), NULL, 10);
	FILE *f = path ? fopen(path, "r") : NULL;
	long long total = 0;
	/* one pass in blocks: the line count and where each page starts */
	off_t *starts = xmalloc(sizeof(off_t));
	size_t nstarts = 1, cap_starts = 1;
	starts[0] = 0;
	if (f) {
		char block[1 << 16];
		size_t n;
		off_t pos = 0;
		char last = '\n';
		while ((n = fread(block, 1, sizeof(block), f)) > 0) {
			for (const char *q = block, *e = block + n; (q = memchr(q, '\n', (size_t)(e - q)));
			     q++) {
				total++;
				if (total % LOG_PAGE_LINES == 0) {
					starts = xgrow(starts, &cap_starts, nstarts + 1, sizeof(off_t));
					starts[nstarts++] = pos + (q - block) + 1;
				}
			}
			last = block[n - 1];
			pos += (off_t)n;
		}
		if (last != '\n')
			total++;
	}
	long long pages = total ? (total + LOG_PAGE_LINES - 1) / LOG_PAGE_LINES : 1;
	if (want < 1 || want > pages)
		want = pages;
	long long first = (want - 1) * LOG_PAGE_LINES + 1;
	quai_buf_puts(&p->b,
	              "<div class=\"logbar\"><label>Search <input type=\"search\" id=\"logsearch\"></label>");
	if (pages > 1) {
		quai_buf_puts(&p->b, "<nav aria-label=\"Log pages\" class=\"pages\">Page ");
		for (long long k = 1; k <= pages; k++) {
			if (pages > 12 && k > 3 && k < pages - 2 && (k < want - 2 || k > want + 2))
				continue;
			if (k == want)
				quai_buf_printf(&p->b, "<strong aria-current=\"page\">%lld</strong> ", k);
			else
				quai_buf_printf(&p->b, "<a href=\"?page=%lld\">%lld</a> ", k, k);
		}
		quai_buf_puts(&p->b, "</nav>");
	}
	quai_buf_printf(
	    &p->b,
	    "</div><div class=\"log\" id=\"log\" role=\"log\" aria-live=\"polite\" data-job=\"%lld\" "
	    "data-lines=\"%lld\" data-live=\"%d\">",
	    (long long)id, total, live && want == pages ? 1 : 0);
	if (f) {
		struct quai_web_ansi st;
		quai_web_ansi_init(&st);
		int depth = 0;
		long long no = first;
		size_t at = (size_t)(want - 1);
		if (at >= nstarts || fseeko(f, starts[at], SEEK_SET) != 0)
			no = first + LOG_PAGE_LINES; /* nothing to show */
		char *line = xmalloc(LOG_LINE_MAX + 2);
		while (no < first + LOG_PAGE_LINES && fgets(line, LOG_LINE_MAX + 2, f)) {
			size_t len = strlen(line);
			if (len && line[len - 1] == '\n')
				len--;
			else if (len == LOG_LINE_MAX + 1) {
				/* a longer line: shown cut, the rest skipped */
				len = LOG_LINE_MAX;
				int ch;
				while ((ch = getc(f)) != EOF && ch != '\n')
					;
			}
			log_line(p, line, len, no, &st, &depth);
			no++;
		}
		free(line);
		fclose(f);
		while (depth-- > 0)
			quai_buf_puts(&p->b, "</div></details>");
	} else if (!live) {
		quai_buf_puts(&p->b, "<p>No log.</p>");
	}
	free(starts);
	quai_buf_puts(&p->b, "</div>");
	if (live)
		quai_buf_puts(&p->b, "<p id=\"livestate\" role=\"status\">Following the log live\u2026</p>");
	json_decref(job);
	return finish(p, 200);
}

static void badge_svg(struct MHD_Connection *c, const char *status, enum MHD_Result *out)
{
	static const struct {
		const char *st, *colour;
	} colours[] = {{"success", "#2e7d32"},  {"failed", "#c62828"}, {"running", "#1565c0"},
	               {"canceled", "#616161"}, {"queued", "#8d6e63"}, {"unknown", "#9e9e9e"}};
	const char *colour = "#9e9e9e";
	for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		if (strcmp(colours[i].st, status) == 0)
			colour = colours[i].colour;
	int w = 6 * (int)strlen(status) + 12;
	char *svg = xasprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"20\" "
	                      "role=\"img\" aria-label=\"quai: %s\">"
	                      "<title>quai: %s</title><rect width=\"40\" height=\"20\" fill=\"#555\"/>"
	                      "<rect x=\"40\" width=\"%d\" height=\"20\" fill=\"%s\"/><g fill=\"#fff\" "
	                      "font-family=\"Verdana,sans-serif\" "
	                      "font-size=\"11\"><text x=\"6\" y=\"14\">quai</text><text x=\"46\" "
	                      "y=\"14\">%s</text></g></svg>\n",
	                      40 + w, status, status, w, colour, status);
	*out = send_page(c, 200, "image/svg+xml", svg, strlen(svg), NULL, NULL);
}

static enum MHD_Result badge(struct page *p, const char *rest)
{
	/* rest: PROJECT/BRANCH.svg, BRANCH may hold slashes */
	const char *slash = strchr(rest, '/');
	size_t rl = strlen(rest);
	enum MHD_Result out;
	if (!slash || rl < 5 || strcmp(rest + rl - 4, ".svg") != 0) {
		badge_svg(p->c, "unknown", &out);
		return out;
	}
	cleanup_free char *project = xstrndup(rest, (size_t)(slash - rest));
	cleanup_free char *branch = xstrndup(slash + 1, rl - 4 - (size_t)(slash + 1 - rest));
	const char *status = "unknown";
	json_t *list = NULL;
	if (quai_server_config_project(p->env->cfg, project) && *branch) {
		list = pipelines(p, project, branch, 1);
		if (json_array_size(list))
			status = jstr(json_array_get(list, 0), "status");
	}
	if (!*status)
		status = "unknown";
	char st[16];
	snprintf(st, sizeof(st), "%s", status);
	json_decref(list);
	badge_svg(p->c, st, &out);
	return out;
}

static enum MHD_Result login_page(struct page *p, const char *msg, unsigned status)
{
	head(p, "Sign in");
	quai_buf_puts(&p->b, "<h1>Sign in</h1>");
	if (msg) {
		quai_buf_puts(&p->b, "<p role=\"alert\" class=\"err\">");
		esc(p, msg);
		quai_buf_puts(&p->b, "</p>");
	}
	quai_buf_puts(&p->b, "<form method=\"post\" action=\"/login\" class=\"login\">"
	                     "<label>User <input name=\"user\" autocomplete=\"username\" required></label>"
	                     "<label>Password <input type=\"password\" name=\"password\" "
	                     "autocomplete=\"current-password\" required></label>"
	                     "<button type=\"submit\">Sign in</button></form>");
	return finish(p, status);
}

/* application/x-www-form-urlencoded: the value of key, decoded (caller frees). */
static char *form_value(const char *body, size_t len, const char *key)
{
	size_t kl = strlen(key);
	const char *p = body, *end = body + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *e = amp ? amp : end;
		if ((size_t)(e - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
			struct quai_buf v = QUAI_BUF_INIT;
			for (const char *q = p + kl + 1; q < e; q++) {
				if (*q == '+')
					quai_buf_putc(&v, ' ');
				else if (*q == '%' && e - q > 2) {
					char hex[3] = {q[1], q[2], 0};
					quai_buf_putc(&v, (char)strtol(hex, NULL, 16));
					q += 2;
				} else
					quai_buf_putc(&v, *q);
			}
			return quai_buf_detach(&v);
		}
		p = e + 1;
	}
	return NULL;
}

static bool secure_cookie(const struct quai_web_env *env, struct MHD_Connection *c)
{
	const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
	return (proto && strcmp(proto, "https") == 0) ||
	       (env->cfg->public_url && strncmp(env->cfg->public_url, "https://", 8) == 0);
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to, const char *cookie)
{
	return send_page(c, 303, "text/plain", xstrdup(""), 0, cookie, to);
}

static bool valid_branch(const char *b)
{
	if (!b || !*b || strlen(b) > 200 || b[0] == '-' || strstr(b, ".."))
		return false;
	for (const char *q = b; *q; q++)
		if ((unsigned char)*q < 0x21 || *q == 0x7f || strchr("~^:?*[\\", *q))
			return false;
	return true;
}

static enum MHD_Result do_action(struct page *p, const char *what, const char *name, int64_t id,
                                 const char *body, size_t len)
{
	if (!p->user.admin)
		return error_page(p, 403, "only signed-in admins may do this");
	cleanup_free char *csrf = form_value(body, len, "csrf");
	if (!quai_web_csrf_ok(p->user.csrf, csrf))
		return error_page(p, 403,
		                  "the form is out of date (CSRF token): reload the page and try again");
	struct quai_error *err = NULL;
	char to[80];
	if (strcmp(what, "trigger") == 0) {
		const struct quai_project_config *pr = quai_server_config_project(p->env->cfg, name);
		if (!pr)
			return error_page(p, 404, "no such project");
		cleanup_free char *branch = form_value(body, len, "branch");
		const char *br = branch && *branch ? branch : pr->default_branch;
		if (!valid_branch(br))
			return error_page(p, 400, "bad branch name");
		cleanup_free char *ref = xasprintf("refs/heads/%s", br);
		struct quai_store_trigger t = {.project = pr->name,
		                               .branch = br,
		                               .ref = ref,
		                               .trigger = "api",
		                               .event = "manual",
		                               .jobs = quai_scheduler_jobs(pr)};
		int64_t nid = 0;
		bool dup = false;
		if (quai_store_enqueue(p->env->store, &t, &nid, &dup, &err) < 0)
			goto failed;
		quai_scheduler_queued(p->env->sched, nid);
		snprintf(to, sizeof(to), "/pipelines/%lld", (long long)nid);
	} else if (strcmp(what, "cancel") == 0) {
		bool running = false;
		if (quai_store_cancel(p->env->store, id, &running, &err) < 0)
			goto failed;
		if (running)
			quai_scheduler_cancel(p->env->sched, id);
		snprintf(to, sizeof(to), "/pipelines/%lld", (long long)id);
	} else {
		int64_t nid = 0;
		if (quai_store_retry(p->env->store, id, &nid, &err) < 0)
			goto failed;
		quai_scheduler_queued(p->env->sched, nid);
		snprintf(to, sizeof(to), "/pipelines/%lld", (long long)nid);
	}
	quai_buf_release(&p->b);
	return redirect(p->c, to, NULL);
failed:;
	enum MHD_Result rc = error_page(p, 409, err->msg);
	quai_error_free(err);
	return rc;
}

static enum MHD_Result do_login(struct page *p, const char *body, size_t len)
{
	cleanup_free char *user = form_value(body, len, "user");
	cleanup_free char *password = form_value(body, len, "password");
	char sid[65];
	if (!user || !password || strlen(user) > 64 || strlen(password) > 1024 ||
	    !web_sign_in(p->env->cfg->data_dir, user, password, sid))
		return login_page(p, "Wrong user name or password.", 401);
	cleanup_free char *cookie = xasprintf("quai_session=%s; Path=/; HttpOnly; SameSite=Strict%s", sid,
	                                      secure_cookie(p->env, p->c) ? "; Secure" : "");
	quai_buf_release(&p->b);
	return redirect(p->c, "/", cookie);
}

static bool id_of(const char *s, int64_t *out)
{
	if (!*s || *s == '0' || strlen(s) > 15)
		return false;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
			return false;
	return true;
}

/* Splits "/a/b/c" into at most 4 segments (copied into buf). */
static size_t split(const char *url, char *buf, size_t size, char **seg)
{
	snprintf(buf, size, "%s", url + 1);
	size_t n = 0;
	char *p = buf;
	while (n < 4 && *p) {
		seg[n++] = p;
		char *s = strchr(p, '/');
		if (!s)
			break;
		*s = '\0';
		p = s + 1;
	}
	return n;
}

static enum MHD_Result route(struct page *p, const char *url, bool post, const char *body, size_t len)
{
	if (strncmp(url, "/assets/", 8) == 0) {
		const struct web_asset *a = web_asset_find(url + 8);
		if (!a)
			return error_page(p, 404, "not found");
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", a->type);
		MHD_add_response_header(r, "Cache-Control", "max-age=300");
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		enum MHD_Result rc = MHD_queue_response(p->c, 200, r);
		MHD_destroy_response(r);
		quai_buf_release(&p->b);
		return rc;
	}
	if (strcmp(url, "/login") == 0)
		return post ? do_login(p, body, len) : login_page(p, NULL, 200);
	if (strcmp(url, "/logout") == 0 && post) {
		cleanup_free char *csrf = form_value(body, len, "csrf");
		if (p->user.signed_in && quai_web_csrf_ok(p->user.csrf, csrf))
			web_sign_out(p->c);
		quai_buf_release(&p->b);
		return redirect(p->c, "/login",
		                "quai_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	}
	if (!p->user.can_read) {
		if (post)
			return error_page(p, 403, "sign in first");
		quai_buf_release(&p->b);
		return redirect(p->c, "/login", NULL);
	}
	if (strncmp(url, "/badge/", 7) == 0 && !post)
		return badge(p, url + 7);
	char buf[512];
	char *seg[4];
	if (strlen(url) >= sizeof(buf))
		return error_page(p, 404, "not found");
	size_t n = split(url, buf, sizeof(buf), seg);
	int64_t id = 0;
	if (!post && strcmp(url, "/") == 0)
		return projects_page(p, NULL), finish(p, 200);
	if (n >= 2 && strcmp(seg[0], "projects") == 0 && name_ok(seg[1])) {
		if (n == 2 && !post) {
			if (!quai_server_config_project(p->env->cfg, seg[1]))
				return error_page(p, 404, "no such project");
			return projects_page(p, seg[1]), finish(p, 200);
		}
		if (n == 3 && !post && strcmp(seg[2], "images") == 0)
			return images_page(p, seg[1]);
		if (n == 3 && post && strcmp(seg[2], "trigger") == 0)
			return do_action(p, "trigger", seg[1], 0, body, len);
	}
	if (n >= 2 && strcmp(seg[0], "pipelines") == 0 && id_of(seg[1], &id)) {
		if (n == 2 && !post)
			return pipeline_page(p, id);
		if (n == 3 && post && (strcmp(seg[2], "cancel") == 0 || strcmp(seg[2], "retry") == 0))
			return do_action(p, seg[2], NULL, id, body, len);
	}
	if (n >= 2 && strcmp(seg[0], "jobs") == 0 && id_of(seg[1], &id) && !post) {
		if (n == 2)
			return job_page(p, id);
		if (n == 3 && strcmp(seg[2], "log") == 0) {
			quai_buf_release(&p->b);
			return p->env->job_log(p->env->srv, p->c, id);
		}
	}
	return error_page(p, 404, "not found");
}

bool quai_web_handle(const struct quai_web_env *env, struct MHD_Connection *c, const char *url,
                     const char *method, const char *body, size_t len, enum MHD_Result *out)
{
	if (strncmp(url, "/api/", 5) == 0 || strncmp(url, "/hooks/", 7) == 0)
		return false;
	bool post = strcmp(method, "POST") == 0;
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return false;
	struct page p = {.env = env, .c = c, .b = QUAI_BUF_INIT};
	web_user_of(&p.user, env->cfg->data_dir, c);
	*out = route(&p, url, post, body ? body : "", len);
	quai_buf_release(&p.b);
	return true;
}
