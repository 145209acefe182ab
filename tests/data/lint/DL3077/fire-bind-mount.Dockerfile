# lines: 3
FROM ruby:3.3
RUN --mount=type=bind,target=/usr/local/bundle bundle install
