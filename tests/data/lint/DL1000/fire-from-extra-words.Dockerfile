# lines: 2 3
FROM golang:1.22 builder
FROM golang:1.22 AS build extra
