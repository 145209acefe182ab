FROM node:20
RUN npm install express@4.18.2 @angular/cli@17.0.0 git+https://github.com/npm/cli.git#v1.0.0 ./local ../pkg.tgz
