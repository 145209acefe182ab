# lines: 3
FROM fedora:39
RUN dnf install httpd-2.4.24 && dnf clean all
