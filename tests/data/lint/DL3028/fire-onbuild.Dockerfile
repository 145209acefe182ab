# lines: 3
FROM ruby:3.3
ONBUILD RUN gem install bundler
