/* The server's YAML configuration (see config.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "scheduler/cron.h"
#include "server/config.h"
#include "yaml/yaml.h"
#include "core/banned.h"

#define CONFIG_MAX_BYTES (1u << 20)
#define SECRET_MAX_BYTES (64u << 10)

struct reader {
	const struct quai_yaml_doc *doc;
	struct quai_error **err;
};

static int fail(struct reader *r, const struct quai_yaml_node *n, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, const struct quai_yaml_node *n, const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	return quai_yaml_fail(r->err, r->doc, n, "'%s': %s", what, msg);
}

static int check_keys(struct reader *r, const struct quai_yaml_node *map, const char *where,
                      const char *const *known)
{
	const struct quai_yaml_node *dup = quai_yaml_dup_key(map);
	if (dup)
		return fail(r, dup, where, "key '%s' is written twice", dup->str);
	for (size_t i = 0; i < map->n; i++) {
		const struct quai_yaml_node *k = map->pairs[i].key;
		const char *ks = quai_yaml_str(k);
		bool ok = false;
		for (size_t j = 0; ks && known[j]; j++)
			if (strcmp(ks, known[j]) == 0)
				ok = true;
		if (!ok)
			return fail(r, k, where, "unknown key '%s'", ks ? ks : "?");
	}
	return 0;
}

static int get_string(struct reader *r, const struct quai_yaml_node *map, const char *key, const char *where,
                      char **out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_SCALAR)
		return fail(r, n, where, "'%s' must be a string, found %s", key, quai_yaml_kind_name(n));
	if (strlen(n->str) != n->len)
		return fail(r, n, where, "'%s' holds a NUL byte", key);
	free(*out);
	*out = xstrdup(n->str);
	return 0;
}

static int get_uint(struct reader *r, const struct quai_yaml_node *map, const char *key, const char *where,
                    unsigned long long max, unsigned long long *out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	long long v;
	if (quai_yaml_int(n, &v) < 0 || v < 0 || (unsigned long long)v > max)
		return fail(r, n, where, "'%s' must be a whole number from 0 to %llu", key, max);
	*out = (unsigned long long)v;
	return 0;
}

static int get_duration(struct reader *r, const struct quai_yaml_node *map, const char *key,
                        const char *where, unsigned *out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_SCALAR || quai_server_parse_duration(n->str, out) < 0)
		return fail(r, n, where, "'%s' must be a duration such as 60s, 5m or 1h", key);
	return 0;
}

static int get_bool(struct reader *r, const struct quai_yaml_node *map, const char *key, const char *where,
                    bool *out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (quai_yaml_bool(n, out, QUAI_YAML_BOOL_12) < 0)
		return fail(r, n, where, "'%s' must be true or false", key);
	return 0;
}

static int get_strv(struct reader *r, const struct quai_yaml_node *map, const char *key, const char *where,
                    char ***out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_SEQ)
		return fail(r, n, where, "'%s' must be a list of strings, found %s", key,
		            quai_yaml_kind_name(n));
	char **v = xcalloc(n->n + 1, sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		if (n->items[i]->type != QUAI_YAML_SCALAR || strlen(n->items[i]->str) != n->items[i]->len) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return fail(r, n->items[i], where, "'%s' must be a list of strings", key);
		}
		v[i] = xstrdup(n->items[i]->str);
	}
	*out = v;
	return 0;
}

static void strip_newline(char *s)
{
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
}

/* A secret: "literal", {file: PATH} or {env: NAME}. The value never goes
 * into a message. */
