# lines: 3
FROM gradle:8
ONBUILD RUN ./gradlew build
