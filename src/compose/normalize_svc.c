/* A service's keys: the table, and the keys with a short and a long syntax
 * (build, command, depends_on, env_file, networks, secrets, configs). Ports
 * and volumes are in normalize_mounts.c. */
#include <string.h>

#include "compose/normalize.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

static struct quai_yaml_node *abs_path(struct nz *x, const struct quai_yaml_node *v)
{
	cleanup_free char *p = compose_path_join(x->base_dir, v->str);
	return cn_strq(x->l, p, v);
}

/* Splits a command line as a POSIX shell does (quotes, backslashes). */
static int shell_split(struct nz *x, const struct quai_yaml_node *v, struct quai_yaml_node *out)
{
	const char *s = v->str;
	struct quai_buf w = QUAI_BUF_INIT;
	bool in_word = false;
	for (;;) {
		char c = *s;
		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				cn_push(x->l, out, cn_strq(x->l, quai_buf_str(&w), v));
			quai_buf_truncate(&w, 0);
			in_word = false;
			if (!c)
				break;
			s++;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *e = strchr(s + 1, '\'');
			if (!e)
				goto unterminated;
			quai_buf_add(&w, s + 1, (size_t)(e - s - 1));
			s = e + 1;
		} else if (c == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("\\\"$`\n", s[1]))
					s++;
				quai_buf_putc(&w, *s++);
			}
			if (!*s)
				goto unterminated;
			s++;
		} else if (c == '\\' && s[1]) {
			quai_buf_putc(&w, s[1]);
			s += 2;
		} else {
			quai_buf_putc(&w, c);
			s++;
		}
	}
	quai_buf_release(&w);
	return 0;
unterminated:
	quai_buf_release(&w);
	nz_diag(x, v, "unterminated quote in \"%s\"", v->str);
	return -1;
}

static const struct quai_yaml_node *nz_command(struct nz *x, const struct quai_yaml_node *v)
{
	if (quai_yaml_is_null(v))
		return v;
	if (v->type == QUAI_YAML_SCALAR) {
		if (!nz_check_str(x, v))
			return v;
		struct quai_yaml_node *seq = cn_seq(x->l, v);
		if (shell_split(x, v, seq) < 0)
			return v;
		return seq;
	}
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a string or a list of strings, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		if (it->type != QUAI_YAML_SCALAR || quai_yaml_is_null(it)) {
			size_t p = nz_push_index(x, i);
			nz_diag(x, it, "must be a string, found %s", quai_yaml_kind_name(it));
			nz_pop(x, p);
			continue;
		}
		((const struct quai_yaml_node **)v->items)[i] = nz_stringify(x, it);
	}
	return v;
}

static const struct nz_field build_fields[] = {
    {.name = "context", .kind = NZ_STR},
    {.name = "dockerfile", .kind = NZ_STR},
    {.name = "dockerfile_inline", .kind = NZ_STR},
    {.name = "entitlements", .kind = NZ_STR_LIST},
    {.name = "args", .kind = NZ_LIST_OR_DICT, .flags = NZ_FROM_ENV},
    {.name = "ssh", .kind = NZ_ANY},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "cache_from", .kind = NZ_STR_LIST},
    {.name = "cache_to", .kind = NZ_STR_LIST},
    {.name = "no_cache", .kind = NZ_BOOL},
    {.name = "additional_contexts", .kind = NZ_LIST_OR_DICT},
    {.name = "network", .kind = NZ_STR},
    {.name = "pull", .kind = NZ_BOOL},
    {.name = "target", .kind = NZ_STR},
    {.name = "shm_size", .kind = NZ_SIZE},
    {.name = "extra_hosts", .kind = NZ_ANY},
    {.name = "isolation", .kind = NZ_STR},
    {.name = "privileged", .kind = NZ_BOOL},
    {.name = "secrets", .kind = NZ_ANY},
    {.name = "tags", .kind = NZ_STR_LIST},
    {.name = "ulimits", .kind = NZ_MAP_ANY},
    {.name = "platforms", .kind = NZ_STR_LIST},
    {.name = NULL},
};

