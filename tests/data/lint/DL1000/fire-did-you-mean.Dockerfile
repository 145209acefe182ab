# lines: 3 4 5
FROM debian:12
RUNN apt-get update
COPPY . /app
workdr /app
