# lines: 3
FROM fedora:39
RUN dnf install -y mariadb-10.4
