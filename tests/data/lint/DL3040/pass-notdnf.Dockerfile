FROM fedora:39
RUN notdnf install mariadb
