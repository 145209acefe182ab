# lines: 3
FROM centos:7
ONBUILD RUN yum install httpd-2.4.6
