/* quai pipeline list: loads .gitlab-ci.yml (or .quai-ci.yml) as GitLab
 * would for this commit and ref, and prints each job, its stage, and why
 * it will or will not run. `quai run --pipeline --list` is meant to
 * dispatch here (cmd_run.c belongs to the run command).
 *
 * This command lives in the small quai binary: it reads the commit and
 * branch from .git itself (HEAD, refs, packed-refs), without libgit2;
 * --ref/--tag/--sha override what it finds. */
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "lint/lint.h"
#include "pipeline/pipeline.h"
#include "core/banned.h"

const char cmd_pipeline_usage[] =
    "usage: quai pipeline list [OPTIONS] [DIR]\n"
    "       quai pipeline check [OPTIONS] [DIR]\n"
    "\n"
    "Reads .quai-ci.yml, else .gitlab-ci.yml, with GitLab's semantics and lists\n"
    "the jobs a pipeline for this commit creates: each job, its stage, and why it\n"
    "will or will not run. `check` only validates the file (exit 2 on errors).\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE            the pipeline file (default: see above)\n"
    "  -C, --project-dir DIR      the project (default: .); include:local and\n"
    "                             exists: are relative to it\n"
    "      --ref BRANCH           the branch pushed (default: the checked-out one)\n"
    "      --tag TAG              a tag pipeline for TAG\n"
    "      --sha SHA              the commit (default: HEAD)\n"
    "      --default-branch NAME  CI_DEFAULT_BRANCH (default: origin's HEAD, else\n"
    "                             main or master as they exist, else main)\n"
    "      --source SOURCE        CI_PIPELINE_SOURCE: push (default), web,\n"
    "                             schedule, api, trigger, merge_request_event...\n"
    "      --message TEXT         CI_COMMIT_MESSAGE\n"
    "      --changed PATH         a path the push changed (repeatable); without\n"
    "                             any, every changes: rule is true, as GitLab does\n"
    "                             for a new branch, a tag, or a pipeline not\n"
    "                             started by a push\n"
    "      --variable K=V         a variable (repeatable; wins over the file's)\n"
    "      --variables-file FILE  variables from FILE (NAME: value, or NAME:\n"
    "                             {value, masked, raw, file})\n"
    "      --masked NAME          never show NAME's value (repeatable)\n"
    "      --format FORMAT        text (default) or dump (every resolved field)\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Exit status: 0 the file is valid, 2 it is not (the error has its\n"
    "file:line:col) or the options are wrong.\n";

struct git_info {
	char *branch;
	char *sha;
	char *default_branch;
};

static char *read_small(const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	if (quai_file_read(&buf, &n, path, 1u << 16, NULL) < 0)
		return NULL;
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return buf;
}

