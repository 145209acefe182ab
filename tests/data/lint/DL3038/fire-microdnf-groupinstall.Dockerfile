# lines: 3 4
FROM fedora:39
RUN microdnf install httpd-2.4.24
RUN dnf groupinstall "Development Tools"
