FROM node:20
RUN npm install --loglevel verbose sax@0.1.1 && npm install --progress=false && npm run --crazy install
