FROM opensuse/leap:15.5
RUN zypper install -y mariadb=10.4 "httpd>=2.4" "php<8" ./local.rpm