static const struct quai_yaml_node *nz_build(struct nz *x, const struct quai_yaml_node *v)
{
	struct quai_yaml_node *m;
	if (v->type == QUAI_YAML_SCALAR) {
		if (!nz_check_str(x, v))
			return v;
		m = cn_map(x->l, v);
		cn_put(x->l, m, "context", v);
	} else if (v->type == QUAI_YAML_MAP) {
		m = cn_mut(v);
		nz_object(x, build_fields, m, NULL);
	} else {
		nz_diag(x, v, "must be a string (the context) or a mapping, found %s",
		        quai_yaml_kind_name(v));
		return v;
	}
	const struct quai_yaml_node *ctx = quai_yaml_get(m, "context");
	if (!ctx)
		cn_put(x->l, m, "context", abs_path(x, cn_str(x->l, ".", v)));
	else if (cn_is_string(ctx) && !compose_is_remote(ctx->str))
		cn_put(x->l, m, "context", abs_path(x, ctx));
	if (!quai_yaml_get(m, "dockerfile") && !quai_yaml_get(m, "dockerfile_inline"))
		cn_put(x->l, m, "dockerfile", cn_strq(x->l, "Dockerfile", v));
	return m;
}

static const char *const dep_conditions[] = {"service_started", "service_healthy",
                                             "service_completed_successfully", NULL};
static const char *const dep_required[] = {"condition", NULL};
static const struct nz_field dep_fields[] = {
    {.name = "condition", .kind = NZ_ENUM, .values = dep_conditions},
    {.name = "required", .kind = NZ_BOOL},
    {.name = "restart", .kind = NZ_BOOL},
    {.name = NULL},
};

static const struct quai_yaml_node *nz_depends_on(struct nz *x, const struct quai_yaml_node *v)
{
	struct quai_yaml_node *m = cn_map(x->l, v);
	if (v->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < v->n; i++) {
			const struct quai_yaml_node *it = v->items[i];
			size_t p = nz_push_index(x, i);
			if (nz_check_str(x, it)) {
				if (quai_yaml_get(m, it->str))
					nz_diag(x, it, "'%s' is listed twice", it->str);
				struct quai_yaml_node *d = cn_map(x->l, it);
				cn_put(x->l, d, "condition", cn_str(x->l, "service_started", it));
				cn_put(x->l, d, "required", cn_bool(x->l, true, it));
				cn_put_key(x->l, m, it, d);
			}
			nz_pop(x, p);
		}
		return m;
	}
	if (v->type != QUAI_YAML_MAP) {
		nz_diag(x, v, "must be a list of services or a mapping, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *k = v->pairs[i].key;
		if (k->type != QUAI_YAML_SCALAR)
			continue;
		size_t p = nz_push_key(x, k->str);
		struct quai_yaml_node *d =
		    cn_mut(nz_object(x, dep_fields, cn_mut(v->pairs[i].value), dep_required));
		if (d->type == QUAI_YAML_MAP && !quai_yaml_get(d, "required"))
			cn_put(x->l, d, "required", cn_bool(x->l, true, d));
		cn_put_key(x->l, m, k, d);
		nz_pop(x, p);
	}
	return m;
}

