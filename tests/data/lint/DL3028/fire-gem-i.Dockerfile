# lines: 3
FROM ruby:3.3
RUN gem i rake:13.0 bundler
