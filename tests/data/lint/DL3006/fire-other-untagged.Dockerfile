# lines: 4
FROM golang:1.21 AS build
RUN true
FROM node AS unit-test
RUN true
