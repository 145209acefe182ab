/* The model completed as `docker compose config` prints it (names, the
 * default network, env_file read into environment) and the checks beyond
 * the schema: references, depends_on cycles, files that must exist, host
 * ports published twice, services without image or build. */
#include <string.h>
#include <sys/stat.h>

#include "compose/internal.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Drops the values tagged !reset and the !override tags left in the model. */
static void strip_tags(struct quai_yaml_node *n, unsigned depth)
{
	if (depth > 64)
		return;
	n->tag = NULL;
	if (n->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < n->n; i++)
			strip_tags(cn_mut(n->items[i]), depth + 1);
	} else if (n->type == QUAI_YAML_MAP) {
		struct quai_yaml_pair *pairs = (struct quai_yaml_pair *)n->pairs;
		size_t w = 0;
		for (size_t i = 0; i < n->n; i++) {
			if (cn_tagged(pairs[i].value, "!reset"))
				continue;
			strip_tags(cn_mut(pairs[i].value), depth + 1);
			pairs[w++] = pairs[i];
		}
		n->n = w;
	}
}

static struct quai_yaml_node *section(struct compose_loader *l, struct quai_yaml_node *model,
                                      const char *name)
{
	const struct quai_yaml_node *s = quai_yaml_get(model, name);
	if (s && s->type == QUAI_YAML_MAP)
		return cn_mut(s);
	return NULL;
}

/* env_file contents under environment (environment wins), as compose does. */
static void read_env_files(struct compose_loader *l, const char *name, struct quai_yaml_node *svc)
{
	const struct quai_yaml_node *files = quai_yaml_get(svc, "env_file");
	if (!files || files->type != QUAI_YAML_SEQ)
		return;
	struct compose_env vars = {0};
	for (size_t i = 0; i < files->n; i++) {
		const struct quai_yaml_node *e = files->items[i];
		const char *path = quai_yaml_str(quai_yaml_get(e, "path"));
		bool required = true;
		const struct quai_yaml_node *req = quai_yaml_get(e, "required");
		if (req)
			(void)quai_yaml_bool(req, &required, QUAI_YAML_BOOL_12);
		if (!path)
			continue;
		if (!is_file(path)) {
			if (required)
				compose_diag(l, e, NULL, "services.%s.env_file: file \"%s\" not found", name,
				             path);
			continue;
		}
		struct quai_error *err = NULL;
		if (compose_env_load_file(&vars, path, true, &err) < 0) {
			compose_diag(l, e, NULL, "services.%s.env_file: %s", name, err->msg);
			quai_error_free(err);
		}
	}
	if (vars.n) {
		const struct quai_yaml_node *env = quai_yaml_get(svc, "environment");
		struct quai_yaml_node *m = cn_map(l, files);
		for (size_t k = 0; k < vars.n; k++)
			cn_put(l, m, vars.keys[k], cn_strq(l, vars.vals[k], files));
		if (env && env->type == QUAI_YAML_MAP)
			for (size_t k = 0; k < env->n; k++)
				cn_put_key(l, m, env->pairs[k].key, env->pairs[k].value);
		cn_put(l, svc, "environment", m);
	}
	compose_env_release(&vars);
}

static void complete_service(struct compose_loader *l, const char *name, struct quai_yaml_node *svc,
                             bool *uses_default)
{
	cn_del(svc, "extends");
	read_env_files(l, name, svc);
	if (!quai_yaml_get(svc, "network_mode") && !quai_yaml_get(svc, "networks")) {
		struct quai_yaml_node *nets = cn_map(l, svc);
		cn_put(l, nets, "default", cn_null(l, svc));
		cn_put(l, svc, "networks", nets);
	}
	const struct quai_yaml_node *nets = quai_yaml_get(svc, "networks");
	if (nets && quai_yaml_get(nets, "default"))
		*uses_default = true;
}

