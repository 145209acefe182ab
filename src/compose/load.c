/* Loading a compose project: the files found or given, the variables, each
 * file interpolated and normalised, extends and include resolved, the files
 * merged in order, then checked (see compose.h). */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/internal.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_NESTING 16
#define MAX_FILE    (16u << 20)

extern char **environ;

static const char *const default_names[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                            "docker-compose.yaml", NULL};
static const char *const override_names[] = {"compose.override.yaml", "compose.override.yml",
                                             "docker-compose.override.yml", "docker-compose.override.yaml",
                                             NULL};

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static char *absolute(const char *p)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	return compose_path_join(cwd, p);
}

static const char *intern(struct compose_loader *l, const char *s)
{
	size_t n = strlen(s);
	char *c = quai_yaml_alloc(l->doc, n + 1);
	memcpy(c, s, n + 1);
	return c;
}

/* Loads, interpolates and normalises one file (cached by path). */
static struct compose_file *load_file(struct compose_loader *l, const char *path, const char *base_dir,
                                      const struct quai_yaml_node *from)
{
	/* "-": standard input, read once */
	cleanup_free char *abs = strcmp(path, "-") == 0 ? xstrdup("-") : absolute(path);
	for (size_t i = 0; i < l->nfiles; i++)
		if (strcmp(l->files[i].path, abs) == 0)
			return &l->files[i];
	l->files = xgrow(l->files, &l->capfiles, l->nfiles + 1, sizeof(*l->files));
	struct compose_file *f = &l->files[l->nfiles++];
	*f = (struct compose_file){.path = xstrdup(abs),
	                           .base_dir = base_dir ? xstrdup(base_dir) : compose_dirname(abs)};
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct quai_error *yerr = NULL;
	cleanup_yaml_doc struct quai_yaml_doc *src = NULL;
	if (quai_file_read(&data, &len, abs, MAX_FILE, &yerr) < 0 ||
	    quai_yaml_load(&src, abs, data, len, &yerr) < 0) {
		bool syntax = data != NULL;
		if (from || (syntax && l->user_diags)) {
			/* "FILE:LINE:COL: message": the finding at that place */
			unsigned line = from ? from->line : 0, col = from ? from->col : 0;
			const char *msg = yerr->msg;
			size_t alen = strlen(abs);
			int off = 0;
			if (syntax && strncmp(msg, abs, alen) == 0 &&
			    sscanf(msg + alen, ":%u:%u: %n", &line, &col, &off) == 2 && off > 0)
				msg += alen + (size_t)off;
			quai_findings_add(l->diags, syntax ? abs : from->file, line, col, QUAI_LEVEL_ERROR,
			                  "QC1000", msg);
			quai_error_free(yerr);
			l->syntax_error = true;
		} else if (l->err) {
			*l->err = yerr;
			l->fatal = true;
		} else {
			quai_error_free(yerr);
			l->fatal = true;
		}
		return f;
	}
	const char *file = intern(l, abs);
	struct quai_yaml_node *root;
	if (!src->root) {
		root = cn_map(l, NULL);
		root->file = file;
		compose_diag(l, root, NULL, "empty compose file: it needs at least a services section");
	} else if (src->root->type != QUAI_YAML_MAP) {
		root = compose_interp_tree(l, src->root, file);
		compose_diag(l, root, NULL, "the top level must be a mapping, found %s",
		             quai_yaml_kind_name(src->root));
		root = cn_map(l, root);
	} else {
		root = compose_interp_tree(l, src->root, file);
	}
	compose_normalize(l, root, f->base_dir);
	f->model = root;
	return f;
}

struct ext_frame {
	const struct compose_file *file;
	const char *service;
};

static struct quai_yaml_node *resolve_service(struct compose_loader *l, struct compose_file *f,
                                              const char *name, const struct quai_yaml_node *from,
                                              struct ext_frame *stack, unsigned depth);

