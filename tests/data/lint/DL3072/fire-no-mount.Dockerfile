# lines: 3
FROM gradle:8
RUN ./gradlew build
