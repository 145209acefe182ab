# lines: 2
FROM registry.example.com:5000/team/app