/* The service name of f with its extends resolved, or NULL. */
static struct quai_yaml_node *resolve_extends(struct compose_loader *l, struct compose_file *f,
                                              const char *name, struct quai_yaml_node *svc,
                                              struct ext_frame *stack, unsigned depth)
{
	const struct quai_yaml_node *ext = quai_yaml_get(svc, "extends");
	if (!ext || ext->type != QUAI_YAML_MAP)
		return svc;
	const struct quai_yaml_node *target = quai_yaml_get(ext, "service");
	const struct quai_yaml_node *file = quai_yaml_get(ext, "file");
	if (!cn_is_string(target))
		return svc;
	cleanup_free char *path = xasprintf("services.%s.extends", name);
	struct compose_file *tf = f;
	if (cn_is_string(file)) {
		if (!exists(file->str)) {
			compose_diag(l, file, path, "file \"%s\" not found", file->str);
			return svc;
		}
		tf = load_file(l, file->str, NULL, file);
		if (!tf->model)
			return svc;
	}
	for (unsigned i = 0; i < depth; i++)
		if (stack[i].file == tf && strcmp(stack[i].service, target->str) == 0) {
			compose_diag(l, ext, path, "extends forms a cycle through service '%s'", target->str);
			return svc;
		}
	if (depth >= MAX_NESTING) {
		compose_diag(l, ext, path, "extends nested more than %d deep", MAX_NESTING);
		return svc;
	}
	stack[depth] = (struct ext_frame){f, name};
	struct quai_yaml_node *base = resolve_service(l, tf, target->str, target, stack, depth + 1);
	if (!base)
		return svc;
	struct quai_yaml_node *own = cn_copy(l, svc);
	cn_del(own, "extends");
	struct quai_yaml_node *merged = compose_merge(l, base, own, name);
	return merged;
}

static struct quai_yaml_node *resolve_service(struct compose_loader *l, struct compose_file *f,
                                              const char *name, const struct quai_yaml_node *from,
                                              struct ext_frame *stack, unsigned depth)
{
	struct quai_yaml_node *services = cn_mut(quai_yaml_get(f->model, "services"));
	struct quai_yaml_node *svc = cn_mut(quai_yaml_get(services, name));
	if (!svc || svc->type != QUAI_YAML_MAP) {
		if (from)
			compose_diag(l, from, NULL, "extends: service '%s' is not defined in %s", name,
			             f->path);
		return NULL;
	}
	struct quai_yaml_node *r = resolve_extends(l, f, name, svc, stack, depth);
	if (r != svc)
		cn_put(l, services, name, r);
	return r;
}

/* Resolves the extends of every service of f (once). */
static void resolve_file(struct compose_loader *l, struct compose_file *f)
{
	if (f->resolved || !f->model)
		return;
	f->resolved = true;
	const struct quai_yaml_node *services = quai_yaml_get(f->model, "services");
	if (!services || services->type != QUAI_YAML_MAP)
		return;
	struct ext_frame stack[MAX_NESTING + 1];
	for (size_t i = 0; i < services->n; i++)
		if (services->pairs[i].key->type == QUAI_YAML_SCALAR)
			resolve_service(l, f, services->pairs[i].key->str, NULL, stack, 0);
}

static void merge_include(struct compose_loader *l, struct quai_yaml_node *model,
                          const struct quai_yaml_node *sub, const struct quai_yaml_node *at)
{
	static const char *const sections[] = {"services", "networks", "volumes", "secrets", "configs", NULL};
	for (const char *const *s = sections; *s; s++) {
		const struct quai_yaml_node *src = quai_yaml_get(sub, *s);
		if (!src || src->type != QUAI_YAML_MAP)
			continue;
		struct quai_yaml_node *dst = cn_mut(quai_yaml_get(model, *s));
		if (!dst || dst->type != QUAI_YAML_MAP) {
			dst = cn_map(l, src);
			cn_put(l, model, *s, dst);
		}
		for (size_t i = 0; i < src->n; i++) {
			const struct quai_yaml_node *k = src->pairs[i].key;
			const struct quai_yaml_node *old = quai_yaml_get(dst, k->str);
			if (old && strcmp(*s, "services") == 0)
				compose_diag(l, at, "include",
				             "services.%s is defined both here and in an included file",
				             k->str);
			if (!old)
				cn_put_key(l, dst, k, src->pairs[i].value);
		}
	}
}

