/* Loading libarchive on first use; see libarchive.h. */
#include "context/libarchive.h"

#include <dlfcn.h>
#include <stdbool.h>

#include "core/banned.h"

/* libarchive 3's soname, then the development link */
static const char *const sonames[] = {"libarchive.so.13", "libarchive.so"};

/* Stores the address of name in *slot (a member of the table). */
static bool load(void **slot, void *lib, const char *name, struct quai_error **err)
{
	*slot = dlsym(lib, name);
	if (!*slot)
		quai_error_set(err, QUAI_EXIT_USAGE, "libarchive has no '%s': install libarchive13 (3.x)",
		               name);
	return *slot != NULL;
}

const struct quai_libarchive *quai_libarchive(struct quai_error **err)
{
	static struct quai_libarchive la;
	static bool loaded;
	if (loaded)
		return &la;
	void *lib = NULL;
	for (size_t i = 0; !lib && i < sizeof(sonames) / sizeof(sonames[0]); i++)
		lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		quai_error_set(err, QUAI_EXIT_USAGE, "cannot load libarchive (%s): install libarchive13",
		               dlerror());
		return NULL;
	}
	bool ok = true;
#define QUAI_LIBARCHIVE_LOAD(name) ok = ok && load((void **)&la.name, lib, #name, err);
	QUAI_LIBARCHIVE_FUNCTIONS(QUAI_LIBARCHIVE_LOAD)
#undef QUAI_LIBARCHIVE_LOAD
	if (!ok) {
		dlclose(lib);
		return NULL;
	}
	loaded = true;
	return &la;
}
