# lines: 3
FROM centos:7
RUN yum install -y bash-5.1 && yum clean
