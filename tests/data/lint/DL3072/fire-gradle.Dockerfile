# lines: 3
FROM gradle:8
RUN gradle build --no-daemon