static int get_secret(struct reader *r, const struct quai_yaml_node *map, const char *key, const char *where,
                      char **out)
{
	const struct quai_yaml_node *n = quai_yaml_get(map, key);
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type == QUAI_YAML_SCALAR) {
		if (strlen(n->str) != n->len || n->len == 0)
			return fail(r, n, where, "'%s' must not be empty or hold NUL bytes", key);
		*out = xstrdup(n->str);
		return 0;
	}
	if (n->type != QUAI_YAML_MAP || n->n != 1)
		return fail(r, n, where, "'%s' must be a string, {file: PATH} or {env: NAME}", key);
	const char *how = quai_yaml_str(n->pairs[0].key);
	const char *arg = quai_yaml_str(n->pairs[0].value);
	if (!how || !arg || !*arg)
		return fail(r, n, where, "'%s' must be a string, {file: PATH} or {env: NAME}", key);
	if (strcmp(how, "env") == 0) {
		const char *v = getenv(arg);
		if (!v || !*v)
			return fail(r, n->pairs[0].value, where,
			            "'%s': environment variable '%s' is not set or empty; set it or give the "
			            "secret another way",
			            key, arg);
		*out = xstrdup(v);
		return 0;
	}
	if (strcmp(how, "file") == 0) {
		if (strcmp(arg, "-") == 0)
			return fail(r, n->pairs[0].value, where, "'%s': {file: PATH} needs a file, not '-'",
			            key);
		char *data = NULL;
		size_t len = 0;
		struct quai_error *ferr = NULL;
		if (quai_file_read(&data, &len, arg, SECRET_MAX_BYTES, &ferr) < 0) {
			/* the file's name is fine to show, its contents are not */
			int rc = fail(r, n->pairs[0].value, where, "'%s': %s", key, ferr->msg);
			quai_error_free(ferr);
			return rc;
		}
		if (strlen(data) != len) {
			free(data);
			return fail(r, n->pairs[0].value, where, "'%s': file '%s' holds a NUL byte", key,
			            arg);
		}
		strip_newline(data);
		if (!*data) {
			free(data);
			return fail(r, n->pairs[0].value, where, "'%s': file '%s' is empty", key, arg);
		}
		*out = data;
		return 0;
	}
	return fail(r, n->pairs[0].key, where, "'%s' must be a string, {file: PATH} or {env: NAME}", key);
}

int quai_server_parse_duration(const char *s, unsigned *out)
{
	if (!s || !*s)
		return -1;
	unsigned long long total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned long long v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (v > UINT_MAX)
				return -1;
		}
		unsigned long long mult = 1;
		switch (*p) {
		case 's':
			p++;
			break;
		case 'm':
			mult = 60;
			p++;
			break;
		case 'h':
			mult = 3600;
			p++;
			break;
		case 'd':
			mult = 86400;
			p++;
			break;
		case '\0':
			if (p != s && total == 0)
				break;
			return -1;
		default:
			return -1;
		}
		total += v * mult;
		if (total > UINT_MAX)
			return -1;
	}
	*out = (unsigned)total;
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

static int read_schedules(struct reader *r, const struct quai_yaml_node *pm, struct quai_project_config *p)
{
	const struct quai_yaml_node *n = quai_yaml_get(pm, "schedules");
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_SEQ)
		return fail(r, n, p->name, "'schedules' must be a list of {cron, branch}");
	p->schedules = xcalloc(n->n + 1, sizeof(struct quai_schedule));
	for (size_t i = 0; i < n->n; i++) {
		const struct quai_yaml_node *s = n->items[i];
		struct quai_schedule *out = &p->schedules[p->nschedules++];
		const struct quai_yaml_node *cron = s;
		if (s->type == QUAI_YAML_MAP) {
			static const char *const keys[] = {"cron", "branch", NULL};
			if (check_keys(r, s, p->name, keys) < 0 ||
			    get_string(r, s, "branch", p->name, &out->branch) < 0)
				return -1;
			cron = quai_yaml_get(s, "cron");
			if (!cron)
				return fail(r, s, p->name, "a schedule needs 'cron'");
		}
		if (cron->type != QUAI_YAML_SCALAR)
			return fail(r, cron, p->name, "'cron' must be a string such as \"0 4 * * 1\"");
		struct quai_cron c;
		struct quai_error *cerr = NULL;
		if (quai_cron_parse(&c, cron->str, &cerr) < 0) {
			int rc = fail(r, cron, p->name, "%s", cerr->msg);
			quai_error_free(cerr);
			return rc;
		}
		out->cron = xstrdup(cron->str);
		if (!out->branch)
			out->branch = xstrdup(p->default_branch);
	}
	return 0;
}

