FROM debian:buster
LABEL created="2024-01-02t10:20:30z"
