FROM ruby:3.3
RUN --mount=type=cache,target=/usr/local/bundle bundle install