static void add_names(struct compose_loader *l, struct quai_yaml_node *sec, bool external_keeps)
{
	if (!sec)
		return;
	for (size_t i = 0; i < sec->n; i++) {
		struct quai_yaml_node *d = cn_mut(sec->pairs[i].value);
		if (d->type != QUAI_YAML_MAP || quai_yaml_get(d, "name"))
			continue;
		bool ext = false;
		const struct quai_yaml_node *e = quai_yaml_get(d, "external");
		if (e && e->type == QUAI_YAML_MAP) {
			const struct quai_yaml_node *en = quai_yaml_get(e, "name");
			if (en) {
				cn_put(l, d, "name", en);
				continue;
			}
			ext = true;
		} else if (e) {
			(void)quai_yaml_bool(e, &ext, QUAI_YAML_BOOL_12);
		}
		const char *key = sec->pairs[i].key->str;
		cleanup_free char *n =
		    ext && external_keeps ? xstrdup(key) : xasprintf("%s_%s", l->project_name, key);
		cn_put(l, d, "name", cn_strq(l, n, sec->pairs[i].key));
	}
}

static void check_refs(struct compose_loader *l, const char *name, const struct quai_yaml_node *svc,
                       const struct quai_yaml_node *model)
{
	const struct quai_yaml_node *nets = quai_yaml_get(model, "networks");
	const struct quai_yaml_node *vols = quai_yaml_get(model, "volumes");
	const struct quai_yaml_node *services = quai_yaml_get(model, "services");
	const struct quai_yaml_node *n = quai_yaml_get(svc, "networks");
	for (size_t i = 0; n && n->type == QUAI_YAML_MAP && i < n->n; i++) {
		const char *net = n->pairs[i].key->str;
		if (strcmp(net, "default") != 0 && !quai_yaml_get(nets, net))
			compose_diag(
			    l, n->pairs[i].key, NULL,
			    "services.%s.networks: network '%s' is not defined in the top-level networks",
			    name, net);
	}
	if (n && quai_yaml_get(svc, "network_mode") && n->n && !quai_yaml_get(n, "default"))
		compose_diag(l, quai_yaml_get_key(svc, "network_mode"), NULL,
		             "services.%s: network_mode and networks cannot both be set", name);
	const struct quai_yaml_node *v = quai_yaml_get(svc, "volumes");
	for (size_t i = 0; v && v->type == QUAI_YAML_SEQ && i < v->n; i++) {
		const char *type = quai_yaml_str(quai_yaml_get(v->items[i], "type"));
		const char *src = quai_yaml_str(quai_yaml_get(v->items[i], "source"));
		if (type && strcmp(type, "volume") == 0 && src && !quai_yaml_get(vols, src))
			compose_diag(
			    l, v->items[i], NULL,
			    "services.%s.volumes[%zu]: volume '%s' is not defined in the top-level volumes",
			    name, i, src);
	}
	static const char *const kinds[] = {"secrets", "configs"};
	for (size_t k = 0; k < 2; k++) {
		const struct quai_yaml_node *refs = quai_yaml_get(svc, kinds[k]);
		const struct quai_yaml_node *defs = quai_yaml_get(model, kinds[k]);
		for (size_t i = 0; refs && refs->type == QUAI_YAML_SEQ && i < refs->n; i++) {
			const char *src = quai_yaml_str(quai_yaml_get(refs->items[i], "source"));
			if (src && !quai_yaml_get(defs, src))
				compose_diag(
				    l, refs->items[i], NULL,
				    "services.%s.%s[%zu]: %s '%s' is not defined in the top-level %s", name,
				    kinds[k], i, k ? "config" : "secret", src, kinds[k]);
		}
	}
	const char *nm = quai_yaml_str(quai_yaml_get(svc, "network_mode"));
	if (nm && strncmp(nm, "service:", 8) == 0 && !quai_yaml_get(services, nm + 8))
		compose_diag(l, quai_yaml_get(svc, "network_mode"), NULL,
		             "services.%s.network_mode: service '%s' is not defined", name, nm + 8);
	const struct quai_yaml_node *vf = quai_yaml_get(svc, "volumes_from");
	for (size_t i = 0; vf && vf->type == QUAI_YAML_SEQ && i < vf->n; i++) {
		const char *s = quai_yaml_str(vf->items[i]);
		if (!s || strncmp(s, "container:", 10) == 0)
			continue;
		size_t len = strcspn(s, ":");
		cleanup_free char *ref = xstrndup(s, len);
		if (!quai_yaml_get(services, ref))
			compose_diag(l, vf->items[i], NULL,
			             "services.%s.volumes_from: service '%s' is not defined", name, ref);
	}
	const struct quai_yaml_node *links = quai_yaml_get(svc, "links");
	for (size_t i = 0; links && links->type == QUAI_YAML_SEQ && i < links->n; i++) {
		const char *s = quai_yaml_str(links->items[i]);
		if (!s)
			continue;
		cleanup_free char *ref = xstrndup(s, strcspn(s, ":"));
		if (!quai_yaml_get(services, ref))
			compose_diag(l, links->items[i], NULL,
			             "services.%s.links: service '%s' is not defined", name, ref);
	}
}

