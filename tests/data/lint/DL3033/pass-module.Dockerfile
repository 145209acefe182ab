FROM centos:8
RUN yum module install -y nodejs:14 && yum clean all
