FROM ruby:3.3
RUN gem install bundler:2.0.1 -- --use-system-libraries true
RUN gem install bundler:2.0.1 --use-system-libraries true
RUN gem install bundler --version "2.0.1"
