/* The top level of a compose file: version, name, services, networks,
 * volumes, secrets, configs, include, x-*. */
#include <string.h>

#include "compose/normalize.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/banned.h"

static const struct quai_yaml_node *nz_external(struct nz *x, const struct quai_yaml_node *v)
{
	bool b;
	if (v->type == QUAI_YAML_MAP) {
		static const struct nz_field fields[] = {{.name = "name", .kind = NZ_STR}, {.name = NULL}};
		return nz_object(x, fields, cn_mut(v), NULL);
	}
	if (!nz_as_bool(v, &b)) {
		nz_diag(x, v, "must be a boolean, found %s", quai_yaml_kind_name(v));
		return v;
	}
	return cn_bool(x->l, b, v);
}

static const struct quai_yaml_node *nz_top_file(struct nz *x, const struct quai_yaml_node *v)
{
	if (!nz_check_str(x, v))
		return v;
	cleanup_free char *p = compose_path_join(x->base_dir, v->str);
	return cn_strq(x->l, p, v);
}

static const struct nz_field ipam_config_fields[] = {
    {.name = "subnet", .kind = NZ_STR},
    {.name = "ip_range", .kind = NZ_STR},
    {.name = "gateway", .kind = NZ_STR},
    {.name = "aux_addresses", .kind = NZ_MAP_ANY},
    {.name = NULL},
};

static const struct nz_field ipam_fields[] = {
    {.name = "driver", .kind = NZ_STR},
    {.name = "config", .kind = NZ_LIST_OBJ, .sub = ipam_config_fields},
    {.name = "options", .kind = NZ_MAP_ANY},
    {.name = NULL},
};

static const struct nz_field network_fields[] = {
    {.name = "name", .kind = NZ_STR},
    {.name = "driver", .kind = NZ_STR},
    {.name = "driver_opts", .kind = NZ_MAP_ANY},
    {.name = "ipam", .kind = NZ_OBJ, .sub = ipam_fields},
    {.name = "external", .kind = NZ_CUSTOM, .fn = nz_external},
    {.name = "internal", .kind = NZ_BOOL},
    {.name = "enable_ipv4", .kind = NZ_BOOL},
    {.name = "enable_ipv6", .kind = NZ_BOOL},
    {.name = "attachable", .kind = NZ_BOOL},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = NULL},
};

static const struct nz_field volume_fields[] = {
    {.name = "name", .kind = NZ_STR},
    {.name = "driver", .kind = NZ_STR},
    {.name = "driver_opts", .kind = NZ_MAP_ANY},
    {.name = "external", .kind = NZ_CUSTOM, .fn = nz_external},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = NULL},
};

static const struct nz_field secret_fields[] = {
    {.name = "name", .kind = NZ_STR},
    {.name = "environment", .kind = NZ_STR},
    {.name = "file", .kind = NZ_CUSTOM, .fn = nz_top_file},
    {.name = "external", .kind = NZ_CUSTOM, .fn = nz_external},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "driver", .kind = NZ_STR},
    {.name = "driver_opts", .kind = NZ_MAP_ANY},
    {.name = "template_driver", .kind = NZ_STR},
    {.name = NULL},
};

static const struct nz_field config_fields[] = {
    {.name = "name", .kind = NZ_STR},
    {.name = "content", .kind = NZ_STR},
    {.name = "environment", .kind = NZ_STR},
    {.name = "file", .kind = NZ_CUSTOM, .fn = nz_top_file},
    {.name = "external", .kind = NZ_CUSTOM, .fn = nz_external},
    {.name = "labels", .kind = NZ_LIST_OR_DICT},
    {.name = "template_driver", .kind = NZ_STR},
    {.name = NULL},
};

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* A mapping of NAME: definition (networks, volumes...): null becomes {}. */
static void nz_section(struct nz *x, struct quai_yaml_node *root, const char *section,
                       const struct nz_field *fields, bool null_ok)
{
	const struct quai_yaml_node *sec = quai_yaml_get(root, section);
	if (!sec)
		return;
	size_t p = nz_push_key(x, section);
	if (quai_yaml_is_null(sec)) {
		cn_put(x->l, root, section, cn_map(x->l, sec));
		nz_pop(x, p);
		return;
	}
	if (sec->type != QUAI_YAML_MAP) {
		nz_diag(x, sec, "must be a mapping, found %s", quai_yaml_kind_name(sec));
		nz_pop(x, p);
		return;
	}
	for (size_t i = 0; i < sec->n; i++) {
		const struct quai_yaml_node *k = sec->pairs[i].key, *v = sec->pairs[i].value;
		if (k->type != QUAI_YAML_SCALAR) {
			nz_diag(x, k, "names must be strings");
			continue;
		}
		if (strncmp(k->str, "x-", 2) == 0 && strcmp(section, "services") != 0)
			continue;
		if (!valid_name(k->str)) {
			nz_diag(x, k, "invalid name \"%s\": use letters, digits, '.', '_' and '-'", k->str);
			continue;
		}
		size_t q = nz_push_key(x, k->str);
		if (cn_tagged(v, "!reset")) {
		} else if (quai_yaml_is_null(v) && null_ok) {
			struct quai_yaml_node *m = cn_map(x->l, v);
			m->tag = v->tag;
			((struct quai_yaml_pair *)sec->pairs)[i].value = m;
		} else if (fields) {
			x->service = k->str;
			nz_object(x, fields, cn_mut(v), NULL);
			x->service = NULL;
		}
		nz_pop(x, q);
	}
	nz_pop(x, p);
}

