/* The QC rules: bad practice in a compose file that docker compose itself
 * accepts. Each looks at one service of the resolved model; short and long
 * syntaxes are both understood (`- "a:b"` and `{source: a, target: b}`,
 * environment lists and mappings, depends_on lists and mappings). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose/lint_rule.h"
#include "core/banned.h"

static bool is_true(const struct quai_yaml_node *n)
{
	bool b;
	return quai_yaml_bool(n, &b, QUAI_YAML_BOOL_11) == 0 && b;
}

static bool str_eq(const struct quai_yaml_node *n, const char *s)
{
	const char *v = quai_yaml_str(n);
	return v && strcmp(v, s) == 0;
}

/* The position to report a key at: its key node, else its value. */
static const struct quai_yaml_node *key_at(const struct quai_yaml_node *map, const char *key)
{
	const struct quai_yaml_node *k = quai_yaml_get_key(map, key);
	return k ? k : quai_yaml_get(map, key);
}

/* ---- QC3001: image without a tag, or :latest ---- */

static void check_image_tag(struct quai_compose_lint_ctx *ctx, const char *name,
                            const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *image = quai_yaml_get(svc, "image");
	const char *ref = quai_yaml_str(image);
	/* With build, image only names what is built here: nothing is pulled. */
	if (!ref || !*ref || quai_yaml_get(svc, "build"))
		return;
	if (strchr(ref, '@'))
		return; /* pinned by digest */
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');
	if (!colon)
		quai_compose_report(
		    ctx, image,
		    "service '%s': image '%s' has no tag, so it means ':latest': pin a version "
		    "('%s:1.2.3') or a digest so that every deploy runs the same image",
		    name, ref, ref);
	else if (strcmp(colon + 1, "latest") == 0)
		quai_compose_report(
		    ctx, image,
		    "service '%s': image '%s' uses the 'latest' tag, which moves: pin a version or "
		    "a digest so that every deploy runs the same image",
		    name, ref);
}

/* ---- QC3002: privileged ---- */

static void check_privileged(struct quai_compose_lint_ctx *ctx, const char *name,
                             const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	if (is_true(quai_yaml_get(svc, "privileged")))
		quai_compose_report(
		    ctx, key_at(svc, "privileged"),
		    "service '%s' runs privileged: every capability and every device of the host, "
		    "no seccomp or AppArmor; a process that escapes it is root on the host. Grant "
		    "only what it needs with cap_add and devices",
		    name);
}

/* ---- QC3003: the Docker socket mounted ---- */

/* True for a bind source that is the Docker (or Podman) socket, or a
 * directory that holds it. */
static bool is_engine_socket(const char *src)
{
	static const char *const dirs[] = {"/var/run", "/var/run/", "/run", "/run/"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strcmp(src, dirs[i]) == 0)
			return true;
	const char *base = strrchr(src, '/');
	base = base ? base + 1 : src;
	return strcmp(base, "docker.sock") == 0 || strcmp(base, "podman.sock") == 0;
}

/* The source of a volume entry in either syntax, or NULL; *buf holds a copy
 * for the short syntax. */
static const char *volume_source(const struct quai_yaml_node *v, char *buf, size_t size)
{
	if (v->type == QUAI_YAML_MAP) {
		const struct quai_yaml_node *type = quai_yaml_get(v, "type");
		if (type && !str_eq(type, "bind"))
			return NULL;
		return quai_yaml_str(quai_yaml_get(v, "source"));
	}
	const char *s = quai_yaml_str(v);
	if (!s)
		return NULL;
	size_t n = strcspn(s, ":");
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static void check_docker_socket(struct quai_compose_lint_ctx *ctx, const char *name,
                                const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *vols = quai_yaml_get(svc, "volumes");
	if (!vols || vols->type != QUAI_YAML_SEQ)
		return;
	for (size_t i = 0; i < vols->n; i++) {
		char buf[4096];
		const char *src = volume_source(vols->items[i], buf, sizeof(buf));
		if (!src || !is_engine_socket(src))
			continue;
		quai_compose_report(
		    ctx, vols->items[i],
		    "service '%s' mounts the Docker socket ('%s'): whoever controls this container "
		    "controls the Docker engine, and through it is root on the host (it can start a "
		    "privileged container that mounts /). A read-only mount (':ro') does not help: "
		    "it protects the socket file, not the API calls sent through it. Use a socket "
		    "proxy that allows only the calls needed, or run the tool outside compose",
		    name, src);
	}
}

/* ---- QC3004: secrets in plain environment ---- */

static bool name_has(const char *name, size_t len, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= len; i++)
		if (strncasecmp(name + i, word, w) == 0)
			return true;
	return false;
}

