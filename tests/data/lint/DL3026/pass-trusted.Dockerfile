FROM debian:12 AS base
FROM my-company.com:5000/app:1
FROM docker.io/library/debian:12
FROM registry.example.org/app:2
FROM base
FROM scratch
