FROM rust:1
RUN --mount=type=cache,target=/root/.cargo/registry cargo build --release