static int read_status(struct reader *r, const struct quai_yaml_node *pm, struct quai_project_config *p)
{
	const struct quai_yaml_node *n = quai_yaml_get(pm, "status");
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_MAP)
		return fail(r, n, p->name, "'status' must be a mapping {forge, api, repo, token}");
	static const char *const keys[] = {"forge", "api", "repo", "token", NULL};
	cleanup_free char *forge = NULL;
	if (check_keys(r, n, p->name, keys) < 0 || get_string(r, n, "forge", p->name, &forge) < 0 ||
	    get_string(r, n, "api", p->name, &p->status_api) < 0 ||
	    get_string(r, n, "repo", p->name, &p->status_repo) < 0 ||
	    get_secret(r, n, "token", p->name, &p->status_token) < 0)
		return -1;
	if (!forge)
		return fail(r, n, p->name, "'status' needs 'forge': github, gitlab, gitea or forgejo");
	if (strcmp(forge, "github") == 0)
		p->status_forge = QUAI_FORGE_GITHUB;
	else if (strcmp(forge, "gitlab") == 0)
		p->status_forge = QUAI_FORGE_GITLAB;
	else if (strcmp(forge, "gitea") == 0 || strcmp(forge, "forgejo") == 0)
		p->status_forge = QUAI_FORGE_GITEA;
	else
		return fail(r, quai_yaml_get(n, "forge"), p->name,
		            "'forge' must be github, gitlab, gitea or forgejo, not '%s'", forge);
	if (!p->status_repo)
		return fail(r, n, p->name, "'status' needs 'repo' (owner/name, or the GitLab project id)");
	if (!p->status_api)
		p->status_api = xstrdup(p->status_forge == QUAI_FORGE_GITHUB   ? "https://api.github.com"
		                        : p->status_forge == QUAI_FORGE_GITLAB ? "https://gitlab.com/api/v4"
		                                                               : "https://gitea.com/api/v1");
	return 0;
}

static int read_mail(struct reader *r, const struct quai_yaml_node *pm, struct quai_project_config *p)
{
	const struct quai_yaml_node *n = quai_yaml_get(pm, "notify_email");
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_MAP)
		return fail(r, n, p->name,
		            "'notify_email' must be a mapping {url, from, to, user, password}");
	static const char *const keys[] = {"url", "from", "to", "user", "password", NULL};
	if (check_keys(r, n, p->name, keys) < 0 || get_string(r, n, "url", p->name, &p->mail_url) < 0 ||
	    get_string(r, n, "from", p->name, &p->mail_from) < 0 ||
	    get_strv(r, n, "to", p->name, &p->mail_to) < 0 ||
	    get_string(r, n, "user", p->name, &p->mail_user) < 0 ||
	    get_secret(r, n, "password", p->name, &p->mail_password) < 0)
		return -1;
	if (!p->mail_url ||
	    (strncmp(p->mail_url, "smtp://", 7) != 0 && strncmp(p->mail_url, "smtps://", 8) != 0))
		return fail(r, n, p->name,
		            "'notify_email' needs 'url': smtp://HOST:PORT or smtps://HOST:PORT");
	if (!p->mail_from || !p->mail_to || !p->mail_to[0])
		return fail(r, n, p->name, "'notify_email' needs 'from' and a list 'to'");
	return 0;
}

