FROM debian:12 AS a
FROM debian:12 AS composer2
FROM debian:12 AS app
COPY --from=b /x /x
COPY --from=composer /usr/bin/composer /usr/bin/composer
COPY --from=ap /y /y
