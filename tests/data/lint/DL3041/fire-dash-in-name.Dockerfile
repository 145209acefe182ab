# lines: 3
FROM fedora:39
RUN dnf install -y rpm-sign && dnf clean all
