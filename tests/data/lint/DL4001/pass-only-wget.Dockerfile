FROM node
RUN wget my.xyz && wget other.xyz
RUN echo "curl is only a word here"
