# lines: 3
FROM redis:7
EXPOSE 6379
HEALTHCHECK CMD nc -z localhost 6380 || exit 1
