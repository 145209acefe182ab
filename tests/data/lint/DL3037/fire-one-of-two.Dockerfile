# lines: 3
FROM opensuse/leap:15.5
RUN zypper in -y mariadb=10.4 httpd