static const struct quai_yaml_node *nz_env_file(struct nz *x, const struct quai_yaml_node *v)
{
	struct quai_yaml_node *seq = cn_seq(x->l, v);
	const struct quai_yaml_node *const *items = &v;
	size_t n = 1;
	if (v->type == QUAI_YAML_SEQ) {
		items = v->items;
		n = v->n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct quai_yaml_node *it = items[i];
		size_t p = v->type == QUAI_YAML_SEQ ? nz_push_index(x, i) : x->path.len;
		struct quai_yaml_node *e = cn_map(x->l, it);
		if (it->type == QUAI_YAML_MAP) {
			const struct quai_yaml_node *path = quai_yaml_get(it, "path");
			const struct quai_yaml_node *req = quai_yaml_get(it, "required");
			const struct quai_yaml_node *fmt = quai_yaml_get(it, "format");
			bool b = true;
			if (!path || !nz_check_str(x, path)) {
				if (!path)
					nz_diag(x, it, "'path' is required");
				nz_pop(x, p);
				continue;
			}
			if (req && !nz_as_bool(req, &b))
				nz_diag(x, req, "'required' must be a boolean");
			cn_put(x->l, e, "path", abs_path(x, path));
			cn_put(x->l, e, "required", cn_bool(x->l, b, it));
			if (fmt)
				cn_put(x->l, e, "format", fmt);
		} else if (nz_check_str(x, it)) {
			cn_put(x->l, e, "path", abs_path(x, it));
			cn_put(x->l, e, "required", cn_bool(x->l, true, it));
		} else {
			nz_pop(x, p);
			continue;
		}
		cn_push(x->l, seq, e);
		nz_pop(x, p);
	}
	return seq;
}

static const struct nz_field svc_network_fields[] = {
    {.name = "aliases", .kind = NZ_STR_LIST},        {.name = "interface_name", .kind = NZ_STR},
    {.name = "ipv4_address", .kind = NZ_STR},        {.name = "ipv6_address", .kind = NZ_STR},
    {.name = "link_local_ips", .kind = NZ_STR_LIST}, {.name = "mac_address", .kind = NZ_STR},
    {.name = "driver_opts", .kind = NZ_MAP_ANY},     {.name = "priority", .kind = NZ_NUM},
    {.name = "gw_priority", .kind = NZ_NUM},         {.name = NULL},
};

static const struct quai_yaml_node *nz_svc_networks(struct nz *x, const struct quai_yaml_node *v)
{
	struct quai_yaml_node *m = cn_map(x->l, v);
	if (v->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < v->n; i++) {
			size_t p = nz_push_index(x, i);
			if (nz_check_str(x, v->items[i]))
				cn_put_key(x->l, m, v->items[i], cn_null(x->l, v->items[i]));
			nz_pop(x, p);
		}
		return m;
	}
	if (v->type != QUAI_YAML_MAP) {
		nz_diag(x, v, "must be a list of networks or a mapping, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *k = v->pairs[i].key, *val = v->pairs[i].value;
		size_t p = nz_push_key(x, k->str);
		if (!quai_yaml_is_null(val))
			val = nz_object(x, svc_network_fields, cn_mut(val), NULL);
		cn_put_key(x->l, m, k, val);
		nz_pop(x, p);
	}
	return m;
}

static const struct nz_field secret_ref_fields[] = {
    {.name = "source", .kind = NZ_STR}, {.name = "target", .kind = NZ_STR}, {.name = "uid", .kind = NZ_STR},
    {.name = "gid", .kind = NZ_STR},    {.name = "mode", .kind = NZ_NUM},   {.name = NULL},
};

static const char *const source_required[] = {"source", NULL};

static const struct quai_yaml_node *nz_secret_refs(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		size_t p = nz_push_index(x, i);
		if (it->type == QUAI_YAML_MAP) {
			nz_object(x, secret_ref_fields, cn_mut(it), source_required);
		} else if (nz_check_str(x, it)) {
			struct quai_yaml_node *m = cn_map(x->l, it);
			cn_put(x->l, m, "source", it);
			((const struct quai_yaml_node **)v->items)[i] = m;
		}
		nz_pop(x, p);
	}
	return v;
}

static const struct nz_field healthcheck_fields[] = {
    {.name = "disable", .kind = NZ_BOOL},
    {.name = "interval", .kind = NZ_DURATION},
    {.name = "retries", .kind = NZ_INT},
    {.name = "test", .kind = NZ_ANY},
    {.name = "timeout", .kind = NZ_DURATION},
    {.name = "start_period", .kind = NZ_DURATION},
    {.name = "start_interval", .kind = NZ_DURATION},
    {.name = NULL},
};

