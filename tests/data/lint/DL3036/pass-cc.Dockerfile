FROM opensuse/leap:15.5
RUN zypper install -y mariadb=10.4 && zypper cc