static struct quai_yaml_node *load_project(struct compose_loader *l, const char *const *files, size_t nfiles,
                                           const char *base_dir);

static void include_env(struct compose_loader *l, const struct quai_yaml_node *it, const char *dir,
                        const char *sub_dir)
{
	const struct quai_yaml_node *files = quai_yaml_get(it, "env_file");
	struct quai_error *err = NULL;
	if (!files || files->type != QUAI_YAML_SEQ) {
		cleanup_free char *dotenv = compose_path_join(sub_dir, ".env");
		struct stat st;
		if (stat(dotenv, &st) == 0 && S_ISREG(st.st_mode) &&
		    compose_env_load_file(&l->env, dotenv, false, &err) < 0) {
			compose_diag(l, it, "include", "%s", err->msg);
			quai_error_free(err);
		}
		return;
	}
	for (size_t i = 0; i < files->n; i++) {
		const char *f = quai_yaml_str(files->items[i]);
		cleanup_free char *path = compose_path_join(dir, f ? f : "");
		if (!exists(path)) {
			compose_diag(l, files->items[i], "include.env_file", "file \"%s\" not found", path);
			continue;
		}
		if (compose_env_load_file(&l->env, path, false, &err) < 0) {
			compose_diag(l, files->items[i], "include.env_file", "%s", err->msg);
			quai_error_free(err);
			err = NULL;
		}
	}
}

/* The include entries of model, each loaded as a project of its own. */
static void load_includes(struct compose_loader *l, struct quai_yaml_node *model, const char *dir)
{
	const struct quai_yaml_node *inc = quai_yaml_get(model, "include");
	if (!inc || inc->type != QUAI_YAML_SEQ)
		return;
	cn_del(model, "include");
	if (l->depth >= MAX_NESTING) {
		compose_diag(l, inc, "include", "include nested more than %d deep", MAX_NESTING);
		return;
	}
	for (size_t i = 0; i < inc->n; i++) {
		const struct quai_yaml_node *it = inc->items[i];
		const struct quai_yaml_node *paths = quai_yaml_get(it, "path");
		if (!paths || paths->type != QUAI_YAML_SEQ || !paths->n)
			continue;
		const char **list = xcalloc(paths->n, sizeof(char *));
		char **owned = xcalloc(paths->n, sizeof(char *));
		bool ok = true;
		for (size_t j = 0; j < paths->n; j++) {
			const char *p = quai_yaml_str(paths->items[j]);
			owned[j] = compose_path_join(dir, p ? p : "");
			list[j] = owned[j];
			if (!exists(owned[j])) {
				compose_diag(l, paths->items[j], "include", "file \"%s\" not found",
				             owned[j]);
				ok = false;
			}
		}
		for (size_t j = 0; ok && j < paths->n; j++)
			for (unsigned d = 0; d < l->depth; d++)
				if (strcmp(l->including[d], owned[j]) == 0) {
					compose_diag(l, paths->items[j], "include", "\"%s\" includes itself",
					             owned[j]);
					ok = false;
					break;
				}
		const char *pd = quai_yaml_str(quai_yaml_get(it, "project_directory"));
		cleanup_free char *sub_dir = pd ? compose_path_join(dir, pd) : compose_dirname(owned[0]);
		if (ok) {
			/* the included files read their own env_file (or the .env of their
			 * directory) under the variables already known */
			struct compose_env saved = l->env;
			l->env = (struct compose_env){0};
			for (size_t k = 0; k < saved.n; k++)
				compose_env_set(&l->env, saved.keys[k], saved.vals[k], true);
			include_env(l, it, dir, sub_dir);
			l->including[l->depth] = owned[0];
			l->depth++;
			struct quai_yaml_node *sub = load_project(l, list, paths->n, sub_dir);
			l->depth--;
			compose_env_release(&l->env);
			l->env = saved;
			if (sub)
				merge_include(l, model, sub, it);
		}
		for (size_t j = 0; j < paths->n; j++)
			free(owned[j]);
		free(owned);
		free(list);
	}
}

