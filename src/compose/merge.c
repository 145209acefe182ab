/* Compose's merge rules, for several -f files and for extends: mappings
 * merge key by key, the later value wins for scalars; lists append, except
 * command, entrypoint and healthcheck.test (replaced) and ports, volumes,
 * secrets, configs (one entry per target); `!reset` removes a value and
 * `!override` replaces it whole. */
#include <string.h>

#include "compose/internal.h"
#include "core/banned.h"

static bool same_scalar(const struct quai_yaml_node *a, const struct quai_yaml_node *b)
{
	return a->type == QUAI_YAML_SCALAR && b->type == QUAI_YAML_SCALAR && a->len == b->len &&
	       memcmp(a->str, b->str, a->len) == 0;
}

static bool same_node(const struct quai_yaml_node *a, const struct quai_yaml_node *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case QUAI_YAML_SCALAR:
		return same_scalar(a, b);
	case QUAI_YAML_SEQ:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if (!same_node(a->items[i], b->items[i]))
				return false;
		return true;
	case QUAI_YAML_MAP:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++) {
			const struct quai_yaml_node *v = quai_yaml_get(b, a->pairs[i].key->str);
			if (!v || !same_node(a->pairs[i].value, v))
				return false;
		}
		return true;
	}
	return false;
}

/* The identity of a list entry for lists merged by key. */
static const struct quai_yaml_node *entry_key(const char *key, const struct quai_yaml_node *it)
{
	if (it->type != QUAI_YAML_MAP)
		return it;
	if (strcmp(key, "volumes") == 0)
		return quai_yaml_get(it, "target");
	if (strcmp(key, "secrets") == 0 || strcmp(key, "configs") == 0) {
		const struct quai_yaml_node *t = quai_yaml_get(it, "target");
		return t ? t : quai_yaml_get(it, "source");
	}
	return NULL;
}

static struct quai_yaml_node *merge_seq(struct compose_loader *l, const struct quai_yaml_node *base,
                                        const struct quai_yaml_node *over, const char *key)
{
	if (strcmp(key, "command") == 0 || strcmp(key, "entrypoint") == 0 || strcmp(key, "test") == 0)
		return cn_mut(over);
	bool by_key =
	    strcmp(key, "volumes") == 0 || strcmp(key, "secrets") == 0 || strcmp(key, "configs") == 0;
	struct quai_yaml_node *out = cn_seq(l, base);
	for (size_t i = 0; i < base->n; i++) {
		const struct quai_yaml_node *it = base->items[i];
		const struct quai_yaml_node *k = by_key ? entry_key(key, it) : NULL;
		bool replaced = false;
		for (size_t j = 0; k && j < over->n && !replaced; j++) {
			const struct quai_yaml_node *ok = entry_key(key, over->items[j]);
			replaced = ok && same_scalar(k, ok);
		}
		if (!replaced)
			cn_push(l, out, it);
	}
	for (size_t j = 0; j < over->n; j++) {
		bool dup = false;
		for (size_t i = 0; i < out->n && !dup; i++)
			dup = same_node(out->items[i], over->items[j]);
		if (!dup)
			cn_push(l, out, over->items[j]);
	}
	return out;
}

struct quai_yaml_node *compose_merge(struct compose_loader *l, const struct quai_yaml_node *base,
                                     const struct quai_yaml_node *over, const char *key)
{
	if (cn_tagged(over, "!override")) {
		struct quai_yaml_node *c = cn_copy(l, over);
		c->tag = NULL;
		return c;
	}
	if (!base || base->type != over->type || over->type == QUAI_YAML_SCALAR)
		return cn_mut(over);
	if (over->type == QUAI_YAML_SEQ)
		return merge_seq(l, base, over, key);
	struct quai_yaml_node *out = cn_copy(l, base);
	for (size_t i = 0; i < over->n; i++) {
		const struct quai_yaml_node *k = over->pairs[i].key, *v = over->pairs[i].value;
		if (k->type != QUAI_YAML_SCALAR)
			continue;
		if (cn_tagged(v, "!reset")) {
			cn_del(out, k->str);
			continue;
		}
		const struct quai_yaml_node *old = quai_yaml_get(out, k->str);
		cn_put_key(l, out, k, old ? compose_merge(l, old, v, k->str) : v);
	}
	return out;
}

void compose_merge_top(struct compose_loader *l, struct quai_yaml_node *model,
                       const struct quai_yaml_node *over)
{
	for (size_t i = 0; i < over->n; i++) {
		const struct quai_yaml_node *k = over->pairs[i].key, *v = over->pairs[i].value;
		if (k->type != QUAI_YAML_SCALAR)
			continue;
		if (cn_tagged(v, "!reset")) {
			cn_del(model, k->str);
			continue;
		}
		const struct quai_yaml_node *old = quai_yaml_get(model, k->str);
		cn_put_key(l, model, k, old ? compose_merge(l, old, v, k->str) : v);
	}
}
