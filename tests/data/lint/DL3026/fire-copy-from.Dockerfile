# lines: 2 3
FROM untrusted.com/repo/image:tag AS a
COPY --from=untrusted.com/repo/image:tag /foo /bar
COPY --from=a /foo /bar
COPY --from=0 /foo /bar
COPY --from=trusted.example.org/x:1 /foo /bar
