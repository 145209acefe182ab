FROM fedora:39
RUN dnf install -y httpd-2.4.24 && dnf clean all
