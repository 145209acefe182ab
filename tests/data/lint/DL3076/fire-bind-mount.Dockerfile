# lines: 3
FROM elixir:1.16
RUN --mount=type=bind,target=/root/.hex mix deps.get
