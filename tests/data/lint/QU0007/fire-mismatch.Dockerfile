# lines: 3
FROM node:20
EXPOSE 8080
HEALTHCHECK --interval=30s CMD curl -f http://localhost:3000/health || exit 1
CMD ["node", "server.js"]
