# lines: 3 4 5
FROM debian:12
COPY --form=build /out /app
ADD --from=build /out /app
RUN --mnt=type=cache,target=/x true
