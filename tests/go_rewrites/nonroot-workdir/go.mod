module example.com/nonroot

go 1.22
