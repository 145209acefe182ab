# lines: 3
FROM rust:1
RUN --mount=type=bind,target=/root/.cargo/registry cargo build --release
