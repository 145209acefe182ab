# lines: 3 4
FROM golang:1.22
RUN go install example.com/pkg@latest
RUN go get -tool foobar@latest