/* The 40-hex id of a ref (refs/heads/x) from loose refs or packed-refs. */
static char *resolve_ref(const char *gitdir, const char *ref)
{
	cleanup_free char *loose = xasprintf("%s/%s", gitdir, ref);
	char *sha = read_small(loose);
	if (sha && strlen(sha) >= 40)
		return sha;
	free(sha);
	cleanup_free char *packed_path = xasprintf("%s/packed-refs", gitdir);
	cleanup_free char *packed = read_small(packed_path);
	if (!packed)
		return NULL;
	size_t rl = strlen(ref);
	for (char *line = packed; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len == 41 + rl && line[40] == ' ' && strncmp(line + 41, ref, rl) == 0)
			return xstrndup(line, 40);
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static bool ref_exists(const char *gitdir, const char *ref)
{
	char *s = resolve_ref(gitdir, ref);
	free(s);
	return s != NULL;
}

static void read_git(struct git_info *g, const char *dir)
{
	cleanup_free char *gitdir = xasprintf("%s/.git", dir);
	struct stat st;
	if (stat(gitdir, &st) == 0 && S_ISREG(st.st_mode)) {
		/* a worktree: "gitdir: PATH" */
		cleanup_free char *link = read_small(gitdir);
		if (link && strncmp(link, "gitdir: ", 8) == 0) {
			free(gitdir);
			gitdir = link[8] == '/' ? xstrdup(link + 8) : xasprintf("%s/%s", dir, link + 8);
		}
	}
	cleanup_free char *head_path = xasprintf("%s/HEAD", gitdir);
	cleanup_free char *head = read_small(head_path);
	if (!head)
		return;
	/* refs are shared with the main repository for worktrees */
	cleanup_free char *common_path = xasprintf("%s/commondir", gitdir);
	cleanup_free char *common = read_small(common_path);
	cleanup_free char *refdir =
	    common ? (common[0] == '/' ? xstrdup(common) : xasprintf("%s/%s", gitdir, common))
	           : xstrdup(gitdir);
	if (strncmp(head, "ref: ", 5) == 0) {
		const char *ref = head + 5;
		if (strncmp(ref, "refs/heads/", 11) == 0)
			g->branch = xstrdup(ref + 11);
		g->sha = resolve_ref(refdir, ref);
		if (!g->sha)
			g->sha = resolve_ref(gitdir, ref);
	} else if (strlen(head) >= 40) {
		g->sha = xstrndup(head, 40);
	}
	cleanup_free char *origin_path = xasprintf("%s/refs/remotes/origin/HEAD", refdir);
	cleanup_free char *origin = read_small(origin_path);
	if (origin && strncmp(origin, "ref: refs/remotes/origin/", 25) == 0)
		g->default_branch = xstrdup(origin + 25);
	else if (ref_exists(refdir, "refs/heads/main"))
		g->default_branch = xstrdup("main");
	else if (ref_exists(refdir, "refs/heads/master"))
		g->default_branch = xstrdup("master");
}

static void print_strv(FILE *f, const char *label, char *const *v)
{
	if (!v)
		return;
	fprintf(f, "  %s:", label);
	for (; *v; v++)
		fprintf(f, " [%s]", *v);
	fputc('\n', f);
}

static void print_vars(FILE *f, const char *indent, const struct quai_pipeline_vars *vars,
                       const struct quai_pipeline_vars *masked)
{
	for (size_t i = 0; i < vars->n; i++) {
		const struct quai_pipeline_var *v = &vars->v[i];
		const struct quai_pipeline_var *m = quai_pipeline_vars_get(masked, v->key);
		bool hide = v->masked || (m && m->masked);
		fprintf(f, "%s%s=%s%s\n", indent, v->key, hide ? "[masked]" : v->value,
		        v->raw ? " (raw)" : "");
	}
}

static void dump_job(FILE *f, const struct quai_pipeline_job *j, const struct quai_pipeline_vars *masked)
{
	fprintf(f, "job %s\n", j->name);
	fprintf(f, "  stage: %s\n", j->stage);
	fprintf(f, "  created: %s (%s)\n", j->created ? "yes" : "no", j->reason ? j->reason : "");
	fprintf(f, "  when: %s", quai_pipeline_when_name(j->when));
	if (j->start_in)
		fprintf(f, " in %s (%lds)", j->start_in, j->start_in_s);
	fputc('\n', f);
	if (j->allow_failure || j->nallow_failure_codes) {
		fprintf(f, "  allow_failure: %s", j->allow_failure ? "true" : "exit_codes");
		for (size_t i = 0; i < j->nallow_failure_codes; i++)
			fprintf(f, " %d", j->allow_failure_codes[i]);
		fputc('\n', f);
	}
	if (j->node_total)
		fprintf(f, "  node: %d/%d\n", j->node_index, j->node_total);
	if (j->image.name) {
		fprintf(f, "  image: %s", j->image.name);
		if (j->image.entrypoint) {
			fputs(" entrypoint:", f);
			for (char **e = j->image.entrypoint; *e; e++)
				fprintf(f, " [%s]", *e);
		}
		if (j->image.pull_policy)
			fprintf(f, " pull_policy: %s", j->image.pull_policy);
		fputc('\n', f);
	}
	for (size_t i = 0; i < j->nservices; i++) {
		const struct quai_pipeline_service *s = &j->services[i];
		fprintf(f, "  service: %s", s->name);
		if (s->alias)
			fprintf(f, " alias=%s", s->alias);
		for (char **e = s->entrypoint; e && *e; e++)
			fprintf(f, " entrypoint=[%s]", *e);
		for (char **e = s->command; e && *e; e++)
			fprintf(f, " command=[%s]", *e);
		for (size_t k = 0; k < s->variables.n; k++)
			fprintf(f, " %s=%s", s->variables.v[k].key, s->variables.v[k].value);
		fputc('\n', f);
	}
	print_strv(f, "before_script", j->before_script);
	print_strv(f, "script", j->script);
	print_strv(f, "after_script", j->after_script);
	print_strv(f, "tags", j->tags);
	if (j->has_needs) {
		fputs("  needs:", f);
		for (size_t i = 0; i < j->nneeds; i++)
			fprintf(f, " [%s%s%s]", j->needs[i].job, j->needs[i].artifacts ? "" : " no-artifacts",
			        j->needs[i].optional ? " optional" : "");
		fputc('\n', f);
	}
	if (j->has_dependencies)
		print_strv(f, "dependencies", j->dependencies);
	if (j->artifacts.set) {
		const struct quai_pipeline_artifacts *a = &j->artifacts;
		fprintf(f, "  artifacts: when=%s", quai_pipeline_when_name(a->when));
		if (a->name)
			fprintf(f, " name=%s", a->name);
		if (a->expire_in)
			fprintf(f, " expire_in=%s", a->expire_in);
		if (a->untracked)
			fputs(" untracked", f);
		fputc('\n', f);
		print_strv(f, "artifacts:paths", a->paths);
		print_strv(f, "artifacts:exclude", a->exclude);
		print_strv(f, "artifacts:junit", a->reports_junit);
		print_strv(f, "artifacts:dotenv", a->reports_dotenv);
	}
	for (size_t i = 0; i < j->ncaches; i++) {
		const struct quai_pipeline_cache *c = &j->caches[i];
		static const char *const pol[] = {"pull-push", "pull", "push"};
		fprintf(f, "  cache: key=%s policy=%s when=%s%s\n", c->key, pol[c->policy],
		        quai_pipeline_when_name(c->when), c->untracked ? " untracked" : "");
		print_strv(f, "cache:key:files", c->key_files);
		if (c->key_prefix)
			fprintf(f, "  cache:key:prefix: %s\n", c->key_prefix);
		print_strv(f, "cache:paths", c->paths);
		print_strv(f, "cache:fallback_keys", c->fallback_keys);
	}
	if (j->retry.max || j->retry.when || j->retry.nexit_codes) {
		fprintf(f, "  retry: max=%d", j->retry.max);
		for (char **w = j->retry.when; w && *w; w++)
			fprintf(f, " when=%s", *w);
		for (size_t i = 0; i < j->retry.nexit_codes; i++)
			fprintf(f, " exit_code=%d", j->retry.exit_codes[i]);
		fputc('\n', f);
	}
	if (j->timeout_s)
		fprintf(f, "  timeout: %lds\n", j->timeout_s);
	if (j->interruptible)
		fputs("  interruptible: true\n", f);
	if (j->resource_group)
		fprintf(f, "  resource_group: %s\n", j->resource_group);
	if (j->environment)
		fprintf(f, "  environment: %s\n", j->environment);
	if (j->coverage)
		fprintf(f, "  coverage: %s\n", j->coverage);
	if (j->variables.n) {
		fputs("  variables:\n", f);
		print_vars(f, "    ", &j->variables, masked);
	}
}

static void dump(FILE *f, const struct quai_pipeline *p)
{
	fprintf(f, "pipeline: %s (%s)\n", p->created ? "created" : "not created", p->reason);
	if (p->name)
		fprintf(f, "name: %s\n", p->name);
	if (p->auto_cancel)
		fprintf(f, "auto_cancel: %s\n", p->auto_cancel);
	fputs("stages:", f);
	for (size_t i = 0; i < p->nstages; i++)
		fprintf(f, " %s", p->stages[i]);
	fputc('\n', f);
	if (p->variables.n) {
		fputs("variables:\n", f);
		print_vars(f, "  ", &p->variables, &p->user);
	}
	for (size_t i = 0; i < p->njobs; i++)
		dump_job(f, &p->jobs[i], &p->user);
}

static json_t *json_strv(char *const *v)
{
	json_t *a = json_array();
	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* {"created", "reason", "name", "stages", "jobs": [{"name", "stage",
 * "created", "reason", "when", "allow_failure", "start_in", "image",
 * "tags", "needs", "node_index", "node_total"}]} */
static int write_json(FILE *f, const struct quai_pipeline *p)
{
	json_t *root = json_object();
	json_object_set_new(root, "created", json_boolean(p->created));
	json_object_set_new(root, "reason", json_string(p->reason));
	json_object_set_new(root, "name", p->name ? json_string(p->name) : json_null());
	json_object_set_new(root, "stages", json_strv(p->stages));
	json_t *jobs = json_array();
	for (size_t i = 0; i < p->njobs; i++) {
		const struct quai_pipeline_job *j = &p->jobs[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(j->name));
		json_object_set_new(o, "stage", json_string(j->stage));
		json_object_set_new(o, "created", json_boolean(j->created));
		json_object_set_new(o, "reason", json_string(j->reason ? j->reason : ""));
		json_object_set_new(o, "when", json_string(quai_pipeline_when_name(j->when)));
		json_object_set_new(o, "allow_failure", json_boolean(j->allow_failure));
		json_object_set_new(o, "start_in", j->start_in ? json_string(j->start_in) : json_null());
		json_object_set_new(o, "image", j->image.name ? json_string(j->image.name) : json_null());
		json_object_set_new(o, "tags", json_strv(j->tags));
		json_t *needs = json_null();
		if (j->has_needs) {
			needs = json_array();
			for (size_t k = 0; k < j->nneeds; k++)
				json_array_append_new(needs, json_string(j->needs[k].job));
		}
		json_object_set_new(o, "needs", needs);
		json_object_set_new(o, "node_index", json_integer(j->node_index));
		json_object_set_new(o, "node_total", json_integer(j->node_total));
		json_array_append_new(jobs, o);
	}
	json_object_set_new(root, "jobs", jobs);
	int rc = json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(root);
	return rc;
}

static void list(FILE *f, const struct quai_pipeline *p)
{
	if (!p->created)
		fprintf(f, "no pipeline: %s\n", p->reason);
	size_t wn = 3, ws = 5;
	for (size_t i = 0; i < p->njobs; i++) {
		size_t n = strlen(p->jobs[i].name), s = strlen(p->jobs[i].stage);
		wn = n > wn ? n : wn;
		ws = s > ws ? s : ws;
	}
	fprintf(f, "%-*s  %-*s  %-10s  %s\n", (int)ws, "STAGE", (int)wn, "JOB", "WHEN", "WHY");
	for (size_t i = 0; i < p->njobs; i++) {
		const struct quai_pipeline_job *j = &p->jobs[i];
		const char *when = j->created ? quai_pipeline_when_name(j->when) : "skipped";
		fprintf(f, "%-*s  %-*s  %-10s  %s", (int)ws, j->stage, (int)wn, j->name, when,
		        j->reason ? j->reason : "");
		if (j->created && j->when == QUAI_PIPELINE_DELAYED && j->start_in)
			fprintf(f, " (starts %s after its stage is ready)", j->start_in);
		if (j->created && j->allow_failure)
			fputs(" (allowed to fail)", f);
		fputc('\n', f);
	}
}

struct opts {
	struct quai_pipeline_context ctx;
	struct quai_pipeline_vars vars;
	const char **changed;
	size_t nchanged, cap;
	const char **masked;
	size_t nmasked, mcap;
	const char *format;
	bool check;
};

static int parse(struct opts *o, int argc, char **argv)
{
	enum {
		O_REF = 256,
		O_TAG,
		O_SHA,
		O_DEF,
		O_SOURCE,
		O_MSG,
		O_CHANGED,
		O_VAR,
		O_VARFILE,
		O_MASKED,
		O_FORMAT
	};
	static const struct option longs[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"project-dir", required_argument, NULL, 'C'},
	    {"ref", required_argument, NULL, O_REF},
	    {"tag", required_argument, NULL, O_TAG},
	    {"sha", required_argument, NULL, O_SHA},
	    {"default-branch", required_argument, NULL, O_DEF},
	    {"source", required_argument, NULL, O_SOURCE},
	    {"message", required_argument, NULL, O_MSG},
	    {"changed", required_argument, NULL, O_CHANGED},
	    {"variable", required_argument, NULL, O_VAR},
	    {"variables-file", required_argument, NULL, O_VARFILE},
	    {"masked", required_argument, NULL, O_MASKED},
	    {"format", required_argument, NULL, O_FORMAT},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	struct quai_error *err cleanup_error = NULL;
	while ((c = getopt_long(argc, argv, "+f:C:", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->ctx.file = optarg;
			break;
		case 'C':
			o->ctx.project_dir = optarg;
			break;
		case O_REF:
			o->ctx.branch = optarg;
			break;
		case O_TAG:
			o->ctx.tag = optarg;
			break;
		case O_SHA:
			o->ctx.sha = optarg;
			break;
		case O_DEF:
			o->ctx.default_branch = optarg;
			break;
		case O_SOURCE:
			o->ctx.source = optarg;
			break;
		case O_MSG:
			o->ctx.commit_message = optarg;
			break;
		case O_CHANGED:
			o->changed = xgrow(o->changed, &o->cap, o->nchanged + 1, sizeof(*o->changed));
			o->changed[o->nchanged++] = optarg;
			break;
		case O_VAR:
			if (quai_pipeline_vars_parse(&o->vars, optarg, &err) < 0)
				goto bad;
			break;
		case O_VARFILE:
			if (quai_pipeline_vars_load(&o->vars, optarg, &err) < 0)
				goto bad;
			break;
		case O_MASKED:
			o->masked = xgrow(o->masked, &o->mcap, o->nmasked + 1, sizeof(*o->masked));
			o->masked[o->nmasked++] = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "dump") != 0 &&
			    strcmp(optarg, "json") != 0) {
				quai_cli_error("--format: '%s' is not text, json or dump", optarg);
				return -1;
			}
			o->format = optarg;
			break;
		default:
			quai_cli_error(
			    "pipeline: unknown or incomplete option '%s'; see 'quai help pipeline'",
			    argv[optind - 1]);
			return -1;
		}
	}
	for (size_t i = 0; i < o->vars.n; i++)
		for (size_t k = 0; k < o->nmasked; k++)
			if (strcmp(o->vars.v[i].key, o->masked[k]) == 0)
				o->vars.v[i].masked = true;
	return 0;
bad:
	quai_cli_error("%s", err->msg);
	return -1;
}

int cmd_pipeline(int argc, char **argv)
{
	if (argc < 2) {
		fputs(cmd_pipeline_usage, stderr);
		return QUAI_EXIT_USAGE;
	}
	struct opts o = {.format = "text"};
	const char *sub = argv[1];
	if (strcmp(sub, "check") == 0)
		o.check = true;
	else if (strcmp(sub, "list") != 0) {
		quai_cli_error("pipeline: '%s' is not a subcommand (list, check)", sub);
		return QUAI_EXIT_USAGE;
	}
	int status = QUAI_EXIT_USAGE;
	struct git_info g = {0};
	struct quai_pipeline *p = NULL;
	struct quai_error *err cleanup_error = NULL;
	if (parse(&o, argc - 1, argv + 1) < 0)
		goto out;
	/* one DIR, as `quai pipeline run DIR` takes it: the same as -C DIR */
	if (optind + 1 < argc && !o.ctx.project_dir)
		o.ctx.project_dir = argv[optind++ + 1];
	if (optind + 1 < argc) {
		quai_cli_error("pipeline: unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	read_git(&g, o.ctx.project_dir ? o.ctx.project_dir : ".");
	if (!o.ctx.branch && !o.ctx.tag)
		o.ctx.branch = g.branch ? g.branch : "main";
	if (!o.ctx.sha)
		o.ctx.sha = g.sha;
	if (!o.ctx.default_branch)
		o.ctx.default_branch = g.default_branch;
	o.ctx.changes.paths = o.changed;
	o.ctx.changes.n = o.nchanged;
	/* GitLab: changes: is true for tags, new branches and sources
	 * without a push (web, schedule, api...) */
	const char *src = o.ctx.source ? o.ctx.source : "push";
	o.ctx.changes.all = o.nchanged == 0 || o.ctx.tag ||
	                    (strcmp(src, "push") != 0 && strcmp(src, "merge_request_event") != 0);
	o.ctx.variables = &o.vars;
	if (quai_pipeline_load(&p, &o.ctx, &err) < 0) {
		quai_cli_error("%s", err->msg);
		goto out;
	}
	if (!o.check) {
		if (strcmp(o.format, "dump") == 0)
			dump(stdout, p);
		else if (strcmp(o.format, "json") == 0)
			write_json(stdout, p);
		else
			list(stdout, p);
	}
	status = QUAI_EXIT_OK;
out:
	quai_pipeline_free(p);
	quai_pipeline_vars_release(&o.vars);
	free(o.changed);
	free(o.masked);
	free(g.branch);
	free(g.sha);
	free(g.default_branch);
	return status;
}

/* quai lint's hook: a pipeline file named on the command line is loaded as
 * `quai pipeline check` would, and its error becomes a QP1000 finding at
 * the error's file:line:col. */
bool quai_cli_lint_pipeline(struct quai_findings *out, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!quai_pipeline_is_pipeline_name(base))
		return false;
	cleanup_free char *dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path - 1));
	struct quai_pipeline_context ctx = {
	    .project_dir = *dir ? dir : "/", .file = path, .branch = "main", .changes = {NULL, 0, true}};
	struct quai_pipeline *p = NULL;
	struct quai_error *err cleanup_error = NULL;
	if (quai_pipeline_load(&p, &ctx, &err) == 0) {
		quai_pipeline_free(p);
		return true;
	}
	/* "FILE:LINE:COL: message" */
	unsigned line = 1, col = 1;
	const char *msg = err->msg;
	size_t plen = strlen(path);
	if (strncmp(msg, path, plen) == 0 && msg[plen] == ':') {
		char *end;
		unsigned long l = strtoul(msg + plen + 1, &end, 10);
		if (*end == ':') {
			unsigned long c = strtoul(end + 1, &end, 10);
			if (*end == ':' && l > 0 && c > 0) {
				line = (unsigned)l;
				col = (unsigned)c;
				msg = end + 1 + (end[1] == ' ');
			}
		} else {
			msg = msg + plen + 1 + (msg[plen + 1] == ' ');
		}
	}
	quai_findings_add(out, path, line, col, QUAI_LEVEL_ERROR, "QP1000", msg);
	return true;
}