static int read_pipeline_kind(struct reader *r, const struct quai_yaml_node *pm,
                              struct quai_project_config *p)
{
	cleanup_free char *kind = NULL;
	if (get_string(r, pm, "pipeline", p->name, &kind) < 0)
		return -1;
	if (!kind || strcmp(kind, "monorepo") == 0)
		p->pipeline = QUAI_PIPELINE_MONOREPO;
	else if (strcmp(kind, "file") == 0)
		p->pipeline = QUAI_PIPELINE_FILE;
	else if (strcmp(kind, "both") == 0)
		p->pipeline = QUAI_PIPELINE_BOTH;
	else
		return fail(r, quai_yaml_get(pm, "pipeline"), p->name,
		            "'pipeline' must be monorepo, file or both");
	return 0;
}

static int read_project(struct reader *r, const struct quai_yaml_node *pm, struct quai_project_config *p)
{
	static const char *const keys[] = {"name",
	                                   "url",
	                                   "default_branch",
	                                   "webhook_secret",
	                                   "token",
	                                   "ssh_key",
	                                   "registry",
	                                   "registry_user",
	                                   "registry_password",
	                                   "executors",
	                                   "concurrency",
	                                   "pipeline",
	                                   "poll",
	                                   "schedules",
	                                   "cancel_previous",
	                                   "timeout",
	                                   "command",
	                                   "status",
	                                   "notify_webhook",
	                                   "keep_pipelines",
	                                   "paused",
	                                   "base_watch",
	                                   "notify_email",
	                                   NULL};
	if (pm->type != QUAI_YAML_MAP)
		return quai_yaml_fail(r->err, r->doc, pm, "a project must be a mapping, found %s",
		                      quai_yaml_kind_name(pm));
	const struct quai_yaml_node *name = quai_yaml_get(pm, "name");
	if (!name || name->type != QUAI_YAML_SCALAR || !valid_name(name->str))
		return quai_yaml_fail(r->err, r->doc, name ? name : pm,
		                      "a project needs a 'name' of letters, digits, '.', '_' and '-'");
	p->name = xstrdup(name->str);
	unsigned long long conc = 1, keep = 0;
	if (check_keys(r, pm, p->name, keys) < 0 || get_string(r, pm, "url", p->name, &p->url) < 0 ||
	    get_string(r, pm, "default_branch", p->name, &p->default_branch) < 0 ||
	    get_secret(r, pm, "webhook_secret", p->name, &p->webhook_secret) < 0 ||
	    get_secret(r, pm, "token", p->name, &p->token) < 0 ||
	    get_string(r, pm, "ssh_key", p->name, &p->ssh_key) < 0 ||
	    get_string(r, pm, "registry", p->name, &p->registry) < 0 ||
	    get_string(r, pm, "registry_user", p->name, &p->registry_user) < 0 ||
	    get_secret(r, pm, "registry_password", p->name, &p->registry_password) < 0 ||
	    get_strv(r, pm, "executors", p->name, &p->executors) < 0 ||
	    get_uint(r, pm, "concurrency", p->name, 64, &conc) < 0 || read_pipeline_kind(r, pm, p) < 0 ||
	    get_duration(r, pm, "poll", p->name, &p->poll_seconds) < 0 ||
	    get_duration(r, pm, "base_watch", p->name, &p->base_watch_seconds) < 0 ||
	    get_bool(r, pm, "cancel_previous", p->name, &p->cancel_previous) < 0 ||
	    get_bool(r, pm, "paused", p->name, &p->paused) < 0 ||
	    get_duration(r, pm, "timeout", p->name, &p->timeout_seconds) < 0 ||
	    get_strv(r, pm, "command", p->name, &p->command) < 0 ||
	    get_string(r, pm, "notify_webhook", p->name, &p->notify_webhook) < 0 ||
	    get_uint(r, pm, "keep_pipelines", p->name, 1000000, &keep) < 0)
		return -1;
	if (!p->url)
		return fail(r, pm, p->name,
		            "a project needs 'url': https://..., ssh://... or a bare repository path");
	if (!p->default_branch)
		p->default_branch = xstrdup("main");
	if (conc == 0)
		return fail(r, quai_yaml_get(pm, "concurrency"), p->name, "'concurrency' must be at least 1");
	p->concurrency = (unsigned)conc;
	p->keep_pipelines = (unsigned)keep;
	if (p->timeout_seconds == 0)
		p->timeout_seconds = 3600;
	if (p->command && !p->command[0])
		return fail(r, quai_yaml_get(pm, "command"), p->name, "'command' must not be empty");
	if (p->executors)
		for (char **e = p->executors; *e; e++)
			if (strcmp(*e, "docker") != 0 && strcmp(*e, "shell") != 0)
				return fail(r, quai_yaml_get(pm, "executors"), p->name,
				            "unknown executor '%s': use docker or shell", *e);
	if (read_schedules(r, pm, p) < 0 || read_status(r, pm, p) < 0 || read_mail(r, pm, p) < 0)
		return -1;
	return 0;
}