static bool has_healthcheck(const struct quai_yaml_node *svc)
{
	const struct quai_yaml_node *hc = quai_yaml_get(svc, "healthcheck");
	if (!hc || hc->type != QUAI_YAML_MAP)
		return false;
	bool off = false;
	if (quai_yaml_bool(quai_yaml_get(hc, "disable"), &off, QUAI_YAML_BOOL_12) == 0 && off)
		return false;
	const struct quai_yaml_node *test = quai_yaml_get(hc, "test");
	const char *first =
	    test && test->type == QUAI_YAML_SEQ && test->n ? quai_yaml_str(test->items[0]) : NULL;
	return !first || strcmp(first, "NONE") != 0;
}

static void check_depends(struct compose_loader *l, const char *name, const struct quai_yaml_node *svc,
                          const struct quai_yaml_node *services)
{
	const struct quai_yaml_node *deps = quai_yaml_get(svc, "depends_on");
	for (size_t i = 0; deps && deps->type == QUAI_YAML_MAP && i < deps->n; i++) {
		const struct quai_yaml_node *k = deps->pairs[i].key;
		const struct quai_yaml_node *target = quai_yaml_get(services, k->str);
		if (!target) {
			compose_diag(l, k, NULL, "services.%s.depends_on: service '%s' is not defined", name,
			             k->str);
			continue;
		}
		if (strcmp(k->str, name) == 0)
			continue; /* reported as a cycle */
		const char *cond = quai_yaml_str(quai_yaml_get(deps->pairs[i].value, "condition"));
		if (cond && strcmp(cond, "service_healthy") == 0 && !has_healthcheck(target))
			compose_diag(
			    l, quai_yaml_get(deps->pairs[i].value, "condition"), NULL,
			    "services.%s.depends_on.%s: condition service_healthy, but service '%s' has no "
			    "healthcheck",
			    name, k->str, k->str);
	}
}

/* Depth-first search over depends_on; reports each cycle once. */
static bool find_cycle(const struct quai_yaml_node *services, size_t at, unsigned char *state, size_t *stack,
                       size_t depth, struct quai_buf *out)
{
	state[at] = 1;
	stack[depth] = at;
	const struct quai_yaml_node *deps = quai_yaml_get(services->pairs[at].value, "depends_on");
	for (size_t i = 0; deps && deps->type == QUAI_YAML_MAP && i < deps->n; i++) {
		size_t t;
		for (t = 0; t < services->n; t++)
			if (strcmp(services->pairs[t].key->str, deps->pairs[i].key->str) == 0)
				break;
		if (t == services->n)
			continue;
		if (state[t] == 1) {
			size_t from = 0;
			while (stack[from] != t)
				from++;
			for (size_t j = from; j <= depth; j++)
				quai_buf_printf(out, "%s -> ", services->pairs[stack[j]].key->str);
			quai_buf_puts(out, services->pairs[t].key->str);
			return true;
		}
		if (state[t] == 0 && find_cycle(services, t, state, stack, depth + 1, out))
			return true;
	}
	state[at] = 2;
	return false;
}

static void check_cycles(struct compose_loader *l, const struct quai_yaml_node *services)
{
	unsigned char *state = xcalloc(services->n + 1, 1);
	size_t *stack = xcalloc(services->n + 1, sizeof(size_t));
	for (size_t i = 0; i < services->n; i++) {
		if (state[i])
			continue;
		struct quai_buf cyc = QUAI_BUF_INIT;
		if (find_cycle(services, i, state, stack, 0, &cyc)) {
			compose_diag(l, quai_yaml_get_key(services->pairs[i].value, "depends_on"), NULL,
			             "services.%s.depends_on: dependency cycle: %s",
			             services->pairs[i].key->str, quai_buf_str(&cyc));
			quai_buf_release(&cyc);
			break;
		}
		quai_buf_release(&cyc);
	}
	free(stack);
	free(state);
}

