# lines: 3
FROM gradle:8
RUN --mount=type=bind,target=/root/.gradle ./gradlew build
