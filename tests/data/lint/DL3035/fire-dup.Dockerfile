# lines: 3
FROM opensuse/leap:15.5
RUN zypper refresh && zypper dup