/* The files merged in order, each with extends and include resolved. */
static struct quai_yaml_node *load_project(struct compose_loader *l, const char *const *files, size_t nfiles,
                                           const char *base_dir)
{
	struct quai_yaml_node *model = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		struct compose_file *f = load_file(l, files[i], base_dir, NULL);
		if (l->fatal)
			return NULL;
		if (!f->model)
			continue;
		resolve_file(l, f);
		struct quai_yaml_node *m = cn_copy(l, f->model);
		cleanup_free char *dir = compose_dirname(f->path);
		load_includes(l, m, dir);
		if (!model)
			model = m;
		else
			compose_merge_top(l, model, m);
	}
	return model;
}

/* Finds compose.yaml (and its override) in dir. */
static int default_files(char ***out, size_t *n, const char *dir, struct quai_error **err)
{
	*out = xcalloc(3, sizeof(char *));
	*n = 0;
	for (const char *const *d = default_names; *d; d++) {
		char *p = compose_path_join(dir, *d);
		if (exists(p)) {
			(*out)[(*n)++] = p;
			break;
		}
		free(p);
	}
	if (!*n)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "no compose file in '%s': looked for compose.yaml, compose.yml, "
		                      "docker-compose.yml, docker-compose.yaml; give one with -f",
		                      dir);
	for (const char *const *d = override_names; *d; d++) {
		char *p = compose_path_join(dir, *d);
		if (exists(p)) {
			(*out)[(*n)++] = p;
			break;
		}
		free(p);
	}
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The project name as compose normalises it: lowercase, [a-z0-9_-]. */
static char *project_name(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t w = 0;
	for (; *s; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || ((c == '_' || c == '-') && w))
			out[w++] = c;
	}
	out[w] = '\0';
	return out;
}

/* A variable of the environment the options give (or the process's). */
static const char *option_env(const struct quai_compose_options *o, const char *key)
{
	char *const *envp = o->environ ? (char *const *)o->environ : environ;
	size_t n = strlen(key);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static bool profile_active(const struct quai_compose_options *o, const char *env_profiles, const char *p)
{
	const char *const *list = o->profiles;
	size_t n = o->nprofiles;
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], "*") == 0 || strcmp(list[i], p) == 0)
			return true;
	if (n || !env_profiles)
		return false;
	size_t plen = strlen(p);
	for (const char *s = env_profiles; *s;) {
		size_t len = strcspn(s, ",");
		if ((len == 1 && *s == '*') || (len == plen && strncmp(s, p, len) == 0))
			return true;
		s += len + (s[len] ? 1 : 0);
	}
	return false;
}

/* Leaves out the services of inactive profiles. */
static void apply_profiles(struct compose_loader *l, struct quai_yaml_node *model,
                           const struct quai_compose_options *o)
{
	struct quai_yaml_node *services = cn_mut(quai_yaml_get(model, "services"));
	if (!services || services->type != QUAI_YAML_MAP)
		return;
	const char *env_profiles = compose_env_get(&l->env, "COMPOSE_PROFILES");
	struct quai_yaml_pair *pairs = (struct quai_yaml_pair *)services->pairs;
	size_t w = 0;
	for (size_t i = 0; i < services->n; i++) {
		const struct quai_yaml_node *profiles = quai_yaml_get(pairs[i].value, "profiles");
		bool keep = !profiles || profiles->type != QUAI_YAML_SEQ || !profiles->n;
		for (size_t k = 0; !keep && k < profiles->n; k++) {
			const char *p = quai_yaml_str(profiles->items[k]);
			keep = p && profile_active(o, env_profiles, p);
		}
		if (keep)
			pairs[w++] = pairs[i];
	}
	services->n = w;
}

