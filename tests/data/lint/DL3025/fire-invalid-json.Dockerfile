# lines: 3
FROM debian:12
CMD ['/bin/app']