/* Names that say the value is a secret: *PASSWORD*, *PASSWD*, *SECRET*,
 * *TOKEN*, *_KEY / KEY; not *_FILE (a path to a secret, the right way). */
static bool secret_name(const char *name, size_t len)
{
	if (len >= 5 && strncasecmp(name + len - 5, "_FILE", 5) == 0)
		return false;
	if (name_has(name, len, "PASSWORD") || name_has(name, len, "PASSWD") ||
	    name_has(name, len, "SECRET") || name_has(name, len, "TOKEN"))
		return true;
	return (len == 3 && strncasecmp(name, "KEY", 3) == 0) ||
	       (len >= 4 && strncasecmp(name + len - 4, "_KEY", 4) == 0);
}

/* Values that are not secrets even under a secret's name: empty, a flag
 * (MYSQL_ALLOW_EMPTY_PASSWORD=yes), a path to a file. */
static bool harmless_value(const char *v)
{
	static const char *const flags[] = {"", "true", "false", "yes", "no", "on", "off", "0", "1"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcasecmp(v, flags[i]) == 0)
			return true;
	return v[0] == '/';
}

static void secret_finding(struct quai_compose_lint_ctx *ctx, const char *svc,
                           const struct quai_yaml_node *at, const char *var, size_t len, const char *value)
{
	if (!secret_name(var, len) || harmless_value(value) || !quai_compose_from_compose_file(ctx, at) ||
	    quai_compose_interpolated(ctx, at))
		return;
	quai_compose_report(
	    ctx, at,
	    "service '%s': %.*s is set to a literal value in the compose file: it ends up in git "
	    "history and in 'docker inspect'. Use ${%.*s} from the environment or .env, or "
	    "compose secrets (%.*s_FILE=/run/secrets/...)",
	    svc, (int)len, var, (int)len, var, (int)len, var);
}

static void check_env_secrets(struct quai_compose_lint_ctx *ctx, const char *name,
                              const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *env = quai_yaml_get(svc, "environment");
	if (!env)
		return;
	if (env->type == QUAI_YAML_MAP) {
		for (size_t i = 0; i < env->n; i++) {
			const char *k = quai_yaml_str(env->pairs[i].key);
			const char *v = quai_yaml_str(env->pairs[i].value);
			if (k && v && !quai_yaml_is_null(env->pairs[i].value))
				secret_finding(ctx, name, env->pairs[i].value, k, strlen(k), v);
		}
	} else if (env->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < env->n; i++) {
			const char *s = quai_yaml_str(env->items[i]);
			const char *eq = s ? strchr(s, '=') : NULL;
			if (eq)
				secret_finding(ctx, name, env->items[i], s, (size_t)(eq - s), eq + 1);
		}
	}
}

/* ---- QC3005: network_mode: host ---- */

static void check_network_host(struct quai_compose_lint_ctx *ctx, const char *name,
                               const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *mode = quai_yaml_get(svc, "network_mode");
	if (str_eq(mode, "host"))
		quai_compose_report(
		    ctx, mode,
		    "service '%s' uses the host's network: every port it opens is open on the host, "
		    "it can reach services bound to 127.0.0.1 there, and 'ports' is ignored. Publish "
		    "the ports it needs instead",
		    name);
}

/* ---- QC3006: no restart policy ---- */