static const struct quai_yaml_node *nz_healthcheck(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_MAP) {
		nz_diag(x, v, "must be a mapping, found %s", quai_yaml_kind_name(v));
		return v;
	}
	struct quai_yaml_node *m = cn_mut(v);
	nz_object(x, healthcheck_fields, m, NULL);
	const struct quai_yaml_node *test = quai_yaml_get(m, "test");
	if (!test)
		return m;
	size_t p = nz_push_key(x, "test");
	if (test->type == QUAI_YAML_SCALAR && cn_is_string(test)) {
		struct quai_yaml_node *seq = cn_seq(x->l, test);
		cn_push(x->l, seq, cn_strq(x->l, "CMD-SHELL", test));
		cn_push(x->l, seq, test);
		cn_put(x->l, m, "test", seq);
	} else if (test->type == QUAI_YAML_SEQ) {
		nz_str_items(x, test);
		const char *first = test->n ? quai_yaml_str(test->items[0]) : NULL;
		if (first && strcmp(first, "NONE") != 0 && strcmp(first, "CMD") != 0 &&
		    strcmp(first, "CMD-SHELL") != 0)
			nz_diag(x, test->items[0],
			        "the first item must be NONE, CMD or CMD-SHELL, found \"%s\"", first);
	} else {
		nz_diag(x, test, "must be a string or a list of strings, found %s",
		        quai_yaml_kind_name(test));
	}
	nz_pop(x, p);
	return m;
}

static const struct quai_yaml_node *nz_restart(struct nz *x, const struct quai_yaml_node *v)
{
	if (!nz_check_str(x, v))
		return v;
	if (!compose_valid_restart(v->str))
		nz_diag(x, v,
		        "invalid restart policy \"%s\": use no, always, on-failure[:N] or unless-stopped",
		        v->str);
	return v;
}

static const struct quai_yaml_node *nz_extends(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type == QUAI_YAML_SCALAR) {
		if (!nz_check_str(x, v))
			return v;
		struct quai_yaml_node *m = cn_map(x->l, v);
		cn_put(x->l, m, "service", v);
		return m;
	}
	static const struct nz_field fields[] = {
	    {.name = "service", .kind = NZ_STR}, {.name = "file", .kind = NZ_STR}, {.name = NULL}};
	static const char *const req[] = {"service", NULL};
	const struct quai_yaml_node *m = nz_object(x, fields, cn_mut(v), req);
	const struct quai_yaml_node *file = quai_yaml_get(m, "file");
	if (file && cn_is_string(file))
		cn_put(x->l, cn_mut(m), "file", abs_path(x, file));
	return m;
}

static const struct quai_yaml_node *nz_ulimits(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_MAP) {
		nz_diag(x, v, "must be a mapping, found %s", quai_yaml_kind_name(v));
		return v;
	}
	static const struct nz_field fields[] = {
	    {.name = "soft", .kind = NZ_INT}, {.name = "hard", .kind = NZ_INT}, {.name = NULL}};
	static const char *const req[] = {"soft", "hard", NULL};
	static const struct nz_field one = {.name = "", .kind = NZ_INT};
	for (size_t i = 0; i < v->n; i++) {
		size_t p = nz_push_key(x, v->pairs[i].key->str);
		const struct quai_yaml_node *val = v->pairs[i].value;
		if (val->type == QUAI_YAML_MAP)
			nz_object(x, fields, cn_mut(val), req);
		else
			((struct quai_yaml_pair *)v->pairs)[i].value = nz_value(x, &one, val);
		nz_pop(x, p);
	}
	return v;
}

