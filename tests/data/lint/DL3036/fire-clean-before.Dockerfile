# lines: 3
FROM opensuse/leap:15.5
RUN zypper clean && zypper install -y mariadb=10.4
