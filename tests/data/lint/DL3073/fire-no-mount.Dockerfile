# lines: 3
FROM composer:2
RUN composer install
