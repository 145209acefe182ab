# lines: 2 3 4
FROM ${BASE
WORKDIR ${}
USER ${UID:0:4}
