FROM busybox
COPY . /ctx
RUN find /ctx | sort > /listing.txt
