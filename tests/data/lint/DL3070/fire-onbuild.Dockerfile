# lines: 3
FROM golang:1.22
ONBUILD RUN go build -o /app .
