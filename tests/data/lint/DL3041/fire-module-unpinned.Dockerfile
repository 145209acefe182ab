# lines: 3
FROM fedora:39
RUN dnf module install -y nodejs
