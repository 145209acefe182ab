# lines: 3 4 5
FROM golang:1.22
RUN go install example.com/pkg
RUN go get example.com/pkg
RUN go run example.com/pkg
