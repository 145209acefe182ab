# lines: 3
FROM fedora:39
RUN dnf upgrade-minimal -y && dnf clean all
