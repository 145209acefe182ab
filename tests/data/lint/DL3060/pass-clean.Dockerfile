FROM node:20
RUN yarn install bar && yarn cache clean
