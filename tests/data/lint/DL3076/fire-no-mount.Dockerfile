# lines: 3
FROM elixir:1.16
RUN mix deps.get
