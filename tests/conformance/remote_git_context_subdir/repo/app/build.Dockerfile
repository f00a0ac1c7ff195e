FROM busybox AS base
WORKDIR /app
COPY . .
FROM base
RUN cat app.txt > /seen
LABEL from=subdir
