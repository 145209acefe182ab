# lines: 3
FROM nginx:1.27
EXPOSE 8443
HEALTHCHECK CMD ["wget", "-q", "--spider", "http://127.0.0.1/"]