static const struct quai_yaml_node *nz_extra_hosts(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type == QUAI_YAML_MAP) {
		for (size_t i = 0; i < v->n; i++) {
			size_t p = nz_push_key(x, v->pairs[i].key->str);
			const struct quai_yaml_node *val = v->pairs[i].value;
			if (val->type == QUAI_YAML_SEQ)
				nz_str_items(x, val);
			else if (val->type != QUAI_YAML_SCALAR || quai_yaml_is_null(val))
				nz_diag(x, val, "must be an address, found %s", quai_yaml_kind_name(val));
			nz_pop(x, p);
		}
		return v;
	}
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list of host:address or a mapping, found %s",
		        quai_yaml_kind_name(v));
		return v;
	}
	nz_str_items(x, v);
	return v;
}

static const struct quai_yaml_node *nz_devices(struct nz *x, const struct quai_yaml_node *v)
{
	static const struct nz_field fields[] = {{.name = "source", .kind = NZ_STR},
	                                         {.name = "target", .kind = NZ_STR},
	                                         {.name = "permissions", .kind = NZ_STR},
	                                         {.name = NULL}};
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		size_t p = nz_push_index(x, i);
		if (v->items[i]->type == QUAI_YAML_MAP)
			nz_object(x, fields, cn_mut(v->items[i]), source_required);
		else
			nz_check_str(x, v->items[i]);
		nz_pop(x, p);
	}
	return v;
}

static const struct nz_field logging_fields[] = {
    {.name = "driver", .kind = NZ_STR},
    {.name = "options", .kind = NZ_MAP_ANY, .flags = NZ_NULL_OK},
    {.name = NULL},
};

static const struct nz_field credential_fields[] = {
    {.name = "config", .kind = NZ_STR},
    {.name = "file", .kind = NZ_STR},
    {.name = "registry", .kind = NZ_STR},
    {.name = NULL},
};

static const struct nz_field limits_fields[] = {
    {.name = "cpus", .kind = NZ_NUM},    {.name = "memory", .kind = NZ_SIZE},
    {.name = "pids", .kind = NZ_INT},    {.name = "generic_resources", .kind = NZ_ANY},
    {.name = "devices", .kind = NZ_ANY}, {.name = NULL},
};

static const struct nz_field resources_fields[] = {
    {.name = "limits", .kind = NZ_OBJ, .sub = limits_fields},
    {.name = "reservations", .kind = NZ_OBJ, .sub = limits_fields},
    {.name = NULL},
};

static const struct nz_field restart_policy_fields[] = {
    {.name = "condition", .kind = NZ_STR},
    {.name = "delay", .kind = NZ_DURATION},
    {.name = "max_attempts", .kind = NZ_INT},
    {.name = "window", .kind = NZ_DURATION},
    {.name = NULL},
};

static const char *const update_orders[] = {"start-first", "stop-first", NULL};
static const struct nz_field update_fields[] = {
    {.name = "parallelism", .kind = NZ_INT},
    {.name = "delay", .kind = NZ_DURATION},
    {.name = "failure_action", .kind = NZ_STR},
    {.name = "monitor", .kind = NZ_DURATION},
    {.name = "max_failure_ratio", .kind = NZ_NUM},
    {.name = "order", .kind = NZ_ENUM, .values = update_orders},
    {.name = NULL},
};

static const char *const deploy_modes[] = {"replicated", "global", "replicated-job", "global-job", NULL};
static const char *const endpoint_modes[] = {"vip", "dnsrr", NULL};
static const struct nz_field deploy_fields[] = {
    {.name = "mode", .kind = NZ_ENUM, .values = deploy_modes},
    {.name = "endpoint_mode", .kind = NZ_ENUM, .values = endpoint_modes},
    {.name = "replicas", .kind = NZ_INT},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "rollback_config", .kind = NZ_OBJ, .sub = update_fields},
    {.name = "update_config", .kind = NZ_OBJ, .sub = update_fields},
    {.name = "resources", .kind = NZ_OBJ, .sub = resources_fields},
    {.name = "restart_policy", .kind = NZ_OBJ, .sub = restart_policy_fields},
    {.name = "placement", .kind = NZ_MAP_ANY},
    {.name = NULL},
};

