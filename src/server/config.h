/* The server's configuration: one YAML file (`quai serve --config`),
 * validated with FILE:LINE:COL errors, secrets resolved at load time.
 *
 * A secret may be written as a literal string, `{file: PATH}` or
 * `{env: NAME}`. Its value is kept in the config and never appears in a
 * message: errors name the key, not the value. Everything in a
 * quai_server_config is owned by it (quai_server_config_free). */
#ifndef QUAI_SERVER_CONFIG_H
#define QUAI_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "forge/forge.h"

enum quai_pipeline_kind {
	QUAI_PIPELINE_MONOREPO = 1, /* `quai run` */
	QUAI_PIPELINE_FILE = 2,     /* `quai run --pipeline` (.gitlab-ci.yml) */
	QUAI_PIPELINE_BOTH = 3,
};

struct quai_schedule {
	char *cron;   /* "0 4 * * 1", validated */
	char *branch; /* the project's default branch when not given */
};

struct quai_project_config {
	char *name; /* [A-Za-z0-9._-]+, unique */
	char *url;  /* https://..., ssh://... or git@host:path, or a local path */
	char *default_branch;
	char *webhook_secret; /* secret, NULL when none: then only the API triggers */
	char *token;          /* secret: https token for fetching, or NULL */
	char *ssh_key;        /* path of a private key for ssh urls, or NULL */
	char *registry;
	char *registry_user;
	char *registry_password; /* secret */
	char **executors;        /* NULL-terminated */
	unsigned concurrency;    /* pipelines at once, default 1 */
	enum quai_pipeline_kind pipeline;
	unsigned poll_seconds;       /* 0: no polling */
	unsigned base_watch_seconds; /* 0: no base-image watch */
	struct quai_schedule *schedules;
	size_t nschedules;
	bool cancel_previous;     /* a newer push to a branch cancels its older pipeline */
	bool paused;              /* pipelines are queued but none starts (maintenance) */
	unsigned timeout_seconds; /* per job; default 3600 */
	/* The command run per pipeline, instead of quai's own (tests and
	 * special set-ups): argv with "{report}" replaced by the report path.
	 * NULL-terminated, or NULL for the default. */
	char **command;
	/* commit statuses */
	enum quai_forge_kind status_forge;
	char *status_api;     /* API base URL, e.g. https://api.github.com */
	char *status_repo;    /* owner/name (GitHub, Gitea) or project id / url-encoded path (GitLab) */
	char *status_token;   /* secret */
	char *notify_webhook; /* URL receiving JSON on failure and on recovery, or NULL */
	/* e-mail on failure and on recovery: url NULL when not configured */
	char *mail_url, *mail_from, *mail_user, *mail_password; /* password: secret */
	char **mail_to;                                         /* NULL-terminated */
	unsigned keep_pipelines; /* retention: pipelines kept per project, 0 = all */
};

struct quai_server_config {
	char *file;
	char *listen_host; /* "127.0.0.1" */
	unsigned listen_port;
	char *data_dir;           /* absolute */
	char *public_url;         /* base of links in commit statuses, or NULL */
	unsigned concurrency;     /* global, default 4 */
	unsigned max_connections; /* default 512 */
	size_t max_body;          /* webhook body cap, default 5 MiB */
	size_t log_max_bytes;     /* per job, default 16 MiB */
	bool recover_requeue;     /* pipelines interrupted by a crash: re-queue (default) or fail */
	bool gc_after_crash;      /* run `quai gc` when pipelines were interrupted */
	struct quai_project_config *projects;
	size_t nprojects;
};

/* Reads and validates path. On error returns -1 with "FILE:LINE:COL: ..."
 * (QUAI_EXIT_USAGE). */
int quai_server_config_load(struct quai_server_config **out, const char *path, struct quai_error **err);
/* As above from memory; file names the source in messages. */
int quai_server_config_parse(struct quai_server_config **out, const char *file, const char *data, size_t len,
                             struct quai_error **err);
void quai_server_config_free(struct quai_server_config *cfg);

const struct quai_project_config *quai_server_config_project(const struct quai_server_config *cfg,
                                                             const char *name);

/* Parses "60s", "5m", "1h", "2h30m", or a bare number of seconds. */
int quai_server_parse_duration(const char *s, unsigned *out);

/* The url with any user:password@ removed, for output; caller frees. */
char *quai_server_redact_url(const char *url);

#endif
