# lines: 2
FROM debian AS builder
