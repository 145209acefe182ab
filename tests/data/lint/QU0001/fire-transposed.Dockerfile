# lines: 5 6
FROM node:20 AS assets
RUN npm run build
FROM nginx:1.27
COPY --from=asests /dist /usr/share/nginx/html
RUN --mount=type=bind,from=asset,source=/dist,target=/d cp -r /d /srv
