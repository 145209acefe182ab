FROM scratch AS build
RUN wget -O - https://some.site && wc -l file > /number
RUN echo "a | b" && echo 'c | d'
