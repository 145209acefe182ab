FROM golang:1.22
RUN go install example.com/pkg@v1.2.3
RUN go run example.com/pkg@v1.2.3 foobar
RUN go run example.com/pkg@v1.2.3 --foo bar
RUN go get -tool foobar@v1.2.3
