FROM debian:12
ONBUILD COPY --from=builder /out /out
