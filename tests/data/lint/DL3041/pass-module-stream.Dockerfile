FROM fedora:39
RUN dnf module install -y nodejs:14 && dnf clean all
