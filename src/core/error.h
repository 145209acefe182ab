/* Errors carried up with context, printed once at the top.
 *
 * A fallible function returns 0 on success or a negative value on failure and,
 * on failure, fills `*err` (when err is not NULL) with a message saying what
 * failed first, lowercase, the subject quoted. Callers add context with
 * quai_error_wrap(); the CLI prints the result once. */
#ifndef QUAI_CORE_ERROR_H
#define QUAI_CORE_ERROR_H

enum quai_exit {
	QUAI_EXIT_OK = 0,
	QUAI_EXIT_FINDINGS = 1, /* findings or failures */
	QUAI_EXIT_USAGE = 2,    /* usage or environment error */
};

struct quai_error {
	char *msg;
	int status; /* exit status the CLI should use, QUAI_EXIT_* */
};

/* Sets *err to a new error (if err is not NULL) and returns -1. */
int quai_error_set(struct quai_error **err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* As quai_error_set, appending ": strerror(errnum)". */
int quai_error_errno(struct quai_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes the message of *err with "context: " and returns -1. */
int quai_error_wrap(struct quai_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void quai_error_free(struct quai_error *err);

static inline void cleanup_errorp(struct quai_error **e)
{
	quai_error_free(*e);
}
#define cleanup_error __attribute__((cleanup(cleanup_errorp)))

#endif
