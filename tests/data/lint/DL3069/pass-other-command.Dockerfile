FROM rust:1
RUN cargo --version