static int load_env(struct compose_loader *l, const struct quai_compose_options *o, const char *project_dir,
                    struct quai_error **err)
{
	char *const *envp = o->environ ? (char *const *)o->environ : environ;
	for (; envp && *envp; envp++) {
		const char *eq = strchr(*envp, '=');
		if (!eq)
			continue;
		cleanup_free char *k = xstrndup(*envp, (size_t)(eq - *envp));
		compose_env_set(&l->env, k, eq + 1, true);
	}
	if (o->nenv_files) {
		for (size_t i = 0; i < o->nenv_files; i++)
			if (compose_env_load_file(&l->env, o->env_files[i], false, err) < 0)
				return -1;
		return 0;
	}
	cleanup_free char *dotenv = compose_path_join(project_dir, ".env");
	struct stat st;
	if (stat(dotenv, &st) == 0 && S_ISREG(st.st_mode))
		return compose_env_load_file(&l->env, dotenv, false, err);
	return 0;
}

/* The files of COMPOSE_FILE (a.yml:b.yml, COMPOSE_PATH_SEPARATOR), relative
 * to the project directory. */
static int compose_file_env(char ***out, size_t *n, const char *compose_file,
                            const struct quai_compose_options *o, struct quai_error **err)
{
	const char *sep = option_env(o, "COMPOSE_PATH_SEPARATOR");
	char sc = sep && *sep ? sep[0] : ':';
	cleanup_free char *dir = absolute(o->project_dir ? o->project_dir : ".");
	size_t cap = 0;
	for (const char *p = compose_file; *p;) {
		const char *e = strchr(p, sc);
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len) {
			cleanup_free char *one = xstrndup(p, len);
			*out = xgrow(*out, &cap, *n + 1, sizeof(char *));
			(*out)[(*n)++] = compose_path_join(dir, one);
			if (!exists((*out)[*n - 1])) {
				quai_error_set(err, QUAI_EXIT_USAGE,
				               "compose file '%s' (from COMPOSE_FILE) not found", one);
				return -1;
			}
		}
		p += len + (e ? 1 : 0);
	}
	if (!*n)
		return quai_error_set(err, QUAI_EXIT_USAGE, "COMPOSE_FILE names no file");
	return 0;
}

/* The files to read: -f, else COMPOSE_FILE, else compose.yaml and its
 * override in the project directory; absolute. On failure *out may hold
 * files the caller frees. */
static int find_files(char ***out, size_t *n, const struct quai_compose_options *o, struct quai_error **err)
{
	const char *compose_file = option_env(o, "COMPOSE_FILE");
	if (o->nfiles) {
		*out = xcalloc(o->nfiles, sizeof(char *));
		for (size_t i = 0; i < o->nfiles; i++) {
			bool in = strcmp(o->files[i], "-") == 0;
			(*out)[(*n)++] = in ? xstrdup("-") : absolute(o->files[i]);
			if (!in && !exists((*out)[i]))
				return quai_error_set(err, QUAI_EXIT_USAGE, "compose file '%s' not found",
				                      o->files[i]);
		}
		return 0;
	}
	if (compose_file && *compose_file)
		return compose_file_env(out, n, compose_file, o, err);
	cleanup_free char *dir = absolute(o->project_dir ? o->project_dir : ".");
	return default_files(out, n, dir, err);
}

