# lines: 3
FROM rust:1
ONBUILD RUN cargo build --release
