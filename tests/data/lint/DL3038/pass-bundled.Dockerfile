FROM fedora:39
RUN dnf -qy install httpd-2.4.24
