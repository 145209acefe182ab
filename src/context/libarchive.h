/* libarchive, opened on first use rather than linked: loading it (with
 * libxml2, ICU and libstdc++, which it pulls in) costs quai-engine about
 * 2.5 MB of RSS, and only `quai build` (the context tar) and the file tests
 * of `quai test` (reading /archive answers) need it. The functions keep
 * libarchive's own names and types (from <archive.h>):
 *
 *	const struct quai_libarchive *la = quai_libarchive(err);
 *	struct archive *a = la->archive_write_new();
 */
#ifndef QUAI_CONTEXT_LIBARCHIVE_H
#define QUAI_CONTEXT_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "core/error.h"

#define QUAI_LIBARCHIVE_FUNCTIONS(X)                                                                         \
	X(archive_error_string)                                                                              \
	X(archive_entry_free)                                                                                \
	X(archive_entry_gid)                                                                                 \
	X(archive_entry_new)                                                                                 \
	X(archive_entry_set_filetype)                                                                        \
	X(archive_entry_set_gid)                                                                             \
	X(archive_entry_set_mtime)                                                                           \
	X(archive_entry_set_pathname)                                                                        \
	X(archive_entry_set_perm)                                                                            \
	X(archive_entry_set_size)                                                                            \
	X(archive_entry_set_symlink)                                                                         \
	X(archive_entry_set_uid)                                                                             \
	X(archive_entry_uid)                                                                                 \
	X(archive_read_data)                                                                                 \
	X(archive_read_free)                                                                                 \
	X(archive_read_new)                                                                                  \
	X(archive_read_next_header)                                                                          \
	X(archive_read_open_memory)                                                                          \
	X(archive_read_support_format_tar)                                                                   \
	X(archive_write_add_filter_none)                                                                     \
	X(archive_write_close)                                                                               \
	X(archive_write_data)                                                                                \
	X(archive_write_free)                                                                                \
	X(archive_write_header)                                                                              \
	X(archive_write_new)                                                                                 \
	X(archive_write_open2)                                                                               \
	X(archive_write_set_bytes_per_block)                                                                 \
	X(archive_write_set_format_pax_restricted)

struct quai_libarchive {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): name is a declarator */
#define QUAI_LIBARCHIVE_MEMBER(name) __typeof__(&name) name;
	QUAI_LIBARCHIVE_FUNCTIONS(QUAI_LIBARCHIVE_MEMBER)
#undef QUAI_LIBARCHIVE_MEMBER
};

/* libarchive's functions, loaded at the first call (the table is static and
 * lives until the process ends). NULL with *err filled when libarchive
 * cannot be loaded. */
const struct quai_libarchive *quai_libarchive(struct quai_error **err);

#endif
