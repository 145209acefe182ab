FROM elixir:1.16
RUN --mount=type=cache,target=/root/.hex mix deps.get
