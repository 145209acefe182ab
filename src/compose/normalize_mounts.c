/* ports and volumes: the short syntax ("8080:80/tcp", "./data:/data:ro")
 * parsed and written in the long one, as `docker compose config` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/normalize.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_PORTS 200000u

/* "80" or "8000-8010": the range [lo, hi]; false when not ports. */
static bool port_range(const char *s, size_t len, long *lo, long *hi, bool zero_ok)
{
	char buf[32];
	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end = NULL;
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	*lo = strtol(buf, &end, 10);
	*hi = *lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return false;
		*hi = strtol(end + 1, &end, 10);
	}
	if (*end)
		return false;
	long min = zero_ok ? 0 : 1;
	return *lo >= min && *hi <= 65535 && *lo <= *hi && *hi >= min;
}

static struct quai_yaml_node *port_entry(struct nz *x, const struct quai_yaml_node *at, const char *ip,
                                         long target, const char *published, const char *proto)
{
	struct quai_yaml_node *m = cn_map(x->l, at);
	cn_put(x->l, m, "mode", cn_str(x->l, "ingress", at));
	if (ip && *ip)
		cn_put(x->l, m, "host_ip", cn_strq(x->l, ip, at));
	cn_put(x->l, m, "target", cn_int(x->l, target, at));
	if (published && *published)
		cn_put(x->l, m, "published", cn_strq(x->l, published, at));
	cn_put(x->l, m, "protocol", cn_str(x->l, proto, at));
	return m;
}

static bool valid_proto(const char *p)
{
	return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 || strcmp(p, "sctp") == 0;
}

/* [[IP:]HOST:]CONTAINER[/PROTO] */
static void short_port(struct nz *x, const struct quai_yaml_node *it, struct quai_yaml_node *out)
{
	cleanup_free char *s = xstrdup(it->str);
	const char *proto = "tcp";
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (!valid_proto(proto)) {
			nz_diag(x, it, "invalid protocol \"%s\" in port \"%s\": use tcp, udp or sctp", proto,
			        it->str);
			return;
		}
	}
	const char *ip = NULL;
	char *rest = s;
	if (s[0] == '[') { /* [::1]:80:80 */
		char *close = strchr(s, ']');
		if (!close || close[1] != ':') {
			nz_diag(x, it, "invalid port \"%s\"", it->str);
			return;
		}
		*close = '\0';
		ip = s + 1;
		rest = close + 2;
	}
	char *c2 = strrchr(rest, ':');
	const char *host = NULL, *cont = rest;
	if (c2) {
		*c2 = '\0';
		cont = c2 + 1;
		char *c1 = strrchr(rest, ':');
		if (c1 && !ip) {
			*c1 = '\0';
			ip = rest;
			host = c1 + 1;
		} else if (c1) {
			nz_diag(x, it, "invalid port \"%s\"", it->str);
			return;
		} else {
			host = rest;
		}
	} else if (ip) {
		nz_diag(x, it, "invalid port \"%s\": an address needs a host and a container port", it->str);
		return;
	}
	long clo, chi, hlo = 0, hhi = 0;
	if (!port_range(cont, strlen(cont), &clo, &chi, false)) {
		nz_diag(x, it,
		        "invalid port \"%s\": the container port must be a number or a range from 1 to 65535",
		        it->str);
		return;
	}
	if (host && *host && !port_range(host, strlen(host), &hlo, &hhi, true)) {
		nz_diag(x, it,
		        "invalid port \"%s\": the host port must be a number or a range from 0 to 65535",
		        it->str);
		return;
	}
	bool has_host = host && *host;
	if (has_host && chi > clo && hhi - hlo != chi - clo) {
		nz_diag(x, it, "invalid port \"%s\": the host and container ranges differ in size", it->str);
		return;
	}
	if (chi == clo) {
		char pub[32] = "";
		if (has_host)
			snprintf(pub, sizeof(pub), hhi > hlo ? "%ld-%ld" : "%ld", hlo, hhi);
		cn_push(x->l, out, port_entry(x, it, ip, clo, pub, proto));
		return;
	}
	/* a range becomes one entry per port: a budget keeps a small file from
	 * becoming millions of nodes */
	if (x->l->ports + (size_t)(chi - clo + 1) > MAX_PORTS) {
		nz_diag(x, it, "too many ports: a project may publish at most %u", MAX_PORTS);
		return;
	}
	x->l->ports += (size_t)(chi - clo + 1);
	for (long p = clo; p <= chi; p++) {
		char pub[16] = "";
		if (has_host)
			snprintf(pub, sizeof(pub), "%ld", hlo + (p - clo));
		cn_push(x->l, out, port_entry(x, it, ip, p, pub, proto));
	}
}

static const char *const port_modes[] = {"host", "ingress", NULL};
static const char *const target_required[] = {"target", NULL};

