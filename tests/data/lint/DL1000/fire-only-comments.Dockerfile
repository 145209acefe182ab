# lines: 1
# nothing else here
