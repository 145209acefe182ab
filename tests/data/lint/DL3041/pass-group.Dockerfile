FROM fedora:39
RUN dnf group install -y "Development Tools"
