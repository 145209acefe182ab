FROM golang:1.22
RUN go install .
RUN go install ./app/foobar
RUN go run /go/app/foobar
RUN go build ./...