static void check_files(struct compose_loader *l, const char *name, const struct quai_yaml_node *svc)
{
	const struct quai_yaml_node *build = quai_yaml_get(svc, "build");
	if (!quai_yaml_get(svc, "image") && !build && !quai_yaml_get(svc, "provider"))
		compose_diag(l, svc, NULL,
		             "services.%s: has neither an image nor a build context; set image or build",
		             name);
	const struct quai_yaml_node *ctx = quai_yaml_get(build, "context");
	const char *c = quai_yaml_str(ctx);
	if (c && c[0] == '/' && !is_dir(c))
		compose_diag(l, ctx, NULL, "services.%s.build.context: directory \"%s\" not found", name, c);
}

struct published {
	const char *ip, *proto, *service;
	long lo, hi;
	size_t index;
	const struct quai_yaml_node *at;
};

static int cmp_published(const void *a, const void *b)
{
	const struct published *pa = a, *pb = b;
	int c = strcmp(pa->proto, pb->proto);
	if (c)
		return c;
	if (pa->lo != pb->lo)
		return pa->lo < pb->lo ? -1 : 1;
	return pa->at->line < pb->at->line ? -1 : pa->at->line > pb->at->line;
}

static void collect_ports(const struct quai_yaml_node *services, struct published **out, size_t *n)
{
	size_t cap = 0;
	for (size_t s = 0; s < services->n; s++) {
		const struct quai_yaml_node *ports = quai_yaml_get(services->pairs[s].value, "ports");
		for (size_t i = 0; ports && ports->type == QUAI_YAML_SEQ && i < ports->n; i++) {
			const struct quai_yaml_node *p = ports->items[i];
			const char *pub = quai_yaml_str(quai_yaml_get(p, "published"));
			if (!pub || !*pub)
				continue;
			char *end = NULL;
			long lo = strtol(pub, &end, 10), hi = lo;
			if (*end == '-')
				hi = strtol(end + 1, &end, 10);
			if (lo == 0)
				continue;
			const char *ip = quai_yaml_str(quai_yaml_get(p, "host_ip"));
			const char *proto = quai_yaml_str(quai_yaml_get(p, "protocol"));
			*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
			(*out)[(*n)++] = (struct published){
			    ip ? ip : "", proto ? proto : "tcp", services->pairs[s].key->str, lo, hi, i, p};
		}
	}
}

/* Host ports published twice (same protocol, overlapping addresses): sorted
 * by port, each entry compared with the earlier ones it overlaps, within a
 * budget of comparisons. */
static void check_ports(struct compose_loader *l, const struct quai_yaml_node *services)
{
	struct published *all = NULL;
	size_t n = 0, work = 0;
	collect_ports(services, &all, &n);
	if (n > 1)
		qsort(all, n, sizeof(*all), cmp_published);
	for (size_t i = 1; i < n && work < 10000000u; i++) {
		const struct published *me = &all[i];
		for (size_t j = i; j-- > 0 && work < 10000000u;) {
			const struct published *o = &all[j];
			work++;
			if (strcmp(o->proto, me->proto) != 0)
				break;
			if (o->hi < me->lo) {
				if (me->lo - o->lo > 65535)
					break;
				continue;
			}
			bool ip_clash = !*o->ip || !*me->ip || strcmp(o->ip, me->ip) == 0;
			if (!ip_clash)
				continue;
			compose_diag(l, me->at, NULL,
			             "services.%s.ports[%zu]: host port %ld/%s is also published by service "
			             "'%s' (line %u)",
			             me->service, me->index, me->lo, me->proto, o->service, o->at->line);
			break;
		}
	}
	free(all);
}

