FROM ruby:3.3
RUN gem install bundler:2.5.4 && gem install rake -v 13.1.0 && gem install rails --version=7.1
