# lines: 3
FROM centos:7
RUN yum groupinstall "Development Tools"
