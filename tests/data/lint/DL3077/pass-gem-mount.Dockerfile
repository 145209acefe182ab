FROM ruby:3.3
RUN --mount=type=cache,target=/root/.gem gem install rails
