FROM gradle:8
RUN --mount=type=cache,target=/root/.gradle ./gradlew build