static void long_port(struct nz *x, const struct quai_yaml_node *it, struct quai_yaml_node *out)
{
	static const struct nz_field fields[] = {
	    {.name = "name", .kind = NZ_STR},         {.name = "mode", .kind = NZ_ENUM, .values = port_modes},
	    {.name = "host_ip", .kind = NZ_STR},      {.name = "target", .kind = NZ_ANY},
	    {.name = "published", .kind = NZ_ANY},    {.name = "protocol", .kind = NZ_STR},
	    {.name = "app_protocol", .kind = NZ_STR}, {.name = NULL},
	};
	struct quai_yaml_node *m = cn_mut(nz_object(x, fields, cn_mut(it), target_required));
	const struct quai_yaml_node *t = quai_yaml_get(m, "target");
	const struct quai_yaml_node *p = quai_yaml_get(m, "published");
	const struct quai_yaml_node *proto = quai_yaml_get(m, "protocol");
	long lo, hi;
	if (t) {
		if (t->type != QUAI_YAML_SCALAR || !port_range(t->str, t->len, &lo, &hi, false) || lo != hi)
			nz_diag(x, t, "target must be a port number from 1 to 65535");
		else
			cn_put(x->l, m, "target", cn_int(x->l, lo, t));
	}
	if (p) {
		if (p->type != QUAI_YAML_SCALAR || !port_range(p->str, p->len, &lo, &hi, true))
			nz_diag(x, p, "published must be a port number or a range from 0 to 65535");
		else
			cn_put(x->l, m, "published", cn_strq(x->l, p->str, p));
	}
	if (proto && cn_is_string(proto) && !valid_proto(proto->str))
		nz_diag(x, proto, "invalid protocol \"%s\": use tcp, udp or sctp", proto->str);
	if (!quai_yaml_get(m, "mode"))
		cn_put(x->l, m, "mode", cn_str(x->l, "ingress", m));
	if (!proto)
		cn_put(x->l, m, "protocol", cn_str(x->l, "tcp", m));
	cn_push(x->l, out, m);
}

const struct quai_yaml_node *nz_ports(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
		return v;
	}
	struct quai_yaml_node *out = cn_seq(x->l, v);
	out->tag = v->tag;
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		size_t p = nz_push_index(x, i);
		long long n;
		if (it->type == QUAI_YAML_MAP) {
			long_port(x, it, out);
		} else if (it->type == QUAI_YAML_SCALAR && it->style == QUAI_YAML_PLAIN &&
		           nz_as_int(it, &n)) {
			if (n < 1 || n > 65535)
				nz_diag(x, it, "invalid port %lld: use 1 to 65535", n);
			else
				cn_push(x->l, out, port_entry(x, it, NULL, n, NULL, "tcp"));
		} else if (cn_is_string(it)) {
			short_port(x, it, out);
		} else {
			nz_diag(x, it, "must be a port string such as \"8080:80\" or a mapping, found %s",
			        quai_yaml_kind_name(it));
		}
		nz_pop(x, p);
	}
	return out;
}

static bool is_path(const char *s)
{
	return s[0] == '.' || s[0] == '/' || s[0] == '~';
}

static void volume_mode(struct nz *x, const struct quai_yaml_node *it, struct quai_yaml_node *m,
                        const char *mode, bool bind)
{
	cleanup_free char *copy = xstrdup(mode);
	struct quai_yaml_node *opts = cn_map(x->l, it);
	for (char *tok = copy, *next; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!*tok || strcmp(tok, "rw") == 0) {
			/* the default */
		} else if (strcmp(tok, "ro") == 0) {
			cn_put(x->l, m, "read_only", cn_bool(x->l, true, it));
		} else if (bind && (strcmp(tok, "z") == 0 || strcmp(tok, "Z") == 0)) {
			cn_put(x->l, opts, "selinux", cn_str(x->l, tok, it));
		} else if (bind && (strcmp(tok, "shared") == 0 || strcmp(tok, "rshared") == 0 ||
		                    strcmp(tok, "slave") == 0 || strcmp(tok, "rslave") == 0 ||
		                    strcmp(tok, "private") == 0 || strcmp(tok, "rprivate") == 0)) {
			cn_put(x->l, opts, "propagation", cn_str(x->l, tok, it));
		} else if (!bind && strcmp(tok, "nocopy") == 0) {
			cn_put(x->l, opts, "nocopy", cn_bool(x->l, true, it));
		} else if (strcmp(tok, "consistent") == 0 || strcmp(tok, "cached") == 0 ||
		           strcmp(tok, "delegated") == 0) {
			cn_put(x->l, m, "consistency", cn_str(x->l, tok, it));
		} else {
			nz_diag(
			    x, it,
			    "invalid mode \"%s\" in volume \"%s\": use ro, rw, z, Z, nocopy or a propagation",
			    tok, it->str);
		}
	}
	if (bind) {
		cn_put(x->l, opts, "create_host_path", cn_bool(x->l, true, it));
		cn_put(x->l, m, "bind", opts);
	} else {
		cn_put(x->l, m, "volume", opts);
	}
}

