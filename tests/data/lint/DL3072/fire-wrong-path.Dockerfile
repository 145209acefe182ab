# lines: 3
FROM gradle:8
RUN --mount=type=cache,target=/wrong/path gradle build
