FROM fedora:39
RUN dnf install -y mariadb-10.4 && dnf clean all
RUN microdnf install -y mariadb-10.4 && microdnf clean all
