FROM elixir:1.16
RUN mix --version
