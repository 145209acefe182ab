FROM fedora:40
ARG version=2.51.0-2.fc42
RUN yum -y install git-core-${version} rpm-sign-4.16.1.3 gcc-c++-1.1.1 openssl-1:1.1.1k && yum clean all
