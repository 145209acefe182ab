# lines: 2
FROM my-company.com:5001/app:1
