FROM composer:2
RUN --mount=type=cache,target=/root/.composer/cache composer install