static void check_restart(struct quai_compose_lint_ctx *ctx, const char *name,
                          const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	if (quai_yaml_get(svc, "restart") || quai_yaml_get(quai_yaml_get(svc, "deploy"), "restart_policy"))
		return;
	quai_compose_report(
	    ctx, quai_compose_scope(ctx),
	    "service '%s' has no restart policy: it stays down after a crash or a reboot of the "
	    "host. Set 'restart: unless-stopped' (or 'no' to say it is meant)",
	    name);
}

/* ---- QC3007: no healthcheck on a service others depend on ---- */

static bool has_healthcheck(const struct quai_yaml_node *svc)
{
	const struct quai_yaml_node *hc = quai_yaml_get(svc, "healthcheck");
	if (!hc || hc->type != QUAI_YAML_MAP || is_true(quai_yaml_get(hc, "disable")))
		return false;
	const struct quai_yaml_node *test = quai_yaml_get(hc, "test");
	if (test && test->type == QUAI_YAML_SEQ && test->n > 0 && str_eq(test->items[0], "NONE"))
		return false;
	return test != NULL;
}

/* True when svc waits for dep to be started only: not for it to be healthy
 * (the loader's check) or to have completed (a one-shot job). */
static bool depends_on(const struct quai_yaml_node *svc, const char *dep)
{
	const struct quai_yaml_node *d = quai_yaml_get(svc, "depends_on");
	if (!d)
		return false;
	if (d->type == QUAI_YAML_MAP) {
		const struct quai_yaml_node *e = quai_yaml_get(d, dep);
		const struct quai_yaml_node *cond = quai_yaml_get(e, "condition");
		return e && (!cond || str_eq(cond, "service_started"));
	}
	if (d->type == QUAI_YAML_SEQ)
		for (size_t i = 0; i < d->n; i++)
			if (str_eq(d->items[i], dep))
				return true;
	return false;
}

static void check_dependency_health(struct quai_compose_lint_ctx *ctx, const char *name,
                                    const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	if (has_healthcheck(svc))
		return;
	const struct quai_yaml_node *services = quai_yaml_get(model, "services");
	for (size_t i = 0; services && i < services->n; i++) {
		const char *other = quai_yaml_str(services->pairs[i].key);
		if (!other || strcmp(other, name) == 0 || !depends_on(services->pairs[i].value, name))
			continue;
		quai_compose_report(
		    ctx, quai_compose_scope(ctx),
		    "service '%s' has no healthcheck, yet '%s' depends on it: '%s' starts as soon as "
		    "'%s' is created, not when it is ready. Add a healthcheck and "
		    "'condition: service_healthy' (unless the image has a HEALTHCHECK)",
		    name, other, other, name);
		return;
	}
}

/* ---- QC3008: container_name with several replicas ---- */

static void check_container_name(struct quai_compose_lint_ctx *ctx, const char *name,
                                 const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *cn = quai_yaml_get(svc, "container_name");
	if (!cn)
		return;
	long long n = 0;
	const struct quai_yaml_node *replicas = quai_yaml_get(quai_yaml_get(svc, "deploy"), "replicas");
	const struct quai_yaml_node *scale = quai_yaml_get(svc, "scale");
	const char *rs = quai_yaml_str(replicas);
	if (replicas && quai_yaml_int(replicas, &n) < 0 && rs)
		n = strtoll(rs, NULL, 10);
	long long m = 0;
	if (scale && quai_yaml_int(scale, &m) == 0 && m > n)
		n = m;
	if (n > 1)
		quai_compose_report(
		    ctx, key_at(svc, "container_name"),
		    "service '%s' sets container_name '%s' and asks for %lld replicas: container names "
		    "are unique, so only one can be created. Drop container_name",
		    name, quai_yaml_str(cn) ? quai_yaml_str(cn) : "", n);
}

/* ---- QC3009: links, external_links ---- */