/* [SOURCE:]TARGET[:MODE] */
static const struct quai_yaml_node *short_volume(struct nz *x, const struct quai_yaml_node *it)
{
	cleanup_free char *s = xstrdup(it->str);
	char *parts[3] = {NULL};
	size_t n = 0;
	for (char *tok = s, *next; tok; tok = next) {
		next = strchr(tok, ':');
		if (next)
			*next++ = '\0';
		if (n == 3) {
			nz_diag(x, it, "invalid volume \"%s\": use [SOURCE:]TARGET[:MODE]", it->str);
			return it;
		}
		parts[n++] = tok;
	}
	struct quai_yaml_node *m = cn_map(x->l, it);
	const char *src = n >= 2 ? parts[0] : NULL;
	const char *target = n >= 2 ? parts[1] : parts[0];
	if (!target || !*target || (src && !*src)) {
		nz_diag(x, it, "invalid volume \"%s\": empty source or target", it->str);
		return it;
	}
	if (target[0] != '/') {
		nz_diag(x, it, "invalid volume \"%s\": the target \"%s\" must be an absolute path", it->str,
		        target);
		return it;
	}
	size_t tlen = strlen(target);
	while (tlen > 1 && target[tlen - 1] == '/')
		((char *)target)[--tlen] = '\0'; /* compose drops the trailing slash */
	bool bind = src && is_path(src);
	cn_put(x->l, m, "type", cn_str(x->l, bind ? "bind" : "volume", it));
	if (src && bind) {
		cleanup_free char *abs = compose_path_join(x->base_dir, src);
		cn_put(x->l, m, "source", cn_strq(x->l, abs, it));
	} else if (src) {
		cn_put(x->l, m, "source", cn_strq(x->l, src, it));
	}
	cn_put(x->l, m, "target", cn_strq(x->l, target, it));
	volume_mode(x, it, m, n == 3 ? parts[2] : "", bind);
	return m;
}

static const char *const mount_types[] = {"bind", "volume", "tmpfs", "cluster", "npipe", "image", NULL};
static const char *const type_required[] = {"type", NULL};

static const struct nz_field bind_fields[] = {
    {.name = "propagation", .kind = NZ_STR},
    {.name = "create_host_path", .kind = NZ_BOOL},
    {.name = "recursive", .kind = NZ_STR},
    {.name = "selinux", .kind = NZ_STR},
    {.name = NULL},
};
static const struct nz_field volume_opt_fields[] = {
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "nocopy", .kind = NZ_BOOL},
    {.name = "subpath", .kind = NZ_STR},
    {.name = NULL},
};
static const struct nz_field tmpfs_fields[] = {
    {.name = "size", .kind = NZ_SIZE},
    {.name = "mode", .kind = NZ_NUM},
    {.name = NULL},
};
static const struct nz_field image_fields[] = {
    {.name = "subpath", .kind = NZ_STR},
    {.name = NULL},
};
static const struct nz_field mount_fields[] = {
    {.name = "type", .kind = NZ_ENUM, .values = mount_types},
    {.name = "source", .kind = NZ_STR},
    {.name = "target", .kind = NZ_STR},
    {.name = "read_only", .kind = NZ_BOOL},
    {.name = "consistency", .kind = NZ_STR},
    {.name = "bind", .kind = NZ_OBJ, .sub = bind_fields},
    {.name = "volume", .kind = NZ_OBJ, .sub = volume_opt_fields, .flags = NZ_NULL_OK},
    {.name = "tmpfs", .kind = NZ_OBJ, .sub = tmpfs_fields},
    {.name = "image", .kind = NZ_OBJ, .sub = image_fields},
    {.name = NULL},
};

static const struct quai_yaml_node *long_volume(struct nz *x, const struct quai_yaml_node *it)
{
	struct quai_yaml_node *m = cn_mut(nz_object(x, mount_fields, cn_mut(it), type_required));
	const char *type = quai_yaml_str(quai_yaml_get(m, "type"));
	const struct quai_yaml_node *src = quai_yaml_get(m, "source");
	if (type && strcmp(type, "bind") == 0 && cn_is_string(src)) {
		cleanup_free char *abs = compose_path_join(x->base_dir, src->str);
		cn_put(x->l, m, "source", cn_strq(x->l, abs, src));
	}
	if (type && strcmp(type, "bind") == 0 && !src)
		nz_diag(x, m, "a bind mount needs a source");
	if (!quai_yaml_get(m, "target") && (!type || strcmp(type, "npipe") != 0))
		nz_diag(x, m, "'target' is required");
	return m;
}

const struct quai_yaml_node *nz_volumes(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
		return v;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		size_t p = nz_push_index(x, i);
		const struct quai_yaml_node *r = it;
		if (it->type == QUAI_YAML_MAP)
			r = long_volume(x, it);
		else if (cn_is_string(it))
			r = short_volume(x, it);
		else
			nz_diag(x, it, "must be a string such as \"data:/data\" or a mapping, found %s",
			        quai_yaml_kind_name(it));
		((const struct quai_yaml_node **)v->items)[i] = r;
		nz_pop(x, p);
	}
	return v;
}
