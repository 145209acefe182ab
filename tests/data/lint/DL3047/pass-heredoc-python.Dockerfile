FROM debian:buster
RUN python3 <<EOF
import os
print("wget x")
EOF
