# lines: 3
FROM composer:2
ONBUILD RUN composer install
