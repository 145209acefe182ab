# lines: 3 4
FROM debian:12
CMD ["sleep", 10]
ENTRYPOINT ["a", null]
CMD ["not", "json"
