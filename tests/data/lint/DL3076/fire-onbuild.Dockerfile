# lines: 3
FROM elixir:1.16
ONBUILD RUN mix deps.get
