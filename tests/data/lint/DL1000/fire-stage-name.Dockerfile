# lines: 2
FROM golang:1.22 AS 2build