int quai_compose_load(struct quai_compose **out, struct quai_findings *diags,
                      const struct quai_compose_options *o, struct quai_error **err)
{
	*out = NULL;
	struct quai_findings own = {0};
	char **files = NULL;
	size_t nfiles = 0;
	int rc = -1;
	if (find_files(&files, &nfiles, o, err) < 0 || !files || !nfiles) {
		if (!nfiles && !(err && *err))
			quai_error_set(err, QUAI_EXIT_USAGE, "no compose file");
		free_strv(files, nfiles);
		return -1;
	}
	char *pdir = o->project_dir               ? absolute(o->project_dir)
	             : strcmp(files[0], "-") == 0 ? absolute(".")
	                                          : compose_dirname(files[0]);
	struct compose_loader l = {
	    .doc = quai_yaml_doc_new(files[0]),
	    .diags = diags ? diags : &own,
	    .project_dir = pdir,
	    .user_diags = diags != NULL,
	    .err = err,
	};
	size_t first = l.diags->len;
	if (load_env(&l, o, pdir, err) < 0)
		goto out;
	struct quai_yaml_node *model = load_project(&l, (const char *const *)files, nfiles, pdir);
	if (l.fatal)
		goto out;
	if (!model || l.syntax_error) {
		if (!diags && own.len)
			quai_error_set(err, QUAI_EXIT_USAGE, "%s", own.items[0].message);
		rc = diags ? 0 : -1;
		goto out;
	}
	struct quai_compose *c = xcalloc(1, sizeof(*c));
	const char *top_name = quai_yaml_str(quai_yaml_get(model, "name"));
	const char *env_name = compose_env_get(&l.env, "COMPOSE_PROJECT_NAME");
	const char *base = strrchr(pdir, '/') ? strrchr(pdir, '/') + 1 : pdir;
	c->name = project_name(o->project_name ? o->project_name
	                       : top_name      ? top_name
	                       : env_name      ? env_name
	                                       : base);
	l.project_name = c->name;
	compose_check(&l, model);
	if (o->apply_profiles)
		apply_profiles(&l, model, o);
	c->doc = l.doc;
	l.doc = NULL;
	c->model = model;
	c->project_dir = pdir;
	pdir = NULL;
	c->warnings = l.warnings;
	l.warnings = (struct quai_findings){0};
	c->files = xcalloc(l.nfiles + 1, sizeof(char *));
	for (size_t i = 0; i < l.nfiles; i++)
		c->files[i] = xstrdup(l.files[i].path);
	if (!diags && own.len > first) {
		quai_findings_sort(&own);
		quai_error_set(err, QUAI_EXIT_FINDINGS, "%s:%u:%u: %s", own.items[0].file, own.items[0].line,
		               own.items[0].col, own.items[0].message);
		quai_compose_free(c);
		goto out;
	}
	*out = c;
	rc = 0;
out:
	for (size_t i = 0; i < l.nfiles; i++) {
		free(l.files[i].path);
		free(l.files[i].base_dir);
	}
	free(l.files);
	compose_env_release(&l.env);
	compose_env_release(&l.warned);
	quai_findings_release(&l.warnings);
	quai_yaml_free(l.doc);
	quai_findings_release(&own);
	free_strv(files, nfiles);
	free(pdir);
	return rc;
}

void quai_compose_free(struct quai_compose *c)
{
	if (!c)
		return;
	quai_yaml_free(c->doc);
	free(c->name);
	free(c->project_dir);
	for (char **f = c->files; f && *f; f++)
		free(*f);
	free(c->files);
	quai_findings_release(&c->warnings);
	free(c);
}

bool quai_compose_is_compose_name(const char *b)
{
	size_t n = strlen(b);
	bool yaml = (n > 4 && strcmp(b + n - 4, ".yml") == 0) || (n > 5 && strcmp(b + n - 5, ".yaml") == 0);
	if (!yaml)
		return false;
	return strncmp(b, "docker-compose", 14) == 0 || strcmp(b, "compose.yaml") == 0 ||
	       strcmp(b, "compose.yml") == 0 || strncmp(b, "compose.", 8) == 0;
}
