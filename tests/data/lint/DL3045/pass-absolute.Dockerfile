FROM debian:buster
COPY bla.sh /usr/local/bin/blubb.sh
COPY bla.sh "/usr/local/bin/blubb.sh"
COPY bla.sh c:/system32/blubb.sh