static void check_top_files(struct compose_loader *l, const struct quai_yaml_node *model)
{
	static const char *const kinds[] = {"secrets", "configs"};
	for (size_t k = 0; k < 2; k++) {
		const struct quai_yaml_node *defs = quai_yaml_get(model, kinds[k]);
		for (size_t i = 0; defs && defs->type == QUAI_YAML_MAP && i < defs->n; i++) {
			const struct quai_yaml_node *d = defs->pairs[i].value;
			const struct quai_yaml_node *file = quai_yaml_get(d, "file");
			const char *f = quai_yaml_str(file);
			if (f && !is_file(f))
				compose_diag(l, file, NULL, "%s.%s.file: file \"%s\" not found", kinds[k],
				             defs->pairs[i].key->str, f);
			bool ext = false;
			const struct quai_yaml_node *e = quai_yaml_get(d, "external");
			if (e && (e->type == QUAI_YAML_MAP ||
			          (quai_yaml_bool(e, &ext, QUAI_YAML_BOOL_12) == 0 && ext)))
				ext = true;
			if (!f && !ext && !quai_yaml_get(d, "environment") && !quai_yaml_get(d, "content") &&
			    d->type == QUAI_YAML_MAP)
				compose_diag(l, d, NULL, "%s.%s: needs file, environment%s or external",
				             kinds[k], defs->pairs[i].key->str, k ? ", content" : "");
		}
	}
}

/* The top level in the order compose prints it. */
static void order_top(struct compose_loader *l, struct quai_yaml_node *model)
{
	static const char *const order[] = {"name",    "services", "networks", "volumes",
	                                    "secrets", "configs",  "models",   NULL};
	struct quai_yaml_pair *pairs = quai_yaml_alloc(l->doc, (model->n + 1) * sizeof(*pairs));
	size_t w = 0;
	for (const char *const *o = order; *o; o++)
		for (size_t i = 0; i < model->n; i++)
			if (strcmp(model->pairs[i].key->str, *o) == 0)
				pairs[w++] = model->pairs[i];
	for (size_t i = 0; i < model->n; i++) {
		bool known = false;
		for (const char *const *o = order; *o && !known; o++)
			known = strcmp(model->pairs[i].key->str, *o) == 0;
		if (!known)
			pairs[w++] = model->pairs[i];
	}
	/* arrays of nodes must keep a power-of-two capacity for cn_put */
	struct quai_yaml_pair *np = quai_yaml_alloc(l->doc, ((w | 1) * 2) * sizeof(*np));
	memcpy(np, pairs, w * sizeof(*np));
	model->pairs = np;
	model->n = w;
}

void compose_check(struct compose_loader *l, struct quai_yaml_node *model)
{
	strip_tags(model, 0);
	cn_del(model, "version");
	cn_del(model, "include");
	cn_put(l, model, "name", cn_strq(l, l->project_name, model));
	struct quai_yaml_node *services = section(l, model, "services");
	bool uses_default = false;
	for (size_t i = 0; services && i < services->n; i++) {
		struct quai_yaml_node *svc = cn_mut(services->pairs[i].value);
		if (svc->type == QUAI_YAML_MAP)
			complete_service(l, services->pairs[i].key->str, svc, &uses_default);
	}
	struct quai_yaml_node *nets = section(l, model, "networks");
	if (uses_default && !quai_yaml_get(nets, "default")) {
		if (!nets) {
			nets = cn_map(l, model);
			cn_put(l, model, "networks", nets);
		}
		cn_put(l, nets, "default", cn_map(l, nets));
	}
	add_names(l, nets, true);
	add_names(l, section(l, model, "volumes"), true);
	add_names(l, section(l, model, "secrets"), true);
	add_names(l, section(l, model, "configs"), true);
	if (!services && !quai_yaml_get(model, "services"))
		compose_diag(l, model, NULL,
		             "no services defined: a compose project needs a services section");
	for (size_t i = 0; services && i < services->n; i++) {
		const struct quai_yaml_node *svc = services->pairs[i].value;
		if (svc->type != QUAI_YAML_MAP)
			continue;
		const char *name = services->pairs[i].key->str;
		check_refs(l, name, svc, model);
		check_depends(l, name, svc, services);
		check_files(l, name, svc);
	}
	if (services) {
		check_cycles(l, services);
		check_ports(l, services);
	}
	check_top_files(l, model);
	order_top(l, model);
}
