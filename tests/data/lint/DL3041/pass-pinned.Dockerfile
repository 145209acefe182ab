FROM fedora:39
RUN dnf install -y tomcat-9.0.1 mariadb-10.4.5-1.fc39 x-1.0.rpm && dnf clean all
