FROM opensuse/leap:15.5
RUN zypper update -y
