FROM python:3.12
ENV TOKENIZERS_PARALLELISM=false
ARG PASSWORD_FILE=/run/secrets/db_password
ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305
ENV SECRET_NAME=db-password
ENV PASSENGER_VERSION=6 KEYRING=/usr/share/keyrings/x.gpg
ARG TOKEN_URL=https://auth.example.com/token
RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
