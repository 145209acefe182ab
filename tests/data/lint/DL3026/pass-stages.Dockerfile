FROM my-company.com:5000/app:1 AS build
RUN --mount=type=bind,from=build,target=/src make
RUN --mount=type=bind,from=my-company.com:5000/tools:2,target=/t make
FROM debian:12
COPY --from=build /out /out
