# lines: 3 5 7 8
FROM alpine:3.20
RUN apk update && apk upgrade --no-cache
FROM fedora:40
RUN dnf -y update && dnf clean all
FROM centos:7
RUN yum update -y
RUN microdnf upgrade
