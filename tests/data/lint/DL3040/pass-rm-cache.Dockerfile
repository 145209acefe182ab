FROM fedora:39
RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*
