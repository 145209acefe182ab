FROM debian:buster
COPY src.sh ${SRC_BASE_ENV}
COPY src.sh $SRC_BASE_ENV
COPY src.sh "${SRC_BASE_ENV}"
