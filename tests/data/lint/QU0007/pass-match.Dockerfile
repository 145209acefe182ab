FROM node:20 AS one
EXPOSE 3000 9229
HEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1
FROM nginx:1.27 AS two
EXPOSE 80/tcp 443
HEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1
FROM node:20 AS three
EXPOSE 8000-8010
HEALTHCHECK CMD curl -f http://localhost:8005/
FROM node:20 AS four
EXPOSE $PORT
HEALTHCHECK CMD curl -f http://localhost:3000/
FROM node:20 AS five
EXPOSE 8080
HEALTHCHECK CMD /usr/local/bin/healthcheck
FROM node:20 AS six
EXPOSE 8080
HEALTHCHECK CMD curl -f http://localhost:${PORT}/
FROM node:20 AS seven
EXPOSE 8080
HEALTHCHECK NONE
