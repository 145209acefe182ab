# lines: 3
FROM fedora:39
RUN dnf install -y tomcat && dnf clean all
