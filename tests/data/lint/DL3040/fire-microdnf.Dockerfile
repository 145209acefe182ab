# lines: 3
FROM fedora:39
RUN microdnf install -y mariadb-10.4
