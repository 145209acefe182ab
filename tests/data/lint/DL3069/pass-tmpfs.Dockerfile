FROM rust:1
RUN --mount=type=tmpfs,target=/root/.cargo cargo build
