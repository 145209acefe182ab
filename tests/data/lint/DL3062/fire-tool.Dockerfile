# lines: 3
FROM golang:1.22
RUN go get -tool foobar
