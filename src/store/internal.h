/* What the store's files share (not part of its interface). */
#ifndef QUAI_STORE_INTERNAL_H
#define QUAI_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* One caller of quai_store_enqueue waiting for its group commit. */
struct enqueue_req {
	const struct quai_store_trigger *t;
	int64_t id;
	bool duplicate, done;
	char *error; /* the failure's message, or NULL */
	struct enqueue_req *next;
};

struct quai_store {
	sqlite3 *db;
	pthread_mutex_t lock; /* the connection */
	int version;
	/* group commit: enqueues that arrive while one commits wait here and
	 * go into the next transaction together (one fsync for all) */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct enqueue_req *pending;
	struct enqueue_req **pending_tail;
	bool committing;
};

static inline void cleanup_sqlite_stmtp(sqlite3_stmt **st)
{
	sqlite3_finalize(*st);
}
#define cleanup_sqlite_stmt __attribute__((cleanup(cleanup_sqlite_stmtp)))

static inline void cleanup_unlockp(pthread_mutex_t **m)
{
	pthread_mutex_unlock(*m);
}
/* Holds the store's lock until the end of the enclosing scope. Declared
 * before any statement, so statements are finalized before unlocking. */
#define QUAI_STORE_LOCKED(s)                                                                                 \
	__attribute__((cleanup(cleanup_unlockp))) pthread_mutex_t *store_lock_ = &(s)->lock;                 \
	pthread_mutex_lock(store_lock_)

int64_t quai_store_now_ms(void);
int quai_store_fail(struct quai_store *s, struct quai_error **err, const char *what);
int quai_store_prepare(struct quai_store *s, sqlite3_stmt **st, const char *sql, struct quai_error **err);
void quai_store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* The column as a malloc'd string, or NULL. */
char *quai_store_col_text(sqlite3_stmt *st, int i);
int quai_store_step_done(struct quai_store *s, sqlite3_stmt *st, struct quai_error **err);

#endif
