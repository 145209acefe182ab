# lines: 3
FROM fedora:39
RUN microdnf install -y python3-devel