static int read_listen(struct reader *r, const struct quai_yaml_node *root, struct quai_server_config *cfg)
{
	cleanup_free char *listen = NULL;
	if (get_string(r, root, "listen", "listen", &listen) < 0)
		return -1;
	if (!listen)
		listen = xstrdup("127.0.0.1:8080");
	char *colon = strrchr(listen, ':');
	char *end = NULL;
	unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || colon == listen || !end || *end || end == colon + 1 || port > 65535)
		return fail(r, quai_yaml_get(root, "listen"), "listen",
		            "expected HOST:PORT such as 127.0.0.1:8080");
	*colon = '\0';
	cfg->listen_host = xstrdup(listen);
	cfg->listen_port = (unsigned)port;
	return 0;
}

static int read_projects(struct reader *r, const struct quai_yaml_node *root, struct quai_server_config *cfg)
{
	const struct quai_yaml_node *n = quai_yaml_get(root, "projects");
	if (!n || quai_yaml_is_null(n))
		return 0;
	if (n->type != QUAI_YAML_SEQ)
		return fail(r, n, "projects", "must be a list, found %s", quai_yaml_kind_name(n));
	cfg->projects = xcalloc(n->n + 1, sizeof(*cfg->projects));
	for (size_t i = 0; i < n->n; i++) {
		if (read_project(r, n->items[i], &cfg->projects[i]) < 0) {
			cfg->nprojects = i + 1;
			return -1;
		}
		cfg->nprojects = i + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->projects[j].name, cfg->projects[i].name) == 0)
				return fail(r, n->items[i], cfg->projects[i].name,
				            "a project of that name exists already");
	}
	return 0;
}

