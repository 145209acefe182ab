FROM centos:7
RUN yum install -y httpd-2.4.6 python3-devel-3.6.8-18.el7 tool-latest.rpm && yum clean all
