FROM centos:7
RUN yum install -y httpd-2.4.6 && yum install --assumeyes php-5.4 && yum clean all
