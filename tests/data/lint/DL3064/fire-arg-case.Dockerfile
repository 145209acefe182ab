# lines: 2
ARG openai_api_key
FROM debian:bullseye
