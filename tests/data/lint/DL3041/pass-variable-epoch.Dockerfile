FROM fedora:39
RUN dnf install -y "git-core-${GIT_VER}" tomcat-$VERSION gcc-c++-1.1.1 openssl-1:1.1.1k && dnf clean all
RUN notdnf install tomcat
