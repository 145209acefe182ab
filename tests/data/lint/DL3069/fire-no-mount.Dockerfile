# lines: 3
FROM rust:1
RUN cargo build --release