static int read_config(struct reader *r, const struct quai_yaml_node *root, struct quai_server_config *cfg)
{
	static const char *const keys[] = {
	    "listen",   "data_dir",      "public_url", "concurrency",    "max_connections",
	    "max_body", "log_max_bytes", "recover",    "gc_after_crash", "projects",
	    NULL};
	if (!root || root->type != QUAI_YAML_MAP)
		return quai_yaml_fail(
		    r->err, r->doc, root,
		    "the configuration must be a mapping with listen, data_dir and projects");
	if (check_keys(r, root, "configuration", keys) < 0 || read_listen(r, root, cfg) < 0 ||
	    get_string(r, root, "data_dir", "data_dir", &cfg->data_dir) < 0 ||
	    get_string(r, root, "public_url", "public_url", &cfg->public_url) < 0)
		return -1;
	unsigned long long conc = 4, maxconn = 512, body = 5u << 20, logmax = 16u << 20;
	cleanup_free char *recover = NULL;
	if (get_uint(r, root, "concurrency", "concurrency", 256, &conc) < 0 ||
	    get_uint(r, root, "max_connections", "max_connections", 65536, &maxconn) < 0 ||
	    get_uint(r, root, "max_body", "max_body", 1ull << 30, &body) < 0 ||
	    get_uint(r, root, "log_max_bytes", "log_max_bytes", 1ull << 40, &logmax) < 0 ||
	    get_string(r, root, "recover", "recover", &recover) < 0)
		return -1;
	if (!cfg->data_dir)
		return quai_yaml_fail(r->err, r->doc, root,
		                      "'data_dir' is required: where runs and logs are kept");
	if (cfg->data_dir[0] != '/')
		return fail(r, quai_yaml_get(root, "data_dir"), "data_dir", "must be an absolute path");
	if (conc == 0 || maxconn < 4 || body < 1024)
		return quai_yaml_fail(r->err, r->doc, root,
		                      "concurrency must be >= 1, max_connections >= 4, max_body >= 1024");
	cfg->concurrency = (unsigned)conc;
	cfg->max_connections = (unsigned)maxconn;
	cfg->max_body = (size_t)body;
	cfg->log_max_bytes = (size_t)logmax;
	cfg->recover_requeue = true;
	if (get_bool(r, root, "gc_after_crash", "gc_after_crash", &cfg->gc_after_crash) < 0)
		return -1;
	if (recover && strcmp(recover, "fail") == 0)
		cfg->recover_requeue = false;
	else if (recover && strcmp(recover, "requeue") != 0)
		return fail(r, quai_yaml_get(root, "recover"), "recover", "must be requeue or fail");
	return read_projects(r, root, cfg);
}

int quai_server_config_parse(struct quai_server_config **out, const char *file, const char *data, size_t len,
                             struct quai_error **err)
{
	cleanup_yaml_doc struct quai_yaml_doc *doc = NULL;
	if (quai_yaml_load(&doc, file, data, len, err) < 0)
		return -1;
	struct quai_server_config *cfg = xcalloc(1, sizeof(*cfg));
	cfg->file = xstrdup(file);
	struct reader r = {doc, err};
	if (doc->nroots > 1) {
		quai_yaml_fail(err, doc, doc->roots[1], "expected one YAML document");
		quai_server_config_free(cfg);
		return -1;
	}
	if (read_config(&r, doc->root, cfg) < 0) {
		quai_server_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int quai_server_config_load(struct quai_server_config **out, const char *path, struct quai_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (quai_file_read(&data, &len, path, CONFIG_MAX_BYTES, err) < 0)
		return -1;
	return quai_server_config_parse(out, path, data, len, err);
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void project_release(struct quai_project_config *p)
{
	free(p->name);
	free(p->url);
	free(p->default_branch);
	secret_free(p->webhook_secret);
	secret_free(p->token);
	free(p->ssh_key);
	free(p->registry);
	free(p->registry_user);
	secret_free(p->registry_password);
	strv_free(p->executors);
	for (size_t i = 0; i < p->nschedules; i++) {
		free(p->schedules[i].cron);
		free(p->schedules[i].branch);
	}
	free(p->schedules);
	strv_free(p->command);
	free(p->status_api);
	free(p->status_repo);
	secret_free(p->status_token);
	free(p->notify_webhook);
	free(p->mail_url);
	free(p->mail_from);
	free(p->mail_user);
	secret_free(p->mail_password);
	strv_free(p->mail_to);
}

void quai_server_config_free(struct quai_server_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nprojects; i++)
		project_release(&cfg->projects[i]);
	free(cfg->projects);
	free(cfg->file);
	free(cfg->listen_host);
	free(cfg->data_dir);
	free(cfg->public_url);
	free(cfg);
}

const struct quai_project_config *quai_server_config_project(const struct quai_server_config *cfg,
                                                             const char *name)
{
	for (size_t i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, name) == 0)
			return &cfg->projects[i];
	return NULL;
}

char *quai_server_redact_url(const char *url)
{
	const char *scheme = strstr(url, "://");
	if (!scheme)
		return xstrdup(url);
	const char *host = scheme + 3;
	const char *slash = strchr(host, '/');
	const char *at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
	if (!at)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}