static const char *const cgroups[] = {"host", "private", NULL};
static const char *const pull_policies[] = {
    "always", "never", "build", "if_not_present", "missing", "refresh", "daily", "weekly", NULL};

static const struct quai_yaml_node *nz_pull_policy(struct nz *x, const struct quai_yaml_node *v)
{
	if (!nz_check_str(x, v))
		return v;
	for (const char *const *p = pull_policies; *p; p++)
		if (strcmp(v->str, *p) == 0)
			return v;
	if (strncmp(v->str, "every_", 6) == 0 && compose_valid_duration(v->str + 6))
		return v;
	nz_diag(x, v, "invalid pull_policy \"%s\": use always, never, missing, build or if_not_present",
	        v->str);
	return v;
}

static const struct quai_yaml_node *nz_scale(struct nz *x, const struct quai_yaml_node *v)
{
	long long n;
	if (!nz_as_int(v, &n) || n < 0) {
		nz_diag(x, v, "must be a non-negative integer, found %s", quai_yaml_kind_name(v));
		return v;
	}
	return cn_int(x->l, n, v);
}

const struct nz_field nz_service_fields[] = {
    {.name = "develop", .kind = NZ_ANY},
    {.name = "deploy", .kind = NZ_OBJ, .sub = deploy_fields, .flags = NZ_NULL_OK},
    {.name = "annotations", .kind = NZ_LIST_OR_DICT},
    {.name = "attach", .kind = NZ_BOOL},
    {.name = "build", .kind = NZ_CUSTOM, .fn = nz_build},
    {.name = "blkio_config", .kind = NZ_MAP_ANY},
    {.name = "cap_add", .kind = NZ_STR_LIST},
    {.name = "cap_drop", .kind = NZ_STR_LIST},
    {.name = "cgroup", .kind = NZ_ENUM, .values = cgroups},
    {.name = "cgroup_parent", .kind = NZ_STR},
    {.name = "command", .kind = NZ_CUSTOM, .fn = nz_command},
    {.name = "configs", .kind = NZ_CUSTOM, .fn = nz_secret_refs},
    {.name = "container_name", .kind = NZ_STR},
    {.name = "cpu_count", .kind = NZ_INT_OR_STR},
    {.name = "cpu_percent", .kind = NZ_INT_OR_STR},
    {.name = "cpu_shares", .kind = NZ_NUM},
    {.name = "cpu_quota", .kind = NZ_NUM},
    {.name = "cpu_period", .kind = NZ_NUM},
    {.name = "cpu_rt_period", .kind = NZ_INT_OR_STR},
    {.name = "cpu_rt_runtime", .kind = NZ_INT_OR_STR},
    {.name = "cpus", .kind = NZ_NUM},
    {.name = "cpuset", .kind = NZ_STR},
    {.name = "credential_spec", .kind = NZ_OBJ, .sub = credential_fields},
    {.name = "depends_on", .kind = NZ_CUSTOM, .fn = nz_depends_on},
    {.name = "device_cgroup_rules", .kind = NZ_STR_LIST},
    {.name = "devices", .kind = NZ_CUSTOM, .fn = nz_devices},
    {.name = "dns", .kind = NZ_STR_OR_LIST},
    {.name = "dns_opt", .kind = NZ_STR_LIST},
    {.name = "dns_search", .kind = NZ_STR_OR_LIST},
    {.name = "domainname", .kind = NZ_STR},
    {.name = "entrypoint", .kind = NZ_CUSTOM, .fn = nz_command},
    {.name = "env_file", .kind = NZ_CUSTOM, .fn = nz_env_file},
    {.name = "label_file", .kind = NZ_STR_OR_LIST},
    {.name = "environment", .kind = NZ_LIST_OR_DICT, .flags = NZ_FROM_ENV},
    {.name = "expose", .kind = NZ_STR_NUM_LIST},
    {.name = "extends", .kind = NZ_CUSTOM, .fn = nz_extends},
    {.name = "provider", .kind = NZ_MAP_ANY},
    {.name = "external_links", .kind = NZ_STR_LIST},
    {.name = "extra_hosts", .kind = NZ_CUSTOM, .fn = nz_extra_hosts},
    {.name = "gpus", .kind = NZ_ANY},
    {.name = "group_add", .kind = NZ_STR_NUM_LIST},
    {.name = "healthcheck", .kind = NZ_CUSTOM, .fn = nz_healthcheck},
    {.name = "hostname", .kind = NZ_STR},
    {.name = "image", .kind = NZ_STR},
    {.name = "init", .kind = NZ_BOOL},
    {.name = "ipc", .kind = NZ_STR},
    {.name = "isolation", .kind = NZ_STR},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "links", .kind = NZ_STR_LIST},
    {.name = "logging", .kind = NZ_OBJ, .sub = logging_fields},
    {.name = "mac_address", .kind = NZ_STR},
    {.name = "mem_limit", .kind = NZ_SIZE, .flags = NZ_NEG_OK},
    {.name = "mem_reservation", .kind = NZ_SIZE},
    {.name = "mem_swappiness", .kind = NZ_INT},
    {.name = "memswap_limit", .kind = NZ_SIZE, .flags = NZ_NEG_OK},
    {.name = "network_mode", .kind = NZ_STR},
    {.name = "models", .kind = NZ_ANY},
    {.name = "networks", .kind = NZ_CUSTOM, .fn = nz_svc_networks},
    {.name = "oom_kill_disable", .kind = NZ_BOOL},
    {.name = "oom_score_adj", .kind = NZ_INT},
    {.name = "pid", .kind = NZ_STR_NULL},
    {.name = "pids_limit", .kind = NZ_INT},
    {.name = "platform", .kind = NZ_STR},
    {.name = "ports", .kind = NZ_CUSTOM, .fn = nz_ports},
    {.name = "post_start", .kind = NZ_ANY},
    {.name = "pre_stop", .kind = NZ_ANY},
    {.name = "privileged", .kind = NZ_BOOL},
    {.name = "profiles", .kind = NZ_STR_LIST},
    {.name = "pull_policy", .kind = NZ_CUSTOM, .fn = nz_pull_policy},
    {.name = "pull_refresh_after", .kind = NZ_STR},
    {.name = "read_only", .kind = NZ_BOOL},
    {.name = "restart", .kind = NZ_CUSTOM, .fn = nz_restart},
    {.name = "runtime", .kind = NZ_STR},
    {.name = "scale", .kind = NZ_CUSTOM, .fn = nz_scale},
    {.name = "security_opt", .kind = NZ_STR_LIST},
    {.name = "shm_size", .kind = NZ_SIZE},
    {.name = "secrets", .kind = NZ_CUSTOM, .fn = nz_secret_refs},
    {.name = "sysctls", .kind = NZ_LIST_OR_DICT},
    {.name = "stdin_open", .kind = NZ_BOOL},
    {.name = "stop_grace_period", .kind = NZ_DURATION},
    {.name = "stop_signal", .kind = NZ_STR},
    {.name = "storage_opt", .kind = NZ_MAP_ANY},
    {.name = "tmpfs", .kind = NZ_STR_OR_LIST},
    {.name = "tty", .kind = NZ_BOOL},
    {.name = "ulimits", .kind = NZ_CUSTOM, .fn = nz_ulimits},
    {.name = "use_api_socket", .kind = NZ_BOOL},
    {.name = "user", .kind = NZ_STR},
    {.name = "uts", .kind = NZ_STR},
    {.name = "userns_mode", .kind = NZ_STR},
    {.name = "volumes", .kind = NZ_CUSTOM, .fn = nz_volumes},
    {.name = "volumes_from", .kind = NZ_STR_LIST},
    {.name = "working_dir", .kind = NZ_STR},
    {.name = NULL},
};
