# lines: 3
FROM composer:2
RUN --mount=type=bind,target=/root/.composer/cache composer install