static void check_links(struct quai_compose_lint_ctx *ctx, const char *name, const struct quai_yaml_node *svc,
                        const struct quai_yaml_node *model)
{
	if (quai_yaml_get(svc, "links"))
		quai_compose_report(
		    ctx, key_at(svc, "links"),
		    "service '%s' uses 'links', a legacy feature: services on a common network "
		    "already reach each other by name; use 'networks' (with 'aliases' for other names) "
		    "and 'depends_on' for start order",
		    name);
	if (quai_yaml_get(svc, "external_links"))
		quai_compose_report(
		    ctx, key_at(svc, "external_links"),
		    "service '%s' uses 'external_links', a legacy feature: join the other project's "
		    "network as an 'external: true' network instead",
		    name);
}

/* ---- QC3010: deploy keys docker compose ignores ---- */

static void check_deploy_ignored(struct quai_compose_lint_ctx *ctx, const char *name,
                                 const struct quai_yaml_node *svc, const struct quai_yaml_node *model)
{
	static const char *const swarm_only[] = {"endpoint_mode", "labels", "placement", "update_config",
	                                         "rollback_config"};
	const struct quai_yaml_node *deploy = quai_yaml_get(svc, "deploy");
	if (!deploy || deploy->type != QUAI_YAML_MAP)
		return;
	for (size_t i = 0; i < sizeof(swarm_only) / sizeof(swarm_only[0]); i++)
		if (quai_yaml_get(deploy, swarm_only[i]))
			quai_compose_report(
			    ctx, key_at(deploy, swarm_only[i]),
			    "service '%s': deploy.%s only applies to 'docker stack deploy' (swarm); "
			    "'docker compose up' ignores it",
			    name, swarm_only[i]);
	const struct quai_yaml_node *mode = quai_yaml_get(deploy, "mode");
	if (mode && !str_eq(mode, "replicated"))
		quai_compose_report(
		    ctx, mode,
		    "service '%s': deploy.mode '%s' only applies to 'docker stack deploy' (swarm); "
		    "'docker compose up' runs the replicas asked for",
		    name, quai_yaml_str(mode) ? quai_yaml_str(mode) : "");
	const struct quai_yaml_node *rp = quai_yaml_get(deploy, "restart_policy");
	static const char *const rp_ignored[] = {"delay", "window"};
	for (size_t i = 0; rp && i < sizeof(rp_ignored) / sizeof(rp_ignored[0]); i++)
		if (quai_yaml_get(rp, rp_ignored[i]))
			quai_compose_report(
			    ctx, key_at(rp, rp_ignored[i]),
			    "service '%s': deploy.restart_policy.%s only applies to swarm; 'docker "
			    "compose up' ignores it",
			    name, rp_ignored[i]);
}

const struct quai_compose_rule quai_compose_rules[] = {
    {"QC3001", QUAI_LEVEL_WARNING, "Image without a tag or with the 'latest' tag: pin a version",
     check_image_tag},
    {"QC3002", QUAI_LEVEL_WARNING, "Service runs privileged: root on the host if it is compromised",
     check_privileged},
    {"QC3003", QUAI_LEVEL_WARNING, "Docker socket mounted into a container: root on the host",
     check_docker_socket},
    {"QC3004", QUAI_LEVEL_ERROR,
     "Secret in plain environment: *PASSWORD*, *SECRET*, *TOKEN*, *_KEY set to a literal value",
     check_env_secrets},
    {"QC3005", QUAI_LEVEL_WARNING, "network_mode: host shares the host's network stack", check_network_host},
    {"QC3006", QUAI_LEVEL_INFO, "Service without a restart policy", check_restart},
    {"QC3007", QUAI_LEVEL_INFO, "Service that others depend on has no healthcheck", check_dependency_health},
    {"QC3008", QUAI_LEVEL_ERROR, "container_name with more than one replica", check_container_name},
    {"QC3009", QUAI_LEVEL_WARNING, "Deprecated links or external_links", check_links},
    {"QC3010", QUAI_LEVEL_INFO, "deploy key that docker compose ignores outside swarm", check_deploy_ignored},
    {NULL, 0, NULL, NULL},
};
