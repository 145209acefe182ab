FROM debian:12
CMD ["missing bracket"
ENTRYPOINT ['single', 'quotes']
RUN [ "ok" ]
CMD []
VOLUME ["/data"]
VOLUME /a /b
