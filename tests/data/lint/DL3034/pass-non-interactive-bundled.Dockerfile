FROM opensuse/leap:15.5
RUN zypper -n in -qy httpd=2.4
RUN zypper install --no-confirm httpd=2.4