static const struct quai_yaml_node *nz_include(struct nz *x, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ) {
		nz_diag(x, v, "must be a list, found %s", quai_yaml_kind_name(v));
		return v;
	}
	static const struct nz_field fields[] = {
	    {.name = "path", .kind = NZ_STR_OR_LIST},
	    {.name = "env_file", .kind = NZ_STR_OR_LIST},
	    {.name = "project_directory", .kind = NZ_STR},
	    {.name = NULL},
	};
	static const char *const req[] = {"path", NULL};
	for (size_t i = 0; i < v->n; i++) {
		size_t p = nz_push_index(x, i);
		const struct quai_yaml_node *it = v->items[i];
		if (it->type == QUAI_YAML_MAP) {
			nz_object(x, fields, cn_mut(it), req);
		} else if (nz_check_str(x, it)) {
			struct quai_yaml_node *m = cn_map(x->l, it);
			struct quai_yaml_node *seq = cn_seq(x->l, it);
			cn_push(x->l, seq, it);
			cn_put(x->l, m, "path", seq);
			((const struct quai_yaml_node **)v->items)[i] = m;
		}
		nz_pop(x, p);
	}
	return v;
}

static const struct quai_yaml_node *nz_version(struct nz *x, const struct quai_yaml_node *v)
{
	if (!cn_is_string(v)) {
		nz_diag(x, v, "must be a string such as \"3.8\" (write it quoted), found %s",
		        quai_yaml_kind_name(v));
		return v;
	}
	const char *s = v->str;
	if (!((s[0] == '2' || s[0] == '3') && (!s[1] || s[1] == '.')))
		nz_diag(x, v, "unsupported version \"%s\": use 2.x or 3.x, or leave version out", s);
	return v;
}

static const struct nz_field top_fields[] = {
    {.name = "version", .kind = NZ_CUSTOM, .fn = nz_version},
    {.name = "name", .kind = NZ_STR},
    {.name = "include", .kind = NZ_CUSTOM, .fn = nz_include},
    {.name = "services", .kind = NZ_ANY},
    {.name = "networks", .kind = NZ_ANY},
    {.name = "volumes", .kind = NZ_ANY},
    {.name = "secrets", .kind = NZ_ANY},
    {.name = "configs", .kind = NZ_ANY},
    {.name = "models", .kind = NZ_ANY},
    {.name = NULL},
};

void compose_normalize(struct compose_loader *l, struct quai_yaml_node *root, const char *base_dir)
{
	struct nz x = {.l = l, .base_dir = base_dir};
	nz_object(&x, top_fields, root, NULL);
	const struct quai_yaml_node *name = quai_yaml_get(root, "name");
	if (cn_is_string(name) && !valid_name(name->str))
		compose_diag(l, name, "name",
		             "invalid project name \"%s\": use letters, digits, '.', '_' and '-'", name->str);
	nz_section(&x, root, "services", nz_service_fields, false);
	nz_section(&x, root, "networks", network_fields, true);
	nz_section(&x, root, "volumes", volume_fields, true);
	nz_section(&x, root, "secrets", secret_fields, false);
	nz_section(&x, root, "configs", config_fields, false);
	quai_buf_release(&x.path);
}

void compose_normalize_service(struct compose_loader *l, const char *name, struct quai_yaml_node *svc,
                               const char *base_dir)
{
	struct nz x = {.l = l, .base_dir = base_dir, .service = name};
	quai_buf_printf(&x.path, "services.%s", name);
	nz_object(&x, nz_service_fields, svc, NULL);
	quai_buf_release(&x.path);
}
