# lines: 2
FROM randomguy.io/python:3.6
