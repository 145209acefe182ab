# lines: 3
FROM centos:7
RUN yum install -y python3-devel && yum clean all
