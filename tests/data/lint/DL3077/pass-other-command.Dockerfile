FROM ruby:3.3
RUN ruby -v
