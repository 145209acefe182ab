FROM debian:12
FROM registry.example.com:5000/team/app:1.0
