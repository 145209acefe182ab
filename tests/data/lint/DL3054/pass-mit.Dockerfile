FROM debian:buster
LABEL license="MIT"
LABEL license="Apache-2.0"
LABEL license="GPL-3.0-or-later"
