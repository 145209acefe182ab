# lines: 3
FROM debian:12
RUN --mount=type=bind,from=untrusted.com/repo/image:tag,target=/foo foobar
RUN --mount=type=cache,target=/foo foobar
