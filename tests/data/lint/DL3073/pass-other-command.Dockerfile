FROM composer:2
RUN composer --version
